"""`grade batch --dask`: a LocalCluster of two workers grades a class into the same CSV as a local
run, each worker keeping a warm judge between submissions."""
from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from conftest import make_submission
from grader.cli import main

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

TANH = "        t = math.tanh(self.data)\n"


def test_a_dask_cluster_grades_the_same_csv_as_a_local_run(tmp_path):
    paths = [str(make_submission(tmp_path / "good").parent),
             str(make_submission(tmp_path / "tanh", {"micrograd/engine.py": [(TANH, TANH.replace(")", ") + 1", 1))]}).parent),
             str(tmp_path / "empty"),
             str(tmp_path / "missing")]
    (tmp_path / "empty").mkdir()
    common = ["--module", "micrograd", "--seed", "8"]
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    result = CliRunner().invoke(main, ["batch", *paths, *common, "--csv", str(local)])
    assert result.exit_code == 0, result.output
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = CliRunner().invoke(main, ["batch", *paths, *common, "--csv", str(remote), "--json-dir",
                                           str(tmp_path / "json"), "--dask", cluster.scheduler_address])
        assert result.exit_code == 0, result.output
        # Each worker kept its judge warm: three submissions graded, one judge per worker at most.
        with distributed.Client(cluster) as client:
            started = client.run(lambda: __import__("grader.instructor.batch.dask_run", fromlist=["x"]).JUDGES_STARTED)
        assert len(started) == 2 and 1 <= sum(started.values()) <= 2, started
    assert remote.read_text() == local.read_text()
    rows = {r["submission"]: r for r in csv.DictReader(remote.open())}
    assert rows[paths[0]]["score"] == "11" and rows[paths[1]]["micrograd.tanh:status"] == "failed"
    assert "expected an exercises/ folder" in rows[paths[2]]["error"] and "no such file" in rows[paths[3]]["error"]


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path):
    import dask

    sub = make_submission(tmp_path).parent
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
            result = CliRunner().invoke(main, ["batch", str(sub), "--csv", str(tmp_path / "g.csv"), "--module", "micrograd",
                                           "--dask", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "--dask" in result.output
