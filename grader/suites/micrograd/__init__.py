"""The micrograd suite. This file must stay free of torch: it is read before torch is imported."""

DEEP_STEPS = 50_000  # two nodes a step: a 100,000-node chain
DEEP_EVERY = 10_000  # a checkpoint grad every so many steps


def deep_chain_numbers(seed: int):
    """The chain's factors and offsets, drawn the same way in the judge and in the worker."""
    import random

    rng = random.Random(f"{seed}:deep_chain")
    factors = [rng.uniform(0.99999, 1.00001) for _ in range(DEEP_STEPS)]
    offsets = [rng.uniform(-1e-3, 1e-3) for _ in range(DEEP_STEPS)]
    return factors, offsets


def prefetch(seed: int) -> dict:
    """Slow probes to start in their own worker at once: name -> (component, probe, load, args)."""
    return {
        "deep_chain": ("micrograd.deep_graphs", "deep_chain", [("micrograd.engine", None)],
                       {"seed": seed, "every": DEEP_EVERY}),
    }
