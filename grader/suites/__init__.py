"""Hidden check suites, one package per module, run by `grader.judge.run` under pytest."""
