"""The torch rules as data: what `cross_entropy` may not use (torch's built-in shortcuts) and what
`batchnorm_backward` may not use (autograd, in any mode), in the forms each watcher sees them.

- `c_names` / `c_substrings`: C functions called from Python, by their `__name__` (set in C: a
  saved reference or an alias has the same name).
- `py_names` / `py_substrings`: Python functions of torch's own files, by their code's name.
- `events`: operator and autograd events the C++ profiler and the dispatch mode record
  (`aten::_log_softmax`, `autograd::engine::evaluate_function: MulBackward0`, `MulBackward0`).
- `identifiers`: names in the learner's source (attributes, imports, string constants) that the
  judge's static review refuses.

`TAMPER` is what neither function has any reason to call and what would switch a watcher off:
the profiler, the dispatch-mode stack, trace and profile hooks, frames, the garbage collector's
object lists, threads, processes, signals. Matching is by lower-cased substring unless a set
says "names" (exact).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    key: str
    used: str  # what breaking it means, for messages: "used a built-in shortcut"
    what: str  # what the forbidden things are, for the static review's messages: "a built-in shortcut"
    hint: str
    c_names: frozenset = frozenset()
    c_substrings: tuple = ()
    py_names: frozenset = frozenset()
    py_substrings: tuple = ()
    events: tuple = ()  # substrings of profiler / dispatch event names
    grad_mode: bool = False  # switching grad mode on counts as using autograd
    identifiers: tuple = ()  # substrings of source identifiers
    exact_identifiers: frozenset = frozenset()
    allowed_identifiers: frozenset = frozenset()


SHORTCUT_WORDS = ("softmax", "softmin", "logsumexp", "logcumsumexp", "logaddexp", "nll_loss", "cross_entropy")

SHORTCUTS = Rule(
    key="shortcuts",
    used="used a built-in shortcut",
    what="a built-in shortcut",
    hint="Write it with elementary tensor operations: the row max, exp, sum, log, indexing and mean.",
    c_substrings=SHORTCUT_WORDS,
    py_substrings=SHORTCUT_WORDS,
    events=SHORTCUT_WORDS,
    identifiers=SHORTCUT_WORDS + ("nllloss", "crossentropy", "_refs", "_decomp", "_prims", "distributions"),
)

AUTOGRAD_NAMES = frozenset({
    "grad", "backward", "_engine_run_backward", "run_backward", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
    "jacobian", "hvp", "vhp", "grad_and_value", "linearize", "make_dual", "unpack_dual", "_autograd_grad",
    "_vjp_with_argnums", "_jvp_with_argnums", "gradcheck", "gradgradcheck",
})

AUTOGRAD = Rule(
    key="autograd",
    used="ran autograd",
    what="autograd",
    hint="Compute dx, dgamma and dbeta with tensor arithmetic only, by the chain rule: no autograd in any form.",
    c_names=frozenset({"run_backward", "_make_dual", "_unpack_dual", "_enter_dual_level", "_grad_increment_nesting",
                       "_jvp_increment_nesting", "_wrap_for_grad"}),
    c_substrings=("backward",),
    py_names=AUTOGRAD_NAMES,
    events=("backward", "autograd::", "accumulategrad", "_make_dual", "_unpack_dual", "_fw_primal"),
    grad_mode=True,
    identifiers=("backward", "autograd", "grad", "jacrev", "jacfwd", "jacobian", "hessian", "vjp", "jvp", "hvp",
                 "vhp", "dual", "functorch", "engine", "linearize"),
    exact_identifiers=frozenset({"func", "Function", "Variable"}),
    allowed_identifiers=frozenset({"no_grad"}),
)

RULES = {rule.key: rule for rule in (SHORTCUTS, AUTOGRAD)}

# C functions that would switch a watcher off or reach the grader's own state (exact names).
TAMPER_C_NAMES = frozenset({
    "setprofile", "settrace", "getprofile", "gettrace", "_getframe", "_current_frames", "_current_exceptions",
    "get_objects", "get_referrers", "get_referents", "addaudithook", "start_new_thread", "start_joinable_thread",
    "fork", "forkpty", "fork_exec", "system", "posix_spawn", "posix_spawnp", "execv", "execve", "spawnv", "spawnve",
    "signal", "setitimer", "alarm", "pthread_kill", "set_wakeup_fd", "dlopen", "dlsym",
    "_enable_profiler", "_enable_profiler_legacy", "_disable_profiler", "_disable_profiler_legacy",
    "_prepare_profiler", "_enable_record_function", "_pop_torch_dispatch_stack", "_push_on_torch_dispatch_stack",
    "_get_dispatch_stack_at",
    "_len_torch_dispatch_stack", "_set_dispatch_mode", "_get_dispatch_mode", "_unset_dispatch_mode",
})
# torch._C guard classes whose methods switch the Python dispatch key (the dispatch mode) off.
TAMPER_GUARDS = ("_DisableTorchDispatch", "_ExcludeDispatchKeyGuard", "ExcludeDispatchKeyGuard",
                 "_IncludeDispatchKeyGuard", "_ForceDispatchKeyGuard", "_SetExcludeDispatchKeyGuard",
                 "_DisablePythonDispatcher", "_PreserveDispatchKeyGuard")

# Audit events that reach frames, the object graph, native code or other processes.
AUDIT_BLOCKED = frozenset({
    "sys._getframe", "sys._current_frames", "sys._current_exceptions", "sys.setprofile", "sys.settrace",
    "sys.addaudithook", "gc.get_objects", "gc.get_referrers", "gc.get_referents", "os.fork", "os.forkpty",
    "os.system", "os.posix_spawn", "os.spawn", "os.exec", "subprocess.Popen", "_thread.start_new_thread",
    "signal.pthread_kill",
})
AUDIT_BLOCKED_PREFIXES = ("ctypes.", "sys.monitoring")
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
