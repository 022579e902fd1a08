"""What really ran inside one call of the learner's function, for the torch rules.

    finish = start(AUTOGRAD, "batchnorm_backward", student.exercises)
    try:
        result = batchnorm_backward(...)
    except:                      # bare: `except BaseException` looks a name up, which can be rebound
        finish()                 # raises BadResult if a rule was broken
        raise
    finish()

Three recorders watch the call, each able to see what would switch the others off:
- a profile hook (`sys.setprofile`): every Python function and every C function called from
  Python, by the function's own name (a saved original or an alias is the same function), so
  `F.cross_entropy`, `torch.autograd.grad`, `Variable._execution_engine.run_backward`,
  `torch.func.jacfwd` and `torch.logcumsumexp` are all seen, as are the tools that would stop
  the other recorders (the profiler, the dispatch-mode stack, trace hooks, frames, threads). It
  raises into the learner's code at the first offence, which also removes it;
- the C++ profiler (the legacy one: cheap, quiet): every operator the dispatcher runs and every
  node autograd's engine evaluates (`autograd::engine::evaluate_function: ...`), with a marker
  recorded before the call that must still be there after it (a restarted profiler loses it);
- a TorchDispatchMode: every aten operator below autograd, the mode checked still on top of the
  stack afterwards.
The audit hook of `audit_guard` refuses, while the watch is open, everything that could reach
the watch's own state (frames, gc's object lists) or remove the profile hook.

The learner's code can rebind any module global or builtin with plain assignments, which no hook
sees. So everything used after the call is bound here, before it, in closures: `finish` reads no
global and no builtin (hence the long list of local names in `start`).
"""
from __future__ import annotations

import os
import re
import sys
import time
import types
from pathlib import Path

import torch
from torch._C._profiler import _ExperimentalConfig
from torch.autograd import ProfilerConfig, ProfilerState
from torch.utils._python_dispatch import TorchDispatchMode

from grader.probes import audit_guard
from grader.probes.common import BadResult
from grader.probes.torch_rules import TAMPER_C_NAMES, TAMPER_GUARDS, Rule

TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_PROFILER = ProfilerConfig(ProfilerState.CPU, False, False, False, False, False, _ExperimentalConfig())
_GUARD_TYPES = frozenset(getattr(torch._C, name) for name in TAMPER_GUARDS if hasattr(torch._C, name))


def _pattern(words):
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def _sources(root: Path) -> dict[str, list[str]]:
    """The learner's files, read before the call, to quote the offending line."""
    found = {}
    for path in sorted(root.rglob("*.py"))[:200]:
        try:
            found[str(path)] = path.read_text(errors="replace").splitlines()
        except OSError:
            pass
    return found


def start(rule: Rule, function: str, root) -> types.FunctionType:
    """Open a watch for one call of the learner's `function` (a file under `root`); return the
    function that closes it, raising BadResult when the call broke `rule`."""
    root_path = Path(root).resolve()
    root_prefix, sources = str(root_path) + os.sep, _sources(root_path)
    violations: list[str] = []
    # Bound now, used after the call: see the module docstring.
    get_attr, type_of, str_type, length = getattr, type, str, len
    setprofile, getprofile, audit, private_event = sys.setprofile, sys.getprofile, sys.audit, audit_guard.EVENT
    broken, bad_result, own = audit_guard.TorchRuleBroken, BadResult, OWN_CODES
    c_names, c_pattern, py_names, py_pattern = rule.c_names, _pattern(rule.c_substrings), rule.py_names, \
        _pattern(rule.py_substrings)
    events = _pattern(rule.events)
    tamper, guards, torch_dir = TAMPER_C_NAMES, _GUARD_TYPES, TORCH_DIR
    watch_grad, grad_enabled = rule.grad_mode, torch.is_grad_enabled
    # autograd numbers every graph node it creates, per thread; nothing resets the count
    nodes_made = torch._C._autograd._get_sequence_nr
    stack_len, stack_at = torch._C._len_torch_dispatch_stack, torch._C._get_dispatch_stack_at
    stack_push, stack_pop = torch._C._push_on_torch_dispatch_stack, torch._C._pop_torch_dispatch_stack
    python_key = torch._C.DispatchKey.Python
    excluded = torch._C._dispatch_tls_is_dispatch_key_excluded
    profiler_on, profiler_off = torch.autograd._profiler_enabled, torch.autograd._disable_profiler_legacy
    event = torch._C._autograd.ProfilerEvent
    event_name, event_kind, event_start = event.name, event.kind, event.start_us
    clock = time.time_ns  # the profiler stamps its events with the wall clock, in microseconds
    used, hint = rule.used, rule.hint

    def where(frame) -> str:
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(root_prefix):
                lines, n = sources.get(filename, ()), frame.f_lineno
                code = lines[n - 1].strip() if 0 < n <= length(lines) else ""
                return f" ({filename[length(root_prefix):]} line {n}: {code})"
            frame = frame.f_back
        return ""

    def note(what: str, frame):
        violations.append(what + where(frame))
        raise broken(what)

    def c_function(fn, name: str) -> str:
        qualname, module = get_attr(fn, "__qualname__", name), get_attr(fn, "__module__", None)
        if "pybind11" in qualname or "." not in qualname:
            return f"{module}.{name}" if module else name
        return qualname.replace("TensorBase.", "Tensor.").replace("_VariableFunctionsClass.", "torch.")

    pending_grad_mode = [False]

    def profile(frame, kind, arg):
        if kind == "c_call":
            if frame.f_code in own:
                return
            name = get_attr(arg, "__name__", "")
            if type_of(name) is not str_type:
                return
            lowered = name.lower()
            if name in c_names or (c_pattern is not None and c_pattern.search(lowered)):
                note(f"{used}: {c_function(arg, name)}", frame)
            if name in tamper or type_of(get_attr(arg, "__self__", None)) in guards:
                note(f"tried to switch off or reach the grader's watch: it called {c_function(arg, name)}", frame)
            if watch_grad and name == "_set_grad_enabled":
                pending_grad_mode[0] = True
        elif kind == "c_return":
            if pending_grad_mode[0]:
                pending_grad_mode[0] = False
                if grad_enabled():
                    note(f"{used}: it switched autograd on (torch.enable_grad or torch.set_grad_enabled(True))", frame)
        elif kind == "call":
            code = frame.f_code
            if code.co_filename.startswith(torch_dir):
                name = code.co_name
                if name in py_names or (py_pattern is not None and py_pattern.search(name.lower())):
                    module = code.co_filename[length(torch_dir) - 6:-3].replace(os.sep, ".").replace(".__init__", "")
                    note(f"{used}: {module}.{name}", frame.f_back)

    seen: list[str] = []
    seen_append = seen.append

    class Recorder(TorchDispatchMode):
        @classmethod
        def _should_skip_dynamo(cls):  # else torch wraps the handler, importing dynamo (seconds)
            return False

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            seen_append(func._schema.name)
            return func(*args, **(kwargs or {}))

    handler = Recorder.__dict__["__torch_dispatch__"]
    mode = Recorder()
    marker = f"zero-to-hero {os.urandom(8).hex()}"
    depth, excluded_before = stack_len(), excluded(python_key)
    if sys.gettrace() is not None:  # it would see every frame of the watch, and its locals
        violations.append("was called with a trace function installed (sys.settrace): the grader cannot watch it")
    started = []  # what to undo if the watch cannot be opened (a hook of the submission's may refuse)
    try:
        if profiler_on():
            violations.append("was called with the profiler already running: something in the submission started it")
        else:
            torch.autograd._enable_profiler_legacy(_PROFILER)
            started.append(profiler_off)
        with torch.autograd.profiler.record_function(marker):
            pass
        stack_push(mode)
        started.append(lambda: stack_pop(None))
        audit(private_event, (violations, where))
        started.append(lambda: audit(private_event, None))
        grad_before, nodes_before, called_at = grad_enabled(), nodes_made(), clock()
        setprofile(profile)
    except Exception as exc:
        for undo in reversed(started):
            undo()
        raise bad_result(f"{function} could not be watched for its rules ({type(exc).__name__}: {exc})") from None

    def finish():
        try:
            if getprofile() is not profile:
                violations.append("switched off the grader's watch (its profile hook was removed)")
            setprofile(None)
            n = stack_len()
            if not (n == depth + 1 and stack_at(n - 1) is mode):
                violations.append("switched off the grader's watch (its dispatch mode was removed or covered)")
            while stack_len() > depth:  # ours, and any mode the call left on top of it
                stack_pop(None)
            if type_of(mode) is not Recorder or Recorder.__dict__.get("__torch_dispatch__") is not handler:
                violations.append("switched off the grader's watch (its dispatch mode was changed)")
            if watch_grad and nodes_made() != nodes_before:
                violations.append(f"{used}: it built an autograd graph ({nodes_made() - nodes_before} nodes)")
            if watch_grad and grad_enabled() != grad_before:
                violations.append(f"{used}: it left autograd switched on")
            if excluded(python_key) and not excluded_before:
                violations.append("switched off the grader's watch (the Python dispatch key was left off)")
            records = []
            if profiler_on():
                records = profiler_off()
            else:
                violations.append("switched off the grader's watch (the profiler was stopped)")
            names = [(event_kind(e), event_name(e)) for thread in records for e in thread]
            # The marker was recorded before the call: a profiler restarted inside it, and a marker
            # forged after that, would carry a later time.
            marked = [event_start(e) for thread in records for e in thread
                      if event_kind(e) == "push" and event_name(e) == marker]
            if records and (length(marked) != 1 or marked[0] * 1000 > called_at + 2000
                            or names.count(("mark", "__start_profile")) != 1):
                violations.append("switched off the grader's watch (the profiler was restarted)")
            ran = [name for kind, name in names if kind == "push" and name != marker] + seen
            found = [name for name in ran if events is not None and events.search(name.lower())]
            if found:
                violations.append(f"{used}: {found[0]} ran inside it")
        except BaseException as exc:  # noqa: BLE001 - whatever broke the check, nothing is credited
            violations.append(f"could not be checked for the torch rules ({type_of(exc).__name__})")
        finally:
            audit(private_event, None)
        if length(violations):
            raise bad_result(f"{function} {violations[0]}. {hint}")

    return finish


def call(rule: Rule, function: str, root, fn, *args):
    """`fn(*args)`, the learner's `function`, watched for `rule` (BadResult when it broke it).

    Not one of the watch's own code objects: a learner's `cross_entropy` bound straight to a C
    function of torch's is called from here, and the profile hook must see that call."""
    finish = start(rule, function, root)
    try:
        result = fn(*args)
    except:  # noqa: E722 - bare: `except BaseException` would look up a name the learner can rebind
        finish()
        raise
    finish()
    return result


def _code_objects(*functions) -> frozenset:
    """Every code object of these functions, nested ones included (the watch's own frames)."""
    found, todo = set(), [f.__code__ for f in functions]
    while todo:
        code = todo.pop()
        if code not in found:
            found.add(code)
            todo.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return frozenset(found)


OWN_CODES = _code_objects(start, audit_guard.install, _sources)
# Python, its libraries and the kit: the code that may add audit hooks or trace functions.
TRUSTED = tuple(sorted({os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
                       | {os.path.dirname(os.path.dirname(os.path.abspath(audit_guard.__file__))) + os.sep}))
audit_guard.install(OWN_CODES, TRUSTED + tuple(f"<frozen {m}" for m in ("importlib", "zipimport")))
