"""Waiver scanning is a pure function of the text; applying matches code and line."""

from __future__ import annotations

import datetime as dt

from itscm_compiler.diagnostics import Diagnostic, Location, Severity
from itscm_compiler.waivers import Waiver, apply, comment_start, scan

TODAY = dt.date(2026, 11, 24)


def test_scan_trailing_standalone_and_stacked() -> None:
    text = (
        "a: 1  # itscm: waive G101 until 2027-03-31 -- single DB accepted\n"
        "# itscm: waive T001, T002 until 2027-01-01 -- two codes\n"
        "# an ordinary comment\n"
        "b: 2\n"
    )
    first, second = scan(text)
    assert first == Waiver(1, 7, 1, ("G101",), dt.date(2027, 3, 31), "single DB accepted")
    assert (second.line, second.column, second.target, second.codes) == (2, 1, 4, ("T001", "T002"))
    assert scan(text) == scan(text)  # pure: same text, same waivers (cacheable)


def test_scan_ignores_text_that_only_looks_like_a_waiver() -> None:
    assert scan("name: 'x # itscm: waive G101 until 2027-01-01 -- no'\n") == ()
    assert scan('name: "x # itscm: waive G101"\n') == ()
    assert scan("url: http://h/#itscm:waive\n") == ()
    assert scan("apiVersion: itscm/v1\n") == ()


def test_scan_crlf_and_malformed() -> None:
    (waiver,) = scan("a: 1 # itscm: waive G101 until 2027-13-01 -- bad month\r\n")
    assert "not a date" in waiver.problem
    (waiver,) = scan("a: 1 # itscm: waive G101 until 2027-01-01 --   \r\n")
    assert "reason" in waiver.problem


def test_comment_start_respects_quotes() -> None:
    assert comment_start("a: 'it''s # no' # yes") == 16
    assert comment_start('a: "x \\" # no" # yes') == 15
    assert comment_start("a: b#c") == -1


def _diagnostic(code: str, line: int) -> Diagnostic:
    return Diagnostic(code, "name", Severity.ERROR, Location("f.yaml", line, 3), "msg")


def test_apply_matches_code_and_line_only() -> None:
    waivers = {"f.yaml": scan("a: 1  # itscm: waive R001 until 2027-01-01 -- accepted\n")}
    other_line, other_code, hit = _diagnostic("R001", 2), _diagnostic("R002", 1), _diagnostic("R001", 1)
    applied = apply([other_line, other_code, hit], waivers, TODAY, ["R001", "R002"])
    assert applied.kept == [other_line, other_code]
    assert applied.waived == [hit]
    assert applied.findings == []


def test_apply_expired_reports_again_and_lints_the_waiver() -> None:
    waivers = {"f.yaml": scan("a: 1  # itscm: waive R001 until 2026-11-23 -- accepted\n")}
    hit = _diagnostic("R001", 1)
    applied = apply([hit], waivers, TODAY, ["R001"])
    assert applied.kept == [hit]
    assert [(f.code, str(f.location)) for f in applied.findings] == [("W001", "f.yaml:1:7")]
    # Valid through its own date.
    assert apply([hit], waivers, dt.date(2026, 11, 23), ["R001"]).kept == []


def test_waivers_survive_the_load_cache_and_expire_by_today(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .conftest import run_itscm, write_tree

    write_tree(
        tmp_path,
        {
            "plans/teams.yaml": (
                "apiVersion: itscm/v1\nkind: Team\nid: ops\nmembers:\n"
                "  - ghost  # itscm: waive R001 until 2026-12-31 -- contractor joins in January\n"
            )
        },
    )
    runs = [run_itscm("lint", "--root", str(tmp_path), "--today", "2026-11-24") for _ in range(2)]
    assert (tmp_path / ".itscm-cache").is_dir()  # the second run read the cache
    for done in runs:
        assert " R001 " not in done.stdout and " W00" not in done.stdout, done.stdout
        assert "(1 waived)" in done.stdout
    expired = run_itscm("lint", "--root", str(tmp_path), "--today", "2027-01-01")
    assert expired.returncode == 1
    assert "plans/teams.yaml:5:12: error W001" in expired.stdout
    assert "plans/teams.yaml:5:5: error R001" in expired.stdout
