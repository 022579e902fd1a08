"""Judge-side data for the bigram checks: small random vocabularies and word lists, seeded."""
from __future__ import annotations

import random
import string

from grader.checks import names_if_present
from grader.references import bigram as ref


def random_words(rng: random.Random, n_words: int = 40, n_letters: int | None = None) -> list[str]:
    letters = sorted(rng.sample(string.ascii_lowercase, n_letters or rng.randint(4, 9)))
    return ["".join(rng.choice(letters) for _ in range(rng.randint(1, 7))) for _ in range(n_words)]


vocab = ref.build_vocab  # (stoi, itos) of a word list, as the reference builds them


def wider_vocab(rng: random.Random, words: list[str]) -> tuple[dict, dict]:
    """A vocabulary holding two characters these words never use, sorted in among theirs: a
    function that takes `stoi` must use it, not rebuild one from the words (SPEC §2: V is
    len(stoi))."""
    used = set("".join(words))
    lo, hi = min(used), max(used)
    unused = [c for c in string.ascii_lowercase if c not in used and lo < c < hi] or \
        [c for c in string.ascii_lowercase if c not in used]
    return vocab(words + ["".join(rng.sample(unused, min(2, len(unused))))])


def itos_pairs(itos) -> list:
    return [[i, s] for i, s in sorted(itos.items())]


def pair_label(itos, name: str = "N"):
    """Labels an index (i, j) as N['a', 'b'], i.e. 'b' following 'a'."""
    return lambda idx: f"{name}[{', '.join(repr(itos[i]) for i in idx)}]"


def real_names():
    return names_if_present()
