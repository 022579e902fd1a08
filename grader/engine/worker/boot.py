"""The first code a worker (or the fork server) runs: its import path, then the real entry point.

Workers start as `python -I -S -B boot.py [--site DIR ...] (worker|forkserver) ARGS`: isolated
from the environment (-I), with no site-packages (-S) and no bytecode written (-B). The path is
exactly the bundle (the folder above `grader/`) and the site folders named, so a pure-Python
worker cannot import torch or numpy at all: they are not on its path and, in the sandbox, not
even in its view.
"""
import sys


def main() -> None:
    args = sys.argv[1:]
    bundle = __file__.rsplit("/grader/engine/worker/", 1)[0]
    sites = []
    while args and args[0] == "--site":
        sites.append(args[1])
        args = args[2:]
    sys.path[:] = [bundle] + [p for p in sys.path if "site-packages" not in p] + sites
    kind, rest = args[0], args[1:]
    if kind == "forkserver":
        from grader.engine.worker.forkserver import main as entry
    else:
        from grader.engine.worker.server import main as entry
    entry(rest)


main()
