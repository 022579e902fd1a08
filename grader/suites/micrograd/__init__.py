"""The micrograd suite. This file must stay free of torch: it is read before torch is imported."""

# The chain's numbers are drawn by the worker side's grader.exprs, the same in judge and worker.
from grader.exprs import DEEP_STEPS, deep_chain_numbers  # noqa: E402,F401

DEEP_EVERY = 10_000  # a checkpoint grad every so many steps


def prefetch(seed: int) -> dict:
    """Slow probes to start in their own worker at once: name -> (component, probe, load, args)."""
    return {
        "deep_chain": ("micrograd.deep_graphs", "deep_chain", [("micrograd.engine", None)],
                       {"seed": seed, "every": DEEP_EVERY}),
    }
