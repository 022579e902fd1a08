"""The counting model: vocabulary, counts, probabilities, sampling, NLL, and the trigram stretch."""
from __future__ import annotations

import functools
import math

import pytest
import torch

from grader.checks import CheckFailed, StudentFailure, expect_array_close, expect_close, expect_tensor, once, require
from grader.references import bigram as ref
from grader.suites.bigram.mistakes import MISTAKES
from grader.suites.bigram.words import itos_pairs, pair_label, random_words, real_names, vocab, wider_vocab

BIGRAM = [("makemore.bigram", None)]


@pytest.mark.component("bigram.vocab")
def check_vocab(student, rng, seed):
    words = random_words(rng)
    got = student.call("vocab", load=BIGRAM, words=words)
    stoi, itos = vocab(words)
    got_stoi = dict((k, v) for k, v in got["stoi"])
    where = f"for words like {words[:4]} (seed {seed})"
    require(got_stoi.get(".") == 0, f"stoi['.'] should be 0 (the start/end token), got {got_stoi.get('.')} {where}",
           "'.' is index 0; the other characters follow from 1 in sorted order.")
    if got_stoi != stoi:
        wrong = next((c for c in sorted(stoi) if got_stoi.get(c) != stoi[c]), None)
        extra = sorted(set(got_stoi) - set(stoi))
        detail = f"stoi[{wrong!r}] should be {stoi[wrong]}, got {got_stoi.get(wrong)}" if wrong else f"unexpected keys {extra}"
        raise CheckFailed(f"{detail} {where}", "Number the sorted characters from 1, after '.' at 0.")
    require(dict((int(k), v) for k, v in got["itos"]) == itos, f"itos should be the inverse of stoi {where}",
           "itos = {i: s for s, i in stoi.items()}")


@functools.lru_cache(maxsize=None)
def _real_reference() -> dict:
    """The reference's vocabulary, counts, add-one probabilities and NLL on names.txt, made once
    per judge (a batch grades every submission on the same file). Called only once
    `real_names()` has found the file, so an absence is never cached. Only read, never changed."""
    words = real_names()
    stoi, itos = vocab(words)
    N = ref.count_bigrams(words, stoi)
    P = ref.bigram_probs(N)
    return {"stoi": stoi, "itos": itos, "N": N.numpy(), "P": P, "nll": ref.nll(P, words, stoi)}


def _check_counts(student, words, what, stoi=None, itos=None, want=None):
    if stoi is None:
        stoi, itos = vocab(words)
    V = len(stoi)
    got = student.call("counts", load=BIGRAM, words=words, stoi=stoi)
    N = expect_tensor(got, "count_bigrams(words, stoi)", dtype="int32", shape=(V, V),
                      hint="Start from torch.zeros((V, V), dtype=torch.int32), with V = len(stoi): the vocabulary you "
                           "are given, which may hold characters these words never use.")
    want = ref.count_bigrams(words, stoi).numpy() if want is None else want
    expect_array_close(N, want, what="count_bigrams", rtol=0, atol=0, context=what, label=pair_label(itos),
                       mistakes=MISTAKES.of("bigram.counts", variant=lambda **switch: ref.count_bigrams(words, stoi, **switch).numpy(),
                                            want=want))


@pytest.mark.component("bigram.counts")
def check_counts_random_words(student, rng, seed):
    words = random_words(rng)
    stoi, itos = wider_vocab(rng, words)
    _check_counts(student, words, f"(random words, and a stoi with {len(stoi) - len(vocab(words)[0])} characters they "
                                  f"never use, seed {seed})", stoi, itos)


@pytest.mark.component("bigram.counts")
def check_counts_real_names(student):
    words = real_names()
    if words is None:
        pytest.skip("names.txt is not here")
    made = _real_reference()
    _check_counts(student, words, "(on names.txt)", made["stoi"], made["itos"], made["N"])


def _random_counts(rng, V, zero_rows=True):
    N = torch.randint(0, 20, (V, V), generator=torch.Generator().manual_seed(rng.randrange(2**31)), dtype=torch.int32)
    N[N < 6] = 0
    if zero_rows:
        N[rng.randrange(1, V)] = 0  # a character never followed by anything: smoothing saves it
    else:  # without smoothing such a row is 0/0 (about one draw in a hundred): every row gets a count
        for row in (N.sum(1) == 0).nonzero().flatten().tolist():
            N[row, rng.randrange(V)] = rng.randint(6, 19)
    return N


@pytest.mark.component("bigram.probs")
@pytest.mark.parametrize("smoothing", [None, 0.5, 0.0], ids=["default", "0.5", "none"])
def check_probs(student, rng, seed, smoothing):
    V = rng.randint(5, 10)
    N = _random_counts(rng, V, zero_rows=smoothing != 0.0)
    got = student.call("probs", load=BIGRAM, N=N.numpy(), smoothing=smoothing)
    call = "bigram_probs(N)" if smoothing is None else f"bigram_probs(N, smoothing={smoothing})"
    P = expect_tensor(got, call, dtype="float32", shape=(V, V), hint="Convert the counts with .float() before dividing.")
    s = 1.0 if smoothing is None else smoothing
    want = ref.bigram_probs(N, s).numpy()
    F = N.double() + s
    expect_array_close(P, want, what=call, context=f"for {V}x{V} random counts (seed {seed})",
                       mistakes=MISTAKES.of("bigram.probs", F=F, N=N))


@pytest.mark.component("bigram.sampling")
def check_sampling_random_model(student, rng, seed):
    words = random_words(rng)
    stoi, itos = vocab(words)
    P = ref.bigram_probs(ref.count_bigrams(words, stoi))
    for k in range(3):
        _compare_names(student, P, itos, 8, seed + k, f"a model of random words (generator seed {seed + k})")


@pytest.mark.component("bigram.sampling")
def check_sampling_names_model(student):
    words = real_names()
    if words is None:
        pytest.skip("names.txt is not here")
    stoi, itos = vocab(words)
    P = ref.bigram_probs(ref.count_bigrams(words, stoi))
    _compare_names(student, P, itos, 10, 2147483647, "the add-one model of names.txt (the lecture's seed 2147483647)")


@once
def _reference_names(P, itos, n, gen_seed):
    return ref.sample_names(P, itos, n, torch.Generator().manual_seed(gen_seed))


def _compare_names(student, P, itos, n, gen_seed, what):
    got = student.call("sampling", load=BIGRAM, P=P.numpy(), itos=itos_pairs(itos), n=n, seed=gen_seed)
    want = _reference_names(P, itos, n, gen_seed)
    if got == want:
        return
    if len(got) != n:
        raise CheckFailed(f"sample_names(P, itos, n={n}, generator) returned {len(got)} names; expected {n}")
    if all(g == w + "." for g, w in zip(got, want)):
        raise CheckFailed(f"the names end with '.': expected {want[:3]}..., got {got[:3]}... from {what}",
                          "Stop when you draw index 0, without appending '.'.")
    i = next(i for i, (g, w) in enumerate(zip(got, want)) if g != w)
    raise CheckFailed(
        f"name {i + 1} of {n} differs: expected {want[i]!r} (the reference sampler with the same generator), "
        f"got {got[i]!r}, from {what}; the names before it matched" if i else
        f"the first name differs: expected {want[0]!r} (the reference sampler with the same generator), got {got[0]!r}, "
        f"from {what}",
        "Draw with exactly torch.multinomial(P[ix], num_samples=1, replacement=True, generator=generator).item(), "
        "one call per character, the one generator for every name, and no other random draws.")


@pytest.mark.component("bigram.nll")
def check_nll(student, rng, seed):
    words = random_words(rng)
    stoi, itos = wider_vocab(rng, words)  # with characters the words never use: stoi must be used
    P = ref.bigram_probs(ref.count_bigrams(words[:25], stoi))  # fitted on some words, scored on all
    got = student.call("nll", load=BIGRAM, P=P.numpy(), words=words, stoi=stoi)
    want = ref.nll(P, words, stoi)
    own = ref.nll(P, words, vocab(words)[0])
    xs, ys = ref.bigram_pairs(words, stoi)
    logp = torch.log(P[xs, ys].double())
    xe, ye = ref.bigram_pairs(words, stoi, end=False)
    expect_close(got, want, rtol=1e-5, what="nll(P, words, stoi)", context=f"(random words, seed {seed})",
                 mistakes=MISTAKES.of("bigram.nll", logp=logp, P=P, xe=xe, ye=ye, own=own))


@pytest.mark.component("bigram.nll")
def check_nll_real_names(student):
    words = real_names()
    if words is None:
        pytest.skip("names.txt is not here")
    made = _real_reference()
    got = student.call("nll", load=BIGRAM, P=made["P"].numpy(), words=words, stoi=made["stoi"])
    # 2e-4: a float32 running sum over 228,146 bigrams (the lecture's loop, 2.4544) and torch's
    # more accurate .mean() (2.4546) are both right.
    expect_close(got, made["nll"], rtol=2e-4, what="nll(P, names, stoi) with add-one smoothing",
                 context="(on names.txt)")


@pytest.mark.component("bigram.nll")
def check_nll_is_inf_for_an_unseen_bigram(student, rng):
    words = random_words(rng)
    stoi, _ = vocab(words)
    P = ref.bigram_probs(ref.count_bigrams(words[:3], stoi), smoothing=0.0)
    P = torch.nan_to_num(P, nan=0.0)  # rows of never-seen characters are 0/0 without smoothing
    try:
        got = student.call("nll", load=BIGRAM, P=P.numpy(), words=words, stoi=stoi)
    except StudentFailure as failure:
        failure.message += ". With no smoothing an unseen bigram has P = 0: the NLL is inf, so return it rather than raise"
        raise
    require(math.isinf(got) and got > 0, f"nll with an unseen bigram (P = 0, no smoothing) should be inf; got {got}",
           "-log(0) is inf: torch.log(torch.tensor(0.)) gives -inf, and the mean of values with one inf is inf.")


@pytest.mark.component("bigram.trigram")
def check_trigram(student, rng, seed):
    words = random_words(rng, n_letters=5)
    stoi, itos = wider_vocab(rng, words)
    V = len(stoi)
    N3 = ref.count_trigrams(words, stoi)
    P3 = ref.trigram_probs(N3, 0.5)
    got = student.call("trigram", load=BIGRAM, words=words, stoi=stoi, N3=N3.numpy(), P3=P3.numpy(), smoothing=0.5)
    where = f"(random words, seed {seed})"
    counted = expect_tensor(got["counts"], "count_trigrams(words, stoi)", dtype="int32", shape=(V, V, V))
    expect_array_close(counted, N3.numpy(), what="count_trigrams", rtol=0, atol=0, context=where,
                       label=pair_label(itos, "N3"))
    probs = expect_tensor(got["probs"], "trigram_probs(N3, 0.5)", dtype="float32", shape=(V, V, V))
    expect_array_close(probs, P3.numpy(), what="trigram_probs(N3, 0.5)", context=where,
                       mistakes=MISTAKES.of("bigram.trigram", N3=N3))
    expect_close(got["nll"], ref.trigram_nll(P3, words, stoi), rtol=1e-5, what="trigram_nll(P3, words, stoi)", context=where)
