"""The micrograd suite. This file must stay free of torch: it is read before torch is imported."""

from grader.shared import deep_chain


def prefetch(seed: int) -> dict:
    """Slow probes to start in their own worker at once: name -> (component, probe, load, args)."""
    return {
        "deep_chain": ("micrograd.deep_graphs", "deep_chain", [("micrograd.engine", None)],
                       {"seed": seed, "every": deep_chain.EVERY}),
    }
