"""The stand-ins a worker holds: compiled by the judge, without the component's answer, and never
importable by name once the kit's own imports are done (a student's `import grader.references.x`
finds nothing in sys.modules, and the import guard refuses to look further).

Run in a fresh interpreter each: the judge's own process holds the real references.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import base64, json, marshal, sys
from grader.engine.worker import standins
from grader.engine.worker.student import StandIns

held = StandIns(standins.for_component("micrograd", "micrograd.add"))
held.load_all()
engine = held.get("grader.references.micrograd")
try:
    engine.add(None, None)
    withheld = ""
except RuntimeError as exc:
    withheld = str(exc)
broken_code = compile("import sys\nraise ValueError('a stand-in that fails')", "<kit grader.references.broken>", "exec")
broken = StandIns({"grader.references.broken": base64.b64encode(marshal.dumps(broken_code)).decode()})
try:
    broken.get("grader.references.broken")
    failed = False
except ValueError:
    failed = True
print(json.dumps({
    "left_in_sys_modules": sorted(m for m in sys.modules if m.startswith("grader.references")),
    "withheld": withheld,
    "mul_is_there": engine.mul.__code__.co_filename,
    "nn_sees_engine": held.get("grader.references.micrograd_nn") is not None,
    "broken_failed": failed,
}))
"""


def _run() -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_stand_ins_hold_everything_but_the_answer_and_are_not_importable_by_name():
    got = _run()
    assert "withholds add" in got["withheld"] and "micrograd.add" in got["withheld"], got
    assert got["mul_is_there"] == "<kit grader.references.micrograd>", got  # the kit's mark, for provenance
    assert got["nn_sees_engine"], got
    assert got["broken_failed"], got
    # Not one name left, the failed stand-in's included.
    assert got["left_in_sys_modules"] == [], got
