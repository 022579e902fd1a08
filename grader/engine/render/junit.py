"""JUnit XML, for CI test reporters: a <testsuite> per module, a <testcase> per component.

failed -> <failure>, error/timeout/crashed -> <error>, todo -> <skipped> (not attempted yet).
The seed and the scores go into <properties> so a run can be reproduced from the report.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.engine.model import RunResult, Status
from grader.engine.render.totals import totals as totals_text
from grader.engine.sanitize import clean, clean_result

ERRORS = {Status.ERROR, Status.TIMEOUT, Status.CRASHED}
_text = clean  # what is left after the sanitiser is valid XML 1.0 character data


def render_junit(result: RunResult, stream, **_options) -> None:
    result = clean_result(result)
    root = ET.Element("testsuites", name="zero-to-hero grader")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for m in result.modules:
        counts = {
            "tests": len(m.components),
            "failures": sum(c.status is Status.FAILED for c in m.components),
            "errors": sum(c.status in ERRORS for c in m.components),
            "skipped": sum(c.status is Status.TODO for c in m.components),
        }
        suite = ET.SubElement(root, "testsuite", name=m.module, time=f"{m.duration:.3f}",
                              **{k: str(v) for k, v in counts.items()})
        props = ET.SubElement(suite, "properties")
        for name, value in (("seed", m.seed), ("score", m.score), ("max_score", m.max_score),
                            ("core_score", m.core_score), ("bonus_score", m.bonus_score), ("totals", totals_text(m))):
            ET.SubElement(props, "property", name=name, value=str(value))
        for c in m.components:
            case = ET.SubElement(suite, "testcase", classname=m.module, name=c.id, time="0")
            message = _text(c.message)
            if c.status is Status.FAILED:
                ET.SubElement(case, "failure", message=message, type="failed").text = _text(c.hint)
            elif c.status in ERRORS:
                ET.SubElement(case, "error", message=message, type=c.status.value).text = _text(c.hint)
            elif c.status is Status.TODO:
                ET.SubElement(case, "skipped", message=message or "todo")
            if c.output:
                ET.SubElement(case, "system-out").text = _text(c.output)
        for k in totals:
            totals[k] += counts[k]
    root.attrib.update({k: str(v) for k, v in totals.items()})
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="utf-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
