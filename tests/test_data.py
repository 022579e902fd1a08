"""names.txt: found, fetched, verified; and the facts the lecture's count model gives on it."""
from __future__ import annotations

import importlib.util
import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT, SOLUTIONS
from grader.engine import names_data as data
from grader.cli import main

REAL = ROOT / "data" / "names.txt"
needs_real_names = pytest.mark.skipif(not REAL.exists(), reason="names.txt is not in data/ (CI copies it there)")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


def test_a_file_with_the_wrong_checksum_is_refused(data_dir):
    data_dir.mkdir()
    (data_dir / "names.txt").write_text("emma\nolivia\n")
    with pytest.raises(data.DataError, match="sha256"):
        data.load_names()
    with pytest.raises(data.DataError):
        data.names_if_present()
    result = CliRunner().invoke(main, ["bigram", "--solutions"])
    assert result.exit_code == 2 and "is not Karpathy's names.txt" in result.output


def test_absent_file_without_download_says_where_to_put_it(data_dir):
    assert data.names_if_present() is None
    with pytest.raises(data.DataError, match=str(data_dir / "names.txt")):
        data.load_names(download=False)


def test_offline_download_fails_with_the_place_for_the_file(data_dir):
    with pytest.raises(data.DataError, match="Put the file at"):
        data.fetch_names(url="http://127.0.0.1:9/names.txt", progress=False)
    assert not any(data_dir.iterdir())  # no partial file left behind


def test_a_download_with_the_wrong_content_is_not_kept(data_dir, tmp_path):
    fake = tmp_path / "fake.txt"
    fake.write_text("not the names\n")
    with pytest.raises(data.DataError, match="sha256"):
        data.fetch_names(url=fake.as_uri(), progress=False)
    assert not (data_dir / "names.txt").exists()


@needs_real_names
def test_download_keeps_a_verified_file_and_fetch_data_reports_it(data_dir):
    path = data.fetch_names(url=REAL.as_uri(), progress=True)
    assert path == data_dir / "names.txt" and data.sha256(path) == data.NAMES_SHA256
    assert len(data.load_names()) == 32033
    result = CliRunner().invoke(main, ["fetch-data"])
    assert result.exit_code == 0 and "already" in result.output


def _solution(module: str):
    spec = importlib.util.spec_from_file_location(f"solution_{module}", SOLUTIONS / "makemore" / f"{module}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@needs_real_names
def test_the_solutions_count_model_gives_the_lectures_nll(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    shutil.copy(REAL, tmp_path / "names.txt")
    words = data.load_names()
    bigram = _solution("bigram")
    stoi, _ = bigram.build_vocab(words)
    N = bigram.count_bigrams(words, stoi)
    assert bigram.nll(bigram.bigram_probs(N), words, stoi) == pytest.approx(2.454356, abs=1e-6)
    assert bigram.nll(bigram.bigram_probs(N, smoothing=0.0), words, stoi) == pytest.approx(2.454094, abs=1e-6)
