"""What was handed in: finding the exercises folder, unpacking an archive, choosing the graded
source per module, and turning a notebook into exercise files."""
