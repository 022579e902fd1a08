"""A fork server's written memory becomes huge pages (grader.engine.worker.hugepages), so that a
fork copies few page-table entries; where the kernel cannot, nothing breaks."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, os
from grader.engine.worker import hugepages

def anon_huge_kb():
    for line in open("/proc/self/smaps_rollup"):
        if line.startswith("AnonHugePages:"):
            return int(line.split()[1])
    return 0

block = bytearray(48 << 20)          # written memory, as an import leaves it
for i in range(0, len(block), 4096):
    block[i] = 1
before = anon_huge_kb()
collapsed = hugepages.collapse_writable_memory()
after = anon_huge_kb()
pid = os.fork()                      # and a fork still sees (and may change) its own copy
if pid == 0:
    block[4096] = 7
    os._exit(0 if block[4096] == 7 and block[8192] == 1 else 1)
_, status = os.waitpid(pid, 0)
print(json.dumps({"before": before, "after": after, "collapsed": collapsed,
                  "child_ok": os.waitstatus_to_exitcode(status) == 0, "parent_unchanged": block[4096] == 1}))
"""


def _thp_possible() -> bool:
    """Transparent huge pages not switched off, and MADV_COLLAPSE in the kernel (Linux 6.1+)."""
    import platform

    try:
        mode = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text()
        version = tuple(int(x) for x in platform.release().split("-")[0].split(".")[:2])
    except (OSError, ValueError):
        return False
    return "[never]" not in mode and version >= (6, 1)


def _run():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_forks_still_get_their_own_copy_of_what_they_write():
    got = _run()
    assert got["child_ok"] and got["parent_unchanged"], got


@pytest.mark.skipif(not _thp_possible(), reason="no transparent huge pages, or a kernel before 6.1")
def test_written_memory_becomes_huge_pages():
    got = _run()
    assert got["after"] - got["before"] >= 32 * 1024, got  # most of the 48 MB written
