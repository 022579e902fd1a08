"""Judge-side helpers shared by the batchnorm checks: what to load, seeded inputs, tolerances."""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch

from grader.checks import require
from grader.probes import batchnorm as probes

BATCHNORM = [(probes.MODULE, probes.REFERENCE)]  # what the probes load, stand-ins included

# float32 arithmetic in a different order (the lecture's step-by-step code, keepdim or not)
# stays well inside these; every named mistake is far outside.
RTOL, ATOL = 1e-4, 1e-5


@contextmanager
def one_thread():
    """For torch's own batch norm on our tiny tensors: its CPU kernel would otherwise start
    OpenMP's thread pool on first use, 0.1 s or more on a busy machine, for nothing."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def gen(rng) -> torch.Generator:
    return torch.Generator().manual_seed(rng.randrange(2**31))


def randn(rng, *shape, scale=1.0, shift=0.0) -> torch.Tensor:
    """float32 normal draws; `scale` and `shift` broadcast (e.g. one per column)."""
    return torch.randn(shape, generator=gen(rng)) * scale + shift


def columns(rng, dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A spread and an offset per feature, so that batch statistics are far from (0, 1)."""
    return torch.rand(dim, generator=gen(rng)) * 2.5 + 0.5, torch.rand(dim, generator=gen(rng)) * 4 - 2


def grad_atol(expected: np.ndarray) -> float:
    """Gradients of batch norm cancel a lot: allow float32 noise relative to their size."""
    return ATOL * max(1.0, float(np.abs(expected).max()))


def expect_no_graph(got: dict, what: str, hint: str) -> None:
    require(not got.get("has_grad_fn"), f"{what} is part of an autograd graph (it has a grad_fn)", hint)
