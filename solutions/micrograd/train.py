"""The loss and the gradient-descent loop that train a micrograd MLP.

Lecture 1 of Neural Networks: Zero to Hero, "The spelled-out intro to neural networks and
backpropagation: building micrograd" (the end of the lecture: a tiny data set, a loss, and the
training loop). Works with any model that is callable and has `parameters()` and `zero_grad()`.
Pure Python: no torch, no numpy.
"""


def mse_loss(ypred, ys):
    """Return the sum of squared errors between the predictions and the targets, as a Value.

    `ypred` is a list of Values (the network's outputs); `ys` is a list of the same length of
    targets, plain numbers or Values. The loss is the SUM over the examples (not the mean, as
    in the lecture) of (ypred_i - y_i)**2: it is 0 only when every prediction is exact and it
    grows as any prediction drifts away. Build it from Value operations, so that
    `loss.backward()` reaches every weight.
    """
    # BEGIN SOLUTION micrograd.train: return the sum over examples of (ypred_i - y_i)**2
    return sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    # END SOLUTION


def train(model, xs, ys, steps=20, lr=0.1):
    """Run `steps` steps of gradient descent on `model` and return the losses.

    Each step, in this order:
    1. forward pass: the model's prediction for every input in `xs`;
    2. the loss: `mse_loss` of the predictions against `ys`;
    3. `model.zero_grad()`: backward() accumulates, so clear the previous step's gradients;
    4. `backward()` on the loss;
    5. update every parameter against its gradient: p.data += -lr * p.grad. The gradient
       points in the direction that increases the loss, hence the minus sign.

    Return the list of the steps' losses as plain floats (`loss.data`), each recorded before
    that step's update, so the list should go down.
    """
    # BEGIN SOLUTION micrograd.train: forward, mse_loss, zero_grad, backward, update each step; return the float losses
    losses = []
    for _ in range(steps):
        ypred = [model(x) for x in xs]
        loss = mse_loss(ypred, ys)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -lr * p.grad
        losses.append(float(loss.data))
    return losses
    # END SOLUTION
