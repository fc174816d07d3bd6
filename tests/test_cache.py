"""The load cache never changes a result, and a bad cache is ignored, never trusted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from itscm_compiler.cache import CACHE_DIR
from itscm_compiler.pipeline import lint

TODAY = dt.date(2026, 11, 24)


pytestmark = pytest.mark.usefixtures("own_cache_key")


def _copy(generated_estate: Path, target: Path) -> Path:
    shutil.copytree(generated_estate, target)
    return target


def _diagnostics(root: Path, cache: bool) -> list[str]:
    # These tests are about the load cache: drop whole-run results first, or
    # an unchanged estate would be answered without reading a pack
    # (test_result_cache.py covers that layer).
    shutil.rmtree(root / CACHE_DIR / "v2" / "results", ignore_errors=True)
    result = lint(root, today=TODAY, cache=cache)
    assert not result.cached
    return [f"{d} | {' ; '.join(f'{r.location} {r.message}' for r in d.related)}" for d in result.diagnostics]


def _filled(generated_estate: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy of the estate with its cache filled, and its diagnostics without a cache."""
    root = _copy(generated_estate, tmp_path / "repo")
    expected = _diagnostics(root, cache=False)
    _diagnostics(root, cache=True)
    return root, expected


def _packs(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).rglob("*.pack"))


def test_cached_and_uncached_runs_agree_as_the_estate_changes(generated_estate: Path, tmp_path: Path) -> None:
    root = _copy(generated_estate, tmp_path / "repo")
    uncached = _diagnostics(root, cache=False)
    assert _diagnostics(root, cache=True) == uncached  # cold: fills the cache
    assert _packs(root)
    assert _diagnostics(root, cache=True) == uncached  # warm: every file from the cache
    services = sorted(root.glob("services/*/svc-*.yaml"))
    # Mutate: a renamed id, a deleted file, a broken file, a file moved elsewhere (same bytes, new path).
    first = services[0].read_text(encoding="utf-8")
    services[0].write_text(first.replace("id: svc-", "id: svc-renamed-", 1), encoding="utf-8")
    services[1].unlink()
    services[2].write_text("apiVersion: itscm/v1\nkind: Service\nid: [broken\n", encoding="utf-8")
    services[3].rename(root / "services" / "moved.yaml")
    mutated = _diagnostics(root, cache=False)
    assert mutated != uncached
    assert _diagnostics(root, cache=True) == mutated
    assert _diagnostics(root, cache=True) == mutated
    # Back to the original bytes: the old entries answer, and still agree.
    services[0].write_text(first, encoding="utf-8")
    assert _diagnostics(root, cache=True) == _diagnostics(root, cache=False)


def test_worker_processes_give_the_same_result(generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(generated_estate, tmp_path / "repo")
    serial = _diagnostics(root, cache=False)
    monkeypatch.setenv("ITSCM_WORKERS", "2")
    assert _diagnostics(root, cache=False) == serial
    assert _diagnostics(root, cache=True) == serial  # workers fill the cache
    assert _diagnostics(root, cache=True) == serial


def test_this_process_and_a_worker_share_the_loading(
    generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker takes chunks from the front, this process from the back; together every file once, in order."""
    from itscm_compiler import bulk

    root = _copy(generated_estate, tmp_path / "repo")
    serial = _diagnostics(root, cache=False)
    monkeypatch.setenv("ITSCM_WORKERS", "2")
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 1)
    chunks: list[list[str]] = []

    def small_chunks(items: list[str], count: int) -> list[list[str]]:
        chunks[:] = [items[start : start + 5] for start in range(0, len(items), 5)]
        return chunks

    here: list[str] = []
    load_here = bulk._load_here

    def recorded(root_: str, rel: str, max_size: int, cache: object) -> object:
        here.append(rel)
        return load_here(root_, rel, max_size, cache)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_chunks", small_chunks)
    monkeypatch.setattr(bulk, "_load_here", recorded)
    assert _diagnostics(root, cache=True) == serial  # fills the cache from both processes
    assert len(chunks) > 10
    assert here and chunks[-1][-1] in here  # this process started at the back ...
    assert chunks[0][0] not in here  # ... and the worker at the front
    assert len(here) < sum(map(len, chunks))
    assert len(set(here)) == len(here)  # no file loaded twice here

    def not_cached(*args: object) -> object:
        raise AssertionError(f"not in the cache: {args[1]}")

    monkeypatch.setenv("ITSCM_WORKERS", "1")
    monkeypatch.setattr(bulk, "_load_here", not_cached)
    assert _diagnostics(root, cache=True) == serial  # every file, the worker's too, came from the cache


def test_a_forked_reader_hashes_half_the_files_and_this_process_the_rest(
    generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The split read gives the same keys and problems as one process, and a reader that dies changes nothing."""
    from itscm_compiler import bulk
    from itscm_compiler.cache import LoadCache
    from itscm_compiler.config import load_config

    root = _copy(generated_estate, tmp_path / "repo")
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*.yaml"))
    (root / files[-1]).unlink()  # in the reader's half: found by discovery, gone when read
    limit = max((root / rel).stat().st_size for rel in files[:-1])
    (root / files[-2]).write_bytes(b"x" * (limit + 1))  # also in the reader's half: above the size limit
    config = dataclasses.replace(load_config(root), max_file_size=limit)
    cache = LoadCache.open(config)
    monkeypatch.setenv("ITSCM_WORKERS", "2")
    monkeypatch.setattr(bulk, "READ_PARALLEL_FROM", 10**9)
    serial = bulk.read_files(root, files, config, cache)
    assert len(files) - 1 in serial.unreadable and len(files) - 2 in serial.unreadable

    from itscm_compiler.forked import Forked

    forked: list[int] = []
    start = Forked.start

    def recorded(work: object) -> object:
        child = start(work)  # type: ignore[arg-type]
        forked.append(child.pid if child else 0)
        return child

    monkeypatch.setattr(Forked, "start", staticmethod(recorded))
    monkeypatch.setattr(bulk, "READ_PARALLEL_FROM", 2)
    assert bulk.read_files(root, files, config, cache) == serial
    assert forked and forked[0] > 0

    parent = os.getpid()
    read_into = bulk._read_into

    def dies_in_the_child(*args: object) -> None:
        if os.getpid() != parent:
            os._exit(3)
        read_into(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_read_into", dies_in_the_child)
    assert bulk.read_files(root, files, config, cache) == serial  # this process read the reader's half too
    monkeypatch.setenv("ITSCM_WORKERS", "1")
    forked.clear()
    assert bulk.read_files(root, files, config, cache) == serial
    assert not forked  # one process asked for: no reader


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "foreign-key", "directory"])
def test_a_damaged_cache_is_ignored_and_rebuilt(
    damage: str, generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, expected = _filled(generated_estate, tmp_path)
    (pack,) = _packs(root)
    blob = pack.read_bytes()
    if damage == "truncate":
        pack.write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":
        middle = len(blob) // 2
        pack.write_bytes(blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1 :])
    elif damage == "garbage":
        pack.write_bytes(os.urandom(len(blob)))
    elif damage == "empty":
        pack.write_bytes(b"")
    elif damage == "foreign-key":  # written by someone else: another HMAC key
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    elif damage == "directory":
        pack.unlink()
        pack.mkdir()
    assert _diagnostics(root, cache=True) == expected
    assert _diagnostics(root, cache=True) == expected


def test_a_planted_pickle_is_never_unpickled(generated_estate: Path, tmp_path: Path) -> None:
    """A cache committed to the repository cannot run code: entries without our HMAC are not read."""
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    root, expected = _filled(generated_estate, tmp_path)
    (pack,) = _packs(root)
    blob = pack.read_bytes()
    # Replace the first entry's payload with a malicious pickle, keeping the framing valid:
    # magic (8 bytes), salt digest (16), entry count (4), keys (20 each), sizes (4 each), then MAC (32)
    # and payload per entry.
    count = int.from_bytes(blob[24:28], "big")
    sizes_at = 28 + 20 * count
    first = sizes_at + 4 * count
    old_size = int.from_bytes(blob[sizes_at : sizes_at + 4], "big")
    payload = pickle.dumps(Evil())
    forged = (
        blob[:sizes_at] + len(payload).to_bytes(4, "big") + blob[sizes_at + 4 : first]
        + b"\0" * 32 + payload + blob[first + 32 + old_size :]
    )
    pack.write_bytes(forged)
    assert _diagnostics(root, cache=True) == expected
    assert not marker.exists()


def test_cache_off_by_environment(generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(generated_estate, tmp_path / "repo")
    monkeypatch.setenv("ITSCM_NO_CACHE", "1")
    _diagnostics(root, cache=True)
    assert not (root / CACHE_DIR).exists()


def test_the_cache_folder_ignores_itself_and_is_not_read_as_documents(generated_estate: Path, tmp_path: Path) -> None:
    root = _copy(generated_estate, tmp_path / "repo")
    first = lint(root, today=TODAY)
    assert (root / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    again = lint(root, today=TODAY)
    assert again.estate.files == first.estate.files
    assert not any(CACHE_DIR in f for f in again.estate.files)


def test_lint_no_cache_flag_writes_no_cache(generated_estate: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from itscm_compiler.cli import cli

    root = _copy(generated_estate, tmp_path / "repo")
    plain = CliRunner().invoke(cli, ["lint", "--root", str(root), "--today", "2026-11-24", "--no-cache"])
    assert plain.exit_code == 1, plain.output
    assert not (root / CACHE_DIR).exists()
    cached = CliRunner().invoke(cli, ["lint", "--root", str(root), "--today", "2026-11-24"])
    assert (root / CACHE_DIR).exists()
    assert cached.output == plain.output


def test_upgrading_a_dependency_changes_the_salt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A new ruamel.yaml or pydantic could read a file differently: entries and
    # results written with the old one must not answer.
    from itscm_compiler import cache

    monkeypatch.setattr(cache, "_SOURCE_SALT", None)
    before = cache.source_salt()
    site = tmp_path / "site-packages"
    (site / "ruamel_yaml-99.0.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    monkeypatch.setattr(cache, "_SOURCE_SALT", None)
    assert cache.source_salt() != before


def test_two_versions_keep_their_own_packs_until_one_goes_unused(
    generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pinned pre-commit hook and a newer CLI on one repository: each reads
    # its own pack and leaves the other's alone; after an upgrade, the old
    # version's pack goes once it has not been used for FOREIGN_KEEP_DAYS.
    from itscm_compiler import bulk, cache

    monkeypatch.setattr(cache, "STALE_SLACK", 0)  # the test estate is far smaller than 1 MB
    parsed: list[str] = []
    real = bulk._load_here
    monkeypatch.setattr(bulk, "_load_here", lambda base, rel, *a: parsed.append(rel) or real(base, rel, *a))
    root = _copy(generated_estate, tmp_path / "repo")
    expected = _diagnostics(root, cache=True)
    (first,) = _packs(root)
    monkeypatch.setattr(cache, "_SOURCE_SALT", b"another itscm version")
    assert _diagnostics(root, cache=True) == expected
    assert len(_packs(root)) == 2 and first in _packs(root)
    monkeypatch.setattr(cache, "_SOURCE_SALT", None)  # back to this version: its pack answers everything
    parsed.clear()
    assert _diagnostics(root, cache=True) == expected
    assert parsed == [] and len(_packs(root)) == 2
    # The other version unused for longer than FOREIGN_KEEP_DAYS: the next run that writes drops its pack.
    (other,) = [p for p in _packs(root) if p != first]
    old = time.time() - (cache.FOREIGN_KEEP_DAYS + 1) * 86400
    os.utime(other, (old, old))
    service = sorted(root.glob("services/*/svc-*.yaml"))[0]
    service.write_text(service.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _diagnostics(root, cache=True) == _diagnostics(root, cache=False)
    assert other not in _packs(root) and first in _packs(root)
    # A file of an older pack format (as large as an estate's pack) is stale: compaction removes it.
    (root / CACHE_DIR / "v2" / "0-old.pack").write_bytes(b"ITSCMP2\n" + os.urandom(first.stat().st_size))
    service.write_text(service.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _diagnostics(root, cache=True)
    assert not (root / CACHE_DIR / "v2" / "0-old.pack").exists()


def test_a_run_answered_by_a_stored_result_still_marks_its_packs_used(
    generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another version prunes packs no run used for FOREIGN_KEEP_DAYS: warm runs count as use."""
    from itscm_compiler import cache

    root = _copy(generated_estate, tmp_path / "repo")
    _diagnostics(root, cache=True)
    (mine,) = _packs(root)
    monkeypatch.setattr(cache, "_SOURCE_SALT", b"another itscm version")
    _diagnostics(root, cache=True)
    (theirs,) = [p for p in _packs(root) if p != mine]
    monkeypatch.setattr(cache, "_SOURCE_SALT", None)
    assert lint(root, today=TODAY).cached is False  # stores this version's result again (dropped by _diagnostics)
    old = time.time() - (cache.FOREIGN_KEEP_DAYS + 1) * 86400
    for pack in (mine, theirs):
        os.utime(pack, (old, old))
    assert lint(root, today=TODAY).cached  # answered from the stored result: no pack is read
    assert mine.stat().st_mtime > time.time() - 3600  # marked used
    assert theirs.stat().st_mtime < time.time() - 86400  # another version's pack is left alone


@pytest.mark.parametrize("link", [CACHE_DIR, f"{CACHE_DIR}/v2", f"{CACHE_DIR}/v2/results"])
def test_a_cache_folder_committed_as_a_link_is_not_written_through(
    link: str, generated_estate: Path, tmp_path: Path
) -> None:
    # A repository could ship .itscm-cache (or a folder in it) as a link to
    # somewhere else: nothing may be written, or pruned, there.
    root = _copy(generated_estate, tmp_path / "repo")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.res").write_bytes(b"someone else's file")
    (outside / "keep.pack").write_bytes(b"someone else's file")
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(outside, target_is_directory=True)
    expected = _diagnostics(root, cache=False)
    for _ in range(2):
        assert lint(root, today=TODAY).diagnostics == lint(root, today=TODAY, cache=False).diagnostics
    assert sorted(p.name for p in outside.iterdir()) == ["keep.pack", "keep.res"]
    assert _diagnostics(root, cache=True) == expected


@pytest.mark.parametrize("whole_from", [0, 10**9])
def test_entries_read_one_by_one_or_with_the_whole_pack_agree(
    whole_from: int, generated_estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run that needs a few entries reads just those (pread at the offsets
    # the pack's table gives); past WHOLE_FROM it reads the pack at once.
    from itscm_compiler import bulk, cache

    root, expected = _filled(generated_estate, tmp_path)
    monkeypatch.setattr(cache, "WHOLE_FROM", whole_from)
    parsed: list[str] = []
    real = bulk._load_here
    monkeypatch.setattr(bulk, "_load_here", lambda base, rel, *a: parsed.append(rel) or real(base, rel, *a))
    assert _diagnostics(root, cache=True) == expected
    assert parsed == []  # every file came from the pack
    (pack,) = _packs(root)
    pack.write_bytes(pack.read_bytes()[:-1])  # the last entry cut short: it alone is read again
    assert _diagnostics(root, cache=True) == expected
    assert len(parsed) == 1


@pytest.mark.parametrize("variable", ["XDG_CACHE_HOME", "HOME"])
def test_a_relative_cache_home_puts_nothing_in_the_current_folder(variable: str, generated_estate: Path, tmp_path: Path) -> None:
    # XDG says a relative XDG_CACHE_HOME is to be ignored; a relative HOME
    # (a CI step that set it so) would have put the per-user cache and its
    # key in whatever folder the command ran in: the repository.
    root = _copy(generated_estate, tmp_path / "repo")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent), XDG_CACHE_HOME="", HOME="home")
    env[variable] = "cachedir" if variable == "XDG_CACHE_HOME" else "home"
    argv = [sys.executable, "-m", "itscm_compiler", "lint", "--today", "2026-11-24"]
    cached = subprocess.run(argv, cwd=root, capture_output=True, env=env, timeout=300)
    plain = subprocess.run([*argv, "--no-cache"], cwd=root, capture_output=True, env=env, timeout=300)
    assert (cached.returncode, cached.stdout, cached.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert not (root / "cachedir").exists() and not (root / "home").exists()
    assert {p.name for p in root.iterdir()} - {CACHE_DIR} == {p.name for p in generated_estate.iterdir()}
