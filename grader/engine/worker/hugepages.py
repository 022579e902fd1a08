"""A fork server's memory as huge pages, so that each fork copies hundreds of page-table entries,
not tens of thousands.

A fork server holds torch: about 150 MB written at import (the Python objects, libtorch's
relocations and registries). `fork()` copies one page-table entry per 4 KB page of it and the
worker's exit frees them all again: that was most of the cost of a torch worker (perf: the
kernel's copy_page_range and unmap_page_range, 60% of a bare worker's CPU). Collapsed into
2 MB pages (`madvise(MADV_COLLAPSE)`, Linux 6.1+), the same memory is a few hundred entries.
A worker that writes into one of them gets a private 4 KB copy of what it writes (the kernel
splits the shared huge page's mapping in the child), as before.

Where the kernel or the machine does not offer it (older Linux, THP set to `never`), nothing
changes: workers fork as they did, only dearer.
"""
from __future__ import annotations

MADV_COLLAPSE = 25
HUGE = 2 << 20  # bytes in a PMD-sized page on x86-64 and arm64 (4 KB base pages)


def collapse_writable_memory() -> int:
    """Collapse every private, writable mapping of this process into huge pages, where whole
    aligned 2 MB spans of it exist. Returns how many mappings the kernel collapsed."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open("/proc/self/maps", encoding="ascii") as maps:
            lines = maps.read().splitlines()
    except (OSError, AttributeError):  # not Linux
        return 0
    collapsed = 0
    for line in lines:
        fields = line.split()
        span, perms = fields[0], fields[1]
        name = fields[5] if len(fields) > 5 else ""
        if "w" not in perms or "p" not in perms or name == "[stack]":
            continue
        start, end = (int(x, 16) for x in span.split("-"))
        first, last = -(-start // HUGE) * HUGE, end // HUGE * HUGE
        if last > first and libc.madvise(first, last - first, MADV_COLLAPSE) == 0:
            collapsed += 1
    return collapsed
