"""PR mode (``itscm lint --since REF``) on real Git repositories."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from itscm_compiler.diagnostics import Diagnostic, Location, Severity
from itscm_compiler.prmode import compare

from .conftest import run_itscm
from .gitrepo import GitRepo

BASE = {
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
  - ghost
""",
}

# The change inserts lines above the old finding (so it moves from line 7 to
# line 10) and adds a new dangling reference below it.
CHANGED = """\
apiVersion: itscm/v1
kind: Service
id: pay
name: Payments
description: Card payments for the web shop.
customers: [web shop]
owner: ops
tier: 1
depends_on:
  - ghost
  - phantom
"""


def _repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 10), "Initial catalogue", BASE)
    repo.git("branch", "base")
    return repo


def _r001(stdout: str) -> list[str]:
    return [line.split(": error R001")[0] for line in stdout.splitlines() if " R001 " in line]


def test_old_finding_hidden_and_new_one_shown_after_lines_shifted(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    full = run_itscm("lint", "--today", "2026-02-01", cwd=repo.path)
    repo.commit(dt.date(2026, 1, 20), "Describe payments, depend on phantom", {"services/pay.yaml": CHANGED})
    proc = run_itscm("lint", "--since", "base", "--today", "2026-02-01", cwd=repo.path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _r001(proc.stdout) == ["services/pay.yaml:11:5"], proc.stdout
    assert "'phantom'" in proc.stdout and "'ghost'" not in proc.stdout
    # Everything the base already had is left out, and the summary says how much.
    existing = len([line for line in full.stdout.splitlines() if line and not line.startswith(" ")]) - 1
    summary = proc.stdout.strip().splitlines()[-1]
    assert summary.startswith("1 error, ")
    assert summary.endswith(f"; {existing} existing findings left out (already present at base)"), summary
    # PATHS limits what is reported, in PR mode too.
    only = run_itscm("lint", "--since", "base", "--today", "2026-02-01", "people.yaml", cwd=repo.path)
    assert only.returncode == 0 and _r001(only.stdout) == [], only.stdout
    # The worktree used for the base is gone again.
    assert repo.git("worktree", "list").count("\n") == 1


def _pack_sizes(root: Path) -> list[int]:
    """The entry count of each pack of the load cache (see cache.py for the layout)."""
    from itscm_compiler.cache import _COUNT

    packs = sorted((root / ".itscm-cache" / "v2").glob("*.pack"))
    return sorted(int.from_bytes(p.read_bytes()[_COUNT - 4 : _COUNT], "big") for p in packs)


def test_the_base_is_loaded_through_the_working_trees_cache(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.commit(dt.date(2026, 1, 20), "Describe payments, depend on phantom", {"services/pay.yaml": CHANGED})
    args = ("lint", "--since", "base", "--today", "2026-02-01")
    first = run_itscm(*args, cwd=repo.path)
    # The working tree's two files, then only the one file the base has in
    # another version: people.yaml was found in the cache, not parsed again.
    assert _pack_sizes(repo.path) == [1, 2]
    again = run_itscm(*args, cwd=repo.path)
    assert _pack_sizes(repo.path) == [1, 2]  # every file of both trees was a hit
    uncached = run_itscm(*args, "--no-cache", cwd=repo.path)
    assert first.returncode == again.returncode == uncached.returncode == 1
    assert first.stdout == again.stdout == uncached.stdout and _r001(first.stdout) == ["services/pay.yaml:11:5"]
    assert not list(tmp_path.glob("**/itscm-base-*"))


def test_only_shifted_lines_exit_zero(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    shifted = "# Payments, owned by ops\n\n" + BASE["services/pay.yaml"]
    repo.write({"services/pay.yaml": shifted})  # uncommitted changes count too
    proc = run_itscm("lint", "--since", "base", "--today", "2026-02-01", "--format", "json", cwd=repo.path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert [d for d in data["diagnostics"] if d["severity"] == "error"] == []
    assert data["summary"]["since"] == "base" and data["summary"]["left_out"] >= 1
    plain = run_itscm("lint", "--today", "2026-02-01", cwd=repo.path)
    assert plain.returncode == 1 and _r001(plain.stdout) == ["services/pay.yaml:9:5"]


def test_renamed_file_keeps_its_old_findings(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.git("mv", "services/pay.yaml", "services/payments.yaml")
    repo.commit(dt.date(2026, 1, 20), "Rename the payments file")
    proc = run_itscm("lint", "--since", "base", "--today", "2026-02-01", cwd=repo.path)
    assert proc.returncode == 0, proc.stdout
    assert _r001(proc.stdout) == []


def test_since_a_commit_before_the_estate_existed_reports_everything(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 1), "Empty start")
    repo.git("branch", "base")
    repo.commit(dt.date(2026, 1, 10), "Initial catalogue", BASE)
    proc = run_itscm("lint", "--since", "base", "--today", "2026-02-01", cwd=repo.path)
    assert proc.returncode == 1 and _r001(proc.stdout) == ["services/pay.yaml:7:5"], proc.stdout
    assert "; 0 existing findings left out" in proc.stdout


def test_unknown_ref_and_no_git_are_usage_errors(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    proc = run_itscm("lint", "--since", "no-such-branch", cwd=repo.path)
    assert proc.returncode == 2 and "'no-such-branch' is not a commit" in proc.stderr, proc.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    proc = run_itscm("lint", "--since", "main", cwd=outside)
    assert proc.returncode == 2 and "--since needs a Git repository" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_compare_counts_repeats_and_follows_renames() -> None:
    def diag(path: str, line: int, key: str = "k", code: str = "R001") -> Diagnostic:
        return Diagnostic(code, "n", Severity.ERROR, Location(path, line), "m", key=key)

    before = [diag("a.yaml", 3), diag("old.yaml", 5, "x")]
    after = [diag("a.yaml", 9), diag("a.yaml", 12), diag("new.yaml", 1, "x"), diag(".", 1, "git", "F011")]
    before.append(diag(".", 1, "git", "F011"))
    new, old = compare(before, after, {"old.yaml": "new.yaml"})
    assert [(d.location.path, d.location.line) for d in new] == [("a.yaml", 12), (".", 1)]
    assert [(d.location.path, d.location.line) for d in old] == [("a.yaml", 9), ("new.yaml", 1)]


# -- the base tree, rebuilt from Git's objects ------------------------------------


def test_the_stale_against_git_check_sees_history_as_it_was_at_the_base(tmp_path: Path) -> None:
    from .test_gitstale import CHANGED_DB, ESTATE

    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 10), "Initial estate", ESTATE)  # the plan says it was reviewed on 2026-02-01
    repo.git("branch", "before")
    repo.commit(dt.date(2026, 3, 1), "Move the payments database", {"services/pay-db.yaml": CHANGED_DB})
    repo.git("branch", "after")
    repo.commit(dt.date(2026, 4, 1), "Add a note", {"notes.txt": "unrelated\n"})
    args = ("lint", "--today", "2026-06-01", "--format", "json")
    plain = json.loads(run_itscm(*args, cwd=repo.path).stdout)
    assert [d["code"] for d in plain["diagnostics"] if d["code"].startswith("F01")] == ["F010"]
    for cache in ((), ("--no-cache",)):
        # At `before`, the database had not changed since the review: F010 is new.
        new = json.loads(run_itscm(*args, *cache, "--since", "before", cwd=repo.path).stdout)
        assert [d["code"] for d in new["diagnostics"]] == ["F010"], new
        # At `after`, it had: the same F010 was there already (and no F011: Git was read).
        old = run_itscm(*args, *cache, "--since", "after", cwd=repo.path)
        assert old.returncode == 0 and json.loads(old.stdout)["diagnostics"] == [], old.stdout


ODD = "services/odd name \u00e9.yaml"


def test_the_base_keeps_links_odd_names_and_files_the_working_tree_lost(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    odd, gone = (BASE["services/pay.yaml"].replace("id: pay", f"id: {id_}") for id_ in ("odd", "gone"))
    repo.write({ODD: odd, "services/gone.yaml": gone})
    (repo.path / "services" / "link.yaml").symlink_to("pay.yaml")
    repo.commit(dt.date(2026, 1, 20), "More services, and a link")
    repo.git("branch", "-f", "base")
    assert " Y009 " in run_itscm("lint", "--today", "2026-02-01", cwd=repo.path).stdout
    # Not committed: a new dangling reference in the odd file, one file
    # deleted, one only taken out of Git's index (still on disk).
    repo.write({ODD: odd + "  - phantom\n"})
    (repo.path / "services" / "gone.yaml").unlink()
    repo.git("rm", "-q", "--cached", "services/pay.yaml")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"TMPDIR": str(scratch)}
    for cache in ((), ("--no-cache",)):
        proc = run_itscm("lint", "--since", "base", "--today", "2026-02-01", *cache, cwd=repo.path, env=env)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert _r001(proc.stdout) == [f"{ODD}:8:5"], proc.stdout  # the link's Y009 and every old R001 were there before
        assert " Y009 " not in proc.stdout
    assert list(scratch.iterdir()) == []
    assert repo.git("worktree", "list").count("\n") == 1
    # The working tree's files were linked, never written: each is its own again.
    assert {p.stat().st_nlink for p in (repo.path / "services").glob("*.yaml") if not p.is_symlink()} == {1}
    assert repo.git("status", "--porcelain", "--", "services/odd name \u00e9.yaml") != ""


def test_a_base_on_another_file_system_is_written_from_git(tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system here for the temporary folder")
    repo = _repo(tmp_path)
    repo.commit(dt.date(2026, 1, 20), "Describe payments, depend on phantom", {"services/pay.yaml": CHANGED})
    here = run_itscm("lint", "--since", "base", "--today", "2026-02-01", "--no-cache", cwd=repo.path)
    with tempfile.TemporaryDirectory(dir=shm) as elsewhere:  # hard links cannot cross into it
        args = ("lint", "--since", "base", "--today", "2026-02-01", "--no-cache")
        there = run_itscm(*args, cwd=repo.path, env={"TMPDIR": elsewhere})
        assert os.listdir(elsewhere) == []
    assert here.returncode == there.returncode == 1
    assert here.stdout == there.stdout and _r001(here.stdout) == ["services/pay.yaml:11:5"]


def test_a_base_this_system_cannot_hold_is_a_clear_error(tmp_path: Path) -> None:
    # A symbolic link whose target holds a NUL byte: Git stores it, no file system can.
    repo = _repo(tmp_path)
    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], input=b"pay\0.yaml", cwd=repo.path, capture_output=True, check=True
    ).stdout.decode().strip()
    repo.git("update-index", "--add", "--cacheinfo", f"120000,{blob},services/odd-link.yaml")
    repo.git("commit", "-q", "-m", "An odd link", date=dt.date(2026, 1, 20))
    repo.git("branch", "-f", "base")
    repo.git("rm", "-q", "--cached", "services/odd-link.yaml")
    proc = run_itscm("lint", "--since", "base", "--today", "2026-02-01", cwd=repo.path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "cannot rebuild the tree at " in proc.stderr and "to compare with" in proc.stderr, proc.stderr


def _results(repo: Path) -> int:
    return len(list((repo / ".itscm-cache").rglob("*.res")))


def test_the_base_result_is_kept_under_its_commit(tmp_path: Path) -> None:
    from .test_gitstale import CHANGED_DB, ESTATE

    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 10), "Initial estate", ESTATE)  # the plan says it was reviewed on 2026-02-01
    repo.git("branch", "unchanged")
    repo.commit(dt.date(2026, 3, 1), "Move the payments database", {"services/pay-db.yaml": CHANGED_DB})
    repo.commit(dt.date(2026, 3, 5), "Move it back", {"services/pay-db.yaml": ESTATE["services/pay-db.yaml"]})
    repo.git("branch", "changed-and-back")  # the same files as `unchanged`, another history
    repo.commit(dt.date(2026, 4, 1), "Add a note", {"notes.txt": "unrelated\n"})
    args = ("lint", "--today", "2026-06-01")
    first = run_itscm(*args, "--since", "unchanged", cwd=repo.path)
    assert _results(repo.path) == 2  # the working tree's and the base's
    again = run_itscm(*args, "--since", "unchanged", cwd=repo.path)
    assert _results(repo.path) == 2 and again.stdout == first.stdout  # both found again
    assert first.returncode == 0 and " F010 " in first.stdout  # new: at `unchanged` nothing had changed since the review
    # Same files, another commit: not the stored result of `unchanged` (there, F010 was already there).
    other = run_itscm(*args, "--since", "changed-and-back", cwd=repo.path)
    assert _results(repo.path) == 3
    assert other.stdout == run_itscm(*args, "--since", "changed-and-back", "--no-cache", cwd=repo.path).stdout
    assert " F010 " not in other.stdout, other.stdout


def test_a_link_and_a_changed_file_that_share_one_git_object(tmp_path: Path) -> None:
    # Git stores the link's target and a file holding the same text as one
    # object: it is read once, and both are made from it.
    repo = _repo(tmp_path)
    repo.write({"services/same.yaml": "pay.yaml"})
    (repo.path / "services" / "link.yaml").symlink_to("pay.yaml")
    repo.commit(dt.date(2026, 1, 20), "A link, and a file that says where it points")
    repo.git("branch", "-f", "base")
    repo.write({"services/same.yaml": "pay.yaml\n# changed\n"})
    proc = run_itscm("lint", "--since", "base", "--today", "2026-02-01", cwd=repo.path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "existing findings left out (already present at base)" in proc.stdout


def test_a_file_git_is_told_to_ignore_is_taken_from_git(tmp_path: Path) -> None:
    # `git update-index --assume-unchanged`, then an edit: git diff does not
    # see it, so the working tree's copy cannot stand for the base's.
    repo = _repo(tmp_path)
    repo.git("update-index", "--assume-unchanged", "services/pay.yaml")
    repo.write({"services/pay.yaml": BASE["services/pay.yaml"] + "  - phantom\n"})
    assert repo.git("diff", "--name-only", "base") == ""
    proc = run_itscm("lint", "--since", "base", "--today", "2026-02-01", cwd=repo.path)
    assert proc.returncode == 1 and _r001(proc.stdout) == ["services/pay.yaml:8:5"], proc.stdout
