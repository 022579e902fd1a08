"""Is the graded code the student's own? (SPEC §3, "The student's own code".)

Before a component is credited, every function and method it grades (the manifest's `owns`:
the class and its bases, methods assigned at run time, closures, what a decorator returns)
must be code compiled from the submission's own files or notebook cells. Code of the kit's
(its stand-ins are compiled under `<kit ...>` names, the worker's own files live in the bundle)
fails the component with a message saying what was used.

This runs inside the worker, after the student's code: it stops borrowing by accident and by
a casual hand, not a determined attacker (who could patch it). What stops the determined one is
that the worker grading a component never holds that component's answer (standins.py) and, in
the sandbox, cannot read the kit.
"""
from __future__ import annotations

import functools
import types

KIT_MARK = "<kit "  # file names of stand-in code compiled from the judge's source
DEPTH = 3  # how far to follow closures, __wrapped__ and globals from a graded function


class NotYourCode(Exception):
    """A graded function or method is not the student's own code; reported as `failed`."""


def _functions(obj):
    """The Python functions behind `obj` (a function, method, class, partial, property ...)."""
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if isinstance(obj, functools.partial):
        yield from _functions(obj.func)
        return
    if isinstance(obj, property):
        for f in (obj.fget, obj.fset, obj.fdel):
            if f is not None:
                yield from _functions(f)
        return
    if isinstance(obj, types.FunctionType):
        yield obj
        return
    if isinstance(obj, type):
        for value in list(vars(obj).values()):
            if isinstance(value, (types.FunctionType, staticmethod, classmethod, property, functools.partial)):
                yield from _functions(value)
        return
    if callable(obj) and not isinstance(obj, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        call = getattr(type(obj), "__call__", None)
        if isinstance(call, types.FunctionType):
            yield call


def _origin(code: types.CodeType, own_root: str, kit_roots: tuple[str, ...]) -> str:
    name = code.co_filename
    if name.startswith(own_root):
        return "own"
    if name.startswith(KIT_MARK) or any(name.startswith(root) for root in kit_roots):
        return "kit"
    return "other"


def _reached(fn: types.FunctionType, depth: int):
    """Functions a graded one hands work to directly: its closure, __wrapped__, the globals it names."""
    yield fn
    if depth <= 0:
        return
    nested = []
    for cell in fn.__closure__ or ():
        try:
            nested.append(cell.cell_contents)
        except ValueError:  # an empty cell
            pass
    wrapped = getattr(fn, "__wrapped__", None)
    if wrapped is not None:
        nested.append(wrapped)
    for name in fn.__code__.co_names:
        value = fn.__globals__.get(name)
        if value is not None:
            nested.append(value)
    for value in nested:
        if isinstance(value, types.ModuleType):
            continue
        try:
            inner = list(_functions(value)) if not isinstance(value, type) else []
        except Exception:  # noqa: BLE001 - a student object with a hostile __getattr__
            inner = []
        for f in inner:
            yield from _reached(f, depth - 1)


def _resolve(module, dotted: str):
    obj = module
    for part in dotted.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return None
    return obj


def _class_origin(klass: type, own_root: str, kit_roots: tuple[str, ...]) -> str:
    if klass.__module__.split(".")[0] == "grader":
        return "kit"
    origins = {_origin(f.__code__, own_root, kit_roots) for f in _functions(klass)}
    return "kit" if "kit" in origins else "own" if "own" in origins else "other"


def _check_function(fn, shown: str, rel_file: str, own_root: str, kit_roots: tuple[str, ...]) -> None:
    origin = _origin(fn.__code__, own_root, kit_roots)
    if origin == "kit":
        raise NotYourCode(f"`{shown}` comes from the grader's own code, not from your {rel_file}: "
                          "a component earns points only for code you wrote")
    if origin == "other" and not _generated(fn):
        raise NotYourCode(f"`{shown}` comes from {fn.__code__.co_filename}, not from your {rel_file}: "
                          "a component earns points only for code you wrote")
    for reached in _reached(fn, DEPTH):
        if _origin(reached.__code__, own_root, kit_roots) == "kit":
            raise NotYourCode(f"`{shown}` hands its work to the grader's own code "
                              f"(`{reached.__qualname__}`): a component earns points only for code you wrote")


def check(module, owns: tuple[str, ...], rel_file: str, own_root: str, kit_roots: tuple[str, ...]) -> None:
    """Raise NotYourCode when any of `owns` (looked up in the student's `module`) is not theirs.

    A class is theirs when it and every base up to a library's are theirs (a library base such
    as `object` is fine, one of the grader's is not); a method, wherever it is found on the
    class (its bases, or set at run time), must be compiled from their files."""
    for dotted in owns:
        obj = _resolve(module, dotted)
        if obj is None:
            continue  # missing: the checks themselves fail it, with a better message
        shown = dotted if "." in dotted or isinstance(obj, type) else f"{dotted}()"
        if isinstance(obj, type):
            origins = [(k, _class_origin(k, own_root, kit_roots)) for k in obj.__mro__ if k is not object]
            for klass, origin in origins:
                if origin == "kit":
                    raise NotYourCode(f"`{shown}` is (or is built on) the grader's own `{klass.__name__}`, "
                                      f"not a class of your {rel_file}: a component earns points only for code you wrote")
            if not any(origin == "own" for _, origin in origins):
                raise NotYourCode(f"`{shown}` is `{obj.__module__}.{obj.__qualname__}`, not a class written in your "
                                  f"{rel_file}: a component earns points only for code you wrote")
            for klass, origin in origins:
                if origin == "own":
                    for fn in _functions(klass):
                        _check_function(fn, f"{shown}.{fn.__name__}", rel_file, own_root, kit_roots)
            continue
        graded = list(_functions(obj))
        if not graded:
            raise NotYourCode(f"`{shown}` is not a function written in your {rel_file} "
                              f"(it is a {type(obj).__name__})")
        for fn in graded:
            _check_function(fn, shown, rel_file, own_root, kit_roots)


def _generated(fn: types.FunctionType) -> bool:
    """Methods that dataclasses, namedtuple or functools write for a class of the student's."""
    return fn.__code__.co_filename == "<string>" and fn.__name__.startswith("__") and fn.__name__.endswith("__")
