"""When the evidence points at one method of `Value`: a missing one, a reflected operator that
refuses numbers, or one that calls itself. The message, the hint and the "Next" step then name
that method (e.g. `Value.__rmul__`), not the component's derivative."""
from __future__ import annotations

import re

from grader.checks import CheckFailed, StudentFailure

FORWARD = {"__radd__": "__add__", "__rmul__": "__mul__", "__rsub__": "__sub__", "__rtruediv__": "__truediv__"}
SIGN = {"__radd__": "+", "__rmul__": "*", "__rsub__": "-", "__rtruediv__": "/"}
REFLECTED_HINTS = {
    "__radd__": "Define __radd__(self, other) for `2 + a` and sum() (which starts from 0): addition commutes, "
                "so return self + other.",
    "__rmul__": "Define __rmul__(self, other) for `2 * a`: Python tries float.__mul__ first, which gives up, "
                "then calls a.__rmul__(2). Multiplication commutes, so return self * other.",
    "__rsub__": "Define __rsub__(self, other) for `1 - a`: other is the number on the left, so return "
                "other + (-self) (mind the order).",
    "__rtruediv__": "Define __rtruediv__(self, other) for `1 / a`: other is the number on the left, so return "
                    "other * self**-1 (mind the order).",
}
SWAPPED_HINTS = {  # other - self inside __rsub__ would call __rsub__ again: these do not
    "__rsub__": "In __rsub__(self, other), `other` is the number on the left: return other + (-self).",
    "__rtruediv__": "In __rtruediv__(self, other), `other` is the number on the left: return other * self**-1.",
}
RECURSION_HINTS = {
    "__radd__": "`other + self` in __radd__ asks the number to add a Value, which hands it straight back to "
                "__radd__: return self + other instead.",
    "__rmul__": "`other * self` in __rmul__ asks the number to multiply a Value, which hands it straight back to "
                "__rmul__: return self * other instead.",
    "__rsub__": "`other - self` in __rsub__ comes straight back to __rsub__: build it from ops that take a Value "
                "on the left, e.g. return other + (-self) or (-self) + other.",
    "__rtruediv__": "`other / self` in __rtruediv__ comes straight back to __rtruediv__: return other * self**-1 "
                    "(a Value on the left of the *).",
}


def missing_method(found: dict, graph: list, where: str, label) -> CheckFailed:
    """The probe's {"method", "node", "how"}: a method the expression needs is absent or refused.
    `label(i)` shows node i as the learner reads it (`2 * a`)."""
    name, node = found["method"], found["node"]
    expression = label(node)
    if name in SIGN:
        python = found.get("error") or f"unsupported operand type(s) for {SIGN[name]}: 'float' and 'Value'"
        how = "is missing" if found["how"] == "missing" else "returned NotImplemented"
        lead = "sum([...]) starts from 0, so `0 + a`" if graph[node][0] == "sum" else f"`{expression}`"
        return CheckFailed(
            f"{lead} raised TypeError ({python}) {where}: with a number on the left, Python calls "
            f"Value.{name} after float.{FORWARD[name]} gives up, and Value.{name} {how}",
            REFLECTED_HINTS[name], symbol=f"Value.{name}")
    call = f"{name}()" if not name.startswith("__") else name
    return CheckFailed(
        f"Value has no method {call}, which `{expression}` needs {where} (SPEC §2 asks for +, *, **, -, /, "
        "exp(), log(), tanh() and relu())",
        f"Add `def {name}(self{', other' if name == '__pow__' else ''}):` to Value, following the same recipe as "
        "the other ops: the output's data, then its _backward.", symbol=f"Value.{name}")


def name_recursion(failure: StudentFailure) -> None:
    """A RecursionError inside a reflected operator: `other * self` calling itself again."""
    if "RecursionError" not in failure.message:
        return
    found = re.search(r"in (__r(?:add|mul|sub|truediv)__)\b", failure.message + " " + " ".join(failure.details))
    if found:
        name = found.group(1)
        failure.message += f". Value.{name} calls itself: a number does not know how to combine with a Value"
        failure.hint = RECURSION_HINTS[name]
        failure.symbol = f"Value.{name}"
