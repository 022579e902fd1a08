"""The bonus's 100,000-node chain, as numbers both sides draw the same way.

Torch-free and judge-free: the worker's probe (grader/probes/micrograd.py) and the judge's check
(grader/suites/micrograd/check_backward.py) both import it, and probes never import the suites.
"""
from __future__ import annotations

import random

STEPS = 50_000  # two nodes a step: a 100,000-node chain
EVERY = 10_000  # a checkpoint grad every so many steps


def numbers(seed: int) -> tuple[list[float], list[float]]:
    """The chain's factors and offsets: v = v * factor + offset, step after step."""
    rng = random.Random(f"{seed}:deep_chain")
    factors = [rng.uniform(0.99999, 1.00001) for _ in range(STEPS)]
    offsets = [rng.uniform(-1e-3, 1e-3) for _ in range(STEPS)]
    return factors, offsets
