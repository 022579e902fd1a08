"""Realistic broken submissions, module by module: each a learner's mistake, the components it
must fail (and no others), and words the feedback must contain to call the mistake by name."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SOLUTIONS = Path(__file__).resolve().parent.parent.parent / "solutions"


@dataclass
class Mutant:
    name: str
    edits: dict  # {"micrograd/engine.py": [(old, new), ...]}, applied to a copy of solutions/
    fails: set
    says: list = field(default_factory=list)  # substrings of the first failing component's message


def solution_block(rel: str, component: str) -> str:
    """The body of the solution block for `component` in solutions/<rel>, marker lines excluded."""
    text = (SOLUTIONS / rel).read_text()
    start = text.index("\n", text.index(f"# BEGIN SOLUTION {component}")) + 1
    end = text.rindex("\n", 0, text.index("# END SOLUTION", start)) + 1
    return text[start:end]
