"""A worker against its own submission's fork server and sibling workers: stopping or killing
every process it can find must cost the rest of the module nothing. In the sandbox each worker
has a PID namespace of its own, so there is nothing it can signal; without the sandbox, torch
workers share a fork server that any of them can stop (SECURITY.md says so)."""
from __future__ import annotations

import pytest

from conftest import grade_folder, make_submission, not_passed
from hostile import harness

ANCHOR = "def build_vocab(words):\n"
ATTACK = '''def build_vocab(words):
    import os, signal
    parent, hit = os.getppid(), []
    def ppid(pid):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None
    # Only its own fork server (its parent) and that server's other children: never anything
    # beyond the grading, even where (without the sandbox, as root) it could.
    siblings = [int(p) for p in os.listdir("/proc") if p.isdigit() and parent > 1 and ppid(p) == parent]
    for pid in {parent, *siblings} - {os.getpid(), 0, 1}:
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
                hit.append(pid)
            except OSError:
                pass
    print("signalled:", sorted(set(hit)))
'''


@pytest.mark.parametrize("isolation", harness.isolations(
    process_xfail="without the sandbox a torch worker can stop its fork server"))
def test_a_worker_that_signals_everything_it_sees_costs_its_module_nothing(tmp_path, isolation):
    sub = make_submission(tmp_path, {"makemore/bigram.py": [(ANCHOR, ATTACK)]})
    result = grade_folder(sub, "bigram", isolation=isolation, timeout=5)
    assert not_passed(result) == {}
    vocab = next(c for c in result.components if c.id == "bigram.vocab")
    assert "signalled: []" in vocab.output  # it ran, and found nothing to signal
