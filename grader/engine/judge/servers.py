"""The fork servers a submission's workers come from, and the copy of the submission they grade.

Each submission is copied once; its workers are forks of a server of each kind its modules need
("pure" for micrograd, "torch" for the rest), in a sandbox that holds that submission alone.
A batch judge keeps its servers warm (`ServerPool`): student code never runs in a server, only
in its forks, and between submissions the server ends every worker and, in its sandbox, empties
every writable place, so what one submission left can never meet the next.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from grader.engine import manifest
from grader.engine.judge.kit_guard import private_bytecode
from grader.engine.worker import sandbox
from grader.engine.worker.copying import copy_submission
from grader.engine.worker.launch import ForkServer

REFUSED = ".refused"  # in the copy: what copying the submission left out, and why (never a .py)


def _kinds(modules: list[str], isolation: str) -> list[str]:
    """The kinds of server `modules` need, torch first (its import is the longest wait). Pure
    workers fork from a server only in the sandbox, where each gets a PID namespace of its own;
    without one, a server would be a process every worker could stop, so each is spawned alone."""
    kinds = {manifest.load()[m].worker for m in modules}
    if isolation != sandbox.SANDBOX:
        kinds.discard("pure")
    return sorted(kinds, key=lambda kind: kind != "torch")


def _copy(exercises: Path, copy: Path) -> None:
    refused = copy_submission(Path(exercises), copy)
    (copy / REFUSED).write_text("\n".join(refused), encoding="utf-8")


class ForkServers(dict):
    """A submission's fork servers, by the kind of worker they make ("pure", "torch")."""

    def close(self) -> None:
        for server in self.values():
            server.close()


@contextlib.contextmanager
def prepared(exercises: Path, modules: list[str], options, pool: "ServerPool | None" = None):
    """The submission as workers see it: copied once (the copy is what every worker of this
    call grades), with a fork server of each kind its modules need, made for it alone or taken
    warm from `pool` (sandbox only). Yields (copy, servers, isolation)."""
    isolation = sandbox.mode(options.isolation)
    if pool is not None and isolation == sandbox.SANDBOX:
        with pool.serving(Path(exercises), modules) as (copy, servers):
            yield copy, servers, isolation
        return
    if isolation != sandbox.SANDBOX:
        private_bytecode()
    with tempfile.TemporaryDirectory(prefix="grade-submission-") as tmp:
        copy = Path(tmp) / "exercises"
        _copy(exercises, copy)
        servers = ForkServers()
        try:
            for kind in _kinds(modules, isolation):
                servers[kind] = ForkServer(isolation, copy, torch=kind == "torch")
            yield copy, servers, isolation
        finally:
            servers.close()


class ServerPool:
    """Warm fork servers for one judge that grades submission after submission (`grade batch`).

    Only in the sandbox: there the server's view of the submission is one folder (the slot),
    whose contents are replaced for each submission, and a `reset` between submissions ends
    every process and empties every writable place the workers had. A server that no longer
    answers (a submission stopped or killed it) is replaced before the next submission."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="grade-slot-")
        self.slot = Path(self._tmp.name) / "exercises"
        self.slot.mkdir()
        self.servers = ForkServers()

    @contextlib.contextmanager
    def serving(self, exercises: Path, modules: list[str]):
        """The slot holding a copy of `exercises`, and live servers for `modules`."""
        for entry in list(self.slot.iterdir()):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        staging = Path(tempfile.mkdtemp(prefix="grade-staging-", dir=self._tmp.name))
        _copy(exercises, staging / "exercises")
        for entry in (staging / "exercises").iterdir():
            os.rename(entry, self.slot / entry.name)
        shutil.rmtree(staging, ignore_errors=True)
        for kind in _kinds(modules, sandbox.SANDBOX):
            server = self.servers.get(kind)
            if server is None or not server.alive():
                if server is not None:
                    server.kill()
                    server.close()
                self.servers[kind] = ForkServer(sandbox.SANDBOX, self.slot, torch=kind == "torch")
        try:
            yield self.slot, self.servers
        finally:
            for kind, server in list(self.servers.items()):
                try:
                    server.reset()
                except OSError:  # gone: replaced when next needed
                    server.kill()
                    server.close()
                    del self.servers[kind]

    def close(self) -> None:
        self.servers.close()
        self._tmp.cleanup()
