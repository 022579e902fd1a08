"""Borrowed answers (issue 13), as code for micrograd and bigram submissions.

`METHODS` replace single methods of the solution's `Value`: each takes its answer from somewhere
that is not the student's own code, or breaks micrograd's pure-Python rule; when its route
finds nothing it raises, naming the route. `FILES` are whole-file attacks. (Learner code that
must pass is in honest_code.py.)
"""
from __future__ import annotations

import textwrap

# Shared by METHODS (inserted after engine.py's imports); {placeholders} filled by the test.
PRELUDE = '''
import sys as _sys


def _stand_in(name):
    """The grader's reference, wherever this worker holds it."""
    found = _sys.modules.get("grader.references.micrograd")
    for module in [m for n, m in list(_sys.modules.items()) if n.startswith("grader.probes.")]:
        if found is not None:
            break
        # Whichever probe module holds it, under whatever name (`ref` today, in micrograd_graph).
        found = next((v for v in vars(module).values()
                      if getattr(v, "__name__", None) == "grader.references.micrograd"), None)
    if found is None:
        raise RuntimeError("borrowing failed: no reference module in sys.modules")
    return found.OPS[name]


_helper = []


def _torch_helper():
    """A helper process running torch (or numpy) for this pure-Python file, over a pipe."""
    import subprocess
    if not _helper:
        code = ("import sys\\n"
                "try:\\n import torch\\n def f(v):\\n  x = torch.tensor(v, requires_grad=True); y = x.exp(); y.backward()\\n"
                "  return y.item(), x.grad.item()\\n"
                "except ImportError:\\n import numpy\\n def f(v):\\n  y = float(numpy.exp(v)); return y, y\\n"
                "print('ready', flush=True)\\n"
                "for line in sys.stdin:\\n print(*f(float(line)), flush=True)\\n")
        for python in (_sys.executable, {judge_python!r}):
            try:
                proc = subprocess.Popen([python, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
            except OSError:
                continue
            if proc.stdout.readline().strip() == "ready":
                _helper.append(proc)
                break
        else:
            raise RuntimeError("borrowing failed: no Python with torch or numpy can be started")
    return _helper[0]
'''

METHODS = {
    # The reference op, looked up in sys.modules (as `grader.references.micrograd`, or held by
    # a probe module): no grader name in an import.
    "sys-modules-ops": ("Value.__add__", '''
def __add__(self, other):
    return _stand_in("__add__")(self, other)
'''),
    # Up the stack to the probes' globals (and those of the functions they hold), and the
    # reference's tanh.
    "frames": ("Value.tanh", '''
def tanh(self):
    frame = _sys._getframe(1)
    while frame is not None:
        spaces = [frame.f_globals] + [getattr(v, "__globals__", dict()) for v in list(frame.f_globals.values())]
        for space in spaces:
            ref = space.get("ref")
            if ref is not None and hasattr(ref, "tanh"):
                return ref.tanh(self)
        frame = frame.f_back
    raise RuntimeError("borrowing failed: no reference tanh up the stack")
'''),
    # Every object the collector knows of, frozen ones too: the reference relu.
    "gc": ("Value.relu", '''
def relu(self):
    import gc
    gc.unfreeze()
    for obj in gc.get_objects():
        code = getattr(obj, "__code__", None)
        if getattr(obj, "__name__", "") == "relu" and code is not None and "micrograd" in code.co_filename \\
                and obj.__module__ != __name__:
            return obj(self)
    raise RuntimeError("borrowing failed: no reference relu among the objects")
'''),
    # The kit's solutions/micrograd/engine.py loaded by path; its method rebound to this module.
    "solutions-by-path": ("Value.__pow__", '''
def __pow__(self, other):
    import importlib.util, types
    spec = importlib.util.spec_from_file_location("borrowed_engine", {solutions_engine!r})
    borrowed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(borrowed)
    fn = borrowed.Value.__pow__
    return types.FunctionType(fn.__code__, globals(), fn.__name__, fn.__defaults__, fn.__closure__)(self, other)
'''),
    # The same file read as text and compiled under this file's own name: provenance cannot
    # tell it from the student's (only not being able to read it stops this).
    "solutions-compiled-as-own": ("Value.__mul__", '''
def __mul__(self, other):
    import ast
    with open({solutions_engine!r}) as f:
        tree = ast.parse(f.read())
    klass = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Value")
    method = next(n for n in klass.body if isinstance(n, ast.FunctionDef) and n.name == "__mul__")
    namespace = dict(globals())
    exec(compile(ast.Module([method], []), __file__, "exec"), namespace)
    return namespace["__mul__"](self, other)
'''),
    # The import guard taken off sys.meta_path (and its list emptied), the interpreter's and
    # the judge's site-packages put on sys.path: numpy in micrograd.
    "import-guard-removed": ("Value.__neg__", '''
def __neg__(self):
    for finder in list(_sys.meta_path):
        if hasattr(finder, "forbidden"):
            finder.forbidden = ()
            _sys.meta_path.remove(finder)
    import sysconfig
    _sys.path += [sysconfig.get_paths()["purelib"], *{judge_sites!r}]
    import numpy
    out = Value(float(numpy.negative(self.data)), (self,), 'neg')

    def _backward():
        self.grad += -1.0 * out.grad
    out._backward = _backward
    return out
'''),
    # A helper process running torch over a pipe (sys.executable -c ...).
    "helper-process": ("Value.exp", '''
def exp(self):
    proc = _torch_helper()
    proc.stdin.write(f"{{float(self.data)!r}}\\n")
    proc.stdin.flush()
    value, grad = (float(x) for x in proc.stdout.readline().split())
    out = Value(value, (self,), 'exp')

    def _backward():
        self.grad += grad * out.grad
    out._backward = _backward
    return out
'''),
}

FILES = {
    # The whole engine, one line.
    "one-line-engine": {"micrograd/engine.py": "from grader.references.micrograd import Value\n"},
    # A subclass of the reference Value, found in sys.modules: no grader name in an import.
    "subclass-of-the-reference": {"micrograd/engine.py": '''
import sys

_probes = sys.modules["grader.probes.micrograd_graph"]  # the probes' graph tools hold the reference


class Value(_probes.ref.Value):
    pass
'''},
    # The kit's solutions/micrograd/engine.py loaded by path at import, its Value taken whole.
    "solutions-by-path-at-import": {"micrograd/engine.py": '''
import importlib.util

_spec = importlib.util.spec_from_file_location("micrograd_solution", {solutions_engine!r})
_solution = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_solution)
Value = _solution.Value
'''},
    # Only + written: every other op would come from what the grader grafts for other components.
    "only-add-written": {"micrograd/engine.py": '''
class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other
'''},
    # Each op written as another: + as - of a negation, - as + of a negation, * as / of a
    # reciprocal. Together they recurse for ever; each alone is graded with the grader's own
    # versions of the others.
    "circular-ops": {"micrograd/engine.py": '''
class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __add__(self, other):
        return self - (-other)

    def __radd__(self, other):
        return self + other

    def __mul__(self, other):
        return self / (other ** -1)

    def __rmul__(self, other):
        return self * other

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1
'''},
}

# A notebook whose decorator grafts the reference ops onto the class it decorates.
NOTEBOOK_CELLS = [
    "import sys",
    '''
def complete(cls):
    """Fill in what the class does not define, from the grader's reference."""
    probes = sys.modules.get("grader.probes.micrograd_graph")  # the probes' graph tools hold it
    for name, fn in getattr(getattr(probes, "ref", None), "OPS", {}).items():
        if name not in cls.__dict__:
            setattr(cls, name, fn)
    return cls
''',
    '''
@complete
class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other
''',
]

# bigram: the reference by name, one line.
BIGRAM_ONE_LINE = "from grader.references.bigram import *\n"

# bigram: the stubs, plus this at the end of the file. The torch workers of one submission share
# a sandbox: what one holds (every answer but its own component's) another can read.
BIGRAM_LEAK = '''

# Borrowed from the other workers: each one writes out the stand-ins it holds (every answer but
# its own component's), and runs one of the others' as code of this file (source compiled under
# this file's name, or the judge's compiled code with this file's name put in every code object).
import glob as _glob
import sys as _sys


def _as_mine(code):
    consts = tuple(_as_mine(c) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=__file__, co_consts=consts)


def _code(data):
    try:
        import base64, marshal
        return _as_mine(marshal.loads(base64.b64decode(data, validate=True)))
    except Exception:
        return compile(data, __file__, "exec")


def _held():
    frame = _sys._getframe()
    while frame is not None:
        setup = frame.f_locals.get("setup")
        if setup is not None and hasattr(setup, "stand_ins"):
            return "+".join(setup.components), setup.stand_ins.sources  # the components this worker grades
        frame = frame.f_back
    return None, {}


_me, _sources = _held()
for _name, _source in _sources.items():
    try:
        with open(f"/tmp/leak-{_me}-{_name}.py", "w") as _f:
            _f.write(_source)
    except OSError:
        pass
for _path in sorted(_glob.glob("/tmp/leak-*-grader.references.bigram.py")):
    if f"/leak-{_me}-" not in _path:
        with open(_path) as _f:
            exec(_code(_f.read()), globals())
        break
'''

def dedent_files(files: dict[str, str]) -> dict[str, str]:
    return {rel: textwrap.dedent(text).lstrip("\n") for rel, text in files.items()}
