"""`grade report`: results folder (+ the submissions' code) -> numbers -> page."""
from __future__ import annotations

from pathlib import Path

from grader.instructor.report.load import ReportError, Submission, load_results
from grader.instructor.report.stats import class_numbers


def code_folder(s: Submission, submissions: Path | None) -> Path | None:
    """Where a submission's code is: below --submissions (by the recorded path's name, or the
    recorded path itself when relative), else the path `grade batch` recorded."""
    candidates = []
    if s.path and submissions is not None:
        recorded = Path(s.path)
        candidates += [submissions / recorded.name] + ([submissions / recorded] if not recorded.is_absolute() else [])
    if submissions is not None:
        candidates.append(submissions / s.name)
    if s.path:
        candidates.append(Path(s.path))
    return next((c for c in candidates if c.exists()), None)


def build(results: Path, submissions: Path | None = None, similarity: bool = True, threshold: float = 0.8) -> dict:
    subs = load_results(results)
    numbers = class_numbers(subs)
    if not similarity:
        numbers["similarity_skipped"] = "Similarity was not computed (--no-similarity)."
        return numbers
    try:
        from grader.instructor.report.similarity import read_code, similarity as compute
    except ImportError:  # pragma: no cover - copydetect is in the `instructor` extra
        raise ReportError("the similarity check needs copydetect: pip install 'zero-to-hero-grader[instructor]' "
                          "(or pass --no-similarity)") from None
    code, missing = {}, []
    for s in subs:
        folder = code_folder(s, submissions) if s.graded else None
        files = read_code(folder) if folder else {}
        if files:
            code[s.name] = files
        elif s.graded:
            missing.append(s.name)
    numbers["similarity"] = compute(code, threshold)
    numbers["similarity"]["code_not_found"] = missing
    return numbers


def title_for(results: Path) -> str:
    return f"Class report: {results.resolve().name}"
