"""The judge's static review of the torch rules (grader/engine/judge/source_review.py) on its own: ways
to hide a forbidden name from a reader, each refused with the line that does it; and what
honest files hold (docstrings that name torch's functions, tests under `__main__`, helpers named
like torch's) let through. The end-to-end cases are in test_torch_rules.py."""
from __future__ import annotations

import textwrap

import pytest

from grader.engine.judge.source_review import Review
from grader.probes.torch_rules import AUTOGRAD, SHORTCUTS

HEAD = "import torch\nimport torch.nn.functional as F\n\n\n"
HONEST_CE = '''
def cross_entropy(logits, Y):
    """Equal to F.cross_entropy; no log_softmax, no logsumexp."""
    shifted = logits - logits.max(dim=1, keepdim=True).values
    return -(shifted - shifted.exp().sum(dim=1, keepdim=True).log())[torch.arange(len(Y)), Y].mean()
'''

HIDDEN = {  # how the name is hidden: (the file's code, words of the finding, its line)
    "an alias bound at import": ("ce = F.cross_entropy\n\n\ndef cross_entropy(logits, Y):\n    return ce(logits, Y)\n",
                                 "uses `F.cross_entropy`", 5),
    "an alias in a default argument": ("def cross_entropy(logits, Y, ce=F.cross_entropy):\n    return ce(logits, Y)\n",
                                       "uses `F.cross_entropy`", 5),
    "a decorator that swaps the function": (
        "def swap(fn):\n    return F.cross_entropy\n\n\n@swap\ndef cross_entropy(logits, Y):\n    return 0\n",
        "uses `F.cross_entropy`", 6),
    "a star import": ("from torch.nn.functional import *\n\n\ndef cross_entropy(logits, Y):\n    return nll_loss(log_softmax(logits, 1), Y)\n",
                      "(from `from torch.nn.functional import *`), a built-in shortcut", 9),
    "a global shadowed by a nested function's local": (
        "ce = F.cross_entropy\n\n\ndef cross_entropy(logits, Y):\n    def inner():\n        ce = 1\n        return ce\n"
        "    return ce(logits, Y) + inner()\n", "uses `F.cross_entropy`", 5),
    "an attribute read by a match pattern": (
        "def cross_entropy(logits, Y):\n    match F:\n        case object(cross_entropy=ce):\n            return ce(logits, Y)\n",
        "uses the attribute `cross_entropy` in a pattern", 7),
    "a name kept in a string": ("def cross_entropy(logits, Y):\n    return getattr(F, 'log_softmax')(logits, 1)[range(len(Y)), Y].mean()\n",
                                "uses `getattr(F, 'log_softmax')`", 6),
    "a module's dictionary": ("def cross_entropy(logits, Y):\n    return F.__dict__['cross' + '_entropy'](logits, Y)\n",
                              "uses `F.__dict__`", 6),
    "vars() of a module": ("def cross_entropy(logits, Y):\n    return vars(F)['cross' + '_entropy'](logits, Y)\n", "uses `vars`", 6),
    "a builtin planted at import": ("def cross_entropy(logits, Y):\n    return planted(logits, Y)\n",
                                    "uses `planted`, which makemore/mlp.py defines nowhere", 6),
    "a submodule imported by its dotted name": (
        "import makemore.helpers\n\n\ndef cross_entropy(logits, Y):\n    return makemore.helpers.ce(logits, Y)\n",
        "uses `F.cross_entropy`", 5),
    "getattr handed on": ("import functools\n\n\ndef cross_entropy(logits, Y):\n"
                          "    return functools.reduce(getattr, ['cross_' + 'entropy'], F)(logits, Y)\n", "uses `getattr`", 9),
    "softmin, softmax in disguise": ("def cross_entropy(logits, Y):\n    return -F.softmin(-logits, 1).log()[range(len(Y)), Y].mean()\n",
                                     "uses `F.softmin`", 6),
    "torch's reference implementations": ("def cross_entropy(logits, Y):\n    return torch._refs.nn.functional.log_softmax(logits, 1)\n",
                                          "uses `torch._refs.nn.functional.log_softmax`", 6),
}


def review(tmp_path, code, rule=SHORTCUTS, rel="makemore/mlp.py", function="cross_entropy", helpers=None):
    (tmp_path / "makemore").mkdir(exist_ok=True)
    (tmp_path / rel).write_text(HEAD + textwrap.dedent(code))
    (tmp_path / "makemore" / "helpers.py").write_text(HEAD + (helpers or "def ce(l, y):\n    return F.cross_entropy(l, y)\n"))
    found = Review(tmp_path, rule)
    return found.tampering(rel) or found.function(rel, function)


@pytest.mark.parametrize("how", sorted(HIDDEN))
def test_a_hidden_shortcut_is_found_where_it_is(tmp_path, how):
    code, words, line = HIDDEN[how]
    finding = review(tmp_path, code)
    assert finding is not None and words in finding.what, finding
    assert finding.line == line or finding.file == "makemore/helpers.py", finding


@pytest.mark.parametrize("code", [
    HONEST_CE,
    HONEST_CE + "\n\nif __name__ == '__main__':\n    import sys\n    print(F.cross_entropy(torch.randn(2, 3), torch.tensor([0, 1])), sys.argv)\n",
    HONEST_CE + "\n\ndef train(logits, Y):\n    return F.cross_entropy(logits, Y)  # other functions may use it\n",
    "def log_softmax(x):\n    m = x.max(1, keepdim=True).values\n    return x - m - (x - m).exp().sum(1, keepdim=True).log()\n\n\n"
    "def cross_entropy(logits, Y):\n    return -log_softmax(logits)[range(len(Y)), Y].mean()\n",
], ids=["the-solution", "a-test-under-main", "F-in-another-function", "a-helper-named-log-softmax"])
def test_honest_files_pass(tmp_path, code):
    assert review(tmp_path, code) is None


def test_changes_to_torch_at_import_are_refused_even_away_from_the_function(tmp_path):
    finding = review(tmp_path, "torch.Tensor.mean = lambda self: 0\n" + HONEST_CE)
    assert finding is not None and "changes `torch.Tensor.mean`" in finding.what and finding.line == 5


def test_a_local_variable_named_grad_is_not_autograd(tmp_path):
    code = '''
    def batchnorm_backward(dout, x, gamma, eps=1e-5):
        n = x.shape[0]
        invstd = (x.var(0, unbiased=False) + eps) ** -0.5
        xhat = (x - x.mean(0)) * invstd
        grad = dout * gamma  # a local, not torch's
        with torch.no_grad():
            dx = invstd / n * (n * grad - grad.sum(0) - xhat * (grad * xhat).sum(0))
        return dx, (dout * xhat).sum(0), dout.sum(0)
    '''
    assert review(tmp_path, code, AUTOGRAD, "makemore/batchnorm.py", "batchnorm_backward") is None
    finding = review(tmp_path, code.replace("return dx,", "return x.grad,"), AUTOGRAD, "makemore/batchnorm.py",
                     "batchnorm_backward")
    assert finding is not None and "uses `x.grad`, autograd" in finding.what
