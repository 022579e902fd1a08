"""micrograd mutants: see tests/mutants/__init__.py."""
from __future__ import annotations

from mutants import Mutant, solution_block

ENGINE, NN, TRAIN, GRADCHECK = "micrograd/engine.py", "micrograd/nn.py", "micrograd/train.py", "micrograd/gradcheck.py"


RECURSIVE_BACKWARD = '''        topo = []
        visited = set()
        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
'''

MUTANTS = [
    Mutant("gradcheck-forward-difference", {GRADCHECK: [("(f(up) - f(down)) / (2 * h)", "(f(up) - f(xs)) / h")]},
           {"micrograd.gradcheck"}, ["one-sided difference"]),
    Mutant("gradcheck-mutates-xs", {GRADCHECK: [("        up = list(xs)\n", "        up = xs\n"),
                                                ("        up[i] += h\n", "        up[i] += h\n        f_up = f(up)\n        up[i] -= h\n")]},
           {"micrograd.gradcheck"}),
    Mutant("add-assigns-grad", {ENGINE: [("            self.grad += out.grad\n            other.grad += out.grad",
                                          "            self.grad = out.grad\n            other.grad = out.grad")]},
           {"micrograd.add"}, ["`=` instead of `+=`"]),
    Mutant("mul-own-data", {ENGINE: [("self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
                                      ("other.grad += self.data * out.grad", "other.grad += other.data * out.grad")]},
           {"micrograd.mul"}, ["its *own* data"]),
    Mutant("pow-backward-never-attached", {ENGINE: [("            self.grad += other * self.data ** (other - 1) * out.grad\n        out._backward = _backward\n",
                                                    "            self.grad += other * self.data ** (other - 1) * out.grad\n")]},
           {"micrograd.pow"}, ["never attaching the op's `_backward`"]),
    Mutant("mul-no-rmul", {ENGINE: [("    def __rmul__(self, other):", "    def __rmul_disabled__(self, other):")]},
           {"micrograd.mul"}, ["__rmul__"]),
    Mutant("no-rsub", {ENGINE: [("    def __rsub__(self, other):  # other - self", "    def __rsub_disabled__(self, other):")]},
           {"micrograd.neg_sub_div"}, ["`1 - a` raised TypeError", "Value.__rsub__ is missing"]),
    Mutant("no-rtruediv", {ENGINE: [("    def __rtruediv__(self, other):  # other / self", "    def __rtruediv_disabled__(self, other):")]},
           {"micrograd.neg_sub_div"}, ["Value.__rtruediv__ is missing"]),
    Mutant("pow-exponent-not-lowered", {ENGINE: [("other * self.data ** (other - 1)", "other * self.data ** other")]},
           {"micrograd.pow"}, ["exponent not lowered"]),
    Mutant("rsub-wrong-order", {ENGINE: [("        return other + (-self)", "        return self + (-other)")]},
           {"micrograd.neg_sub_div"}, ["forward value", "swapping the operands in __rsub__"]),
    Mutant("log-derivative-of-output", {ENGINE: [("(1 / self.data) * out.grad", "(1 / out.data) * out.grad")]},
           {"micrograd.exp_log"}, ["gradient"]),
    Mutant("tanh-one-minus-t", {ENGINE: [("(1 - t ** 2) * out.grad", "(1 - t) * out.grad")]},
           {"micrograd.tanh"}, ["`1 - t` instead of `1 - t**2`"]),
    Mutant("relu-grad-at-zero", {ENGINE: [("(1.0 if out.data > 0 else 0.0)", "(1.0 if self.data >= 0 else 0.0)")]},
           {"micrograd.relu"}, ["exactly 0"]),
    Mutant("backward-zeroes-grads", {ENGINE: [("        self.grad = 1.0\n        for node in reversed(topo):",
                                               "        for node in topo:\n            node.grad = 0.0\n"
                                               "        self.grad = 1.0\n        for node in reversed(topo):")]},
           {"micrograd.backward"}, ["before backward()"]),
    Mutant("backward-no-seed", {ENGINE: [("        self.grad = 1.0\n        for node in reversed(topo):",
                                          "        for node in reversed(topo):")]},
           {"micrograd.backward", "micrograd.deep_graphs"}, ["did not seed"]),
    Mutant("backward-forward-order", {ENGINE: [("        for node in reversed(topo):\n            node._backward()",
                                                "        for node in topo:\n            node._backward()")]},
           {"micrograd.backward", "micrograd.deep_graphs"}, ["reverse"]),
    Mutant("backward-recursive-topo", {ENGINE: [(solution_block(ENGINE, "micrograd.backward"), RECURSIVE_BACKWARD)]},
           {"micrograd.deep_graphs"}, ["RecursionError"]),
    Mutant("nn-parameters-without-bias", {NN: [("        return self.w + [self.b]", "        return self.w")]},
           {"micrograd.nn"}, ["biases are missing"]),
    Mutant("train-no-zero-grad", {TRAIN: [("        model.zero_grad()\n", "")]},
           {"micrograd.train"}, ["zero_grad"]),
    # Every argument exercised with a value other than its default (SPEC §3): ignoring one fails.
    Mutant("gradcheck-ignores-h", {GRADCHECK: [("        up[i] += h\n", "        up[i] += 1e-6\n"),
                                               ("        down[i] -= h\n", "        down[i] -= 1e-6\n"),
                                               ("(f(up) - f(down)) / (2 * h)", "(f(up) - f(down)) / (2 * 1e-6)")]},
           {"micrograd.gradcheck"}, ["ignoring h"]),
    Mutant("neuron-ignores-nonlin", {NN: [("        return act.tanh() if self.nonlin else act", "        return act.tanh()")]},
           {"micrograd.nn"}, ["applying tanh even when nonlin=False"]),
    Mutant("layer-drops-kwargs", {NN: [("        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]",
                                        "        self.neurons = [Neuron(nin) for _ in range(nout)]")]},
           {"micrograd.nn"}, ["does not pass its keyword arguments on"]),
    Mutant("train-ignores-steps", {TRAIN: [("    for _ in range(steps):", "    for _ in range(20):")]},
           {"micrograd.train"}, ["returned 20 losses; expected 5"]),
    Mutant("train-ignores-lr", {TRAIN: [("            p.data += -lr * p.grad", "            p.data += -0.1 * p.grad")]},
           {"micrograd.train"}, ["ignoring lr"]),
    Mutant("train-wrong-default-steps", {TRAIN: [("def train(model, xs, ys, steps=20, lr=0.1):", "def train(model, xs, ys, steps=10, lr=0.1):")]},
           {"micrograd.train"}, ["steps defaults to 20"]),
    Mutant("train-mean-loss", {TRAIN: [("    return sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))",
                                        "    return sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred)) * (1.0 / len(ys))")]},
           {"micrograd.train"}, ["mean instead of the sum"]),
    # Named mistakes of grader/suites/micrograd/mistakes.py, one mutant each.
    Mutant("exp-derivative-x", {ENGINE: [("            self.grad += out.data * out.grad\n        out._backward = _backward\n\n        return out\n        # END SOLUTION\n\n    def log",
                                          "            self.grad += self.data * out.grad\n        out._backward = _backward\n\n        return out\n        # END SOLUTION\n\n    def log")]},
           {"micrograd.exp_log"}, ["using x instead of exp(x)"]),
    Mutant("rtruediv-wrong-order", {ENGINE: [("        return other * self ** -1", "        return self * other ** -1")]},
           {"micrograd.neg_sub_div"}, ["swapping the operands in __rtruediv__"]),
    Mutant("train-ascent", {TRAIN: [("            p.data += -lr * p.grad\n", "            p.data += lr * p.grad\n")]},
           {"micrograd.train"}, ["stepping *up* the gradient"]),
    Mutant("gradcheck-half-step", {GRADCHECK: [("(f(up) - f(down)) / (2 * h)", "(f(up) - f(down)) / h")]},
           {"micrograd.gradcheck"}, ["dividing by h instead of 2h"]),
    Mutant("tanh-no-chain", {ENGINE: [("            self.grad += (1 - t ** 2) * out.grad\n",
                                       "            self.grad += 1 - t ** 2\n")]},
           {"micrograd.tanh"}, ["forgetting the chain rule"]),
    # The micrograd repository's MLP (a linear last layer), not the lecture's.
    Mutant("mlp-last-layer-linear", {NN: [("Layer(sizes[i], sizes[i + 1]) for i in range(len(nouts))]",
                                           "Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]")]},
           {"micrograd.nn"}, ["a final layer without tanh"]),
    # "The loss of this step" taken as what the updated model gives.
    Mutant("train-loss-after-update", {TRAIN: [("        losses.append(float(loss.data))\n",
                                                "        losses.append(float(mse_loss([model(x) for x in xs], ys).data))\n")]},
           {"micrograd.train"}, ["recording the loss after the update"]),
]
