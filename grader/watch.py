"""`grade MODULE --watch`: re-grade on every save, with the judge kept warm.

The judge process stays up between saves: torch, pytest and the hidden suites are imported
once, torch workers are forks of one pre-imported parent, and a fresh worker imports the new
code. The core components are graded and shown first; bonus components follow (the 100,000-node
chain takes longer than the rest together). Changes are noticed with `watchfiles` (file-system
notifications) or, where that is not available or fails, by polling modification times.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterator

WATCHED = (".py", ".ipynb")


def _snapshot(folder: Path) -> dict[str, float]:
    stamps = {}
    for path in folder.rglob("*"):
        if path.suffix in WATCHED and "__pycache__" not in path.parts:
            try:
                stamps[str(path)] = path.stat().st_mtime_ns
            except OSError:
                pass
    return stamps


def poll_changes(folder: Path, interval: float = 0.1, stop: Callable[[], bool] = lambda: False) -> Iterator[set]:
    """The fallback: compare modification times every `interval` seconds."""
    before = _snapshot(folder)
    while not stop():
        time.sleep(interval)
        now = _snapshot(folder)
        if now != before:
            changed = {p for p in set(now) | set(before) if now.get(p) != before.get(p)}
            before = now
            yield changed


def notify_changes(folder: Path, stop: Callable[[], bool] = lambda: False) -> Iterator[set]:
    import threading

    from watchfiles import watch

    stop_event = threading.Event()
    for changes in watch(folder, debounce=30, step=10, stop_event=stop_event, raise_interrupt=False,
                         watch_filter=lambda _change, path: path.endswith(WATCHED)):
        yield {path for _, path in changes}
        if stop():
            stop_event.set()
            return


def changes(folder: Path, use_notifications: bool = True, stop: Callable[[], bool] = lambda: False) -> Iterator[set]:
    if use_notifications:
        try:
            yield from notify_changes(folder, stop)
            return
        except (ImportError, OSError, RuntimeError):
            pass  # no watchfiles, or no notifications here (e.g. inotify limits): poll instead
    yield from poll_changes(folder, stop=stop)


def run(names: list[str], folder: Path, grade_once: Callable[[object, bool], None], use_notifications: bool = True,
        stop: Callable[[], bool] = lambda: False) -> None:
    """Grade now, then again after every change under `folder`, until `stop()` or Ctrl-C.

    `grade_once(forkserver, bonus)` grades and shows the core components (bonus=False) or the
    bonus ones (bonus=True)."""
    from grader import manifest
    from grader.judge.run import start_forkserver

    forkserver = start_forkserver() if any(manifest.load()[n].worker == "torch" for n in names) else None
    has_bonus = any(c.bonus for n in names for c in manifest.load()[n].components)
    try:
        grade_once(forkserver, False)
        if has_bonus:
            grade_once(forkserver, True)
        for _ in changes(folder, use_notifications, stop):
            grade_once(forkserver, False)
            if has_bonus:
                grade_once(forkserver, True)
            if stop():
                break
    except KeyboardInterrupt:
        pass
    finally:
        if forkserver is not None:
            forkserver.close()
