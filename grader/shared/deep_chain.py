"""The bonus's 100,000-node chain, as numbers both sides draw the same way.

Torch-free and judge-free: the worker's probe (grader/probes/micrograd.py) and the judge's check
(grader/suites/micrograd/check_backward.py) both import it, and probes never import the suites.
"""
from __future__ import annotations

import functools
import random

STEPS = 50_000  # two nodes a step: a 100,000-node chain
EVERY = 10_000  # a checkpoint grad every so many steps


@functools.lru_cache(maxsize=4)  # a batch's judge grades every submission with the same seed
def numbers(seed: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The chain's factors and offsets: v = v * factor + offset, step after step."""
    rng = random.Random(f"{seed}:deep_chain")
    factors = tuple(rng.uniform(0.99999, 1.00001) for _ in range(STEPS))
    offsets = tuple(rng.uniform(-1e-3, 1e-3) for _ in range(STEPS))
    return factors, offsets
