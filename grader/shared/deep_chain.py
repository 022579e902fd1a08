"""The bonus's 100,000-node chain, as numbers both sides draw the same way.

Torch-free and judge-free: the worker's probe (grader/probes/micrograd.py) and the judge's check
(grader/suites/micrograd/check_backward.py) both import it, and probes never import the suites.
"""
from __future__ import annotations

import functools
import random

STEPS = 50_000  # two nodes a step: a 100,000-node chain
EVERY = 10_000  # a checkpoint grad every so many steps
# The steps' factors and offsets are leaves drawn from a pool of this many Values each, so a leaf
# feeds many steps: the graph is a DAG whose backward() meets each shared leaf from many parents,
# and building it makes half as many Values (a batch builds it for every submission).
POOL = 1_000


def pools(seed: int) -> tuple[list[float], list[float]]:
    """The POOL factors and the POOL offsets the chain's steps draw from (what the worker needs)."""
    rng = random.Random(f"{seed}:deep_chain")
    return [rng.uniform(0.99999, 1.00001) for _ in range(POOL)], [rng.uniform(-1e-3, 1e-3) for _ in range(POOL)]


@functools.lru_cache(maxsize=4)  # a batch's judge grades every submission with the same seed
def numbers(seed: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The chain's factors and offsets, step by step: v = v * factor + offset. Step s uses the
    pool's element s % POOL of each."""
    factors, offsets = pools(seed)
    return tuple(factors[s % POOL] for s in range(STEPS)), tuple(offsets[s % POOL] for s in range(STEPS))
