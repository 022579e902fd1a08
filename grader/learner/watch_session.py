"""`grade MODULE --watch` end to end: grading on saves, shown on the watch screen with keys when
the terminal has them, else (output piped, no tty) as an append-only report after each grade."""
from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from pathlib import Path

from grader.engine import manifest
from grader.learner import watch
from grader.engine.model import RunResult


def watch_module(names: list[str], folder: Path, options, verbose: bool, root=None,
                 interactive: bool | None = None, grade_fn=None) -> None:
    """Watch `folder` and grade `names` (the selection in `options.only`) until quit.

    `root` is the learner's checkout when these are their own exercises: progress is kept there,
    and hints shown with `h` are counted as `grade hint` counts them. `grade_fn(names, options)`
    grades (by default `folder` as it is; the CLI prepares the submission again on every save, so
    a notebook is split again); it returns None when there was nothing to grade."""
    from grader.engine import session
    from grader.engine.judge.run import grade

    components = session.chosen_components(names, options.only)
    if interactive is None:
        interactive = keys_available()
    view = Screen(names, [c.id for c in components], folder, root, verbose) if interactive else Printer(verbose)

    def grade_once(forkserver, bonus: bool) -> None:
        chosen, picked = session.bonus_pass(options, names, bonus)
        if not picked.only:
            return
        view.grading(bonus)
        started = time.monotonic()
        result = (grade_fn(chosen, picked) if grade_fn is not None
                  else grade(chosen, folder, picked, all_modules=False, forkserver=forkserver))
        if result is None:
            return
        session.record_progress(root, result)
        view.show(result, time.monotonic() - started, bonus)

    with view.running(folder) as inbox:
        watch.run(names, folder, grade_once, inbox=inbox, on_key=view.key)


def keys_available() -> bool:
    """A terminal on both sides, and a way to read one key at a time from it."""
    try:
        import termios  # noqa: F401
    except ImportError:
        return False
    return sys.stdin.isatty() and sys.stdout.isatty()


class Printer:
    """No keys, no screen: today's report after every grade, the bonus as lines of its own."""

    def __init__(self, verbose: bool):
        self.verbose = verbose

    @contextlib.contextmanager
    def running(self, folder: Path):
        print(f"watching {folder} (Ctrl-C to stop)", flush=True)
        yield queue.Queue()

    def grading(self, bonus: bool) -> None:
        pass

    def key(self, key: str):
        return None

    def show(self, result: RunResult, seconds: float, bonus: bool) -> None:
        from rich.console import Console
        from rich.text import Text

        from grader.engine.render.text import MARKS, render_text

        if not bonus:
            print(f"\n── {time.strftime('%H:%M:%S')} graded in {seconds:.2f} s ──")
            render_text(result, sys.stdout, verbose=self.verbose)
        else:  # one line per bonus component, under the report it belongs to: no "0/0" module block
            console = Console(file=sys.stdout, highlight=False, soft_wrap=True, emoji=False, force_jupyter=False)
            for m in result.modules:
                for c in m.components:
                    mark, style = MARKS[c.status]
                    title = manifest.tagged_title(manifest.find_component(c.id)[1])
                    state = "" if c.status.value == "passed" else f"  [{c.status.value}]"
                    console.print(Text.assemble(f"  {mark} ", (c.id, style), f"  {title}", (state, style)))
                    if state and c.message:
                        console.print(Text("      " + c.message))
        sys.stdout.flush()


class Screen:
    """The watch screen on a rich Live display, with keys read one at a time."""

    def __init__(self, names, ids, folder, root, verbose):
        from grader.learner.watch_screen import Board

        self.board = Board(names, ids, str(folder), root, verbose)
        self.live = None
        self.last: dict[bool, RunResult] = {}

    @contextlib.contextmanager
    def running(self, folder: Path):
        from rich.console import Console
        from rich.live import Live

        inbox: queue.Queue = queue.Queue()
        console = Console(highlight=False, emoji=False)
        with KeyReader(inbox) as _keys, Live(self.board.render(), console=console, screen=True,
                                             auto_refresh=False, redirect_stdout=False, redirect_stderr=False) as live:
            self.live = live
            try:
                yield inbox
            finally:
                self.live = None
        self._farewell(console)

    def _refresh(self) -> None:
        if self.live is not None:
            self.live.update(self.board.render(), refresh=True)

    def grading(self, bonus: bool) -> None:
        if not bonus:
            self.board.grading()
            self._refresh()

    def show(self, result: RunResult, seconds: float, bonus: bool) -> None:
        self.last[bonus] = result
        self.board.update([c for m in result.modules for c in m.components], seconds, bonus)
        self._refresh()

    def key(self, key: str):
        action = self.board.key(key)
        self._refresh()
        return action

    def _farewell(self, console) -> None:
        """After the screen closes, one line of where things stand stays in the terminal."""
        results = self.board.results
        done = sum(r.status.value == "passed" for r in results.values())
        now = self.board.current()
        console.print(f"watch ended: {done}/{len(self.board.ids)} components pass"
                      + (f"; next: {now} (grade hint {now})" if now else ""), highlight=False)


class KeyReader:
    """Reads single keys from the terminal (cbreak mode: no Enter needed, Ctrl-C still works)
    into the loop's queue; puts the terminal back as it was on exit."""

    def __init__(self, inbox: queue.Queue):
        self.inbox = inbox
        self.stop = threading.Event()

    def __enter__(self):
        import termios
        import tty

        self.fd = sys.stdin.fileno()
        self.saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        return self

    def _read(self) -> None:
        import select

        while not self.stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                data = os.read(self.fd, 32).decode(errors="ignore")
                for key in data:
                    self.inbox.put(("key", key))

    def __exit__(self, *exc):
        import termios

        self.stop.set()
        self.thread.join(timeout=1)
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
