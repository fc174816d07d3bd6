"""The result cache answers only for exactly the same inputs, and a bad entry is never trusted."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from itscm_compiler.cache import CACHE_DIR
from itscm_compiler.pipeline import LintResult, lint

from .conftest import write_tree
from .gitrepo import GitRepo
from .test_gitstale import ESTATE

TODAY = dt.date(2026, 11, 24)


pytestmark = pytest.mark.usefixtures("own_cache_key")


def _seen(result: LintResult) -> list[str]:
    return [f"{d} | {' ; '.join(f'{r.location} {r.message}' for r in d.related)}" for d in result.diagnostics]


def _results(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).rglob("*.res"))


def test_an_unchanged_estate_is_answered_from_the_result_cache(generated_estate: Path, tmp_path: Path) -> None:
    root = shutil.copytree(generated_estate, tmp_path / "repo")
    uncached = lint(root, today=TODAY, cache=False)
    first = lint(root, today=TODAY)
    assert not first.cached and len(_results(root)) == 1
    again = lint(root, today=TODAY)
    assert again.cached
    assert _seen(again) == _seen(first) == _seen(uncached)
    assert again.files == uncached.files and again.waived == uncached.waived
    # The estate is still there for whoever asks (the site, metrics): loaded on demand.
    assert sorted(again.estate.by_id) == sorted(uncached.estate.by_id)
    # PATHS filters a cached result like a fresh one.
    some = lint(root, ("services",), today=TODAY)
    assert some.cached and _seen(some) == _seen(lint(root, ("services",), today=TODAY, cache=False))


@pytest.mark.parametrize("change", ["content", "new-file", "deleted", "renamed", "today", "config", "too-big"])
def test_any_changed_input_is_a_miss_with_the_fresh_result(change: str, generated_estate: Path, tmp_path: Path) -> None:
    root = shutil.copytree(generated_estate, tmp_path / "repo")
    lint(root, today=TODAY)
    assert lint(root, today=TODAY).cached
    service = sorted(root.glob("services/*/svc-*.yaml"))[0]
    today = TODAY
    if change == "content":
        service.write_text(service.read_text(encoding="utf-8").replace("tier: ", "tier: 9", 1), encoding="utf-8")
    elif change == "new-file":
        write_tree(root, {"services/extra.yaml": "apiVersion: itscm/v1\nkind: Site\nid: extra-site\ntype: office\n"})
    elif change == "deleted":
        service.unlink()
    elif change == "renamed":  # same bytes under another path: locations change
        service.rename(service.with_name("zz-moved.yaml"))
    elif change == "today":  # freshness depends on the day
        today = TODAY + dt.timedelta(days=400)
    elif change == "config":
        (root / ".itscm.yaml").write_text("rules:\n  G101: error\n", encoding="utf-8")
    elif change == "too-big":
        (root / ".itscm.yaml").write_text("max_file_size: 2KB\n", encoding="utf-8")
    result = lint(root, today=today)
    assert not result.cached
    fresh = lint(root, today=today, cache=False)
    assert _seen(result) == _seen(fresh)
    assert lint(root, today=today).cached


def test_git_state_is_part_of_the_key(tmp_path: Path) -> None:
    # The same bytes on disk, before and after a commit: F010 names the
    # working tree first and the commit after, so the cached result of the
    # first run must not answer the second.
    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 10), "Initial estate", ESTATE)
    repo.write({"services/pay.yaml": ESTATE["services/pay.yaml"] + "description: now with 3-D Secure\n"})
    today = dt.date(2026, 6, 1)
    before = [d.message for d in lint(repo.path, today=today).diagnostics if d.code == "F010"]
    assert len(before) == 1 and "uncommitted changes" in before[0]
    assert lint(repo.path, today=today).cached
    short = repo.commit(dt.date(2026, 5, 1), "Add 3-D Secure")
    after = lint(repo.path, today=today)
    assert not after.cached
    (message,) = [d.message for d in after.diagnostics if d.code == "F010"]
    assert f"commit {short}" in message
    assert [d.message for d in lint(repo.path, today=today, cache=False).diagnostics if d.code == "F010"] == [message]


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign-key", "planted"])
def test_a_damaged_or_planted_result_is_ignored(
    damage: str, generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = shutil.copytree(generated_estate, tmp_path / "repo")
    expected = _seen(lint(root, today=TODAY, cache=False))
    lint(root, today=TODAY)
    (entry,) = _results(root)
    blob = entry.read_bytes()
    marker = tmp_path / "pwned"
    if damage == "flip":
        entry.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
    elif damage == "truncate":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "foreign-key":
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    elif damage == "planted":  # valid framing, no valid HMAC: never unpickled

        class Evil:
            def __reduce__(self) -> tuple[object, tuple[str]]:
                return (os.system, (f"touch {marker}",))

        entry.write_bytes(blob[:8] + b"\0" * 32 + pickle.dumps(Evil()))
    result = lint(root, today=TODAY)
    assert not result.cached
    assert _seen(result) == expected
    assert not marker.exists()
    assert lint(root, today=TODAY).cached


def test_only_the_newest_results_are_kept(generated_estate: Path, tmp_path: Path) -> None:
    from itscm_compiler.resultcache import KEEP

    root = shutil.copytree(generated_estate, tmp_path / "repo")
    for day in range(KEEP + 3):
        lint(root, today=TODAY + dt.timedelta(days=day))
    assert len(_results(root)) == KEEP


def test_cli_output_is_the_same_from_the_result_cache(generated_estate: Path, tmp_path: Path) -> None:
    root = shutil.copytree(generated_estate, tmp_path / "repo")
    env = dict(os.environ)
    runs = [
        subprocess.run(
            [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(root), "--today", "2026-11-24", "--format", fmt],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        for fmt in ("text", "text", "json", "json", "sarif", "sarif")
    ]
    assert _results(root)
    for fresh, cached in zip(runs[::2], runs[1::2]):
        assert fresh.returncode == cached.returncode == 1, fresh.stderr
        assert cached.stdout == fresh.stdout
        assert "Traceback" not in fresh.stderr + cached.stderr


def test_a_file_edited_during_the_run_is_never_stored_under_its_old_key(
    generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is hashed, then edited before it is loaded: what was loaded
    # must be stored under the key of what was loaded, in both caches.
    from itscm_compiler import bulk

    root = shutil.copytree(generated_estate, tmp_path / "repo")
    lint(root, today=TODAY)
    service = sorted(root.glob("services/*/svc-*.yaml"))[0]
    before = service.read_text(encoding="utf-8")
    edited = before.replace("tier: ", "tier: 9", 1)
    service.write_text(before + "\n", encoding="utf-8")  # a miss for the load cache
    hashed = bulk.read_files

    def read_then_edit(*args: object) -> bulk.Reading:
        reading = hashed(*args)  # type: ignore[arg-type]
        service.write_text(edited, encoding="utf-8")
        return reading

    monkeypatch.setattr(bulk, "read_files", read_then_edit)
    during = lint(root, today=TODAY)
    monkeypatch.setattr(bulk, "read_files", hashed)
    assert _seen(during) == _seen(lint(root, today=TODAY, cache=False))  # the edited file was checked
    after = lint(root, today=TODAY)
    assert after.cached and _seen(after) == _seen(during)
    service.write_text(before + "\n", encoding="utf-8")  # the bytes that were hashed first
    again = lint(root, today=TODAY)
    assert not again.cached
    assert _seen(again) == _seen(lint(root, today=TODAY, cache=False))


def test_a_run_with_a_failed_git_call_or_a_crashed_check_is_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both may not happen next time: their results must not answer for it.
    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 10), "Initial estate", ESTATE)
    today = dt.date(2026, 6, 1)
    real_git = shutil.which("git")
    assert real_git is not None
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(
        f'#!/bin/sh\nfor a in "$@"; do [ "$a" = log ] && {{ echo "fatal: simulated" >&2; exit 128; }}; done\nexec {real_git} "$@"\n',
        encoding="utf-8",
    )
    (fake / "git").chmod(0o755)
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", f"{fake}:{path}")
    failed = lint(repo.path, today=today)
    assert any(d.code == "F011" and "simulated" in d.message for d in failed.diagnostics)
    assert not _results(repo.path) and not lint(repo.path, today=today).cached
    monkeypatch.setenv("PATH", path)
    assert not lint(repo.path, today=today).cached and lint(repo.path, today=today).cached

    import dataclasses

    from itscm_compiler import engine

    def crash(estate: object) -> list[object]:
        raise RuntimeError("a bug in a check")

    broken = [dataclasses.replace(r, check=crash) if r.code == "R101" else r for r in engine.RULES]
    checks = engine.run_rules
    monkeypatch.setattr(engine, "run_rules", lambda estate: checks(estate, broken))
    shutil.rmtree(repo.path / CACHE_DIR / "v2" / "results")
    crashed = lint(repo.path, today=today)
    assert crashed.has_internal_errors and not _results(repo.path)


def test_the_cache_being_written_does_not_change_the_git_state(tmp_path: Path) -> None:
    """Git's status is read while the first run writes the cache: its files, before .gitignore, must not count."""
    from itscm_compiler.resultcache import start_git_state

    repo = GitRepo(tmp_path / "repo")
    repo.commit(dt.date(2026, 1, 10), "Initial estate", ESTATE)
    clean = start_git_state(repo.path)()
    half_written = repo.path / ".itscm-cache" / "v2" / "results"
    half_written.mkdir(parents=True)
    (half_written / "entry.res").write_bytes(b"not yet ignored")  # no .gitignore yet: Git sees an untracked file
    assert start_git_state(repo.path)() == clean
    (repo.path / "services" / "new.yaml").write_text("id: x\n", encoding="utf-8")
    assert start_git_state(repo.path)() != clean  # an untracked file of the estate still counts
