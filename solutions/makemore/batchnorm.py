"""makemore, part 3: activations, gradients and batch normalisation.

Lecture 4 of Neural Networks: Zero to Hero, "Building makemore Part 3: Activations & Gradients,
BatchNorm". The MLP of part 2 trains, but it starts badly: the first loss is far above what a
model that knows nothing should score, and most tanh units sit in their flat tails where no
gradient flows. This file fixes the initialisation, measures the network's health (saturation,
update-to-data ratios), then builds the layers the lecture writes in the style of torch.nn
(Linear, BatchNorm1d, Tanh). Two extras: batch norm's backward pass by hand (exercise 3 of
part 4, "Becoming a Backprop Ninja") and folding a trained batch norm into the layer before it.

Vocabulary and data as in part 2: '.' is index 0, the other characters follow from 1.
Every function takes its data as arguments; nothing here reads files.
"""
import torch


def init_mlp_fixed(vocab_size=27, block_size=3, n_embd=10, n_hidden=200, generator=None):
    """Return the parameters of part 2's MLP, drawn as `init_mlp` draws them, then scaled.

    A dict with keys `C, W1, b1, W2, b2`, drawn in that order, each by
    `torch.randn(shape, generator=generator)`, with shapes (vocab_size, n_embd),
    (block_size * n_embd, n_hidden), (n_hidden,), (n_hidden, vocab_size), (vocab_size,). Same
    draws, same order as `init_mlp`, so that one seed gives the same numbers before scaling.

    Then the lecture's two fixes:
    - The output layer: at initialisation the model should not prefer any character, so its
      logits should be close to 0 and the first loss close to -ln(1/27) = 3.2958 (uniform over
      27 characters), not 27 or more. Scale W2 by 0.01 and b2 by 0.
    - The hidden layer: multiply W1 by the Kaiming scale for tanh, gain / sqrt(fan_in) with
      gain = 5/3 and fan_in = block_size * n_embd (the number of inputs each hidden unit
      sums), so the pre-activations keep roughly unit spread and few tanh units saturate.
      Scale b1 by 0.01.

    Every result must be a float32 *leaf* tensor with `requires_grad=True`: scale the draws
    first, then call `.requires_grad_()` (a tensor made with requires_grad=True and then
    multiplied is no longer a leaf, and would get no .grad).
    """
    # BEGIN SOLUTION batchnorm.init: draw C, W1, b1, W2, b2 as init_mlp does; scale W1 by (5/3)/sqrt(fan_in), b1 and W2 by 0.01, b2 by 0
    fan_in = block_size * n_embd
    C = torch.randn((vocab_size, n_embd), generator=generator)
    W1 = torch.randn((fan_in, n_hidden), generator=generator) * (5 / 3) / fan_in**0.5
    b1 = torch.randn(n_hidden, generator=generator) * 0.01
    W2 = torch.randn((n_hidden, vocab_size), generator=generator) * 0.01
    b2 = torch.randn(vocab_size, generator=generator) * 0
    params = {"C": C, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    for p in params.values():
        p.requires_grad_()
    return params
    # END SOLUTION


def tanh_stats(h):
    """Return a dict with the Python floats `mean`, `std` and `saturation` of the activations h.

    h is a tensor of tanh outputs, e.g. (batch, n_hidden). `mean` and `std` are over all its
    entries (use torch's `.std()`, as the lecture does: the unbiased estimate). `saturation` is
    the fraction of entries with |h| > 0.97 (strictly greater), in the tails where
    1 - tanh**2 is almost 0 and the gradient through the unit almost vanishes: a fraction
    between 0 and 1, not a percentage. Return plain floats (`.item()`), not tensors.
    """
    # BEGIN SOLUTION batchnorm.stats: {'mean': h.mean(), 'std': h.std(), 'saturation': fraction of |h| > 0.97}, as floats
    return {
        "mean": h.mean().item(),
        "std": h.std().item(),
        "saturation": (h.abs() > 0.97).float().mean().item(),
    }
    # END SOLUTION


def update_to_data_ratio(p, lr):
    """Return log10(std(lr * p.grad) / std(p.data)) as a Python float.

    How big a step of gradient descent is compared with the parameter it changes: the lecture
    plots it for every weight during training and looks for about -3 (each update changes a
    parameter by about a thousandth of its typical size). Use `.std()` as the lecture does,
    the base-10 logarithm, and do not change p.
    """
    # BEGIN SOLUTION batchnorm.stats: ((lr * p.grad).std() / p.data.std()).log10() as a float
    return ((lr * p.grad).std() / p.data.std()).log10().item()
    # END SOLUTION


class Linear:
    """A fully connected layer, as the lecture writes it: `y = x @ weight + bias`.

    `Linear(fan_in, fan_out, bias=True, generator=None)`:
    - `weight`: `torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5`. Shape
      (fan_in, fan_out), so `x @ weight` works for x of shape (batch, fan_in); the division by
      sqrt(fan_in) keeps the outputs at about the spread of the inputs.
    - `bias`: `torch.zeros(fan_out)`, or None when `bias=False` (the usual choice right before
      a BatchNorm1d, whose own beta makes a bias useless).
    - calling the layer returns `x @ weight + bias` (no bias when it is None) and also keeps
      that result in `self.out`, so that the activations can be inspected afterwards.
    - `parameters()`: `[weight, bias]`, or `[weight]` without a bias.
    """

    def __init__(self, fan_in, fan_out, bias=True, generator=None):
        # BEGIN SOLUTION batchnorm.linear: weight = randn((fan_in, fan_out), generator) / fan_in**0.5; bias = zeros(fan_out) or None
        self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None
        # END SOLUTION

    def __call__(self, x):
        # BEGIN SOLUTION batchnorm.linear: self.out = x @ self.weight (+ self.bias); return it
        self.out = x @ self.weight
        if self.bias is not None:
            self.out = self.out + self.bias
        return self.out
        # END SOLUTION

    def parameters(self):
        # BEGIN SOLUTION batchnorm.linear: [weight] plus [bias] when there is one
        return [self.weight] + ([] if self.bias is None else [self.bias])
        # END SOLUTION


class BatchNorm1d:
    """Batch normalisation over the batch dimension, matching `torch.nn.BatchNorm1d`.

    `BatchNorm1d(dim, eps=1e-5, momentum=0.1)`. Keep `eps` and `momentum` (as `self.eps`,
    `self.momentum`), and make:
    - `gamma` = ones(dim) and `beta` = zeros(dim): the learned scale and shift;
    - `running_mean` = zeros(dim) and `running_var` = ones(dim): buffers, not parameters;
    - `training` = True.
    All four tensors have shape (dim,), as in torch.

    Calling it on x of shape (batch, dim):
    - in training (`self.training` True): normalise every column with the *batch's* mean and
      variance, xhat = (x - mean) / sqrt(var + eps), output gamma * xhat + beta. Then, without
      building a graph (`with torch.no_grad():`), update the buffers:
      running = (1 - momentum) * running + momentum * batch_statistic.
    - in eval (`self.training` False): the same formula with running_mean and running_var in
      place of the batch's statistics, and no update: one example at a time works, and its
      output no longer depends on the rest of the batch.
    Keep the output in `self.out`; `parameters()` is `[gamma, beta]`.

    Which variance? This kit follows torch.nn.BatchNorm1d, which differs from the lecture's
    class: normalise with the *biased* batch variance, `x.var(0, unbiased=False)` (divide by n),
    but put the *unbiased* one, `x.var(0)` (divide by n - 1), into running_var. The lecture's
    class uses `x.var(0)` for both, and the grader recognises that by name. Keep the buffers
    of shape (dim,): `x.mean(0, keepdim=True)`, as in the lecture, would make them (1, dim).
    """

    def __init__(self, dim, eps=1e-5, momentum=0.1):
        # BEGIN SOLUTION batchnorm.batchnorm1d: eps, momentum, training=True; gamma, beta, running_mean, running_var of shape (dim,)
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)
        # END SOLUTION

    def __call__(self, x):
        # BEGIN SOLUTION batchnorm.batchnorm1d: normalise (biased batch var in training, running stats in eval); update the buffers under no_grad
        if self.training:
            xmean = x.mean(0)
            xvar = x.var(0, unbiased=False)
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * x.var(0)
        return self.out
        # END SOLUTION

    def parameters(self):
        # BEGIN SOLUTION batchnorm.batchnorm1d: [gamma, beta]
        return [self.gamma, self.beta]
        # END SOLUTION


class Tanh:
    """The tanh non-linearity as a layer: calling it returns `torch.tanh(x)` and keeps that in
    `self.out` (for the activation statistics); it has no parameters (`[]`)."""

    def __call__(self, x):
        # BEGIN SOLUTION batchnorm.tanh: self.out = torch.tanh(x); return it
        self.out = torch.tanh(x)
        return self.out
        # END SOLUTION

    def parameters(self):
        # BEGIN SOLUTION batchnorm.tanh: no parameters: []
        return []
        # END SOLUTION


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """Return `(dx, dgamma, dbeta)`, the gradients of training-mode batch norm, by hand.

    The forward pass (as in BatchNorm1d above, biased variance), over x of shape (n, dim):
        mean = x.mean(0); var = x.var(0, unbiased=False); xhat = (x - mean) / sqrt(var + eps)
        out = gamma * xhat + beta
    Given dout = dloss/dout (n, dim), find dloss/dx (n, dim), dloss/dgamma and dloss/dbeta
    (both of gamma's shape, (dim,)). No autograd (`backward()`, `torch.autograd.grad`): that
    is the point of part 4, exercise 3.

    dbeta and dgamma are sums over the batch. For dx, remember that every x[i] also moves the
    batch's mean and variance, and through them every output of its column: work through
    xhat, var and mean with the chain rule (or simplify on paper to one line). The lecture
    derives it with the unbiased variance, which brings a factor n/(n-1); here the variance is
    the biased one, so that factor must not appear.
    """
    # BEGIN SOLUTION batchnorm.backward: dbeta = sum(dout); dgamma = sum(dout * xhat); dx through xhat, var and mean
    n = x.shape[0]
    xmean = x.mean(0)
    invstd = (x.var(0, unbiased=False) + eps) ** -0.5
    xhat = (x - xmean) * invstd
    dbeta = dout.sum(0)
    dgamma = (dout * xhat).sum(0)
    dx = gamma * invstd / n * (n * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta
    # END SOLUTION


def fold_batchnorm(linear, bn):
    """Return a new `Linear` (with a bias) computing what `bn(linear(x))` computes in eval mode.

    After training, batch norm with its running statistics is just a per-column affine map:
    gamma * (y - running_mean) / sqrt(running_var + eps) + beta. Applied to y = x @ W + b, it
    folds into one Linear layer: scale each *output column* of W by
    gamma / sqrt(running_var + bn.eps), and make the new bias from the old one (zero when
    `linear.bias` is None) in the same way, mean subtracted, plus beta. Use the running
    statistics whatever `bn.training` says, and leave both `linear` and `bn` unchanged: make
    new tensors (e.g. `Linear(fan_in, fan_out)` and then set its `weight` and `bias`).
    """
    # BEGIN SOLUTION batchnorm.fold: scale = gamma / sqrt(running_var + eps); weight * scale; (old bias - running_mean) * scale + beta
    with torch.no_grad():
        scale = bn.gamma / torch.sqrt(bn.running_var + bn.eps)
        fan_in, fan_out = linear.weight.shape
        bias = linear.bias if linear.bias is not None else torch.zeros(fan_out)
        folded = Linear(fan_in, fan_out)
        folded.weight = linear.weight * scale
        folded.bias = (bias - bn.running_mean) * scale + bn.beta
    return folded
    # END SOLUTION
