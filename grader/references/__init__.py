"""The grader's reference implementations: what a component is compared against, and what
stands in for the parts of a submission outside the component being graded."""
