"""A made-up class for the report's tests: results as `grade batch --json-dir` writes them, and
each student's code. The recipe (who copied whom, who is slow, who made which mistake) is
returned with it, so tests compare the report with the recipe, not with fixed numbers."""
from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from conftest import EXERCISES, SOLUTIONS
from grader.engine import manifest

NAMES = ["ada", "alan", "barbara", "claude", "donald", "edsger", "frances", "grace", "john", "ken",
         "margaret", "radia", "tim", "yann"]
NAMED = {"micrograd.tanh": ("tanh_derivative", "`1 - t` instead of `1 - t**2` for tanh's derivative"),
         "bigram.probs": ("no_keepdim", "normalising without keepdim=True (columns instead of rows)")}


@dataclass
class Recipe:
    copies: tuple[str, str] = ("grace", "ada")  # grace handed in ada's folder
    kit_copy: str = "tim"  # tim handed in the kit's solutions
    partial_kit: str = "ken"  # ken's engine.py is the kit's, the rest is his own
    stubs_only: str = "yann"  # untouched stubs
    not_graded: str = "radia"
    slow: str = "donald"
    hungry: str = "frances"
    named: dict[str, list[str]] = field(default_factory=dict)  # component -> students with its named mistake
    by_message: dict[str, list[str]] = field(default_factory=dict)  # component -> students failing by message
    todo: dict[str, list[str]] = field(default_factory=dict)  # student -> todo components


def _own_code(rng: random.Random, n: int = 6) -> str:
    """Code of a shape of its own: statements drawn at random, so no two students share it."""
    lines = []
    for k in range(n):
        lines.append(f"def helper_{k}(x, y, items):")
        for _ in range(rng.randint(3, 6)):
            kind = rng.choice(["assign", "loop", "cond", "call"])
            if kind == "assign":
                lines.append(f"    x = x {rng.choice('+-*')} y {rng.choice('+-*')} {rng.randint(1, 9)}")
            elif kind == "loop":
                lines += [f"    for i in range({rng.randint(2, 9)}):", f"        y = y {rng.choice('+-*')} i"]
            elif kind == "cond":
                lines += [f"    if x {rng.choice(['<', '>', '=='])} y:", "        items.append(x)", "    else:",
                          f"        items.insert(0, y {rng.choice('+-')} 1)"]
            else:
                lines.append(f"    items = sorted(items, key=lambda v: v {rng.choice('+-*')} {rng.randint(1, 5)})")
        lines.append(f"    return {rng.choice(['x', 'y', 'items', 'x + y'])}")
        lines.append("")
    return "\n".join(lines)


def _code(folder: Path, name: str, recipe: Recipe, rng: random.Random, made: dict[str, Path]) -> None:
    exercises = folder / "exercises"
    if name == recipe.copies[0]:
        shutil.copytree(made[recipe.copies[1]], exercises)
        return
    source = SOLUTIONS if name == recipe.kit_copy else EXERCISES
    shutil.copytree(source, exercises, ignore=shutil.ignore_patterns("__pycache__", "notebooks"))
    if name in (recipe.kit_copy, recipe.stubs_only):
        return
    for rel in ("micrograd/train.py", "makemore/bigram.py", "makemore/mlp.py"):
        with open(exercises / rel, "a", encoding="utf-8") as f:
            f.write("\n\n" + _own_code(rng) + "\n")
    if name == recipe.partial_kit:
        shutil.copyfile(SOLUTIONS / "micrograd" / "engine.py", exercises / "micrograd" / "engine.py")


def make_class(root: Path) -> tuple[Path, Path, Recipe]:
    """(results folder, submissions folder, recipe)."""
    rng = random.Random(7)
    recipe = Recipe()
    results, submissions = root / "results", root / "submissions"
    results.mkdir(parents=True)
    comps = [c for m in manifest.load().values() for c in m.components]
    made: dict[str, Path] = {}
    for name in NAMES:
        folder = submissions / name
        if name != recipe.not_graded:
            _code(folder, name, recipe, rng, made)
            made[name] = folder / "exercises"
        data = _result(name, comps, recipe, rng)
        data["submission"] = str(folder)
        (results / f"{name}.json").write_text(json.dumps(data, indent=2))
    return results, submissions, recipe


def _result(name: str, comps, recipe: Recipe, rng: random.Random) -> dict:
    if name == recipe.not_graded:
        return {"version": 1, "score": 0.0, "max_score": 35.0, "modules": [], "seconds": 0.4,
                "error": "--submission x: expected an exercises/ folder at x/exercises"}
    done = len(comps) if name in (recipe.kit_copy, recipe.copies[0], recipe.copies[1]) else \
        0 if name == recipe.stubs_only else rng.randint(8, len(comps))
    modules: dict[str, list] = {}
    for i, c in enumerate(comps):
        status, message, extra = "passed", "", {}
        if i >= done:
            status, message = "todo", "not started: the stub raises NotImplementedError"
            recipe.todo.setdefault(name, []).append(c.id)
        elif c.id in NAMED and rng.random() < 0.5 and name not in (recipe.kit_copy, *recipe.copies):
            status = "failed"
            mistake_id, mistake_name = NAMED[c.id]
            message = f"first differs at x[{rng.randint(0, 9)}]: expected {rng.random():.3f}, got {rng.random():.3f}"
            extra = {"mistake": {"id": mistake_id, "name": mistake_name}}
            recipe.named.setdefault(c.id, []).append(name)
        elif c.id == "mlp.cross_entropy" and name not in (recipe.kit_copy, *recipe.copies) and rng.random() < 0.6:
            status = "failed"
            message = f"not finite for logits as large as {rng.choice([1e3, 1e4])}: got nan at row {rng.randint(0, 9)}"
            recipe.by_message.setdefault(c.id, []).append(name)
        modules.setdefault(c.id.split(".")[0], []).append({
            "id": c.id, "status": status, "score": c.points if status == "passed" else 0.0, "max_score": c.points,
            "message": message, "hint": "", **({"bonus": True} if c.bonus else {}), **extra})
    seconds = 60 + rng.random() * 10 if name == recipe.slow else 14 + rng.random() * 6
    memory = 2900 + rng.random() * 100 if name == recipe.hungry else 380 + rng.random() * 60
    return {"version": 1, "seed": 11, "seconds": round(seconds, 3), "peak_memory_mb": round(memory, 1),
            "modules": [{"version": 1, "module": m, "seed": 11, "components": cs} for m, cs in modules.items()]}
