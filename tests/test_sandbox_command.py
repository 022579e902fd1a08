"""The sandbox's view is built in an order that keeps what it binds (a checkout or a venv may live
under /tmp, as CI's clone may)."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine.worker import bundle, sandbox


def test_nothing_bound_under_tmp_is_hidden_by_the_private_tmpfs(tmp_path):
    if sandbox.bwrap_path() is None:
        pytest.skip("no bwrap here")
    site = tmp_path / "venv" / "lib" / "site-packages"
    site.mkdir(parents=True)
    args = sandbox.command(["python"], bundle=bundle.build(), submission=tmp_path, sites=[str(site)], env={})
    tmpfs_at = next(i for i, a in enumerate(args) if a == "--tmpfs" and args[i + 1] == "/tmp")
    binds = [i for i, a in enumerate(args) if a == "--ro-bind" and args[i + 2].startswith("/tmp")]
    assert binds and all(i > tmpfs_at for i in binds)


def test_a_site_under_tmp_is_importable_inside_the_sandbox(tmp_path):
    if not sandbox.probe()[0]:
        pytest.skip(f"no sandbox here: {sandbox.probe()[1]}")
    import subprocess

    site = tmp_path / "site"
    (site / "marker_pkg").mkdir(parents=True)
    (site / "marker_pkg" / "__init__.py").write_text("VALUE = 42\n")
    python, _ = sandbox.python_paths(False)
    code = f"import sys; sys.path.append({str(site)!r}); import marker_pkg; print(marker_pkg.VALUE)"
    args = sandbox.command([python, "-I", "-S", "-c", code], bundle=bundle.build(), submission=None,
                           sites=[str(site)], env={})
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "42", done.stderr
