"""pre-commit hooks and the GitHub workflow, run with the real pre-commit and validated by schema.

`pre-commit try-repo` against this repository would install itscm into a
fresh virtualenv, which needs every dependency from the package index
(mkdocs-material and friends are not available offline here): too slow and
network-bound for the suite. So the sample repository runs the very hooks of
this project's own ``.pre-commit-config.yaml`` (``repo: local``,
``language: system``) with the real pre-commit, and a test pins that those
hooks and the consumable ``.pre-commit-hooks.yaml`` are the same hooks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .conftest import ROOT, run_itscm, write_tree

PERSON = "apiVersion: itscm/v1\nkind: Person\nid: ann\nname: Ann\n"
TEAM = "apiVersion: itscm/v1\nkind: Team\nid: ops\nmembers:\n  - {member}\n"


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(home)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    # `language: system` hooks run `python`: make it this interpreter.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _sample(path: Path, member: str) -> Path:
    write_tree(
        path,
        {
            "plans/people.yaml": PERSON,
            "plans/teams.yaml": TEAM.format(member=member),
            ".pre-commit-config.yaml": (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"),
        },
    )
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True)
    return path


def test_manifest_and_config_are_valid(tmp_path: Path) -> None:
    done = _pre_commit("validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"), cwd=ROOT, home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    done = _pre_commit("validate-config", str(ROOT / ".pre-commit-config.yaml"), cwd=ROOT, home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_own_config_runs_the_hooks_that_other_repositories_get() -> None:
    offered = {hook["id"]: hook for hook in _yaml(ROOT / ".pre-commit-hooks.yaml")}
    (local,) = _yaml(ROOT / ".pre-commit-config.yaml")["repos"]
    assert local["repo"] == "local"
    own = {hook["id"]: hook for hook in local["hooks"]}
    assert set(offered) == set(own) == {"itscm-lint", "itscm-schema", "itscm-fmt"}
    for hook_id, hook in offered.items():
        mine = own[hook_id]
        assert mine["entry"] == hook["entry"].replace("itscm ", "python -m itscm_compiler ", 1)
        assert (mine.get("files"), mine.get("types")) == (hook.get("files"), hook.get("types"))
        assert mine.get("pass_filenames", True) == hook.get("pass_filenames", True)
        assert hook["language"] == "python"
    # Cross-file checks see the whole estate; formatting is per file.
    assert offered["itscm-lint"]["pass_filenames"] is False
    assert offered["itscm-schema"]["pass_filenames"] is False
    assert offered["itscm-fmt"].get("pass_filenames", True) is True
    assert offered["itscm-schema"]["entry"] == "itscm schema --check"
    assert offered["itscm-fmt"]["entry"] == "itscm fmt --check"


def test_pre_commit_blocks_a_broken_plan_and_passes_a_clean_one(tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    broken = _sample(tmp_path / "broken", "ghost")
    done = _pre_commit("run", "--all-files", cwd=broken, home=home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "itscm lint" in done.stdout and "Failed" in done.stdout
    assert "plans/teams.yaml:5:5: error R001" in done.stdout

    clean = _sample(tmp_path / "clean", "ann")
    done = _pre_commit("run", "--all-files", cwd=clean, home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "itscm fmt --check" in done.stdout


def test_pre_commit_fmt_hook_blocks_a_file_out_of_layout(tmp_path: Path) -> None:
    sample = _sample(tmp_path / "repo", "ann")
    write_tree(sample, {"plans/teams.yaml": TEAM.format(member="ann").replace("  - ann", "      - ann") + "\n\n"})
    subprocess.run(["git", "-C", str(sample), "add", "-A"], check=True)
    done = _pre_commit("run", "itscm-fmt", "--files", "plans/teams.yaml", cwd=sample, home=tmp_path / "home")
    assert done.returncode == 1
    assert "plans/teams.yaml: would reformat" in done.stdout
    assert "1 of 1 file(s) would be reformatted" in done.stdout  # given names: only the changed file


def test_github_workflow_is_valid_and_runs_pr_mode_and_sarif() -> None:
    from check_jsonschema.builtin_schemas import get_builtin_schema

    import jsonschema

    workflow_file = ROOT / "docs" / "github-workflow.yml"
    workflow = _yaml(workflow_file)
    schema = get_builtin_schema("vendor.github-workflows")
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(workflow))
    assert not errors, errors[0].message
    steps = workflow["jobs"]["lint"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert 'itscm lint --since "origin/${{ github.base_ref }}" --format github' in runs
    assert "itscm lint --format sarif > itscm.sarif" in runs
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "itscm.sarif"
    assert workflow["permissions"]["security-events"] == "write"
    assert next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))["with"]["fetch-depth"] == 0


def test_workflow_copied_into_a_repository_is_not_read_as_a_document(repo: Path) -> None:
    workflow = (ROOT / "docs" / "github-workflow.yml").read_text(encoding="utf-8")
    write_tree(repo, {".github/workflows/itscm.yml": workflow, "plans/people.yaml": PERSON})
    done = run_itscm("lint", "--root", str(repo), "--format", "json")
    assert ".github" not in done.stdout
