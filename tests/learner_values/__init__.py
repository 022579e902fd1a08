"""A corpus of `Value` classes written the ways learners write them while following lecture 1,
each with the verdict SPEC §3 gives it: the components it does not pass.

Each file here is a whole `micrograd/engine.py`. A `Learner` is one of them, or one of them with
a classic mistake typed in (`edits`, applied as the mutants' are). The verdict is checked three
ways by tests/test_learner_values.py: the real grader's statuses, this registry, and oracle.py
(the class run directly against PyTorch) must all agree.

One rule keeps the oracle simple: a deliberately broken op is never one that another op of the
same class is built from (SPEC §3 blames only the broken op; the oracle, which runs the class's
own ops, would blame both), so each mistake below sits in a base whose other ops avoid it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINE_COMPONENTS = ["micrograd.add", "micrograd.mul", "micrograd.pow", "micrograd.neg_sub_div", "micrograd.exp_log",
                     "micrograd.tanh", "micrograd.relu", "micrograd.backward", "micrograd.deep_graphs"]


@dataclass
class Learner:
    name: str
    fails: set  # SPEC §3's verdict: the components that must not pass (all others must)
    base: str = ""  # the file it starts from (default: tests/learner_values/<name>.py)
    edits: list = field(default_factory=list)  # [(old, new)]: the mistake typed into the base
    says: dict = field(default_factory=dict)  # component -> words its message must contain
    work_on: dict = field(default_factory=dict)  # component -> the symbol the "Next" step must name

    def keeps_the_base_backward(self) -> bool:
        """A mistake typed in outside backward(): the bonus (a 100,000-node chain through
        backward(), the costly check) then gets the base's verdict, graded with the base."""
        if not self.base:
            return False
        text = (HERE / f"{self.base}.py").read_text()
        start = text.index("    def backward(self):")
        end = text.find("\n    def ", start + 1)
        body = text[start:end if end > 0 else len(text)]
        return not any(old in body or body in old for old, _ in self.edits)

    def source(self) -> str:
        text = (HERE / f"{self.base or self.name}.py").read_text()
        for old, new in self.edits:
            assert old in text, f"{self.name}: edit does not apply: {old!r}"
            text = text.replace(old, new, 1)
        return text


DEEP = "micrograd.deep_graphs"
CORPUS = [
    # Right, in every style: they pass everything the SPEC asks of them.
    Learner("karpathy_repo", {"micrograd.exp_log", "micrograd.tanh", DEEP},
            says={"micrograd.exp_log": "Value has no method exp()", "micrograd.tanh": "Value has no method tanh()",
                  DEEP: "RecursionError"},
            work_on={"micrograd.exp_log": "Value.exp", "micrograd.tanh": "Value.tanh"}),
    Learner("lecture_notebook", {DEEP}),
    Learner("composed_tanh", set()),
    Learner("composed_everything", set()),
    Learner("slots", set()),
    Learner("dataclass_fields", set()),
    Learner("dataclass_tuple_prev", set()),
    Learner("op_none_list_prev", set()),
    Learner("lambdas_backward", set()),
    Learner("kahn_backward", set()),
    Learner("recursive_list_visited", {DEEP}),
    Learner("extra_ops", set()),
    # __eq__ by data makes the class unhashable (Python drops __hash__): only identity may be relied on.
    Learner("eq_by_data_unhashable", set(), base="op_none_list_prev",
            edits=[("    def __add__(self, other):",
                    "    def __eq__(self, other):\n        return isinstance(other, Value) and self.data == other.data\n\n"
                    "    def __add__(self, other):")]),
    Learner("radd_alias", set()),
    Learner("int_data_int_grad", set()),
    # Conventions of the constructor that SPEC §2 fixes: they cost micrograd.add and nothing else.
    Learner("grad_none_until_backward", {"micrograd.add"}, says={"micrograd.add": "grad starts as NoneType"}),
    Learner("constructor_data_only", {"micrograd.add"}, says={"micrograd.add": "Value(3.0, (a, b), '+') raised TypeError"}),
    # Classic mistakes: exactly their component fails, and the message names the mistake.
    Learner("add_assigns", {"micrograd.add"}, base="radd_alias",
            edits=[("            self.grad += out.grad\n            other.grad += out.grad",
                    "            self.grad = out.grad\n            other.grad = out.grad")],
            says={"micrograd.add": "`=` instead of `+=`"}),
    Learner("mul_own_data", {"micrograd.mul"}, base="radd_alias",
            edits=[("            self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
                    "            self.grad += self.data * out.grad\n            other.grad += other.data * out.grad")],
            says={"micrograd.mul": "its *own* data"}),
    Learner("tanh_one_minus_t", {"micrograd.tanh"}, base="slots", edits=[("(1 - t * t)", "(1 - t)")],
            says={"micrograd.tanh": "`1 - t` instead of `1 - t**2`"}),
    Learner("relu_ge", {"micrograd.relu"}, base="kahn_backward",
            edits=[("self.grad += (out.data > 0) * out.grad", "self.grad += (self.data >= 0) * out.grad")],
            says={"micrograd.relu": "exactly 0"}),
    Learner("exp_derivative_x", {"micrograd.exp_log"}, base="kahn_backward",
            edits=[("            self.grad += out.data * out.grad", "            self.grad += self.data * out.grad")],
            says={"micrograd.exp_log": "x instead of exp(x)"}),
    # Two things wrong at once: `_op` None everywhere (a convention grading does not need) and
    # pow's closure never attached. The message leads with what explains the failure.
    Learner("pow_forgot_backward_op_none", {"micrograd.pow"}, base="lambdas_backward",
            edits=[("def __init__(self, data, _children=(), _op='', label=''):",
                    "def __init__(self, data, _children=(), _op=None, label=None):"),
                   ("f'^{k}')\n        out._backward = lambda: self._acc(k * self.data ** (k - 1) * out.grad)\n",
                    "None)\n")],
            says={"micrograd.pow": "never attaching the op's `_backward`"}),
    Learner("pow_via_exp_log", {"micrograd.pow"}, base="radd_alias",
            edits=[("        assert isinstance(other, (int, float))\n        out = Value(self.data ** other",
                    "        return (self.log() * other).exp()\n        out = Value(self.data ** other")],
            says={"micrograd.pow": "math domain error"}),
    Learner("rsub_wrong_order", {"micrograd.neg_sub_div"}, base="kahn_backward",
            edits=[("def __rsub__(self, other): return other + (-self)", "def __rsub__(self, other): return self - other")],
            says={"micrograd.neg_sub_div": "swapping the operands in __rsub__"}),
    # A reflected operator missing or calling itself: message, hint and "Next" are about it.
    Learner("missing_rmul", {"micrograd.mul"}, base="radd_alias", edits=[("    __rmul__ = __mul__\n", "")],
            says={"micrograd.mul": "Value.__rmul__ is missing"}, work_on={"micrograd.mul": "Value.__rmul__"}),
    Learner("rmul_recursion", {"micrograd.mul"}, base="radd_alias",
            edits=[("    __rmul__ = __mul__\n", "    def __rmul__(self, other):\n        return other * self\n")],
            says={"micrograd.mul": "Value.__rmul__ calls itself"}, work_on={"micrograd.mul": "Value.__rmul__"}),
    Learner("no_radd", {"micrograd.add"}, base="kahn_backward",
            edits=[("    def __radd__(self, other): return self + other\n", ""),
                   ("def __rsub__(self, other): return other + (-self)", "def __rsub__(self, other): return (-self) + other")],
            says={"micrograd.add": "Value.__radd__ is missing"}, work_on={"micrograd.add": "Value.__radd__"}),
    Learner("backward_no_visited", {"micrograd.backward"}, base="dataclass_tuple_prev",
            edits=[("            elif id(node) not in seen:\n                seen.add(id(node))\n",
                    "            else:\n")],
            says={"micrograd.backward": "must be processed exactly once"}),
]
