"""`grade batch`: many submissions, graded in parallel by warm judges, into one CSV (and JSON files).

- `snapshot`: a submission as data, taken when the batch starts
- `grading_process`: the warm process that grades submission after submission
  (`python -I -m grader.instructor.batch.grading_process`)
- `handle`: the parent's side of a judge: nonces, deadlines, replacing it
- `trust`: statuses read against the manifest; every score recomputed
- `run`: the scheduler (`run_batch`)
- `output`: the CSV and JSON files, written as each submission finishes; `--resume`
"""
from grader.instructor.batch.output import Row, component_columns, csv_header
from grader.instructor.batch.run import BatchOptions, run_batch

__all__ = ["BatchOptions", "Row", "component_columns", "csv_header", "run_batch"]
