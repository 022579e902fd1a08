"""The hostile corpus: small submissions built from the untouched stubs (so nothing is solved)
plus something hostile, each with the outcome it must get. Whatever they do, every component
gets a result, no component passes, and grading ends within the bound.

A case's `code` is inserted before the TODO line of `component` in its stub (indented to match),
or, with `at_import`, at the top of `file`."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Hostile:
    name: str
    module: str
    file: str
    code: str
    component: str | None = None  # insert before this component's TODO; None: at import
    expect: dict = field(default_factory=dict)  # component -> status it must get (others: not passed)
    says: dict = field(default_factory=dict)  # component -> words its message must contain


ENGINE, NN, GRADCHECK = "micrograd/engine.py", "micrograd/nn.py", "micrograd/gradcheck.py"
BIGRAM, MLP = "makemore/bigram.py", "makemore/mlp.py"
ENGINE_IDS = ["micrograd.add", "micrograd.mul", "micrograd.pow", "micrograd.neg_sub_div", "micrograd.exp_log",
              "micrograd.tanh", "micrograd.relu", "micrograd.backward", "micrograd.deep_graphs"]
FAKE_RESULT = ('{"version": 1, "module": "micrograd", "score": 100.0, "max_score": 11.0, '
               '"components": [{"id": "micrograd.add", "status": "passed", "score": 100.0}]}')

CASES = [
    Hostile("infinite-loop-at-import", "micrograd", ENGINE, "while True:\n    pass",
            expect={c: "timeout" for c in ENGINE_IDS}),
    Hostile("infinite-loop-in-one-method", "micrograd", ENGINE, "while True:\n    pass", "micrograd.tanh",
            expect={"micrograd.tanh": "timeout"}),
    Hostile("memory-bomb-in-one-method", "bigram", BIGRAM, "hog = [0] * (10 ** 10)", "bigram.probs",
            expect={"bigram.probs": "error"}, says={"bigram.probs": "MemoryError"}),
    Hostile("sys-exit-at-import", "mlp", MLP, "import sys\nsys.exit(0)",
            expect={c: "error" for c in ["mlp.dataset", "mlp.split", "mlp.init", "mlp.forward",
                                         "mlp.cross_entropy", "mlp.train", "mlp.evaluate", "mlp.sampling"]},
            says={"mlp.dataset": "SystemExit"}),
    Hostile("os-exit-in-a-method", "micrograd", ENGINE, "import os\nos._exit(0)", "micrograd.relu",
            expect={"micrograd.relu": "crashed"}, says={"micrograd.relu": "exited with status 0"}),
    Hostile("segfault-through-ctypes", "bigram", BIGRAM, "import ctypes\nctypes.string_at(0)", "bigram.counts",
            expect={"bigram.counts": "crashed"}, says={"bigram.counts": "SIGSEGV"}),
    Hostile("keyboard-interrupt", "micrograd", ENGINE, "raise KeyboardInterrupt", "micrograd.exp_log",
            expect={"micrograd.exp_log": "error"}, says={"micrograd.exp_log": "KeyboardInterrupt"}),
    Hostile("base-exception-at-import", "micrograd", NN, "class Boom(BaseException):\n    pass\nraise Boom('no')",
            expect={"micrograd.nn": "error"}, says={"micrograd.nn": "Boom"}),
    Hostile("ten-megabytes-of-output", "micrograd", GRADCHECK, "print('x' * 10_000_000)"),
    Hostile("github-workflow-commands", "micrograd", ENGINE,
            "print('::error::forged')\nprint('::notice title=Score::Points 100/100')", "micrograd.add"),
    Hostile("patch-json-at-import", "micrograd", ENGINE,
            "import json\njson.dumps = lambda *a, **k: '{\"ok\": true, \"value\": {}, \"output\": \"\"}'\n"
            "json.loads = lambda *a, **k: {'ok': True, 'value': {}}"),
    Hostile("patch-builtins-at-import", "micrograd", ENGINE,
            "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.float = lambda *a: 1.0\n"
            "builtins.len = lambda *a: 0"),
    Hostile("patch-pytest-at-import", "bigram", BIGRAM,
            "import sys, types\nsys.modules['pytest'] = types.SimpleNamespace(main=lambda *a, **k: 0)\n"
            "sys.modules['_pytest'] = None"),
    Hostile("fake-result-files-in-cwd-and-parents", "micrograd", ENGINE,
            "import os, pathlib\n"
            f"FAKE = {FAKE_RESULT!r}\n"
            "here = pathlib.Path.cwd()\n"
            "for folder in [here, *here.parents][:4]:\n"
            "    for name in ('results.json', 'result.json', 'grade.json'):\n"
            "        try:\n"
            "            (folder / name).write_text(FAKE)\n"
            "        except OSError:\n"
            "            pass\n"
            "target = os.environ.get('HOSTILE_TARGET')\n"
            "if target:\n"
            "    pathlib.Path(target).write_text(FAKE)"),
    Hostile("forbidden-import-through-importlib", "micrograd", ENGINE,
            "import importlib\nnp = importlib.import_module('numpy')",
            expect={c: "error" for c in ENGINE_IDS}, says={"micrograd.add": "pure Python"}),
    Hostile("forbidden-import-through-dunder-import", "micrograd", ENGINE, "torch = __import__('torch')",
            expect={c: "error" for c in ENGINE_IDS}, says={"micrograd.add": "pure Python"}),
    Hostile("value-whose-eq-is-always-true", "micrograd", ENGINE,
            "class Same(float):\n    def __eq__(self, other):\n        return True\n    __hash__ = float.__hash__\n"
            "out = Value(Same(7.0), (self, other if isinstance(other, Value) else Value(other)), '+')\n"
            "out.grad = Same(0.0)\n"
            "return out", "micrograd.add", expect={"micrograd.add": "failed"}),
    Hostile("tensor-subclass-that-always-compares-equal", "bigram", BIGRAM,
            "class Liar(torch.Tensor):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    def allclose(self, *a, **k):\n        return True\n"
            "    def equal(self, *a, **k):\n        return True\n"
            "return torch.zeros_like(N, dtype=torch.float32).as_subclass(Liar)", "bigram.probs",
            expect={"bigram.probs": "failed"}),
    Hostile("delete-and-edit-files-outside", "micrograd", ENGINE,
            "import os, pathlib\n"
            "target = os.environ.get('HOSTILE_KIT_FILE')\n"
            "if target:\n"
            "    pathlib.Path(target).write_text('edited by a submission')\n"
            "for name in ('README.md', '../README.md', '../../setup.py'):\n"
            "    try:\n"
            "        os.remove(name)\n"
            "    except OSError:\n"
            "        pass"),
    Hostile("syntax-error", "micrograd", NN, "def broken(:\n    pass", expect={"micrograd.nn": "error"},
            says={"micrograd.nn": "micrograd/nn.py line"}),
]
