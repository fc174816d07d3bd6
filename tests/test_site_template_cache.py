"""Compiled templates are kept in the user's cache, and a changed template is never served stale."""

from __future__ import annotations

import os
from html import unescape
from pathlib import Path

from .conftest import run_itscm
from .site_helpers import fixture_repo


def _build(repo: Path, out: Path, cache_home: Path) -> None:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    env.pop("ITSCM_NO_CACHE", None)
    done = run_itscm("build", "--root", str(repo), "--out", str(out), "--today", "2026-11-24", env=env, timeout=300)
    assert done.returncode == 0, done.stderr


def test_compiled_templates_are_reused_and_a_changed_override_is_picked_up(tmp_path: Path) -> None:
    repo = fixture_repo(tmp_path, commit=False)
    cache_home = tmp_path / "xdg"
    notice = repo / "templates" / "site_notice.md.j2"
    notice.parent.mkdir()
    notice.write_text("Desk notice version one\n")
    _build(repo, tmp_path / "one", cache_home)
    compiled = sorted((cache_home / "itscm").glob("templates-*/*.cache"))
    assert len(compiled) > 5  # the packaged templates and the override were compiled and kept
    stamps = {p: p.stat().st_mtime_ns for p in compiled}

    notice.write_text("Desk notice version two\n")
    _build(repo, tmp_path / "two", cache_home)
    page = unescape((tmp_path / "two" / "services" / "web-shop.html").read_text())
    assert "Desk notice version two" in page and "version one" not in page
    unchanged = [p for p in compiled if p.stat().st_mtime_ns == stamps[p]]
    assert len(unchanged) >= len(compiled) - 1  # only the changed override was compiled again


def test_other_versions_compiled_templates_are_pruned_after_thirty_days_unused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from itscm_compiler.cache import source_salt
    from itscm_compiler.site import render

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ITSCM_NO_CACHE", raising=False)
    home = tmp_path / "xdg" / "itscm"
    stale, recent, link_target = home / "templates-0000000000000001", home / "templates-0000000000000002", tmp_path / "elsewhere"
    for folder in (stale, recent, link_target):
        folder.mkdir(parents=True)
        (folder / "x.cache").write_bytes(b"compiled")
    link = home / "templates-0000000000000003"
    link.symlink_to(link_target)
    old = 1_000_000_000  # 2001: long unused
    os.utime(stale, (old, old))
    os.utime(link_target, (old, old))

    cache = render._bytecode_cache()  # this source's folder is new: others are pruned now
    assert cache is not None
    assert not stale.exists()  # unused for more than thirty days: removed
    assert recent.exists()  # another version in recent use: kept
    assert link.is_symlink() and (link_target / "x.cache").exists()  # a link is never followed or removed
    ours = home / f"templates-{source_salt().hex()[:16]}"
    assert sorted(home.glob("templates-*")) == sorted([recent, link, ours])

    os.utime(ours, (old, old))
    render._bytecode_cache()  # using it again marks it as used: an old stamp never survives a use
    assert ours.stat().st_mtime > old
