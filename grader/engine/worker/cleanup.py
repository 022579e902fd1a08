"""The fork server's broom, in its sandbox: between workers (and between the submissions of a
batch), every process but the live workers goes, and every writable place is emptied."""
from __future__ import annotations

import os
import signal

def _wipe(home: str, live: dict[int, str]) -> None:
    """Empty every writable place of the sandbox but the live workers' own folders (emptied too):
    nothing one worker wrote (its stand-ins, say) is there for the next to read."""
    import shutil

    keep = set(live.values())
    for top in ("/tmp", "/dev/shm"):
        for path in _entries(top):
            if path != home or os.path.islink(path):
                _remove(path)
                continue
            for inner in _entries(home):
                if inner in keep and not os.path.islink(inner):  # a live worker's own: emptied
                    for leftover in _entries(inner):
                        _remove(leftover)
                else:  # a finished worker's, or one a worker swapped for a link: never followed
                    _remove(inner)
    _remove_ipc()


def _entries(folder: str) -> list[str]:
    """What is in `folder`, or nothing: a worker may have moved or replaced it meanwhile."""
    try:
        return [os.path.join(folder, name) for name in os.listdir(folder)] if not os.path.islink(folder) else []
    except OSError:
        return []


def _remove(path: str) -> None:
    import shutil

    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def _remove_ipc() -> None:
    """System V shared memory, queues and semaphores outlive their makers: remove them all."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    for table, remove in (("shm", lambda i: libc.shmctl(i, 0, None)), ("msg", lambda i: libc.msgctl(i, 0, None)),
                          ("sem", lambda i: libc.semctl(i, 0, 0))):
        try:
            with open(f"/proc/sysvipc/{table}") as listing:
                rows = listing.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            try:
                remove(int(row.split()[1]))  # IPC_RMID is 0
            except (ValueError, IndexError):
                pass


def sweep(keep: set[int]) -> None:
    """Kill every process this server can see that is not itself, its parent or a live worker's
    group: what a worker left behind (a detached child) must not outlive it and meet the next."""
    if not os.path.isdir("/proc"):
        return
    me, parent = os.getpid(), os.getppid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (me, parent, 1):
            continue
        pid = int(entry)
        try:
            # A live worker (by pid: one just forked has not made its own group yet), or its group.
            if pid in keep or os.getpgid(pid) in keep:
                continue
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def clean(home: str, homes: dict[int, str], live: set[int]) -> None:
    """Sweep and wipe; whatever a worker did to the places they clean, the server goes on."""
    try:
        sweep(live)
        _wipe(home, homes)
    except Exception:  # noqa: BLE001 - a leftover that cannot be removed is not worth the server
        pass
