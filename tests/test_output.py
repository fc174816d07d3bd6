"""A command's output arrives whole, or the command says it could not write it (commands/output.py)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"), ITSCM_NO_CACHE="1")


def _limited() -> None:
    """In the child: files may grow to 1 KB; writing past that fails (EFBIG) instead of killing it."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


@pytest.mark.parametrize(
    "command",
    [
        ["lint", "--format", "json"],
        ["lint"],
        ["metrics", "--format", "json"],
        ["graph", "--format", "dot"],
        ["rules"],
    ],
    ids=["lint-json", "lint-text", "metrics", "graph", "rules"],
)
def test_output_cut_short_by_a_full_disk_is_an_error(command: list[str], generated_estate: Path, tmp_path: Path) -> None:
    # Redirected to a file that cannot grow: the report was cut at the limit with
    # no word and lint's usual exit code (1), so CI kept half a report.
    out = tmp_path / "report"
    argv = [sys.executable, "-m", "itscm_compiler", *command, "--root", str(generated_estate)]
    if command == ["rules"]:
        argv = argv[:-2]
    with out.open("wb") as handle:
        done = subprocess.run(argv, stdout=handle, stderr=subprocess.PIPE, text=True, env=_env(tmp_path),
                              timeout=300, preexec_fn=_limited)
    assert out.stat().st_size == 1024  # the precondition: the output did not fit
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.endswith("cannot write the output: File too large; it is incomplete\n"), done.stderr


def test_a_reader_that_leaves_early_is_no_error(generated_estate: Path, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "itscm_compiler", "lint", "--format", "json", "--root", str(generated_estate)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path))
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=300) == 1  # the lint's own answer: the estate has errors
    assert stderr == b""


def test_a_report_through_a_non_blocking_pipe_arrives_whole(generated_estate: Path, tmp_path: Path) -> None:
    # Some CI runners share their output pipe in non-blocking mode: a report
    # larger than the pipe then met EAGAIN part-way.
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    argv = [sys.executable, "-m", "itscm_compiler", "lint", "--format", "json", "--root", str(generated_estate)]
    proc = subprocess.Popen(argv, stdout=write_end, stderr=subprocess.PIPE, env=_env(tmp_path))
    os.close(write_end)
    chunks = []
    time.sleep(1.0)  # let the pipe fill before anything is read
    with os.fdopen(read_end, "rb") as reader:
        while chunk := reader.read(4096):
            chunks.append(chunk)
            time.sleep(0.001)
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    assert proc.wait(timeout=300) == 1, stderr
    report = json.loads(b"".join(chunks))
    assert report["summary"]["errors"] > 0 and len(b"".join(chunks)) > 65536
    assert b"Traceback" not in stderr


def test_the_report_is_unchanged_on_a_terminal_free_run(generated_estate: Path, tmp_path: Path) -> None:
    # The checked writer writes the same bytes as the stream did.
    argv = [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(generated_estate)]
    direct = subprocess.run(argv, capture_output=True, env=_env(tmp_path), timeout=300)
    assert direct.stdout.endswith(b"files checked\n") and direct.stdout.count(b"\n") > 100
    assert shutil.which("cat")
    piped = subprocess.run(f"{subprocess.list2cmdline(argv)} | cat", shell=True, capture_output=True, env=_env(tmp_path), timeout=300)
    assert piped.stdout == direct.stdout


@pytest.mark.parametrize("closed", [[0], [1], [2], [1, 2], [0, 1, 2]], ids=["stdin", "stdout", "stderr", "out+err", "all"])
def test_closed_standard_streams(closed: list[int], generated_estate: Path, tmp_path: Path) -> None:
    # `itscm lint >&-` printed an internal error and a traceback, and the
    # next file opened would have become descriptor 1 (Git writing into it).
    def close() -> None:
        for fd in closed:
            os.close(fd)

    root = tmp_path / "repo"
    shutil.copytree(generated_estate, root)
    env = _env(tmp_path)
    env.pop("ITSCM_NO_CACHE")  # the caches are written too, with descriptor 1 closed
    argv = [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(root)]
    log = tmp_path / "stderr"
    with log.open("wb") as err:
        stderr = subprocess.DEVNULL if 2 in closed else err
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=stderr, env=env, timeout=300, preexec_fn=close)
    assert done.returncode == 1, log.read_text()  # the estate's own answer: it has errors
    assert log.read_text() == ""
    if 1 not in closed:
        assert done.stdout.endswith(b"files checked\n")
    usage = subprocess.run([*argv, "--bogus"], capture_output=True, env=env, timeout=60, preexec_fn=close)
    assert usage.returncode == 2
    packs = list((root / ".itscm-cache").rglob("*.pack"))
    assert packs
    for pack in packs:
        assert not pack.read_bytes().startswith(b"Usage") and b"files checked" not in pack.read_bytes()


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_characters_the_output_cannot_encode_are_escaped(encoding: str, tmp_path: Path) -> None:
    # A legacy locale (or PYTHONIOENCODING) that cannot show a name ended the
    # run with "internal error: UnicodeEncodeError".
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "itscm_compiler", "init", str(tmp_path)], check=True, capture_output=True, env=env)
    (tmp_path / "services" / "цод.yaml").write_text("apiVersion: itscm/v1\nkind: Site\nid: цод\ntype: region\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(tmp_path), b"services", b"caf\xe9.yaml"), "wb") as handle:
        handle.write(b"apiVersion: itscm/v1\nkind: Site\nid: CAFE\ntype: region\n")  # a name that is not UTF-8
    env["PYTHONIOENCODING"] = encoding
    done = subprocess.run([sys.executable, "-m", "itscm_compiler", "lint", "--root", str(tmp_path)],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert b"services/\\u0446\\u043e\\u0434.yaml:3:5: error S008" in done.stdout
    assert b"services/caf\xe9.yaml:3:5: error S008" in done.stdout  # its own bytes, as ls prints it
