"""Files written in one step: a failed write keeps the old file and leaves nothing behind."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from itscm_compiler.atomic import remove_stale_temporaries, replace_file, write_atomically
from itscm_compiler.cache import CACHE_DIR

from .conftest import ROOT


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    target.write_text("old\n")

    def half(handle):  # type: ignore[no-untyped-def]
        handle.write(b"new, cut sh")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        replace_file(target, half)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


def test_a_stop_while_writing_leaves_nothing(tmp_path: Path) -> None:
    def stopped(handle):  # type: ignore[no-untyped-def]
        handle.write(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_file(tmp_path / "pack", stopped)
    assert list(tmp_path.iterdir()) == []


def test_permissions_are_kept_and_new_files_follow_the_umask(tmp_path: Path) -> None:
    kept = tmp_path / "kept.yaml"
    kept.write_text("a: 1\n")
    kept.chmod(0o640)
    write_atomically(kept, "a: 2\n")
    assert (kept.read_text(), kept.stat().st_mode & 0o777) == ("a: 2\n", 0o640)
    old = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.yaml", "b: 1\n")
    finally:
        os.umask(old)
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o640  # 0666 under umask 027


def test_a_link_planted_at_a_temporary_name_is_never_written_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    monkeypatch.setattr(os, "urandom", lambda n: b"\0" * n)
    (tmp_path / ".f.4242-00000000.tmp").symlink_to(victim)
    with pytest.raises(FileExistsError):
        replace_file(tmp_path / "f", lambda handle: handle.write(b"x"))
    assert victim.read_text() == "mine\n"


def test_only_stale_temporaries_are_swept(tmp_path: Path) -> None:
    old, fresh, other = tmp_path / ".a.pack.1-ab.tmp", tmp_path / ".b.pack.2-cd.tmp", tmp_path / "keep.tmp"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    hours_ago = time.time() - 7200
    for path in (old, other):
        os.utime(path, (hours_ago, hours_ago))
    remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name])


def _limited(limit: int) -> None:
    """In the child: writing a regular file past ``limit`` bytes fails with EFBIG instead of killing it."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_caches_that_cannot_be_written_leave_no_temporary_files(generated_estate: Path, tmp_path: Path) -> None:
    # A file size limit (as a full disk would) stops the load cache's pack,
    # the stored result and the schema file part-way: the run's answer is the
    # same as without a cache, and no half-written file is left behind.
    root = tmp_path / "repo"
    shutil.copytree(generated_estate, root)
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"), PYTHONDONTWRITEBYTECODE="1")
    argv = [sys.executable, "-m", "itscm_compiler", "lint", "--root", str(root), "--today", "2026-11-24", "--format", "json"]
    plain = subprocess.run([*argv, "--no-cache"], capture_output=True, env=env, timeout=300)
    for _ in range(2):
        limited = subprocess.run(argv, capture_output=True, env=env, timeout=300, preexec_fn=lambda: _limited(16384))
        assert (limited.returncode, limited.stdout) == (plain.returncode, plain.stdout), limited.stderr
    left = [p for where in (root / CACHE_DIR, tmp_path / "xdg") for p in where.rglob("*") if p.name.endswith(".tmp")]
    assert left == []
    assert not list((root / CACHE_DIR).rglob("*.pack"))  # it did not fit: nothing was kept


def test_a_compacting_run_sweeps_what_a_killed_run_left(generated_estate: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(generated_estate, root)
    folder = root / CACHE_DIR / "v2"
    folder.mkdir(parents=True)
    killed, writing = folder / ".1-aa.pack.99-0a0b0c0d.tmp", folder / ".2-bb.pack.98-0a0b0c0d.tmp"
    killed.write_bytes(b"half a pack")
    writing.write_bytes(b"a pack being written now")
    hours_ago = time.time() - 7200
    os.utime(killed, (hours_ago, hours_ago))
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    subprocess.run([sys.executable, "-m", "itscm_compiler", "lint", "--root", str(root)], capture_output=True, env=env, timeout=300)
    assert not killed.exists() and writing.exists()
    assert list(folder.glob("*.pack"))


def test_itscm_schema_that_cannot_finish_leaves_every_schema_whole(tmp_path: Path) -> None:
    # The schemas are committed: one cut short by a full disk would be a
    # damaged file in the repository. Each is written whole or not at all.
    root = tmp_path / "repo"
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"), PYTHONDONTWRITEBYTECODE="1")
    itscm = [sys.executable, "-m", "itscm_compiler"]
    subprocess.run([*itscm, "init", str(root)], check=True, capture_output=True, env=env)
    folder = root / "schema"
    shutil.rmtree(folder)
    folder.mkdir()
    old = "old schema, still whole\n"
    for name in ("service.schema.json", "plan.schema.json"):
        (folder / name).write_text(old)
    done = subprocess.run([*itscm, "schema", "--dir", str(folder)], capture_output=True, text=True, env=env,
                          timeout=120, preexec_fn=lambda: _limited(4096))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"itscm: {folder}/") and done.stderr.endswith(".schema.json: File too large\n"), done.stderr
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    written = {p.name: p.read_text() for p in folder.iterdir()}
    assert old in written.values()  # stopped before it got to every file
    expected = {p.name: p.read_text() for p in (ROOT / "schema").iterdir()}
    for name, text in written.items():
        assert text == old or text == expected[name], name


def test_itscm_new_cut_short_leaves_no_half_document(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-m", "itscm_compiler", "new", "service", "payments", "--root", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=120, preexec_fn=lambda: _limited(64),
    )
    assert done.returncode == 2 and "File too large" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "services" / "payments.yaml").exists()


def test_a_site_build_on_a_full_disk_keeps_the_old_site_and_says_so(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"), PYTHONDONTWRITEBYTECODE="1")
    itscm = [sys.executable, "-m", "itscm_compiler"]
    root, out = tmp_path / "repo", tmp_path / "site"
    subprocess.run([*itscm, "init", str(root)], check=True, capture_output=True, env=env)
    first = subprocess.run([*itscm, "build", "--root", str(root), "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    full = subprocess.run([*itscm, "build", "--root", str(root), "--out", str(out), "--today", "2027-01-01"],
                          capture_output=True, text=True, env=env, timeout=300, preexec_fn=lambda: _limited(20000))
    assert full.returncode == 2 and "Traceback" not in full.stderr, full.stderr
    assert full.stderr.startswith("itscm build: cannot write the site: File too large"), full.stderr
    assert full.stderr.rstrip().endswith(f"{out} is left as it was"), full.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "site", "xdg"]  # no half-built folder beside it
