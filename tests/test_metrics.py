"""``itscm metrics`` and the figures behind the dashboard, on a small known estate."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from itscm_compiler import metrics
from itscm_compiler.pipeline import lint

from .conftest import run_itscm

ESTATE = Path(__file__).parent / "data" / "site-estate"


def test_figures_of_the_fixture_estate() -> None:
    result = lint(ESTATE, today=dt.date(2026, 11, 24))
    figures = metrics.compute(result.estate, result.diagnostics)
    assert figures.services_in_scope == 3
    assert (figures.plan_coverage.part, figures.plan_coverage.whole) == (2, 3)
    assert figures.uncovered_services == ["recommendations"]
    assert (figures.plan_currency.part, figures.plan_currency.whole) == (1, 1)
    assert (figures.exercise_completion.part, figures.exercise_completion.whole) == (1, 1)
    # orders-api recovered in 1h30m, web-shop in 1h45m: both within their RTO of 2h
    assert [(r.service, r.met) for r in figures.rto_results] == [("orders-api", True), ("web-shop", True)]
    assert figures.rto_achievement.percent == 100.0
    assert (figures.open_findings, figures.overdue_findings) == (1, 0)
    assert figures.heat_map[2][3] == 1 and sum(map(sum, figures.heat_map)) == 1
    assert figures.residual_heat_map[1][2] == 1


def test_time_makes_reviews_and_exercises_overdue() -> None:
    # Tier 1 asks for a review and an exercise every 26 weeks.
    result = lint(ESTATE, today=dt.date(2027, 6, 1))
    figures = metrics.compute(result.estate)
    kinds = {(o.kind, o.id) for o in figures.overdue_reviews}
    assert ("plan-review", "orders-recovery") in kinds
    assert ("bia-review", "bia-web-shop") in kinds
    assert ("risk-review", "orders-db-single-site") in kinds
    assert [(o.kind, o.id) for o in figures.overdue_exercises] == [("exercise", "orders-recovery")]
    assert figures.plan_currency.part == 0 and figures.exercise_completion.part == 0
    assert [(o.kind, o.id) for o in figures.overdue_finding_list] == [("finding", "ex-2026-09-orders")]
    late = next(o for o in figures.overdue_reviews if o.id == "orders-recovery")
    assert late.due == dt.date(2026, 12, 30) and late.days_late == 153


def test_cli_json_and_text(tmp_path: Path) -> None:
    done = run_itscm("metrics", "--root", str(ESTATE), "--today", "2026-11-24", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["plan_coverage"] == {"part": 2, "whole": 3, "percent": 66.7}
    assert data["rto_achievement"]["percent"] == 100.0
    assert data["open_findings"] == 1 and data["overdue_findings_list"] == []
    assert data["risk_heat_map"][2][3] == 1
    text = run_itscm("metrics", "--root", str(ESTATE), "--today", "2026-11-24")
    assert text.returncode == 0
    assert "Plan coverage        2/3 (66.7%)" in text.stdout


def test_empty_repository_has_no_division_by_zero(tmp_path: Path) -> None:
    done = run_itscm("metrics", "--root", str(tmp_path), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plan_coverage"]["percent"] is None


def test_bad_configuration_exits_2(tmp_path: Path) -> None:
    shutil.copytree(ESTATE, tmp_path / "r")
    (tmp_path / "r" / ".itscm.yaml").write_text("nonsense: 1\n")
    done = run_itscm("metrics", "--root", str(tmp_path / "r"))
    assert done.returncode == 2 and "unknown setting" in done.stderr
