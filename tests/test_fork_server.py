"""The fork server's own promises: a worker asked to go is gone at once, however early it is
asked, and in the sandbox each worker is pid 1 of a PID namespace of its own (one fork)."""
from __future__ import annotations

import dataclasses
import shutil
import time

import pytest

from conftest import ROOT
from grader.engine.worker import sandbox
from grader.engine.worker.client import StudentFailure, Worker, WorkerConfig, probe_setup
from grader.engine.worker.launch import ForkServer

ISOLATIONS = ["process"] + (["sandbox"] if sandbox.probe()[0] else [])


@pytest.fixture(params=ISOLATIONS)
def server(request, tmp_path):
    exercises = tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", exercises, ignore=shutil.ignore_patterns("__pycache__"))
    made = ForkServer(request.param, exercises, torch=False)
    yield made, WorkerConfig(exercises=exercises, forkserver=made, isolation=request.param)
    made.close()


def test_a_worker_stopped_the_moment_it_is_forked_is_gone_at_once(server):
    # Asked to go before it had made its own process group, a worker used to be missed by the
    # server's killpg; the judge then waited out the 30 s time limit for it.
    made, config = server
    for _ in range(6):
        worker = Worker(config)
        worker.start()
        started = time.monotonic()
        worker.stop()
        assert time.monotonic() - started < 10, "the worker outlived its stop"
    assert made.alive()


def test_a_sandboxed_worker_is_pid_1_of_its_own_namespace(server, tmp_path):
    made, config = server
    if made.isolation != sandbox.SANDBOX:
        pytest.skip("a PID namespace per worker is the sandbox's")
    # The submission's import says where it runs (the message of its error is the only channel).
    (config.exercises / "micrograd" / "whoami.py").write_text(
        "import os\nraise RuntimeError(f'pid={os.getpid()} parent-visible={os.path.exists(f\"/proc/{os.getppid()}\")}')\n")
    config = dataclasses.replace(config, setup=probe_setup("micrograd"))
    seen = []
    for _ in range(2):
        with Worker(config) as worker:
            with pytest.raises(StudentFailure) as failure:
                worker.load("micrograd.whoami")
            seen.append(failure.value.message.split("RuntimeError: ")[1].split(" (")[0])
    assert seen == ["pid=1 parent-visible=False"] * 2


def test_the_setup_reply_of_a_worker_still_starting_is_not_taken_for_a_forged_one(server, monkeypatch):
    # A check that fails to read its reply asks `sent_more` whether the worker forged one. While a
    # background thread is still starting the worker (its process made, its setup being sent),
    # the setup's reply arrives with no request yet pending: that is not a forgery.
    import threading

    made, config = server
    config = dataclasses.replace(config, setup=probe_setup("micrograd"))
    worker = Worker(config)
    release, sending = threading.Event(), threading.Event()
    real_send = Worker._send

    def slow_send(self, request, what):
        sending.set()
        release.wait(10)
        return real_send(self, request, what)

    monkeypatch.setattr(Worker, "_send", slow_send)
    starter = threading.Thread(target=worker.start)
    starter.start()
    assert sending.wait(30)
    threading.Timer(0.2, release.set).start()  # the setup goes out while sent_more is listening
    try:
        assert worker.sent_more(wait=3.0) is False
        assert worker.tampered is False
    finally:
        release.set()
        starter.join(30)
        worker.stop()
