"""The lint benchmark runs end to end on a small estate and prints every figure the scale issue asks for."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_lint_benchmark_prints_its_table_ratios_and_targets(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "lint_bench.py"), "--sizes", "40", "--runs", "1", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    rows = {}
    for line in out.splitlines():
        found = re.match(r"\s+40 (cold|warm|one prose edit|one value edit|\(a\) ruamel round-trip|\(b\) check-jsonschema)\s+"
                         r"([\d.]+) s\s+([\d.]+) s\s+(\d+) MB\s*([\d.]*)\s*([\d.]*)$", line)
        if found:
            rows[found.group(1)] = found.groups()[1:]
    measures = ("cold", "warm", "one prose edit", "one value edit")
    assert set(rows) == {*measures, "(a) ruamel round-trip", "(b) check-jsonschema"}, out
    for name in measures:
        wall, cpu, peak, vs_a, vs_b = rows[name]
        assert float(wall) > 0 and float(cpu) > 0 and int(peak) > 10
        # the printed ratios are the measures divided by the baselines of the same run
        assert _from_rounded(vs_a, wall, rows["(a) ruamel round-trip"][0])
        assert _from_rounded(vs_b, wall, rows["(b) check-jsonschema"][0])
    for name in ("warm", "one prose edit", "one value edit"):
        assert re.search(rf"example\s+{name}\s+[\d.]+ s\s+[\d.]+ s\s+\d+ MB", out), out
    for edit in ("prose", "value"):
        assert re.search(rf"(met|MISSED)\s+example, one file changed \({edit} edit, pre-commit\) under 0.3 s", out), out


def _from_rounded(ratio: str, wall: str, baseline: str) -> bool:
    """Whether ``ratio`` can be ``wall / baseline`` given that all three are printed rounded.

    Seconds carry two decimals and ratios three, so each printed figure is
    within half a unit of its last digit of the true one. A fixed relative
    tolerance was wrong for short runs: a warm run of 0.09 s is already 5%
    off from rounding alone.
    """
    w, b, r = float(wall), float(baseline), float(ratio)
    low = (w - 0.005) / (b + 0.005) - 0.0005
    high = (w + 0.005) / (b - 0.005) + 0.0005
    return low <= r <= high
