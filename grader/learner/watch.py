"""`grade MODULE --watch`: re-grade on every save, with the judge kept warm.

The judge process stays up between saves: torch, pytest and the hidden suites are imported
once, torch workers are forks of one pre-imported parent, and a fresh worker imports the new
code. The core components are graded and shown first; bonus components follow (the 100,000-node
chain takes longer than the rest together). Changes are noticed with `watchfiles` (file-system
notifications) or, where that is not available or fails, by polling modification times.

One loop takes events from a queue: saves (from a watcher thread) and keys (from the screen's
key reader, `grader.learner.watch_screen`). Grading always happens on this, the main, thread.
"""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

WATCHED = (".py", ".ipynb")
QUIT = "quit"  # what `on_key` returns to end the loop
REGRADE = "regrade"  # ... to grade again now


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
    from watchfiles import watch

    stop_event = threading.Event()
    stopper = threading.Thread(target=_set_when, args=(stop, stop_event), daemon=True)
    stopper.start()
    for changes in watch(folder, debounce=30, step=10, stop_event=stop_event, raise_interrupt=False,
                         watch_filter=lambda _change, path: path.endswith(WATCHED)):
        yield {path for _, path in changes}
    stop_event.set()


def _set_when(stop: Callable[[], bool], event: threading.Event) -> None:
    while not event.is_set() and not stop():
        time.sleep(0.05)
    event.set()


def changes(folder: Path, use_notifications: bool = True, stop: Callable[[], bool] = lambda: False) -> Iterator[set]:
    if use_notifications:
        try:
            yield from notify_changes(folder, stop)
            return
        except (ImportError, OSError, RuntimeError):
            pass  # no watchfiles, or no notifications here (e.g. inotify limits): poll instead
    yield from poll_changes(folder, stop=stop)


def _watch_files(folder: Path, use_notifications: bool, stop: Callable[[], bool], inbox: queue.Queue) -> None:
    for changed in changes(folder, use_notifications, stop):
        inbox.put(("changed", changed))


def run(names: list[str], folder: Path, grade_once: Callable[[object, bool], None], use_notifications: bool = True,
        stop: Callable[[], bool] = lambda: False, inbox: queue.Queue | None = None,
        on_key: Callable[[str], str | None] = lambda key: None) -> None:
    """Grade now, then again after every change under `folder`, until `stop()`, Ctrl-C, or
    `on_key` returns QUIT for a key put in `inbox` as ("key", key).

    `grade_once(forkserver, bonus)` grades and shows the core components (bonus=False) or the
    bonus ones (bonus=True)."""
    from grader.engine import session

    inbox = inbox if inbox is not None else queue.Queue()
    done = threading.Event()
    finished = lambda: done.is_set() or stop()  # noqa: E731
    forkserver = None  # every grading makes a fork server of its own: nothing of one save's code meets the next
    has_bonus = bool(session.split_bonus(session.chosen_components(names, None))[1])

    def grade_all():
        grade_once(forkserver, False)
        if has_bonus:
            grade_once(forkserver, True)

    threading.Thread(target=_watch_files, args=(folder, use_notifications, finished, inbox), daemon=True).start()
    try:
        grade_all()
        while not finished():
            try:
                kind, value = inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            action = REGRADE if kind == "changed" else on_key(value)
            if action == QUIT:
                break
            if action == REGRADE:
                _drain_changes(inbox)
                grade_all()
    except KeyboardInterrupt:
        pass
    finally:
        done.set()


def _drain_changes(inbox: queue.Queue) -> None:
    """Saves that queued up while grading (an editor writes a file more than once) need no
    grade of their own: the next one sees them all. Keys stay queued."""
    kept = []
    while True:
        try:
            event = inbox.get_nowait()
        except queue.Empty:
            break
        if event[0] != "changed":
            kept.append(event)
    for event in kept:
        inbox.put(event)
