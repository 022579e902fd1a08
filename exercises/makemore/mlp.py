"""makemore, part 2: a multi-layer perceptron language model (Bengio et al. 2003).

Lecture 3 of Neural Networks: Zero to Hero, "Building makemore Part 2: MLP". The model reads
the previous `block_size` characters, looks each one up in an embedding table C, concatenates
the embeddings, and feeds them through a tanh hidden layer to logits over the next character.

Vocabulary as in part 1: '.' is index 0 (start and end), the letters follow from 1. Every
function takes its data as arguments; nothing here reads files.

The challenge (the lecture's exercise E01): beat a dev loss of 2.2. `grade mlp --challenge`
trains with your `init_mlp` and `train_mlp` on the real names with the settings in
`CHALLENGE` below: change them there, it is the one place the challenge reads.
"""
import random

import torch
import torch.nn.functional as F

# Settings for `grade mlp --challenge` (not graded). `lr` is a number or a function of the step.
CHALLENGE = {
    "block_size": 3,
    "n_embd": 12,
    "n_hidden": 200,
    "steps": 120_000,
    "batch_size": 64,
    "lr": lambda step: 0.1 if step < 80_000 else 0.01,
    "seed": 2147483647,
}


def build_dataset(words, stoi, block_size=3):
    """Return `(X, Y)`, int64: X (n, block_size) contexts and Y (n,) the character that follows.

    For each word the context starts as `block_size` zeros ('.' ... '.'). For every character
    of word + '.', append the row (context, index of that character), then slide the context:
    drop its first entry and append that index. So the end token is predicted too, and each
    word starts from a fresh context.
    """
    raise NotImplementedError("TODO mlp.dataset: for each word, context = [0] * block_size; for ch in word + '.': row, then slide")


def split_words(words, seed=42):
    """Return `(train, dev, test)`: 80% / 10% / 10% of a shuffled copy of `words`.

    Shuffle a copy with `random.Random(seed).shuffle` (leave the caller's list as it was), then
    cut at `int(0.8 * n)` and `int(0.9 * n)`. On names.txt: 25626 / 3203 / 3204 words.
    """
    raise NotImplementedError("TODO mlp.split: copy, random.Random(seed).shuffle, cut at int(0.8 * n) and int(0.9 * n)")


def init_mlp(vocab_size=27, block_size=3, n_embd=10, n_hidden=200, generator=None):
    """Return the parameters as a dict with keys C, W1, b1, W2, b2.

    Draw them in exactly that order with `torch.randn(shape, generator=generator)`: C
    (vocab_size, n_embd), W1 (block_size * n_embd, n_hidden), b1 (n_hidden,), W2 (n_hidden,
    vocab_size), b2 (vocab_size,). No scaling here (part 3 is about fixing that). Each must be
    a float32 leaf tensor with `requires_grad=True`, so that training can update it.
    """
    raise NotImplementedError("TODO mlp.init: torch.randn each of C, W1, b1, W2, b2 in order with the generator; requires_grad=True")


def mlp_forward(params, X):
    """Return the logits (n, vocab_size) for the contexts X (n, block_size).

    Embed: `C[X]` has shape (n, block_size, n_embd); flatten each context's embeddings into
    one row (n, block_size * n_embd) (`.view(n, -1)`); hidden layer `tanh(emb @ W1 + b1)`;
    output layer `h @ W2 + b2`. No softmax here: the loss takes logits.
    """
    raise NotImplementedError("TODO mlp.forward: emb = C[X], flattened per row; h = tanh(emb @ W1 + b1); return h @ W2 + b2")


def cross_entropy(logits, Y):
    """Return the mean cross-entropy of `logits` (n, V) against labels Y, as a scalar tensor.

    It must equal `F.cross_entropy(logits, Y)` in value and gradient, written with elementary
    tensor operations (exp, log, sum, max, indexing...): the point is to see what
    F.cross_entropy does. Naively, probs = exp(logits) / sum(exp(logits)); but exp(1e4) is
    inf, so first subtract each row's maximum (it changes nothing mathematically: softmax is
    shift-invariant) and work in log space: log_softmax = shifted - log(sum(exp(shifted))).
    """
    raise NotImplementedError("TODO mlp.cross_entropy: shift by the row max, log-sum-exp, pick each row's label, mean of the negatives")


def train_mlp(params, X, Y, steps, batch_size=32, lr=0.1, generator=None):
    """Minibatch gradient descent on `params`, in place, for `steps` steps; return the losses.

    Each step: `ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator)`; logits
    = `mlp_forward(params, X[ix])`; loss = `F.cross_entropy(logits, Y[ix])`; set every
    `p.grad = None`; `loss.backward()`; then `p.data += -rate * p.grad` for every parameter,
    where rate is `lr` if it is a number, or `lr(step)` if it is a function of the step index
    (0, 1, 2, ...): a learning-rate schedule. Record `loss.item()` of every step.
    """
    raise NotImplementedError("TODO mlp.train: randint batch with the generator, forward, F.cross_entropy, zero grads, backward, update")


def evaluate(params, X, Y):
    """Return the cross-entropy loss over the whole split (X, Y) as a Python float.

    Only a measurement: wrap it in `torch.no_grad()` so no autograd graph is built (faster,
    and nothing is kept in memory for a backward pass that will never come).
    """
    raise NotImplementedError("TODO mlp.evaluate: under torch.no_grad(), F.cross_entropy of mlp_forward over the whole split, as a float")


def sample_mlp(params, itos, n, generator, block_size=3):
    """Sample `n` names from the model, using `generator` for every draw.

    For each name the context starts as `block_size` zeros. Each step: logits for the context
    (a batch of one: `torch.tensor([context])`), `probs = F.softmax(logits, dim=1)`, then
    `ix = torch.multinomial(probs, num_samples=1, generator=generator).item()`; slide the
    context; stop at 0 ('.'), otherwise append `itos[ix]`. Exactly those calls, one generator
    for all names, so a seed fixes the names and the grader can compare them letter for letter.
    """
    raise NotImplementedError("TODO mlp.sampling: context of zeros; softmax of the logits; torch.multinomial with the generator; stop at 0")
