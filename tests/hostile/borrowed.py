"""Borrowed answers for the torch rules: a solved submission whose `cross_entropy` or
`batchnorm_backward` gets the right numbers from what the rule forbids (torch's shortcuts,
autograd in any of its forms), or tries to switch the grader's watch off first. Each must earn
nothing for that component and cost no other component anything (tests/test_torch_rules.py).

`body` replaces the solution's body of the function; `prelude` is added at the end of the file
(it runs at import). `static` is what the judge's review of the source says; `watch` what the
worker's watch says when the source review is out of the way (both must name what was used).

The last cases call torch's private C functions through `functools.partial`, which the profile
hook cannot see (C calling C), to switch the other recorders off: for batch norm the autograd
graph's own node count still gives it away; for the loss nothing in the worker does, and only
the source review stops it (SECURITY.md says so)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Borrowed:
    name: str
    module: str  # "mlp" (cross_entropy) or "batchnorm" (batchnorm_backward)
    body: str
    static: str
    watch: str | None  # None: the watch alone does not stop it (SECURITY.md); the source review does
    prelude: str = ""


FORWARD = "g * (xr - xr.mean(0)) / torch.sqrt(xr.var(0, unbiased=False) + eps) + b"
LEAVES = '''xr = x.clone().requires_grad_()
g = gamma.clone().requires_grad_()
b = torch.zeros_like(gamma).requires_grad_()
'''


def indented(code: str) -> str:
    return "".join(f"    {line}\n" for line in code.splitlines())


GRAPH = "with torch.enable_grad():\n" + indented(LEAVES) + f"    out = {FORWARD}\n"
ONE_HOT = "torch.zeros_like(logits).scatter_(1, Y[:, None], 1.0)"

RECORDERS_OFF = '''import functools
call = functools.partial
call(torch._C._autograd._enable_record_function, False)()
modes = call(torch._C._len_torch_dispatch_stack)()
mode = call(torch._C._get_dispatch_stack_at, modes - 1)() if modes else None
if mode is not None:
    call(torch._C._pop_torch_dispatch_stack, None)()
'''
RECORDERS_ON = '''if mode is not None:
    call(torch._C._push_on_torch_dispatch_stack, mode)()
call(torch._C._autograd._enable_record_function, True)()
'''

CASES = [
    Borrowed("cross-entropy-inside-a-custom-autograd-function", "mlp", f'''
class CE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, Y):
        ctx.save_for_backward(logits, Y)
        return F.cross_entropy(logits, Y)

    @staticmethod
    def backward(ctx, grad):
        logits, Y = ctx.saved_tensors
        return grad * (torch.softmax(logits, 1) - {ONE_HOT}) / logits.shape[0], None

return CE.apply(logits, Y)
''', "uses `F.cross_entropy`, a built-in shortcut", "used a built-in shortcut: torch.nn.functional.cross_entropy"),
    Borrowed("cross-entropy-on-detached-logits-behind-a-surrogate-graph", "mlp", f'''
value = F.cross_entropy(logits.detach(), Y)
probs = torch.softmax(logits.detach(), 1)
surrogate = (logits * (probs - {ONE_HOT})).sum() / logits.shape[0]
return surrogate - surrogate.detach() + value
''', "uses `F.cross_entropy`, a built-in shortcut", "used a built-in shortcut: torch.nn.functional.cross_entropy"),
    Borrowed("torch-logcumsumexp", "mlp", '''
lse = torch.logcumsumexp(logits, dim=1)[:, -1:]
return -(logits - lse)[torch.arange(logits.shape[0]), Y].mean()
''', "uses `torch.logcumsumexp`, a built-in shortcut", "used a built-in shortcut: torch.logcumsumexp"),
    Borrowed("log-softmax-by-a-name-built-at-run-time", "mlp", '''
log_probs = getattr(F, "log_" + "softmax")(logits, dim=1)
return -log_probs[torch.arange(logits.shape[0]), Y].mean()
''', "looks an attribute up by a computed name", "used a built-in shortcut: torch.nn.functional.log_softmax"),
    Borrowed("a-tensor-method-planted-at-import", "mlp", "return logits.xent(Y)\n",
             "cannot be checked for its rules: makemore/mlp.py changes `torch.Tensor.xent`",
             "used a built-in shortcut: torch.nn.functional.cross_entropy",
             prelude="torch.Tensor.xent = lambda self, Y: F.cross_entropy(self, Y)\n"),
    Borrowed("a-helper-compiled-from-a-string", "mlp", "return _ce(logits, Y)\n",
             "cannot be checked for its rules: makemore/mlp.py uses `exec`",
             "used a built-in shortcut: torch.nn.functional.cross_entropy",
             prelude='exec("def _ce(logits, Y):\\n    return F.cross_entropy(logits, Y)\\n")\n'),
    Borrowed("the-shortcut-tried-then-an-honest-fallback", "mlp", '''
try:
    return F.cross_entropy(logits, Y)
except BaseException:
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -log_probs[torch.arange(logits.shape[0]), Y].mean()
''', "uses `F.cross_entropy`, a built-in shortcut", "used a built-in shortcut: torch.nn.functional.cross_entropy"),
    Borrowed("variable-execution-engine-run-backward", "batchnorm", f'''
from torch.autograd import Variable
{GRAPH}    return Variable._execution_engine.run_backward((out,), (dout,), False, False, (xr, g, b), False, False)
''', "uses `torch.autograd.Variable` (imported), autograd", "ran autograd"),
    Borrowed("autograd-graph-engine-run-backward", "batchnorm", f'''
{GRAPH}    return torch.autograd.graph._engine_run_backward((out,), (dout,), False, False, (xr, g, b), False, False)
''', "uses `torch.enable_grad`, autograd", "ran autograd"),
    Borrowed("torch-autograd-grad-saved-at-import-and-restored", "batchnorm", f'''
torch.autograd.grad = _saved_grad
{GRAPH}    return torch.autograd.grad((out * dout).sum(), (xr, g, b))
''', "cannot be checked for its rules: makemore/batchnorm.py changes `torch.autograd.grad`",
             "ran autograd", prelude="_saved_grad = torch.autograd.grad\n"),
    Borrowed("forward-mode-with-torch-func-jacfwd", "batchnorm", f'''
def loss(xr, g, b):
    return (({FORWARD}) * dout).sum()

return torch.func.jacfwd(loss, argnums=(0, 1, 2))(x, gamma, torch.zeros_like(gamma))
''', "uses `torch.func.jacfwd`, autograd", "ran autograd: torch._functorch.eager_transforms.jacfwd"),
    Borrowed("a-graph-node-called-by-hand", "batchnorm", f'''
with torch.enable_grad():
{indented(LEAVES)}    out = torch.nn.functional.batch_norm(xr, None, None, g, b, training=True, eps=eps)
return out.grad_fn(dout)
''', "uses `torch.enable_grad`, autograd", "ran autograd"),
    Borrowed("the-aten-backward-operator-called-directly", "batchnorm", '''
invstd = (x.var(0, unbiased=False) + eps).rsqrt()
return torch.ops.aten.native_batch_norm_backward(dout, x, gamma, None, None, x.mean(0), invstd, True, eps,
                                                 [True, True, True])
''', "uses `torch.ops.aten.native_batch_norm_backward`, autograd", "ran autograd"),
    Borrowed("the-watch-switched-off-first", "batchnorm", f'''
import sys
sys.setprofile(None)
for switch_off in (torch.autograd._disable_profiler_legacy, lambda: torch._C._pop_torch_dispatch_stack(None)):
    try:
        switch_off()
    except RuntimeError:  # nothing to switch off
        pass
{GRAPH}    return torch.autograd.grad((out * dout).sum(), (xr, g, b))
''', "uses `sys` (imported)", "tried to switch off or reach the grader's watch: it called sys.setprofile"),
    Borrowed("autograd-in-a-thread", "batchnorm", f'''
import threading
box = []

def work():
{indented(GRAPH)}        box.append(torch.autograd.grad((out * dout).sum(), (xr, g, b)))

thread = threading.Thread(target=work)
thread.start()
thread.join()
return box[0]
''', "uses `threading` (imported)", "tried to switch off or reach the grader's watch: it called _thread.start_new_thread"),
    Borrowed("the-profile-hook-removed-from-c", "batchnorm", f'''
import functools
import sys
functools.partial(sys.setprofile, None)()
{GRAPH}    return torch.autograd.grad((out * dout).sum(), (xr, g, b))
''', "uses `sys` (imported)", "switched off the grader's watch (its profile hook was removed)"),
    Borrowed("an-audit-hook-added-at-import", "mlp", '''
shifted = logits - logits.max(dim=1, keepdim=True).values
log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
return -log_probs[torch.arange(logits.shape[0]), Y].mean()
''', "cannot be checked for its rules: makemore/mlp.py uses `sys.addaudithook`",
             "cannot be checked: the submission called sys.addaudithook before it ran",
             prelude="import sys\nsys.addaudithook(lambda event, args: None)\n"),
    Borrowed("a-trace-function-set-at-import", "batchnorm", '''
n = x.shape[0]
invstd = (x.var(0, unbiased=False) + eps) ** -0.5
xhat = (x - x.mean(0)) * invstd
return gamma * invstd / n * (n * dout - dout.sum(0) - xhat * (dout * xhat).sum(0)), (dout * xhat).sum(0), dout.sum(0)
''', "cannot be checked for its rules: makemore/batchnorm.py uses `sys.settrace`",
             "was called with a trace function installed (sys.settrace)",
             prelude="import sys\nsys.settrace(lambda frame, event, arg: None)\n"),
    Borrowed("autograd-from-c-with-the-recorders-off", "batchnorm", f'''
from torch.autograd import Variable
{RECORDERS_OFF}call(torch._C._set_grad_enabled, True)()
{LEAVES}out = {FORWARD}
grads = call(Variable._execution_engine.run_backward, (out,), (dout,), False, False, (xr, g, b), False, False)()
call(torch._C._set_grad_enabled, False)()
{RECORDERS_ON}return grads
''', "uses `torch.autograd.Variable` (imported), autograd", "ran autograd: it built an autograd graph"),
    Borrowed("log-softmax-from-c-with-the-recorders-off", "mlp", f'''
{RECORDERS_OFF}log_probs = call(torch.log_softmax, logits, 1)()
{RECORDERS_ON}return -log_probs[torch.arange(logits.shape[0]), Y].mean()
''', "uses `torch._C._autograd._enable_record_function`", None),
]

# Cases whose import plants a hook: every later watch of the same process fails because of them.
TAINTING = frozenset({"an-audit-hook-added-at-import", "a-trace-function-set-at-import"})
