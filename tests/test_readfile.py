"""Reading one file within the size limit: every outcome is bytes or a finding, never an exception."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from itscm_compiler import readfile
from itscm_compiler.readfile import read_bytes


def _codes(findings: list[Any]) -> list[str]:
    return [f.code for f in findings]


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 100_000])
def test_a_file_within_the_limit_is_read_whole(tmp_path: Path, size: int) -> None:
    path = tmp_path / "a.yaml"
    data = os.urandom(size)
    path.write_bytes(data)
    raw, findings = read_bytes(path, "a.yaml", 100_000)
    assert raw == data and findings == []


def test_one_byte_over_the_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * (3 * 1048576 + 1))
    raw, findings = read_bytes(path, "big.yaml", 3 * 1048576)
    assert raw is None and _codes(findings) == ["Y006"]
    assert "3.0 MB, above the limit of 3.0 MB" in findings[0].message
    raw, findings = read_bytes(path, "big.yaml", 3 * 1048576 + 1)
    assert raw is not None and len(raw) == 3 * 1048576 + 1


def test_a_file_larger_than_its_stat_said_is_read_on_up_to_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "grew.yaml"
    path.write_bytes(b"y" * 50_000)
    real = os.fstat

    class Small:
        def __init__(self, fd: int) -> None:
            self.st_size = 10 if real(fd).st_size else 0  # the stat of a file that has grown since
            self.st_mode = real(fd).st_mode

    monkeypatch.setattr(readfile.os, "fstat", Small)
    raw, findings = read_bytes(path, "grew.yaml", 100_000)
    assert raw == b"y" * 50_000 and findings == []
    raw, findings = read_bytes(path, "grew.yaml", 20_000)  # the limit is checked on what was read
    assert raw is None and _codes(findings) == ["Y006"]


def test_a_file_as_large_as_its_stat_takes_one_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A warm run reads every file of the estate: no second read just to meet the end.
    path = tmp_path / "a.yaml"
    path.write_bytes(b"z" * 5000)
    reads: list[int] = []
    real = os.read
    monkeypatch.setattr(readfile.os, "read", lambda fd, n: reads.append(n) or real(fd, n))
    raw, findings = read_bytes(path, "a.yaml", 100_000)
    assert raw == b"z" * 5000 and findings == [] and reads == [5001]


def test_missing_file_and_folder_are_findings(tmp_path: Path) -> None:
    raw, findings = read_bytes(tmp_path / "gone.yaml", "gone.yaml", 1000)
    assert raw is None and _codes(findings) == ["Y005"] and "disappeared" in findings[0].message
    (tmp_path / "folder.yaml").mkdir()
    raw, findings = read_bytes(tmp_path / "folder.yaml", "folder.yaml", 1000)
    assert raw is None and _codes(findings) == ["Y005"] and "folder" in findings[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)  # opening it for reading would wait for a writer, forever
    raw, findings = read_bytes(pipe, "pipe.yaml", 1000)
    assert raw is None and _codes(findings) == ["Y005"] and "not a regular file" in findings[0].message
