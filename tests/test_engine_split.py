"""Large estates run their checks in two processes: the result must be the same as in one."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

from itscm_compiler import engine
from itscm_compiler.diagnostics import Finding, Location, Severity
from itscm_compiler.estate import Estate
from itscm_compiler.pipeline import lint, load_estate
from itscm_compiler.rules.base import Rule

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402

TODAY = dt.date(2026, 11, 24)


def _pid_check(estate: Estate) -> Iterator[Finding]:
    yield Finding(Location("."), str(os.getpid()))


def _rule(code: str, prefetch: bool) -> Rule:
    return Rule(code, code.lower(), Severity.INFO, "test", _pid_check, (lambda estate: None) if prefetch else None)


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_FROM", 1)
    monkeypatch.setenv("ITSCM_WORKERS", "2")
    monkeypatch.setenv("ITSCM_NO_CACHE", "1")


def test_the_checks_run_in_a_second_process(small_threshold: None, tmp_path: Path) -> None:
    generate(tmp_path, services=10, seed=1)
    estate, _ = load_estate(tmp_path, today=TODAY, cache=False)
    # A rule with a prefetch stays in this process; a plain one goes to the worker.
    found = engine.run_rules(estate, [_rule("X901", prefetch=True), _rule("X902", prefetch=False)])
    pids = {d.code: d.message for d in found}
    assert pids["X901"] == str(os.getpid())
    assert pids["X902"] != str(os.getpid())


def test_split_and_serial_runs_agree(monkeypatch: pytest.MonkeyPatch, small_threshold: None, tmp_path: Path) -> None:
    generate(tmp_path, services=120, seed=5)
    split = [str(d) for d in lint(tmp_path, today=TODAY, cache=False).diagnostics]
    monkeypatch.setenv("ITSCM_WORKERS", "1")
    serial = [str(d) for d in lint(tmp_path, today=TODAY, cache=False).diagnostics]
    assert split == serial
    assert {d.split()[2] for d in serial} >= {"G001", "G101", "R001", "C001"}  # both halves had work to do


def test_output_printed_before_the_split_appears_once(tmp_path: Path) -> None:
    """A forked worker flushes the stdout buffer it inherits: nothing may be printed twice."""
    import subprocess

    generate(tmp_path, services=10, seed=1)
    script = (
        "import sys, datetime; from pathlib import Path\n"
        "from itscm_compiler import engine; from itscm_compiler.pipeline import lint\n"
        "engine.PARALLEL_FROM = 1\n"
        "print('before the checks')\n"
        f"lint(Path({str(tmp_path)!r}), today=datetime.date(2026, 11, 24), cache=False)\n"
    )
    env = dict(os.environ, ITSCM_WORKERS="2", ITSCM_NO_CACHE="1")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.count("before the checks") == 1
