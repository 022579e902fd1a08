"""Hidden check suites, one package per module, run by `grader.engine.judge.run` under pytest."""
