"""`grade report`: one self-contained HTML page (and the same numbers as JSON) about a class,
from the results `grade batch --json-dir` wrote: the spread of scores, what most students fail
and why, who has not started what, who took too long or too much memory, and near-copies."""
