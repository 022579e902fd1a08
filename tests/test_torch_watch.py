"""The worker's watch (grader/probes/torch_watch.py) on its own, in this process: the checks it
makes after the call catch a recorder switched off from C, where the profile hook cannot see
(functools.partial calling torch's C functions), and an honest call leaves nothing behind."""
from __future__ import annotations

import functools
import sys

import pytest
import torch

from grader.probes import torch_watch
from grader.probes.common import BadResult
from grader.probes.torch_rules import AUTOGRAD, SHORTCUTS

call = functools.partial  # C calling C: invisible to the profile hook


def restart_the_profiler_and_forge_its_marker(x):
    records = call(torch.autograd._disable_profiler_legacy)()
    marker = next(e.name() for thread in records for e in thread if e.name().startswith("zero-to-hero"))
    call(torch.autograd._enable_profiler_legacy, torch_watch._PROFILER)()
    handle = call(torch.ops.profiler._record_function_enter_new, marker, None)()
    call(torch.ops.profiler._record_function_exit._RecordFunction, handle)()
    return x


def pop_the_dispatch_mode(x):
    call(torch._C._pop_torch_dispatch_stack, None)()
    return x


def remove_the_profile_hook(x):
    call(sys.setprofile, None)()
    return x


@pytest.mark.parametrize("tamper,words", [
    (restart_the_profiler_and_forge_its_marker, "the profiler was restarted"),
    (pop_the_dispatch_mode, "its dispatch mode was removed or covered"),
    (remove_the_profile_hook, "its profile hook was removed"),
])
def test_a_recorder_switched_off_from_c_is_noticed_after_the_call(tmp_path, tamper, words):
    with pytest.raises(BadResult, match=words):
        torch_watch.call(SHORTCUTS, "f", tmp_path, tamper, torch.ones(2))
    assert sys.getprofile() is None and torch._C._len_torch_dispatch_stack() == 0
    assert not torch.autograd._profiler_enabled()


def test_a_graph_built_from_c_is_autograd(tmp_path):
    def grad_mode_from_c(x):
        call(torch._C._set_grad_enabled, True)()
        y = (x.clone().requires_grad_() * 2).sum()
        call(torch._C._set_grad_enabled, False)()
        return y.detach()

    with torch.no_grad(), pytest.raises(BadResult, match="it built an autograd graph"):
        torch_watch.call(AUTOGRAD, "f", tmp_path, grad_mode_from_c, torch.ones(2))


def test_an_honest_call_passes_and_leaves_nothing_behind(tmp_path):
    def honest(logits, Y):
        shifted = logits - logits.max(dim=1, keepdim=True).values
        return -(shifted - shifted.exp().sum(dim=1, keepdim=True).log())[torch.arange(len(Y)), Y].mean()

    logits = torch.randn(4, 5, requires_grad=True)
    loss = torch_watch.call(SHORTCUTS, "cross_entropy", tmp_path, honest, logits, torch.tensor([0, 1, 2, 3]))
    loss.backward()  # the probe's own backward, after the watch: not the learner's
    assert logits.grad is not None
    assert sys.getprofile() is None and torch._C._len_torch_dispatch_stack() == 0
    assert not torch.autograd._profiler_enabled()
