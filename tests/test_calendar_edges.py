"""Dates at the ends of the calendar and cadences beyond it: findings, never a crashed check."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

FOLDERS = ("services", "plans", "threats", "risks")


def _example(tmp_path: Path, year: str | None = None, interval: str | None = None) -> Path:
    root = tmp_path / "repo"
    for name in FOLDERS:
        shutil.copytree(ROOT / name, root / name)
    for path in root.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if year:
            text = re.sub(r"\b20\d\d-(\d\d)-(\d\d)\b", rf"{year}-\1-\2", text)
        if year == "0001":  # the first day there is: history is read from a day before the oldest review
            text = re.sub(r"(last_reviewed: )\S+", r"\g<1>0001-01-01", text)
        if interval:
            text = re.sub(r"(_interval: )\S+", rf"\g<1>{interval}", text)
        path.write_text(text, encoding="utf-8")
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1")
    return subprocess.run([sys.executable, "-m", "itscm_compiler", *args, "--root", str(root)],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize(
    ("year", "interval", "today"),
    [("9999", None, "9999-12-31"), (None, "999999999999w", "2026-11-24"), ("0001", None, "0001-01-01")],
    ids=["reviews-in-9999", "a-cadence-past-the-calendar", "reviews-in-year-1"],
)
def test_no_check_crashes_at_the_ends_of_the_calendar(year: str | None, interval: str | None, today: str, tmp_path: Path) -> None:
    # A review on 9999-06-01 every 52 weeks is due after the calendar ends:
    # five freshness rules crashed (X001, OverflowError) and so did metrics.
    root = _example(tmp_path, year, interval)
    if year == "0001":  # history is read from the oldest review date on, a day early
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run([*git, "init", "-q"], cwd=root, check=True)
        subprocess.run([*git, "add", "-A"], cwd=root, check=True)
        subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    lint = _run(root, "lint", "--today", today, "--format", "json")
    assert lint.returncode in (0, 1), lint.stderr
    codes = {d["code"] for d in json.loads(lint.stdout)["diagnostics"]}
    assert "X001" not in codes, lint.stdout
    metrics = _run(root, "metrics", "--today", today, "--format", "json")
    assert metrics.returncode == 0 and "Traceback" not in metrics.stderr, metrics.stderr
    json.loads(metrics.stdout)


def test_a_cadence_past_the_calendar_is_never_overdue(tmp_path: Path) -> None:
    root = _example(tmp_path, interval="999999999999w")
    lint = _run(root, "lint", "--today", "2026-11-24", "--format", "json")
    codes = {d["code"] for d in json.loads(lint.stdout)["diagnostics"]}
    assert not codes & {"F001", "F003", "F005", "F008"}, codes
