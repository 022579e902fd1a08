"""What a forked worker does to itself, in the sandbox, before any student code runs: a PID
namespace of its own (it can neither see nor signal the server or a sibling, and whatever it
starts dies with it), then no capability left and none to be gained by exec."""
from __future__ import annotations

import os
import signal

CLONE_NEWPID = 0x20000000


_CLONE = {"x86_64": 56, "aarch64": 220}  # the clone syscall's number; flags come first on both


def fork_into_own_pid_namespace() -> int | None:
    """os.fork(), but the child starts as pid 1 of a new PID namespace: one fork, where
    `into_own_pid_namespace` needs two (forking a process that holds torch costs about 12 ms of
    page tables each time). None when it cannot be done here: then fork and call that instead.

    The clone is a raw syscall, with CPython's own fork hooks around it as os.fork has them, and
    the GIL held throughout (ctypes.PyDLL). It skips the C library's fork handlers, so it is done
    only in a process with one thread, where none of them has a lock to take or a pool to stop."""
    import ctypes
    import platform

    number = _CLONE.get(platform.machine())
    if number is None or len(os.listdir("/proc/self/task")) != 1:
        return None
    try:
        syscall = ctypes.PyDLL(None, use_errno=True).syscall
    except (OSError, AttributeError):
        return None
    syscall.restype = ctypes.c_long
    syscall.argtypes = [ctypes.c_long, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                        ctypes.c_ulong]
    api = ctypes.pythonapi
    api.PyOS_BeforeFork()
    pid = syscall(number, CLONE_NEWPID | signal.SIGCHLD, None, None, None, 0)
    if pid == 0:
        api.PyOS_AfterFork_Child()
        return 0
    api.PyOS_AfterFork_Parent()
    return pid if pid > 0 else None  # no capability for it (an older bwrap): fork the old way


def into_own_pid_namespace() -> None:
    """Fork into a new PID namespace; return in the child (pid 1 there). This process waits
    and ends as the child ended, so the server sees the worker's own exit status."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWPID) != 0:
        return  # no capability for it (an older bwrap): the sandbox's own namespace still holds
    child = os.fork()
    if child == 0:
        return
    # The judge's "dump your stack" signal goes to the worker's whole group: it is for the worker
    # (which registered it), not for this process, which would die of it.
    from grader.engine.worker.protocol import STACK_SIGNAL

    signal.signal(STACK_SIGNAL, signal.SIG_IGN)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


def drop_capabilities() -> None:
    """No capability left, none to be gained by exec: else the worker never runs."""
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL
    libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)())  # _LINUX_CAPABILITY_VERSION_3: all zero
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    with open("/proc/self/status") as status:
        held = [line for line in status if line.startswith(("CapEff:", "CapPrm:", "CapAmb:"))]
    if any(int(line.split()[1], 16) for line in held):
        os._exit(71)
