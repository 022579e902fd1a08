"""The watch screen: one table with the bonus in it, rustlings' keys, and the no-tty fallback."""
from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time

import pytest
from rich.console import Console

from conftest import SOLUTIONS
from grader.engine import manifest
from grader.engine.model import ComponentResult, Status
from grader.learner.watch_screen import Board

IDS = [c.id for c in manifest.load()["micrograd"].components]
TANH_MISTAKE = ("(1 - t ** 2)", "(1 - t)")


def results(failing=(), bonus=False):
    chosen = [c for c in manifest.load()["micrograd"].components if c.bonus == bonus]
    return [ComponentResult(c.id, c.title, Status.FAILED if c.id in failing else Status.PASSED, c.points,
                            message=f"{c.id} went wrong" if c.id in failing else "") for c in chosen]


def screen(board: Board) -> str:
    console = Console(width=120, record=True, file=open(os.devnull, "w"), color_system=None)
    console.print(board.render())
    return console.export_text()


def test_the_bonus_is_a_row_of_the_same_table():
    board = Board(["micrograd"], IDS, "exercises")
    board.update(results(failing={"micrograd.tanh"}), 0.2, bonus=False)
    before = screen(board)
    assert re.search(r"… +micrograd\.deep_graphs .* grading", before)  # pending, in the table
    assert re.search(r"tiny neural net  10/11 *\n", before)  # the core's score, no bonus yet
    board.update(results(bonus=True), 1.0, bonus=True)
    after = screen(board)
    assert re.search(r"✓ +micrograd\.deep_graphs", after)
    assert "10/11 (+1 bonus)" in after and "0/0" not in after
    assert after.count("micrograd: a scalar autograd engine") == 1
    assert "(bonus) (bonus)" not in after


def test_keys_hint_next_list_rerun_quit():
    board = Board(["micrograd"], IDS, "exercises")
    board.update(results(failing={"micrograd.mul", "micrograd.tanh"}) + results(bonus=True), 0.2, bonus=False)
    assert board.current() == "micrograd.mul"
    shown = screen(board)
    assert re.search(r"▸ +✗ +micrograd\.mul", shown) and "micrograd.mul went wrong" in shown
    hints = manifest.find_component("micrograd.mul")[1].hints
    board.key("h")
    assert f"hint 1 of {len(hints)}: {hints[0]}" in screen(board)
    board.key("h")
    assert f"hint 2 of {len(hints)}" in screen(board)
    board.key("n")
    assert board.current() == "micrograd.tanh" and "micrograd.tanh went wrong" in screen(board)
    board.key("n")
    assert board.current() == "micrograd.mul"  # round again
    board.key("l")
    listing = screen(board)
    assert "failing: micrograd.mul, micrograd.tanh" in listing and "bigram" in listing
    board.key("l")
    assert "micrograd.mul went wrong" in screen(board)
    assert board.key("r") == "regrade" and board.key("q") == "quit" and board.key("x") is None


def test_once_the_current_exercise_passes_the_next_one_is_shown():
    board = Board(["micrograd"], IDS, "exercises")
    board.update(results(failing={"micrograd.mul", "micrograd.tanh"}), 0.2, bonus=False)
    board.key("n")
    assert board.current() == "micrograd.tanh"
    board.update(results(failing={"micrograd.mul"}), 0.2, bonus=False)
    assert board.current() == "micrograd.mul"
    board.update(results(), 0.2, bonus=False)
    board.update(results(bonus=True), 0.2, bonus=True)
    assert board.current() is None and "Everything passes" in screen(board)


def _start(command, cwd, tty: bool):
    env = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": "1", "COLUMNS": "110", "LINES": "40"}
    if not tty:
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, env=env, start_new_session=True)
        return process, process.stdout.fileno()
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 110, 0, 0))
    process = subprocess.Popen(command, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env,
                               start_new_session=True)
    os.close(slave)
    return process, master


class Output:
    def __init__(self, fd):
        self.fd, self.text = fd, ""

    def wait_for(self, pattern: str, timeout: float = 90) -> str:
        """Read until `pattern` appears in what came after the last match; fail after timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[()][0-9A-Za-z]", "", self.text)
            if re.search(pattern, plain):
                self.text = ""
                return plain
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                self.text += chunk.decode(errors="replace")
        raise AssertionError(f"{pattern!r} never appeared; last output:\n{self.text[-3000:]}")


@pytest.mark.skipif(sys.platform == "win32", reason="a pty")
def test_watch_on_a_terminal_redraws_one_screen_and_takes_keys(tmp_path):
    folder = tmp_path / "exercises"
    shutil.copytree(SOLUTIONS, folder)
    engine = folder / "micrograd" / "engine.py"
    engine.write_text(engine.read_text().replace(*TANH_MISTAKE))
    grade = [sys.executable, "-c", "from grader.cli import main; main()"]
    process, fd = _start(grade + ["micrograd", "--watch", "--submission", str(folder), "--seed", "1"], tmp_path, tty=True)
    out = Output(fd)
    try:
        first = out.wait_for(r"✓ +micrograd\.deep_graphs")  # the bonus lands in the same table
        assert "\x1b[?1049h" in first or "graded" in first
        assert re.search(r"▸ +✗ +micrograd\.tanh", first)
        os.write(fd, b"h")
        out.wait_for(r"hint 1 of \d+:")
        os.write(fd, b"l")
        out.wait_for(r"failing: micrograd\.tanh")
        os.write(fd, b"l")
        out.wait_for(r"work on Value\.tanh")
        engine.write_text(engine.read_text().replace(TANH_MISTAKE[1], TANH_MISTAKE[0]))  # fix it and save
        out.wait_for(r"Everything passes")
        os.write(fd, b"q")
        out.wait_for(r"watch ended: 12/12 components pass")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(fd)


def test_without_a_terminal_reports_append_and_the_bonus_is_lines(capsys, monkeypatch):
    from grader.engine.model import ModuleResult, RunResult
    from grader.learner.watch_session import Printer, keys_available

    monkeypatch.setattr(sys, "stdin", open(os.devnull))
    assert not keys_available()  # piped: no screen, no keys
    module = manifest.load()["micrograd"]
    printer = Printer(verbose=False)
    printer.show(RunResult([ModuleResult("micrograd", module.title, results(failing={"micrograd.tanh"}), 1)], 1, False),
                 0.25, bonus=False)
    printer.show(RunResult([ModuleResult("micrograd", module.title, results(bonus=True), 1)], 1, False), 1.0, bonus=True)
    printer.show(RunResult([ModuleResult("micrograd", module.title, results(), 1)], 1, False), 0.2, bonus=False)
    text = capsys.readouterr().out
    assert text.count("graded in") == 2 and text.count("micrograd: a scalar autograd engine") == 2  # appended
    assert re.search(r"\n  ✓ micrograd\.deep_graphs  backward\(\) on a 100,000-node chain \(bonus\)\n", text)
    assert "0/0" not in text and "(bonus) (bonus)" not in text


def test_the_loop_grades_again_on_r_and_ends_on_q(tmp_path):
    import queue
    import threading

    from grader.learner import watch

    calls, inbox = [], queue.Queue()

    def grade_once(forkserver, bonus):
        calls.append(bonus)
        if len(calls) == 2:
            inbox.put(("key", "r"))
        elif len(calls) == 4:
            inbox.put(("key", "q"))

    keys = []
    on_key = lambda key: keys.append(key) or {"r": watch.REGRADE, "q": watch.QUIT}.get(key)  # noqa: E731
    thread = threading.Thread(target=watch.run, args=(["micrograd"], tmp_path, grade_once),
                              kwargs=dict(use_notifications=False, inbox=inbox, on_key=on_key), daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and keys == ["r", "q"]
    assert calls == [False, True, False, True]  # core then bonus, at the start and again on r
