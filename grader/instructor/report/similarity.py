"""Near-copies: pairs of submissions whose code is nearly the same, and submissions nearly the
same as the kit's own solutions, with copydetect (MOSS-style winnowing of token k-grams).

Files are compared with the same file of the other submission (engine.py with engine.py), after
copydetect's tokenisation (names and strings abstracted away) and with every fingerprint of the
kit's stubs removed: docstrings, signatures and the code the stubs already give never count.
A submission's similarity to another is the share of its own remaining code found in the
other's; a pair is as similar as its less similar side (both must be mostly the same code).
"""
from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

from grader.engine import manifest
from grader.engine.submission.handed_in import SubmissionError, kit_root, prepare

MIN_TOKENS = 100  # below this much code of its own (after the stubs), a submission is too small to compare
MIN_FILE_TOKENS = 50  # and a file, to count as "the same file" on its own
DISPLAY_FLOOR = 0.5  # pairs below this are only counted in the histogram
TOP = 50


def _files() -> list[str]:
    return sorted({c.file for m in manifest.load().values() for c in m.components})


def read_code(folder: Path) -> dict[str, str]:
    """The exercise files of a submission (a repository, an exercises/ folder or notebooks)."""
    out = {}
    with contextlib.ExitStack() as stack:
        try:
            exercises = stack.enter_context(prepare(str(folder), False, manifest.module_names())).exercises
        except SubmissionError:
            return {}
        for rel in _files():
            path = exercises / rel
            if path.is_file():
                out[rel] = path.read_text(encoding="utf-8", errors="replace")
    return out


class Fingerprints:
    def __init__(self, boilerplate: dict[str, str]):
        from copydetect import defaults
        import numpy as np

        self.k = defaults.NOISE_THRESHOLD
        self.window = defaults.GUARANTEE_THRESHOLD - defaults.NOISE_THRESHOLD + 1
        hashes = [h for rel, text in boilerplate.items() for h in self._print(rel, text, window=1, boilerplate=[]).hashes]
        self.boilerplate = np.unique(np.array(hashes, dtype=np.int64))
        self._boilerplate_set = set(self.boilerplate.tolist())
        self._cache: dict[tuple[str, str], object] = {}

    def _print(self, rel: str, text: str, window: int, boilerplate):
        from copydetect import CodeFingerprint

        return CodeFingerprint(rel, self.k, window, boilerplate, fp=io.StringIO(text))

    def of(self, code: dict[str, str]) -> dict:
        prints = {}
        for rel, text in code.items():
            fp = self._cache.get((rel, text))  # untouched stubs and copies: fingerprinted once
            if fp is None:
                fp = self._cache[(rel, text)] = self._own(rel, text)
            if fp.token_coverage > 0:
                prints[rel] = fp
        return prints

    def _own(self, rel: str, text: str):
        from copydetect.utils import get_token_coverage

        fp = self._print(rel, text, self.window, self.boilerplate)
        # copydetect 0.5 removes only the first occurrence of a boilerplate fingerprint (its
        # intersect1d assumes unique hashes): the stubs' repeated lines would survive. Drop them all.
        fp.hash_idx = {h: i for h, i in fp.hash_idx.items() if int(h) not in self._boilerplate_set}
        fp.hashes = set(fp.hash_idx)
        fp.token_coverage = get_token_coverage(fp.hash_idx, self.k, len(fp.filtered_code))
        return fp


def compare(a: dict, b: dict, threshold: float) -> dict:
    """How much of a's code is in b and of b's in a, overall and file by file."""
    from copydetect import compare_files

    overlap_a = overlap_b = 0.0
    files = []
    for rel in sorted(a.keys() & b.keys()):
        _, (share_a, share_b), _ = compare_files(a[rel], b[rel])
        overlap_a += share_a * a[rel].token_coverage
        overlap_b += share_b * b[rel].token_coverage
        if min(a[rel].token_coverage, b[rel].token_coverage) >= MIN_FILE_TOKENS:  # tiny rests are noise
            files.append({"file": rel, "a_in_b": round(float(share_a), 3), "b_in_a": round(float(share_b), 3),
                          "same": bool(min(share_a, share_b) >= threshold)})
    size_a = sum(fp.token_coverage for fp in a.values())
    size_b = sum(fp.token_coverage for fp in b.values())
    a_in_b = overlap_a / size_a if size_a else 0.0
    b_in_a = overlap_b / size_b if size_b else 0.0
    return {"a_in_b": round(float(a_in_b), 3), "b_in_a": round(float(b_in_a), 3),
            "similarity": round(float(min(a_in_b, b_in_a)), 3), "files": files}


def _size(prints: dict) -> int:
    return int(sum(fp.token_coverage for fp in prints.values()))


def kit_folder(name: str) -> Path | None:
    root = kit_root()
    return root / name if root is not None and (root / name).is_dir() else None


def similarity(code: dict[str, dict[str, str]], threshold: float, stubs: Path | None = None,
               solutions: Path | None = None) -> dict:
    """`code`: submission name -> its files. Returns the report's similarity numbers."""
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))  # copydetect warns a lot
    # The kit's checkout is read as a repository: its exercises/ folder also holds notebooks/,
    # which on its own would read as a notebook submission.
    stubs = stubs or (kit_root() if kit_folder("exercises") else None)
    solutions = solutions or kit_folder("solutions")
    prints = Fingerprints(read_code(stubs) if stubs else {})
    sized = {name: prints.of(files) for name, files in code.items()}
    comparable = {name: p for name, p in sized.items() if _size(p) >= MIN_TOKENS}
    names = sorted(comparable)
    histogram = [0] * 20  # pair similarities in bins of 0.05
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            result = compare(comparable[a], comparable[b], threshold)
            histogram[min(int(result["similarity"] * 20), 19)] += 1
            same = [f["file"] for f in result["files"] if f["same"]]  # e.g. one module copied, the rest not
            if result["similarity"] >= min(DISPLAY_FLOOR, threshold) or same:
                pairs.append({"a": a, "b": b, **result, "same_files": same,
                              "flagged": result["similarity"] >= threshold or bool(same)})
    pairs.sort(key=lambda p: (-p["similarity"], p["a"], p["b"]))
    kit = []
    if solutions is not None:
        reference = prints.of(read_code(solutions))
        for name in names:
            result = compare(comparable[name], reference, threshold)
            share = result["a_in_b"]  # how much of the student's own code is the kit's solution
            same = [f["file"] for f in result["files"] if f["same"]]
            if share >= min(DISPLAY_FLOOR, threshold) or same:
                kit.append({"submission": name, "similarity": share, "files": result["files"], "same_files": same,
                            "flagged": share >= threshold or bool(same)})
        kit.sort(key=lambda k: (-k["similarity"], k["submission"]))
    return {
        "method": "copydetect (MOSS-style winnowing), the kit's stubs excluded" if stubs else
                  "copydetect (MOSS-style winnowing); no stubs found to exclude (not a checkout of the kit)",
        "threshold": threshold,
        "compared": names,
        "too_small": sorted(set(sized) - set(comparable)),
        "pairs_compared": len(names) * (len(names) - 1) // 2,
        "histogram": histogram,
        "pairs": pairs[:TOP],
        "solutions": kit[:TOP] if solutions is not None else None,
    }
