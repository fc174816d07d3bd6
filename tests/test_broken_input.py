"""The broken-input corpus: every file yields diagnostics, never a traceback.

Each broken file is linted alone (exit 1, the expected code, in seconds) and
all together (every file's diagnostics reported in one run).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from .conftest import run_itscm

CORPUS = Path(__file__).parent / "corpus" / "broken"

EXPECTED = {
    "invalid.yaml": "Y001",
    "tabs.yaml": "Y001",
    "duplicate-keys.yaml": "Y002",
    "binary.yaml": "Y005",
    "empty.yaml": "Y008",
    "comments-only.yaml": "Y008",
    "empty-documents.yaml": "Y008",
    "latin1.yaml": "Y005",
    "deep.yaml": "Y004",
    "alias-bomb.yaml": "Y004",
    "big.yaml": "S003",
}


def _big_file(target: Path) -> None:
    """A 5 MB document whose only mistake is its last line."""
    tags = "".join(f"  - tag-{i:07d}\n" for i in range(330_000))
    target.write_text(
        "apiVersion: itscm/v1\nkind: Site\nid: dc-big\ntype: office\ntags:\n" + tags + "colour: blue\n",
        encoding="utf-8",
    )
    assert target.stat().st_size > 5_000_000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, base, dirs_exist_ok=True)
    _big_file(base / "big.yaml")
    return base


def _assert_clean_failure(proc_stdout: str, proc_stderr: str, returncode: int) -> None:
    assert returncode == 1, proc_stdout + proc_stderr
    assert "Traceback" not in proc_stdout + proc_stderr
    assert proc_stderr == ""


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_file_alone(name: str, corpus: Path, tmp_path: Path) -> None:
    shutil.copy(corpus / name, tmp_path / name)
    started = time.monotonic()
    proc = run_itscm("lint", "--root", str(tmp_path))
    elapsed = time.monotonic() - started
    _assert_clean_failure(proc.stdout, proc.stderr, proc.returncode)
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"{name}:"), proc.stdout
    assert f" error {EXPECTED[name]} " in proc.stdout, proc.stdout
    assert elapsed < 10, f"{name} took {elapsed:.1f} s"


def test_an_empty_file_says_what_it_holds(corpus: Path) -> None:
    proc = run_itscm("lint", "--root", str(corpus))
    said = {line.split(":", 1)[0]: line for line in proc.stdout.splitlines() if " Y008 " in line}
    assert "file is empty:" in said["empty.yaml"]
    assert "file holds only comments:" in said["comments-only.yaml"]
    assert "file holds only empty documents:" in said["empty-documents.yaml"]


def test_whole_corpus_reports_every_file(corpus: Path) -> None:
    proc = run_itscm("lint", "--root", str(corpus))
    _assert_clean_failure(proc.stdout, proc.stderr, proc.returncode)
    reported = {line.split(":", 1)[0] for line in proc.stdout.splitlines() if ": error " in line}
    assert set(EXPECTED) | {"good.yaml"} <= reported, proc.stdout
    assert "good.yaml:6:8: error R001" in proc.stdout


def test_positions_inside_the_file(corpus: Path) -> None:
    proc = run_itscm("lint", "--root", str(corpus))
    for line in proc.stdout.splitlines():
        if ": error " not in line and ": warning " not in line:
            continue
        path, lineno, column = line.split(":")[:3]
        text = (corpus / path).read_bytes()
        assert 1 <= int(lineno) <= text.count(b"\n") + 1, line
        assert int(column) >= 1, line
