"""makemore, part 1: a bigram character-level language model, two ways.

Lecture 2 of Neural Networks: Zero to Hero, "The spelled-out intro to language modeling:
building makemore". The model predicts the next character from the previous one only.

First by counting: a (V, V) table of how often each character follows each other one, turned
into probabilities row by row, then sampled from and scored with the negative log likelihood.
Then the same model as a tiny neural net: one-hot inputs times a weight matrix W, softmax,
trained by gradient descent, which ends up where counting started.

Vocabulary: '.' is index 0 and marks both the start and the end of a name; the other
characters follow in sorted order from 1. V = len(stoi). Every function takes its data as
arguments; nothing here reads files.
"""
import numpy as np
import torch


def build_vocab(words):
    """Return `(stoi, itos)`: string-to-index and index-to-string dicts for the characters.

    '.' gets index 0 (the start/end token); every other character that appears in `words`
    gets 1, 2, ... in sorted order. `itos` is the inverse of `stoi`.
    """
    raise NotImplementedError("TODO bigram.vocab: '.' -> 0, the other characters in sorted order from 1; itos is the inverse")


def count_bigrams(words, stoi):
    """Return N, an int32 tensor of shape (V, V) with N[i, j] = how often token j follows token i.

    Read each word as '.' + word + '.', so the start token is followed by the first letter and
    the last letter is followed by the end token (forget the end and the model never learns to
    stop). The lecture fills N with a double loop and `N[ix1, ix2] += 1`; any way that gives the
    same counts is fine. Mind the dtype: torch.int32.
    """
    raise NotImplementedError("TODO bigram.counts: an int32 (V, V) tensor counting each (previous, next) pair of '.' + word + '.'")


def bigram_probs(N, smoothing=1.0):
    """Return P, float32 (V, V): row i is the distribution of the token that follows token i.

    Add `smoothing` to every count first (add-one smoothing when it is 1.0: no bigram gets
    probability zero), then divide each row by its own sum. With broadcasting this needs the
    row sums kept as a column, shape (V, 1): `sum(dim=1, keepdim=True)`. Without keepdim the
    sums broadcast along the wrong axis and the *columns* end up normalised instead of the rows.
    """
    raise NotImplementedError("TODO bigram.probs: (N + smoothing) as float32, each row divided by its own sum (keepdim=True)")


def sample_names(P, itos, n, generator):
    """Sample `n` names from the bigram model P, using `generator` for every draw.

    For each name start at index 0 ('.') and repeat: draw the next index with
    `torch.multinomial(P[ix], num_samples=1, replacement=True, generator=generator).item()`,
    stop when it is 0 again, otherwise append `itos[ix]`. The final '.' is not part of the
    name. Use exactly that call, in that order, with the one generator for all names: then a
    seed fixes the output exactly and the grader can compare names letter for letter.
    """
    raise NotImplementedError("TODO bigram.sampling: from index 0, draw with torch.multinomial(P[ix], 1, True, generator) until 0")


def nll(P, words, stoi):
    """Return the average negative log likelihood of `words` under P, as a Python float.

    For every bigram (i, j) of every word (read as '.' + word + '.', as in counting), add up
    -log P[i, j], then divide by the number of bigrams: the mean, not the sum. Lower is
    better; about 2.45 for add-one smoothing on the names data set. When some P[i, j] is 0 (no
    smoothing and a bigram never seen) the answer is infinity: return `inf`, do not raise.
    """
    raise NotImplementedError("TODO bigram.nll: the mean over every bigram of -log P[i, j], as a float (inf when some P is 0)")


def bigram_pairs(words, stoi):
    """Return `(xs, ys)`: int64 1-D tensors of every (previous, next) index pair, words in order.

    The training set of the neural-net version: the same bigrams as in counting ('.' + word +
    '.'), with xs[k] the input and ys[k] the label (the token that follows).
    """
    raise NotImplementedError("TODO bigram.pairs: every (previous, next) index pair of '.' + word + '.' as two int64 1-D tensors")


def bigram_forward(W, xs):
    """Return the probabilities (len(xs), V) that the neural bigram model assigns.

    One-hot encode xs (`F.one_hot(xs, num_classes=V).float()`), multiply by W (V, V) to get
    logits, read them as log-counts: exponentiate, then normalise each row to sum to 1. That
    is the softmax. Keep every step a torch operation on W so gradients flow back into W.
    (Indexing W[xs] picks the same rows as the one-hot product and is fine too.)
    """
    raise NotImplementedError("TODO bigram.forward: logits = one_hot(xs) @ W; counts = exp(logits); normalise each row")


def bigram_loss(W, xs, ys, reg=0.01):
    """Return the scalar loss tensor: mean of -log(prob of ys[k]) plus `reg * (W**2).mean()`.

    Take the forward pass's probabilities, pick each row's probability of its label (e.g.
    `probs[torch.arange(n), ys]`), and average the negative logs. The second term is the
    regularisation Karpathy compares to smoothing: it pulls W towards 0, i.e. towards uniform
    probabilities.
    """
    raise NotImplementedError("TODO bigram.loss: -probs[arange(n), ys].log().mean() + reg * (W**2).mean()")


def train_bigram(W, xs, ys, steps, lr=50.0, reg=0.01):
    """Gradient descent on W, in place, for `steps` steps; return the losses as floats.

    Each step: compute `bigram_loss(W, xs, ys, reg)`, set `W.grad = None` (the gradients of
    the previous step must not add up), call `loss.backward()`, then update the data:
    `W.data += -lr * W.grad`. Record each step's loss (`loss.item()`) before the update.
    """
    raise NotImplementedError("TODO bigram.train: loss, W.grad = None, backward, W.data += -lr * W.grad; return the float losses")


# -- Stretch: the lecture's exercise E01, a trigram model ------------------------------------

def count_trigrams(words, stoi):
    """Return N3, int32 (V, V, V): N3[a, b, c] counts token c following the pair (a, b).

    Read each word as '..' + word + '.': two start tokens give the first letter a full context.
    """
    raise NotImplementedError("TODO bigram.trigram: an int32 (V, V, V) tensor counting each (a, b, c) of '..' + word + '.'")


def trigram_probs(N3, smoothing=1.0):
    """Return P3, float32 (V, V, V): N3 + smoothing, normalised over the last axis."""
    raise NotImplementedError("TODO bigram.trigram: (N3 + smoothing) as float32, normalised over the last axis (keepdim=True)")


def trigram_nll(P3, words, stoi):
    """Return the mean of -log P3[a, b, c] over every trigram of every word, as a float."""
    raise NotImplementedError("TODO bigram.trigram: the mean over every trigram of '..' + word + '.' of -log P3[a, b, c]")
