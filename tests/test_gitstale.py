"""Stale against Git (F010/F011) on real repositories: full history, shallow clones, no Git at all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from itscm_compiler.pipeline import lint

from .conftest import run_itscm, write_tree
from .gitrepo import GitRepo

TODAY = "2026-06-01"

ESTATE = {
    "policy.yaml": """\
apiVersion: itscm/v1
kind: Policy
id: policy
tiers:
  - tier: 1
    max_rto: 4h
    max_rpo: 1h
    strategies: [hot, warm]
    review_interval: 52w
    exercise_interval: 52w
risk_appetite: 9
""",
    "people.yaml": """\
apiVersion: itscm/v1
kind: Team
id: ops
members: [alice]
---
apiVersion: itscm/v1
kind: Person
id: alice
name: Alice
""",
    "services/pay.yaml": """\
apiVersion: itscm/v1
kind: Service
id: pay
owner: ops
tier: 1
depends_on:
  - pay-db
""",
    "services/pay-db.yaml": """\
apiVersion: itscm/v1
kind: Component
id: pay-db
owner: ops
type: database
""",
    "plans/pay.yaml": """\
apiVersion: itscm/v1
kind: Plan
id: pay-plan
services: [pay]
review:
  last_reviewed: 2026-02-01
  by: alice
  status: approved
""",
}

CHANGED_DB = ESTATE["services/pay-db.yaml"] + "description: moved to the new cluster\n"


def _f(result_diagnostics: list, code: str) -> list:
    return [d for d in result_diagnostics if d.code == code]


def _history(path: Path) -> GitRepo:
    """Initial estate on 2026-01-10, the database changed on 2026-03-01, an unrelated change on 2026-04-01."""
    repo = GitRepo(path)
    repo.commit(dt.date(2026, 1, 10), "Initial estate", ESTATE)
    repo.commit(dt.date(2026, 3, 1), "Move the payments database", {"services/pay-db.yaml": CHANGED_DB})
    repo.commit(dt.date(2026, 4, 1), "Add Bob", {"people.yaml": ESTATE["people.yaml"] + "---\napiVersion: itscm/v1\nkind: Person\nid: bob\nname: Bob\n"})
    return repo


def test_plan_goes_stale_when_a_dependency_changes_after_its_review(tmp_path: Path) -> None:
    repo = _history(tmp_path / "repo")
    short = repo.git("rev-parse", "--short", "HEAD~1").strip()
    proc = run_itscm("lint", "--today", TODAY, cwd=repo.path)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stdout.splitlines() if " F010 " in line]
    assert len(lines) == 1, proc.stdout
    assert lines[0].startswith("plans/pay.yaml:6:18: warning F010 ")
    # Names the commit (short hash, date, subject) and the file.
    assert f'commit {short} (2026-03-01, "Move the payments database")' in lines[0]
    assert "services/pay-db.yaml" in lines[0]
    assert " F011 " not in proc.stdout


def test_plan_reviewed_after_the_change_is_not_stale(tmp_path: Path) -> None:
    repo = _history(tmp_path / "repo")
    reviewed = ESTATE["plans/pay.yaml"].replace("2026-02-01", "2026-03-01")
    repo.commit(dt.date(2026, 3, 2), "Review the payments plan", {"plans/pay.yaml": reviewed})
    result = lint(repo.path, today=dt.date(2026, 6, 1))
    assert _f(result.diagnostics, "F010") == []
    assert _f(result.diagnostics, "F011") == []


def test_uncommitted_change_makes_the_plan_stale_before_the_commit(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 10), "Initial estate", ESTATE)
    assert _f(lint(repo.path, today=dt.date(2026, 6, 1)).diagnostics, "F010") == []
    repo.write({"services/pay.yaml": ESTATE["services/pay.yaml"] + "description: now with 3-D Secure\n"})
    (stale,) = _f(lint(repo.path, today=dt.date(2026, 6, 1)).diagnostics, "F010")
    assert "uncommitted changes" in stale.message and "services/pay.yaml" in stale.message


def test_pure_rename_is_not_a_change_and_history_follows_the_new_name(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 10), "Initial estate", ESTATE)
    repo.git("mv", "services/pay.yaml", "services/payments.yaml")
    repo.commit(dt.date(2026, 3, 1), "Rename the payments service file")
    assert _f(lint(repo.path, today=dt.date(2026, 6, 1)).diagnostics, "F010") == []


def test_shallow_clone_gives_a_note_and_no_crash(tmp_path: Path) -> None:
    origin = _history(tmp_path / "origin")
    clone = GitRepo(tmp_path / "clone", init=False)
    origin.git("clone", "-q", "--depth", "1", f"file://{origin.path}", str(clone.path), cwd=tmp_path)
    proc = run_itscm("lint", "--today", TODAY, cwd=clone.path)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
    notes = [line for line in proc.stdout.splitlines() if " F011 " in line]
    assert len(notes) == 1, proc.stdout
    assert notes[0].startswith(".:1:1: info F011 this is a shallow clone: history before commit ")
    assert "(2026-04-01)" in notes[0] and "pay-plan" in notes[0] and "git fetch --unshallow" in notes[0]
    # The database change lies beyond the boundary: invisible, so not reported as stale.
    assert " F010 " not in proc.stdout
    # Deep enough to see the change: reported, and no note (the plan's review is after the boundary).
    deeper = GitRepo(tmp_path / "deeper", init=False)
    origin.git("clone", "-q", "--depth", "3", f"file://{origin.path}", str(deeper.path), cwd=tmp_path)
    proc = run_itscm("lint", "--today", TODAY, cwd=deeper.path)
    assert " F010 " in proc.stdout and " F011 " not in proc.stdout, proc.stdout


def test_outside_git_one_info_line(tmp_path: Path) -> None:
    write_tree(tmp_path, ESTATE)
    proc = run_itscm("lint", "--today", TODAY, cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    notes = [line for line in proc.stdout.splitlines() if "F011" in line]
    assert notes == [".:1:1: info F011 plans were not checked against Git history: not inside a Git repository"]


def test_git_missing_or_broken_never_crashes(tmp_path: Path) -> None:
    write_tree(tmp_path, ESTATE)
    no_git = tmp_path / "empty-bin"
    no_git.mkdir()
    proc = run_itscm("lint", "--today", TODAY, cwd=tmp_path, env={"PATH": str(no_git)})
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "info F011 plans were not checked against Git history: the git command is not installed" in proc.stdout
    # A .git file pointing nowhere: git fails, the run goes on.
    (tmp_path / ".git").write_text("gitdir: /nonexistent/worktree\n", encoding="utf-8")
    proc = run_itscm("lint", "--today", TODAY, cwd=tmp_path)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
    assert proc.stdout.count(" F011 ") == 1, proc.stdout


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write(ESTATE)
    # Every file is new and uncommitted, i.e. changed today (2026-06-01), after the review.
    (stale,) = _f(lint(repo.path, today=dt.date(2026, 6, 1)).diagnostics, "F010")
    assert "uncommitted" in stale.message


def test_deepening_a_shallow_clone_is_seen_by_the_next_run(tmp_path: Path) -> None:
    # HEAD stays, the clone stays shallow, but more history is visible: a
    # result stored before must not be given again.
    origin = _history(tmp_path / "origin")
    clone = GitRepo(tmp_path / "clone", init=False)
    origin.git("clone", "-q", "--depth", "1", f"file://{origin.path}", str(clone.path), cwd=tmp_path)
    first = run_itscm("lint", "--today", TODAY, cwd=clone.path)
    assert " F011 " in first.stdout and " F010 " not in first.stdout, first.stdout
    clone.git("fetch", "-q", "--deepen", "2")
    assert clone.git("rev-parse", "--is-shallow-repository").strip() == "true"
    again = run_itscm("lint", "--today", TODAY, cwd=clone.path)
    assert again.stdout == run_itscm("lint", "--today", TODAY, "--no-cache", cwd=clone.path).stdout
    assert " F010 " in again.stdout and " F011 " not in again.stdout, again.stdout


def test_replaced_history_is_seen_by_the_next_run(tmp_path: Path) -> None:
    # `git replace` and grafts rewrite the history Git shows without moving
    # HEAD or touching the work tree: a result stored before must not be given again.
    repo = _history(tmp_path / "repo")
    first = run_itscm("lint", "--today", TODAY, cwd=repo.path)
    assert " F010 " in first.stdout, first.stdout
    # The database move, committed again on 2026-01-20 (before the review) with the same tree.
    moved = repo.git("rev-parse", "HEAD~1").strip()
    earlier = repo.git("commit-tree", f"{moved}^{{tree}}", "-p", "HEAD~2", "-m", "Move the payments database", date=dt.date(2026, 1, 20))
    repo.git("replace", moved, earlier.strip())
    again = run_itscm("lint", "--today", TODAY, cwd=repo.path)
    assert again.stdout == run_itscm("lint", "--today", TODAY, "--no-cache", cwd=repo.path).stdout
    assert " F010 " not in again.stdout, again.stdout
    # Grafts that cut the history at the last commit (it becomes the
    # first, adding every file on 2026-04-01), then at the database move.
    repo.git("replace", "-d", moved)
    assert run_itscm("lint", "--today", TODAY, cwd=repo.path).stdout == first.stdout
    grafts = repo.path / ".git" / "info" / "grafts"
    grafts.parent.mkdir(exist_ok=True)
    cuts = repo.git("rev-parse", "HEAD", "HEAD~1").split()
    for cut, shown in zip(cuts, ('(2026-04-01, "Add Bob")', '(2026-03-01, "Move the payments database") (1 more')):
        grafts.write_text(cut + "\n", encoding="ascii")
        grafted = run_itscm("lint", "--today", TODAY, cwd=repo.path)
        assert grafted.stdout == run_itscm("lint", "--today", TODAY, "--no-cache", cwd=repo.path).stdout
        assert shown in grafted.stdout, grafted.stdout
