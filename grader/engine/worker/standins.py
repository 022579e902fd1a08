"""The grader's references as a worker may hold them: everything but the component's own answer.

A component's checks use the references for the code outside it (SPEC §3, "blame goes where
the mistake is"). So the worker that grades `micrograd.mul` needs the reference `+`, `tanh` and
`backward`, but must never hold the reference `*`: student code can reach anything in its
process (frames, `gc`, `sys.modules`), and what is not there cannot be borrowed.

Each reference module declares, in a literal `__owners__` dict, which of its top-level names
answer which components. For a component, every name it owns is replaced by a stub that
raises; the rest of the source is kept as it is. The judge compiles the result under a
`<kit ...>` file name (so provenance can tell it from the student's) and sends it as marshalled
code, once compiled per judge: a batch's judge compiles each stand-in once, not once per worker.
Only the references the module's probes use are sent.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

REFERENCES = Path(__file__).resolve().parents[2] / "references"
STUB = ("def {name}(*args, **kwargs):\n"
        "    raise RuntimeError('the grader withholds {name} from this worker: it is the answer to {component}')\n")


@functools.lru_cache(maxsize=None)
def _parsed(name: str) -> tuple[str, dict[str, tuple[str, ...]], list[tuple[str, int, int]]]:
    source = (REFERENCES / f"{name}.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    owners: dict[str, tuple[str, ...]] = {}
    spans = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__owners__" for t in node.targets):
            raw = ast.literal_eval(node.value)
            owners = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in raw.items()}
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans.append((node.name, start, node.end_lineno))
    return source, owners, spans


def owners(name: str) -> dict[str, tuple[str, ...]]:
    """Top-level name -> the components it answers, for reference module `name`."""
    return _parsed(name)[1]


def withheld_source(name: str, component) -> str:
    """Reference module `name` with every definition that answers `component` stubbed out
    (`component`: an id, a tuple of ids for a worker that grades several, or None)."""
    source, owned, spans = _parsed(name)
    withheld = _ids(component)
    if not withheld:
        return source
    lines = source.splitlines(keepends=True)
    for def_name, start, end in sorted(spans, key=lambda s: -s[1]):
        answered = [c for c in owned.get(def_name, ()) if c in withheld]
        if answered:
            stub = STUB.format(name=def_name, component=" and ".join(answered))
            lines[start - 1:end] = [stub]
    return "".join(lines)


def _ids(component) -> tuple[str, ...]:
    if component is None:
        return ()
    return (component,) if isinstance(component, str) else tuple(component)


@functools.lru_cache(maxsize=None)
def compiled(name: str, component) -> str:
    """Reference module `name` for `component`'s worker, as the worker loads it: marshalled code
    (the same interpreter runs both sides), base64 so it travels in the JSON setup request."""
    import base64
    import marshal

    from grader.engine.worker.student import kit_file_name

    code = compile(withheld_source(name, component), kit_file_name(f"grader.references.{name}"), "exec")
    return base64.b64encode(marshal.dumps(code)).decode("ascii")


def for_component(module: str, component) -> dict[str, str]:
    """`grader.references.<name>` -> compiled code, for the references `module`'s manifest names
    (what its probes import, in import order: a reference may import an earlier one).
    `component`: the id a worker grades, or the tuple of ids of a worker that grades a group."""
    from grader.engine import manifest

    return {f"grader.references.{n}": compiled(n, component) for n in manifest.load()[module].references}
