"""What the judge makes of a worker's failures: an error reply as a status and a message, a
hang as the learner's line (from the worker's stack dump), and the tail of what the worker wrote.
"""
from __future__ import annotations

import collections
import signal
import threading
from pathlib import Path

from grader.engine.model import Status


class StudentFailure(Exception):
    """The student's code did not produce data: it raised, hung, or killed its process."""

    def __init__(self, status: Status, message: str, output: str = "", details: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.output = output
        self.details = details or []


class OutputTail:
    """The last LIMIT characters a worker wrote straight to its stdout and stderr, however finely
    it wrote them. (A stack dump is dozens of tiny writes: a tail kept by chunks lost its first,
    innermost frame, the learner's line, whenever the reads kept pace with the writes.)"""

    LIMIT = 65536

    def __init__(self):
        self._parts: collections.deque[str] = collections.deque()
        self._size = 0
        self._lock = threading.Lock()  # the drain thread appends while the judge reads

    def append(self, text: str) -> None:
        with self._lock:
            self._parts.append(text)
            self._size += len(text)
            while self._size - len(self._parts[0]) >= self.LIMIT:
                self._size -= len(self._parts.popleft())

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()
            self._size = 0

    def text(self) -> str:
        with self._lock:
            return "".join(self._parts)[-self.LIMIT:]


def crashed(code: int | None, tail: str, what: str, memory_mb: int) -> StudentFailure:
    """The worker's process ended (`code`: its exit status, or minus the signal) while `what`."""
    if code is not None and code < 0:
        try:
            how = f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
    else:
        how = f"exited with status {code}"
    hint = ""
    if code == -signal.SIGKILL or "MemoryError" in tail:
        hint = f" (perhaps the memory cap of {memory_mb} MB)"
    return StudentFailure(Status.CRASHED, f"the process running your code {how}{hint} while {what}", tail)


def format_error(err: dict) -> tuple[Status, str, list[str]]:
    where = ""
    if err["frames"]:
        last = err["frames"][-1]
        where = f" ({last['file']} line {last['line']}, in {last['function']}: {last['code'].strip()})"
    if err["type"] in ("BadResult", "NotYourCode"):
        return Status.FAILED, err["message"], []
    if err["type"] == "KitImport":
        return Status.FAILED, err["message"], []
    if err["type"] == "NotImplementedError":
        text = err["message"] or "NotImplementedError"
        return Status.TODO, f"not implemented yet: {text}{where}", []
    message = f"{err['type']}: {err['message']}{where}" if err["message"] else f"{err['type']}{where}"
    details = [f"  {f['file']} line {f['line']}, in {f['function']}: {f['code'].strip()}" for f in err["frames"]]
    return Status.ERROR, message, details


STACK_MARK = "(most recent call first)"  # in every faulthandler dump, timed or asked for


def hang_site(dump: str, inside: str, host: Path) -> str:
    """' in micrograd/engine.py line 12 (in __mul__): while True:' from a faulthandler dump."""
    import re

    # faulthandler writes the innermost frame first: the first of the learner's files is where it was.
    for match in re.finditer(r'File "([^"]+)", line (\d+) in (\S+)', dump):
        path, line, function = match.groups()
        if path.startswith(inside.rstrip("/") + "/"):
            rel = path[len(inside.rstrip("/")) + 1:]
            # The dump is the worker's to write: a forged frame naming ../../etc/passwd must not
            # make the judge quote one of its own files. Only the submission's .py files.
            if ".." in Path(rel).parts or not rel.endswith(".py") or \
                    not (host / rel).resolve().is_relative_to(host.resolve()):
                continue
            try:
                text = (host / rel).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            lines = text.splitlines()
            number = int(line)
            code = lines[number - 1].strip() if 0 < number <= len(lines) else ""
            site = f", at your {rel} line {line} (in {function})" + (f": `{code}`" if code else "")
            return site + _enclosing_loop(text, lines, number)
    return ""


def _enclosing_loop(text: str, lines: list[str], number: int) -> str:
    """' inside the loop at line 3: `while True:`' when the dump caught the loop's body, not its head.

    Where the sampling lands inside a tight loop is luck (`pass` one time, `while True:` the next);
    the loop's head is what the learner needs to see either way."""
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return ""
    loops = [node for node in ast.walk(tree) if isinstance(node, (ast.While, ast.For, ast.AsyncFor))
             and node.lineno <= number <= (node.end_lineno or node.lineno)]
    if not loops:
        return ""
    head = max(loops, key=lambda node: node.lineno).lineno  # the innermost one
    if head == number or head > len(lines):
        return ""
    return f" inside the loop at line {head}: `{lines[head - 1].strip()}`"
