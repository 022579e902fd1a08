"""build_dataset and split_words, on small random words and on names.txt when it is here."""
from __future__ import annotations

import functools

import pytest

from grader.checks import CheckFailed, expect_array_close, expect_tensor, require
from grader.references import bigram as bigram_ref
from grader.references import mlp as ref
from grader.suites.bigram.words import random_words, real_names

MLP = [("makemore.mlp", None)]


@functools.lru_cache(maxsize=None)
def _real_split() -> tuple[tuple[str, ...], ...]:
    """The reference split of names.txt (seed 42), made once per judge: the file is checked
    against its sha256 whenever it is read, so a batch's every submission gets the same one.
    Called only once `real_names()` has found the file: whether it is here is asked every time
    (a check on the real names is skipped when it is not), and an absence is never cached."""
    return tuple(tuple(part) for part in ref.split_words(real_names()))


@functools.lru_cache(maxsize=None)
def _real_datasets() -> tuple:
    """(words, stoi, X, Y) of each part of the reference split, made once per judge like the
    split itself (and, like it, only once the file is found). Only read, never changed."""
    made = []
    for part in _real_split():
        words = list(part)
        stoi, _ = bigram_ref.build_vocab(words)
        made.append((words, stoi, *ref.build_dataset(words, stoi, 3)))
    return tuple(made)


def _check_dataset(student, words, block_size, where, made=None):
    """`made`: the reference's (stoi, X, Y) for these words and block size, when already known."""
    if made is None:
        stoi, _ = bigram_ref.build_vocab(words)
        made = (stoi, *ref.build_dataset(words, stoi, block_size or 3))
    stoi, X, Y = made
    got = student.call("dataset", load=MLP, words=words, stoi=stoi, block_size=block_size)
    b = block_size or 3
    call = f"build_dataset(words, stoi{'' if block_size is None else f', block_size={block_size}'})"
    n_end = len(Y) - len(words)  # rows without each word's final '.'
    if got[0].get("kind") == "tensor" and got[0]["data"].shape[:1] == (n_end,):
        raise CheckFailed(f"{call} gave {n_end} rows; expected {len(Y)}: the end token '.' of each word is missing {where}",
                          "Loop over word + '.': predicting the end of the name is part of the task.")
    gx = expect_tensor(got[0], f"X of {call}", dtype="int64", shape=(len(Y), b))
    gy = expect_tensor(got[1], f"Y of {call}", dtype="int64", shape=(len(Y),))
    if not (gx == X.numpy()).all() and (gx == ref.build_dataset(words, stoi, b, reset=False)[0].numpy()).all():
        raise CheckFailed(f"X of {call}: the context is carried over from one word to the next {where}",
                          "Start every word from context = [0] * block_size.")
    expect_array_close(gx, X.numpy(), what=f"X of {call}", rtol=0, atol=0, context=where)
    expect_array_close(gy, Y.numpy(), what=f"Y of {call}", rtol=0, atol=0, context=where)
    return gx.shape[0]


@pytest.mark.component("mlp.dataset")
@pytest.mark.parametrize("block_size", [None, 5], ids=["default-block", "block_size=5"])
def check_dataset_random_words(student, rng, seed, block_size):
    _check_dataset(student, random_words(rng), block_size, f"(random words, seed {seed})")


@pytest.mark.component("mlp.dataset")
def check_dataset_real_split(student):
    if real_names() is None:
        pytest.skip("names.txt is not here")
    sizes = [_check_dataset(student, part, None, "(on the names.txt split)", (stoi, X, Y))
             for part, stoi, X, Y in _real_datasets()]
    require(sizes == [182625, 22655, 22866], f"examples per split: expected 182625 / 22655 / 22866, got {sizes}")


@pytest.mark.component("mlp.split")
@pytest.mark.parametrize("seed_arg", [None, 7], ids=["default-seed", "seed=7"])
def check_split(student, rng, seed, seed_arg):
    words = [f"{w}{i}" for i, w in enumerate(random_words(rng, n_words=rng.randint(40, 60)))]
    got = student.call("split", load=MLP, words=words, seed=seed_arg)
    want = ref.split_words(words, 42 if seed_arg is None else seed_arg)
    call = "split_words(words)" if seed_arg is None else f"split_words(words, seed={seed_arg})"
    where = f"for {len(words)} random words (seed {seed})"
    require(not got["mutated"], f"{call} changed the caller's list {where}",
           "Shuffle a copy: shuffled = list(words).")
    sizes, want_sizes = [len(p) for p in got["parts"]], [len(p) for p in want]
    require(sizes == want_sizes, f"{call} gave parts of {sizes} words; expected {want_sizes} {where}",
           "Cut at int(0.8 * n) and int(0.9 * n).")
    for name, part, expected in zip(("train", "dev", "test"), got["parts"], want):
        if part != expected:
            i = next(i for i, (a, b) in enumerate(zip(part, expected)) if a != b)
            raise CheckFailed(f"{call}: the {name} part differs at position {i}: expected {expected[i]!r}, got {part[i]!r} "
                              f"{where}", "Shuffle with random.Random(seed).shuffle(copy), exactly once, before cutting.")


@pytest.mark.component("mlp.split")
def check_split_real_names(student):
    words = real_names()
    if words is None:
        pytest.skip("names.txt is not here")
    got = student.call("split", load=MLP, words=words, seed=None)
    sizes = [len(p) for p in got["parts"]]
    require(sizes == [25626, 3203, 3204], f"split_words(names) gave {sizes} words; expected 25626 / 3203 / 3204")
    require(got["parts"] == [list(p) for p in _real_split()], "split_words(names) is not the seeded shuffle")
