"""``itscm init`` and ``itscm new``: through the real CLI, on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from ruamel.yaml import YAML

from itscm_compiler import schemas
from itscm_compiler.models import KINDS
from itscm_compiler.newdoc import FOLDERS, new_document
from itscm_compiler.pipeline import lint

from .conftest import ROOT, run_itscm

HOOK_IDS = {"itscm-lint", "itscm-schema", "itscm-fmt"}


def _validator(schema_dir: Path, name: str) -> Draft202012Validator:
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in schema_dir.glob("*.schema.json")}
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return Draft202012Validator(schemas[name], registry=registry)


def _schema_line_problems(path: Path) -> list[str]:
    """Validate every document of ``path`` against the schema its first line names."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), f"{path}: no schema line"
    schema_file = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert schema_file.is_file(), f"{path}: schema line points at {schema_file}, which does not exist"
    validator = _validator(schema_file.parent, schema_file.name)
    problems = []
    for doc in YAML(typ="safe").load_all(path.read_text(encoding="utf-8")):
        # The schemas describe the YAML text, where dates are strings.
        doc = json.loads(json.dumps(doc, default=str))
        problems += [f"{path}: {e.json_path}: {e.message}" for e in validator.iter_errors(doc)]
    return problems


def _commit_all(path: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "itscm init"], check=True)


def test_init_scaffolds_a_repository_that_lints_clean(tmp_path: Path) -> None:
    target = tmp_path / "acme-continuity"
    result = run_itscm("init", str(target))
    assert result.returncode == 0, result.stderr
    for rel in (
        ".itscm.yaml",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/continuity.yml",
        "mkdocs.yml",
        "README.md",
        "plans/policy.yaml",
        "plans/scope.yaml",
        "services/example-app.yaml",
        "plans/bias/example-app.yaml",
        "plans/example-app-recovery.yaml",
        "plans/teams/example-team.yaml",
        "schema/service.schema.json",
    ):
        assert (target / rel).is_file(), rel
    # The way a team starts: a Git repository with the scaffold committed (the
    # freshness checks read Git history).
    _commit_all(target)
    lint = run_itscm("lint", cwd=target)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert lint.stdout.strip().splitlines()[-1].startswith("0 errors, 0 warnings, "), lint.stdout
    assert run_itscm("fmt", "--check", cwd=target).returncode == 0  # the itscm-fmt hook passes too
    assert "Acme continuity" in (target / "README.md").read_text(encoding="utf-8")
    assert (target / ".gitignore").read_text(encoding="utf-8").split().count("/site/") == 1


def test_scaffold_documents_match_the_schemas_their_first_line_names(tmp_path: Path) -> None:
    assert run_itscm("init", str(tmp_path)).returncode == 0
    documents = [p for root in ("services", "plans", "threats", "risks") for p in (tmp_path / root).rglob("*.yaml")]
    assert len(documents) >= 12
    problems = [problem for path in documents for problem in _schema_line_problems(path)]
    assert problems == []


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("ours\n", encoding="utf-8")
    refused = run_itscm("init", str(tmp_path))
    assert refused.returncode == 1
    assert "README.md: already exists" in refused.stderr and "--force" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]  # nothing half-written
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "ours\n"
    forced = run_itscm("init", str(tmp_path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "README.md").read_text(encoding="utf-8") != "ours\n"


def test_workflow_lints_in_pr_mode_uploads_sarif_and_builds_the_site(tmp_path: Path) -> None:
    assert run_itscm("init", str(tmp_path)).returncode == 0
    workflow = YAML(typ="safe").load((tmp_path / ".github/workflows/continuity.yml").read_text(encoding="utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    runs = [step.get("run", "") for step in steps]
    uses = [step.get("uses", "") for step in steps]
    assert 'itscm lint --since "origin/$BASE" --format sarif > itscm.sarif' in runs
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert "itscm build" in runs
    assert workflow["jobs"]["lint"]["permissions"]["security-events"] == "write"
    # A fetch depth of 0 gives PR mode the base branch to compare with.
    assert workflow["jobs"]["lint"]["steps"][0]["with"]["fetch-depth"] == 0


def test_pre_commit_config_is_valid_and_uses_the_itscm_hooks(tmp_path: Path) -> None:
    assert run_itscm("init", str(tmp_path), "--hooks-repo", "https://git.example.com/tools/itscm").returncode == 0
    config_path = tmp_path / ".pre-commit-config.yaml"
    check = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config_path)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    config = YAML(typ="safe").load(config_path.read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "https://git.example.com/tools/itscm"
    assert {hook["id"] for hook in repo["hooks"]} == HOOK_IDS


def _itscm_on_path(tmp_path: Path) -> dict[str, str]:
    """An environment where the command ``itscm`` runs this checkout, as an installed one would."""
    shim = tmp_path / "bin" / "itscm"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m itscm_compiler "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_readme_path_from_init_to_a_published_site(tmp_path: Path) -> None:
    """The README's commands, run as written (the pip install aside: this checkout is the itscm)."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## From nothing to a published runbook site")[1]
    block = section.split("\n\n")[1]
    commands = [line.split("  #")[0].strip() for line in block.splitlines() if "pip install" not in line]
    assert any(c.startswith("itscm init") for c in commands) and "itscm build" in commands
    env = _itscm_on_path(tmp_path)
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    script = "set -e\n" + "\n".join(commands)
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout
    assert (tmp_path / "acme-continuity" / "site" / "index.html").is_file()


def test_pre_commit_hook_ids_exist_in_our_manifest() -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert HOOK_IDS <= {hook["id"] for hook in hooks}


def test_workflow_pr_mode_lint_reports_only_what_the_change_introduced(tmp_path: Path) -> None:
    """Run the workflow's own command line, as GitHub would, on a pull request that breaks one reference."""
    repo = tmp_path / "repo"
    assert run_itscm("init", str(repo)).returncode == 0
    _commit_all(repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run([*git, "update-ref", "refs/remotes/origin/main", "HEAD"], check=True)
    service = repo / "services/example-app.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace("owner: example-team", "owner: exmple-team"))
    subprocess.run([*git, "commit", "-qam", "a typo"], check=True)
    workflow = YAML(typ="safe").load((repo / ".github/workflows/continuity.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in workflow["jobs"]["lint"]["steps"] if s.get("if") == "github.event_name == 'pull_request'"]
    env = {**_itscm_on_path(tmp_path), "BASE": "main"}
    result = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # errors found: the job fails, the SARIF upload still runs
    sarif = json.loads((repo / "itscm.sarif").read_text(encoding="utf-8"))
    results = [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for run in sarif["runs"]
        for r in run["results"]
    ]
    assert results == [("R001", "services/example-app.yaml")]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_new_writes_a_document_that_matches_its_schema(kind: str, tmp_path: Path) -> None:
    schemas.write(tmp_path / "schema")
    written = new_document(kind.lower(), f"new-{kind.lower()}", tmp_path)
    assert written.path == tmp_path / FOLDERS[kind] / f"new-{kind.lower()}.yaml"
    assert _schema_line_problems(written.path) == []
    result = lint(tmp_path)
    # Placeholders (your-team) dangle on purpose and a lone document misses its
    # policy, plans and so on; the document itself must read and validate.
    format_codes = {d.code for d in result.diagnostics if d.code[0] in "YS"}
    assert not format_codes, "\n".join(map(str, result.diagnostics))


def test_new_refuses_to_overwrite_and_checks_kind_and_id(tmp_path: Path) -> None:
    first = run_itscm("new", "Service", "payments-api", "--dir", str(tmp_path / "svc"), "--root", str(tmp_path))
    assert first.returncode == 0, first.stderr
    path = tmp_path / "svc" / "payments-api.yaml"
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../schema/service.schema.json\n")
    before = path.read_bytes()
    again = run_itscm("new", "service", "payments-api", "--dir", str(tmp_path / "svc"), "--root", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert path.read_bytes() == before
    typo = run_itscm("new", "servce", "x", "--root", str(tmp_path))
    assert typo.returncode == 2 and "did you mean 'Service'" in typo.stderr
    bad_id = run_itscm("new", "service", "Payments API", "--root", str(tmp_path))
    assert bad_id.returncode == 2 and "try 'payments-api'" in bad_id.stderr
    assert "Traceback" not in typo.stderr + bad_id.stderr


def test_new_says_why_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "services").write_text("not a folder\n", encoding="utf-8")
    blocked = run_itscm("new", "Service", "payments-api", "--root", str(tmp_path))
    assert blocked.returncode == 2, blocked.stderr
    assert "cannot write" in blocked.stderr and "services or a folder above it is a file; choose another --dir" in blocked.stderr
    nowhere = run_itscm("new", "Service", "payments-api", "--root", str(tmp_path), "--dir", "/proc/no-such-folder")
    assert nowhere.returncode == 2 and "cannot write /proc/no-such-folder/payments-api.yaml: " in nowhere.stderr
    assert "Traceback" not in blocked.stderr + nowhere.stderr
