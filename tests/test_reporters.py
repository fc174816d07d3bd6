"""Reporters compared to exact output; SARIF validated against the official 2.1.0 schema."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from itscm_compiler import __version__
from itscm_compiler.diagnostics import Diagnostic, Location, Related, Severity
from itscm_compiler.fingerprints import fingerprint
from itscm_compiler.reporters import Report, render
from itscm_compiler.reporters.github import escape_data, escape_property

from .conftest import SHARED, run_itscm, write_tree

SARIF_SCHEMA = SHARED / "sarif-schema-2.1.0.json"

DANGLING = Diagnostic(
    "R001",
    "dangling-reference",
    Severity.ERROR,
    Location("plans/db, main.yaml", 7, 5),
    "owner names 'paymnts': did you mean 'payments'?\n100% sure",
    (Related(Location("services/payments.yaml", 3, 5), "payments: defined here"),),
)
UNUSED = Diagnostic("R103", "unused-category", Severity.WARNING, Location("risks/cat.yaml", 4, 5), "unused")
NOTE = Diagnostic("R102", "person-in-no-team", Severity.INFO, Location("plans/people.yaml", 1, 1), "no team")
REPORT = Report((DANGLING, UNUSED, NOTE), files=3, waived=2, prefix="continuity/")


def sarif_schema() -> dict[str, Any]:
    if not SARIF_SCHEMA.is_file():
        pytest.fail(
            f"the official SARIF 2.1.0 schema is missing at {SARIF_SCHEMA}: the tests need "
            "../shared/testdata/sarif-schema-2.1.0.json beside the project checkout"
        )
    schema: dict[str, Any] = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return schema


def validate_sarif(log: dict[str, Any]) -> None:
    import jsonschema

    validator = jsonschema.Draft4Validator(sarif_schema())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_text_exact() -> None:
    assert render("text", REPORT) == (
        # One diagnostic, one line: the newline inside the message is written as an escape.
        "plans/db, main.yaml:7:5: error R001 owner names 'paymnts': did you mean 'payments'?\\n100% sure\n"
        "    services/payments.yaml:3:5: payments: defined here\n"
        "risks/cat.yaml:4:5: warning R103 unused\n"
        "plans/people.yaml:1:1: info R102 no team\n"
        "1 error, 1 warning, 1 info in 3 files checked (2 waived)\n"
    )


def test_text_lines_are_what_each_diagnostic_prints() -> None:
    """The text reporter writes its lines out for speed; they must stay ``str(diagnostic)`` and its related places."""
    from itscm_compiler.reporters.text import render as render_text

    many = [DANGLING, UNUSED, NOTE] * 3 + [
        Diagnostic("T050", "x", severity, Location(f"ü dir/{i}.yaml", i, i + 1), f"m{i}", (DANGLING.related * i))
        for i, severity in enumerate(Severity)
    ]
    expected = []
    for d in many:
        expected.append(str(d).replace("\n", "\\n"))  # a newline in a message is written as its escape
        expected.extend(f"    {r.location}: {r.message}" for r in d.related)
    assert render_text(many, 9) == "\n".join(expected) + "\n4 errors, 4 warnings, 4 infos in 9 files checked\n"
    bare = render_text(many, 1, show_related=False)
    assert bare == "\n".join(str(d).replace("\n", "\\n") for d in many) + "\n4 errors, 4 warnings, 4 infos in 1 file checked\n"


def test_pr_mode_summary_in_every_format() -> None:
    pr = Report((UNUSED,), files=2, since="origin/main", left_out=1)
    tail = "0 errors, 1 warning, 0 infos in 2 files checked; 1 existing finding left out (already present at origin/main)\n"
    assert render("text", pr).endswith("\n" + tail)
    assert render("github", pr).endswith("\n" + tail)
    summary = json.loads(render("json", pr))["summary"]
    assert (summary["since"], summary["left_out"], summary["waived"]) == ("origin/main", 1, 0)


def test_github_exact() -> None:
    assert render("github", REPORT) == (
        "::error file=continuity/plans/db%2C main.yaml,line=7,col=5,title=R001::"
        "owner names 'paymnts': did you mean 'payments'?%0A100%25 sure [dangling-reference]"
        "%0Acontinuity/services/payments.yaml:3:5: payments: defined here\n"
        "::warning file=continuity/risks/cat.yaml,line=4,col=5,title=R103::unused [unused-category]\n"
        "::notice file=continuity/plans/people.yaml,line=1,col=1,title=R102::no team [person-in-no-team]\n"
        "1 error, 1 warning, 1 info in 3 files checked (2 waived)\n"
    )


def test_github_repository_wide_diagnostic_has_no_file() -> None:
    whole = Diagnostic("F011", "no-git", Severity.INFO, Location("."), "not inside a Git repository")
    assert render("github", Report((whole,), files=1)).splitlines()[0] == (
        "::notice title=F011::not inside a Git repository [no-git]"
    )


def test_github_escaping() -> None:
    assert escape_data("a%b\r\nc: d, e") == "a%25b%0D%0Ac: d, e"
    assert escape_property("a%b\r\nc: d, e") == "a%25b%0D%0Ac%3A d%2C e"
    # Escaping % first: an already escaped-looking text is escaped again, never decoded.
    assert escape_data("%0A") == "%250A"


def test_json_exact() -> None:
    expected = {
        "version": 1,
        "tool": {"name": "itscm", "version": __version__},
        "diagnostics": [
            {
                "code": "R001",
                "name": "dangling-reference",
                "severity": "error",
                "path": "plans/db, main.yaml",
                "line": 7,
                "column": 5,
                "message": "owner names 'paymnts': did you mean 'payments'?\n100% sure",
                "related": [
                    {"path": "services/payments.yaml", "line": 3, "column": 5, "message": "payments: defined here"}
                ],
                "fingerprint": fingerprint(DANGLING),
            },
            {
                "code": "R103",
                "name": "unused-category",
                "severity": "warning",
                "path": "risks/cat.yaml",
                "line": 4,
                "column": 5,
                "message": "unused",
                "related": [],
                "fingerprint": fingerprint(UNUSED),
            },
            {
                "code": "R102",
                "name": "person-in-no-team",
                "severity": "info",
                "path": "plans/people.yaml",
                "line": 1,
                "column": 1,
                "message": "no team",
                "related": [],
                "fingerprint": fingerprint(NOTE),
            },
        ],
        "summary": {"errors": 1, "warnings": 1, "infos": 1, "files": 3, "waived": 2, "notes": []},
    }
    text = render("json", REPORT)
    assert json.loads(text) == expected
    assert text.isascii() and text.endswith("}\n")
    lines = text.splitlines()
    # the outer levels indented, then one diagnostic per line (grep and diff friendly)
    assert lines[:5] == ["{", '  "version": 1,', '  "tool": {', '    "name": "itscm",', f'    "version": "{__version__}"']
    assert [json.loads(line.rstrip(",")) for line in lines if line.startswith('    {"code"')] == expected["diagnostics"]
    assert '"message": "owner names \'paymnts\': did you mean \'payments\'?\\n100% sure"' in text  # escaped, one line


def test_json_text_layout_keeps_every_value() -> None:
    from itscm_compiler.reporters.jsontext import dumps

    value = {"a": [], "b": {}, "c": [1, {"d": [2, 3]}], "e": "\u00e9\n", "f": None}
    for expand in range(5):
        assert json.loads(dumps(value, expand)) == value
    assert dumps(value, 0).count("\n") == 0 and dumps(value, 1).count("\n") == 6


def test_sarif_results_exact_and_valid() -> None:
    log = json.loads(render("sarif", REPORT))
    validate_sarif(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == (
        "itscm",
        __version__,
        "https://pypi.org/project/itscm-compiler/",
    )
    rules = driver["rules"]
    index = {r["id"]: n for n, r in enumerate(rules)}
    assert run["results"][0] == {
        "ruleId": "R001",
        "ruleIndex": index["R001"],
        "level": "error",
        "message": {"text": "owner names 'paymnts': did you mean 'payments'?\n100% sure"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "continuity/plans/db%2C%20main.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 7, "startColumn": 5},
                }
            }
        ],
        "relatedLocations": [
            {
                "id": 1,
                "physicalLocation": {
                    "artifactLocation": {"uri": "continuity/services/payments.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 3, "startColumn": 5},
                },
                "message": {"text": "payments: defined here"},
            }
        ],
        "partialFingerprints": {"itscm/v1": fingerprint(DANGLING)},
    }
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note"]
    assert "relatedLocations" not in run["results"][1]
    r001 = rules[index["R001"]]
    assert r001["name"] == "dangling-reference"
    assert r001["defaultConfiguration"] == {"level": "error"}
    assert r001["shortDescription"]["text"] == "A reference names an id that no document has."
    assert "Fix:" in r001["help"]["text"] and r001["fullDescription"]["text"] in r001["help"]["text"]
    assert {"W001", "W002", "W003", "X001"} <= set(index)


def test_sarif_rule_turned_off_is_disabled() -> None:
    log = json.loads(render("sarif", Report((), files=0, severities={"R103": None, "R001": Severity.WARNING})))
    validate_sarif(log)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["R103"]["defaultConfiguration"] == {"level": "none", "enabled": False}
    assert rules["R001"]["defaultConfiguration"] == {"level": "warning"}


def test_invalid_sarif_is_caught_by_the_schema() -> None:
    """The schema check is real: a result without a message fails it."""
    log = json.loads(render("sarif", REPORT))
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(AssertionError):
        validate_sarif(log)


BROKEN_TEAM = """\
apiVersion: itscm/v1
kind: Team
id: ops
members:
  - ghost
  - ok   # itscm: waive R001 until 2099-01-01 -- joins next year
"""


def _git_repo(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def test_cli_sarif_paths_are_relative_to_the_git_repository(tmp_path: Path) -> None:
    _git_repo(tmp_path)
    write_tree(tmp_path, {"continuity/plans/teams.yaml": BROKEN_TEAM})
    done = run_itscm("lint", "--format", "sarif", "--root", "continuity", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    validate_sarif(log)
    (only,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "R001"]
    location = only["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "continuity/plans/teams.yaml"
    assert location["region"] == {"startLine": 5, "startColumn": 5}


def test_cli_github_and_json(tmp_path: Path) -> None:
    _git_repo(tmp_path)
    write_tree(tmp_path, {"continuity/plans/teams.yaml": BROKEN_TEAM})
    done = run_itscm("lint", "--format", "github", "--root", "continuity", cwd=tmp_path)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and errors[0].startswith("::error file=continuity/plans/teams.yaml,line=5,col=5,title=R001::")
    done = run_itscm("lint", "--format", "json", "--root", "continuity", cwd=tmp_path)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    errors = [(d["code"], d["path"], d["line"]) for d in data["diagnostics"] if d["severity"] == "error"]
    assert errors == [("R001", "plans/teams.yaml", 5)]
    assert data["summary"]["waived"] == 1


def test_cli_clean_sarif_outside_git(tmp_path: Path) -> None:
    write_tree(tmp_path, {"plans/p.yaml": "apiVersion: itscm/v1\nkind: Person\nid: ann\nname: Ann\n"})
    done = run_itscm("lint", "--format", "sarif", "--root", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    log = json.loads(done.stdout)
    validate_sarif(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("R102", "warning")]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "plans/p.yaml"


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    done = run_itscm("lint", "--format", "xml", "--root", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert "xml" in done.stderr


def test_cli_sarif_of_the_example_estate_is_valid() -> None:
    done = run_itscm("lint", "--format", "sarif")
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    validate_sarif(log)
    results = log["runs"][0]["results"]
    assert results, "the example estate has warnings to report"
    fingerprints = [r["partialFingerprints"]["itscm/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)  # code scanning keeps one alert per finding
    assert all(not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("/") for r in results)
