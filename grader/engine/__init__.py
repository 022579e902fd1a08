"""The engine: the judge that decides, the worker that runs student code, the result model,
the manifest, submissions and the formats a result is written in."""
