"""The student-code side of the grader: a separate process, spoken to in plain data."""
