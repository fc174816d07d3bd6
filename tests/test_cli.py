"""The CLI as users run it: exit codes, rule documentation, configuration, schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from itscm_compiler.rules import RULES

from .conftest import run_itscm, write_tree

SITE = "apiVersion: itscm/v1\nkind: Site\nid: dc-1\ntype: data-centre\n"
DANGLING = "apiVersion: itscm/v1\nkind: Site\nid: dc-2\ntype: zone\nparent: dc-x\n"


def test_clean_repository_exits_0(repo: Path) -> None:
    write_tree(repo, {"sites.yaml": SITE})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().endswith("0 errors, 0 warnings, 0 infos in 1 file checked")


def test_errors_exit_1_with_sorted_lines_and_summary(repo: Path) -> None:
    write_tree(repo, {"b.yaml": DANGLING, "a.yaml": DANGLING.replace("dc-2", "dc-3").replace("dc-x", "dc-y")})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("a.yaml:5:9: error R001 ")
    assert lines[1].startswith("b.yaml:5:9: error R001 ")
    assert lines[-1] == "2 errors, 0 warnings, 0 infos in 2 files checked"


def test_paths_limit_what_is_reported_not_what_is_loaded(repo: Path) -> None:
    write_tree(
        repo,
        {
            "sites/a.yaml": SITE,
            "sites/b.yaml": DANGLING.replace("dc-x", "dc-1"),
            "other/c.yaml": DANGLING.replace("dc-2", "dc-3"),
        },
    )
    proc = run_itscm("lint", "--root", str(repo), str(repo / "sites"))
    assert proc.returncode == 0, proc.stdout  # dc-1 resolves although only sites/ is reported
    proc = run_itscm("lint", "--root", str(repo), str(repo / "other"))
    assert proc.returncode == 1 and proc.stdout.startswith("other/c.yaml:5:9: error R001")


def test_usage_error_exits_2() -> None:
    proc = run_itscm("lint", "--format", "nonsense")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_bad_today_exits_2(repo: Path) -> None:
    proc = run_itscm("lint", "--root", str(repo), "--today", "tomorrow")
    assert proc.returncode == 2 and "not a date" in proc.stderr


def test_severity_override_and_off(repo: Path) -> None:
    write_tree(repo, {"b.yaml": DANGLING, ".itscm.yaml": "rules:\n  R001: warning\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 0 and ": warning R001 " in proc.stdout
    write_tree(repo, {".itscm.yaml": "rules:\n  R001: off\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 0 and "R001" not in proc.stdout


def test_broken_configuration_exits_2_with_position(repo: Path) -> None:
    write_tree(repo, {"a.yaml": SITE, ".itscm.yaml": "rules:\n  R001: loud\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 2
    assert proc.stderr.startswith(".itscm.yaml:2:9: error ")
    write_tree(repo, {".itscm.yaml": "rool: 1\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 2 and "unknown setting 'rool'" in proc.stderr


def test_every_configuration_mistake_is_reported_in_one_run(repo: Path) -> None:
    config = "rool: 1\nroots: [services, ../x]\nrules:\n  R001: loud\n  R002: off\n  G101: sometimes\nmax_file_size: huge\n"
    write_tree(repo, {"a.yaml": SITE, ".itscm.yaml": config})
    for command in (("lint",), ("metrics",), ("graph",)):
        proc = run_itscm(*command, "--root", str(repo))
        assert proc.returncode == 2, proc.stdout
        places = [line.split(" error ")[0] for line in proc.stderr.splitlines()]
        assert places == [
            ".itscm.yaml:1:1:",
            ".itscm.yaml:2:19:",
            ".itscm.yaml:4:9:",
            ".itscm.yaml:6:9:",
            ".itscm.yaml:7:16:",
        ], proc.stderr
    write_tree(repo, {".itscm.yaml": "rules: [R001]\nexclude: 3\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 2
    assert [line.split(" error ")[0] for line in proc.stderr.splitlines()] == [".itscm.yaml:1:8:", ".itscm.yaml:2:10:"]


@pytest.mark.parametrize(
    "roots", ["[../..]", "[/etc]", "[services, ../elsewhere]", "[a/../../b]", "['C:/data']"]
)
def test_roots_outside_the_repository_are_refused(repo: Path, roots: str) -> None:
    write_tree(repo, {"services/a.yaml": SITE, ".itscm.yaml": f"roots: {roots}\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 2, proc.stdout
    assert "is outside the repository" in proc.stderr and proc.stderr.startswith(".itscm.yaml:1:"), proc.stderr
    assert "files checked" not in proc.stdout  # nothing was read


def test_roots_that_stay_inside_are_accepted(repo: Path) -> None:
    files = {"services/a.yaml": SITE, "services/x/README.md": "", ".itscm.yaml": "roots: [./services/../services, services/x/..]\n"}
    write_tree(repo, files)
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 0, proc.stderr
    assert "in 1 file checked" in proc.stdout


def test_a_rule_code_no_rule_has_is_reported_where_it_is_written(repo: Path) -> None:
    config = "rules:\n  R001: warning\n  r002: off\n  ZZZ9: off\n  R00l: info\n"
    write_tree(repo, {"b.yaml": DANGLING, ".itscm.yaml": config})
    for _ in range(2):  # the second run is answered by the stored result: the same lines
        proc = run_itscm("lint", "--root", str(repo))
        assert proc.returncode == 1, proc.stdout
        lines = [line for line in proc.stdout.splitlines() if " Y010 " in line]
        assert lines == [
            ".itscm.yaml:3:3: error Y010 no rule has the code 'r002': codes are upper case: write 'R002'",
            ".itscm.yaml:4:3: error Y010 no rule has the code 'ZZZ9': `itscm rules` lists the codes",
            ".itscm.yaml:5:3: error Y010 no rule has the code 'R00l': did you mean 'R002'?",
        ], proc.stdout
        assert ": warning R001 " in proc.stdout  # the valid entry still applies
    write_tree(repo, {".itscm.yaml": "rules:\n  R001: warning\n  Y010: off\n  ZZZ9: off\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 0 and "Y010" not in proc.stdout, proc.stdout


def test_rules_lists_every_code() -> None:
    proc = run_itscm("rules")
    assert proc.returncode == 0
    codes = [line.split()[0] for line in proc.stdout.splitlines()]
    assert codes == [rule.code for rule in RULES]


def test_explain_prints_the_docstring() -> None:
    proc = run_itscm("explain", "R001")
    assert proc.returncode == 0
    assert proc.stdout.startswith("R001 dangling-reference (error, references)")
    assert "suggests the closest existing id" in proc.stdout
    assert run_itscm("explain", "dangling-reference").stdout == proc.stdout
    missing = run_itscm("explain", "Z999")
    assert missing.returncode == 2 and "no rule" in missing.stderr


def test_every_rule_is_documented() -> None:
    for rule in RULES:
        assert len(rule.doc.split()) >= 12, f"{rule.code} needs documentation: what, why, the fix"


def test_schema_check_detects_drift(tmp_path: Path) -> None:
    target = tmp_path / "schema"
    assert run_itscm("schema", "--dir", str(target)).returncode == 0
    assert run_itscm("schema", "--check", "--dir", str(target)).returncode == 0
    service = target / "service.schema.json"
    data = json.loads(service.read_text())
    assert "depends_on" in data["properties"] and "owner" in data["required"]
    service.write_text("{}\n")
    proc = run_itscm("schema", "--check", "--dir", str(target))
    assert proc.returncode == 1 and "service.schema.json" in proc.stdout


def test_committed_schemas_are_current() -> None:
    proc = run_itscm("schema", "--check")
    assert proc.returncode == 0, proc.stdout


def test_help_and_version() -> None:
    proc = run_itscm("--help")
    assert proc.returncode == 0 and "lint" in proc.stdout
    probe = run_itscm("--version")
    assert probe.returncode == 0 and probe.stdout.startswith("itscm, version ")


def test_the_command_turns_pydantic_plugins_off_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    # Looking them up costs 10 to 20 ms of every pre-commit run; an explicit
    # setting (even empty, which turns plugins on) is respected.
    import os

    from itscm_compiler.cli import main

    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")
    with pytest.raises(SystemExit):
        main(["--version"])
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == ""


def test_an_empty_since_ref_is_a_usage_error(repo: Path) -> None:
    # `--since "$BASE_REF"` with the variable unset would otherwise lint everything and fail on old findings.
    write_tree(repo, {"a.yaml": SITE})
    proc = run_itscm("lint", "--root", str(repo), "--since", "")
    assert proc.returncode == 2 and "'--since': is empty" in proc.stderr, proc.stderr


def test_a_path_outside_the_repository_is_named_not_silently_clean(repo: Path, tmp_path: Path) -> None:
    # Another checkout, or a wrong --root: nothing in it would be reported.
    write_tree(repo, {"services/b.yaml": DANGLING})
    other = tmp_path / "other-checkout"
    write_tree(other, {"services/b.yaml": DANGLING})
    proc = run_itscm("lint", "--root", str(repo), str(other / "services"))
    assert proc.returncode == 0 and "0 errors" in proc.stdout  # PATHS limit what is reported
    assert f"itscm lint: {other / 'services'}: outside the repository at {repo.resolve()} (see --root)" in proc.stderr
    proc = run_itscm("fmt", "--check", "--root", str(repo), str(other / "services" / "b.yaml"))
    assert proc.returncode == 0 and f"{other / 'services' / 'b.yaml'}: outside the repository" in proc.stderr
    # A path written relative to the repository, from another folder, is inside it: no warning, and reported.
    proc = run_itscm("lint", "--root", str(repo), "services/b.yaml", cwd=tmp_path)
    assert proc.stderr == "" and "services/b.yaml:" in proc.stdout, proc.stdout + proc.stderr


def test_a_path_that_does_not_exist_is_named_not_silently_clean(repo: Path) -> None:
    write_tree(repo, {"services/a.yaml": SITE, "services/b.yaml": DANGLING})
    proc = run_itscm("lint", "--root", str(repo), str(repo / "servces"), str(repo / "services" / "b.yaml"))
    assert proc.returncode == 1  # b.yaml's error is still reported
    assert f"itscm lint: {repo / 'servces'}: no such file or folder" in proc.stderr, proc.stderr
    assert "b.yaml" not in proc.stderr
    proc = run_itscm("fmt", "--check", "--root", str(repo), str(repo / "nope.yaml"))
    assert proc.returncode == 0 and f"itscm fmt: {repo / 'nope.yaml'}: no such file or folder" in proc.stderr


def test_a_folder_that_cannot_be_written_is_a_clear_error_not_an_internal_one(repo: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    init = run_itscm("init", str(blocker / "repo"))
    assert init.returncode == 2
    assert init.stderr.strip() == f"itscm: {blocker / 'repo'}: Not a directory", init.stderr
    write_tree(repo, {"a.yaml": SITE})
    build = run_itscm("build", "--root", str(repo), "--out", str(blocker / "site"))
    assert build.returncode == 2
    assert f"cannot write the site to {blocker / 'site'}: {blocker} is a file, not a folder" in build.stderr, build.stderr
    assert "internal error" not in init.stderr + build.stderr


def test_empty_roots_check_nothing_and_are_refused(repo: Path) -> None:
    # `roots: []` checked 0 files and exited 0: a gate that passes everything.
    write_tree(repo, {"services/a.yaml": SITE, ".itscm.yaml": "roots: []\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 2
    assert proc.stderr.startswith(".itscm.yaml:1:8: error roots lists no folder"), proc.stderr


def test_a_missing_root_found_later_is_not_answered_from_the_result_cache(repo: Path, tmp_path: Path) -> None:
    # Whether a root exists is an input of the result: a stored Y012 must not
    # outlive the folder being created, nor a clean result its removal.
    write_tree(repo, {"services/a.yaml": SITE, ".itscm.yaml": "roots: [services, plans]\n"})
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    first = run_itscm("lint", "--root", str(repo), env=env)
    assert first.returncode == 1 and ".itscm.yaml:1:19: error Y012 root 'plans' does not exist" in first.stdout
    (repo / "plans").mkdir()
    second = run_itscm("lint", "--root", str(repo), env=env)
    assert second.returncode == 0 and "Y012" not in second.stdout, second.stdout
    (repo / "plans").rmdir()
    assert "Y012" in run_itscm("lint", "--root", str(repo), env=env).stdout


def test_a_setting_written_twice_is_a_configuration_error(repo: Path) -> None:
    # A YAML mapping keeps one of two equal keys: `roots` twice read one list
    # and dropped the other in silence.
    write_tree(repo, {"services/a.yaml": SITE, ".itscm.yaml": "roots: [services]\nroots: [plans]\nrules:\n  R001: off\n  R001: error\n"})
    proc = run_itscm("lint", "--root", str(repo))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        ".itscm.yaml:2:1: error duplicate key 'roots' (first at line 1): remove one of them",
        ".itscm.yaml:5:3: error duplicate key 'R001' (first at line 4): remove one of them",
    ], proc.stderr
