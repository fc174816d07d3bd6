"""Shared helpers: write small repositories, run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _shared_testdata() -> Path:
    """``../shared/testdata`` beside the checkout, or beside the main checkout of a Git worktree."""
    beside = ROOT.parent / "shared" / "testdata"
    if beside.is_dir():
        return beside
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--path-format=absolute", "--git-common-dir"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return beside
    if done.returncode != 0:
        return beside
    main_checkout = Path(done.stdout.strip()).parent
    found = main_checkout.parent / "shared" / "testdata"
    return found if found.is_dir() else beside


SHARED = _shared_testdata()


def write_tree(base: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> content) under ``base``."""
    for rel, content in files.items():
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return base


def run_itscm(*args: str, cwd: Path | None = None, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``itscm`` in a subprocess, from this checkout's sources."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "itscm_compiler", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """An empty folder to write a small continuity repository into."""
    path = tmp_path / "repo"
    path.mkdir()
    yield path


@pytest.fixture
def own_cache_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test keeps its cache HMAC key in its own folder, never in the user's, with both caches on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.delenv("ITSCM_NO_CACHE", raising=False)
    monkeypatch.delenv("ITSCM_WORKERS", raising=False)


@pytest.fixture(scope="session")
def generated_estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 60-service estate from benchmarks/generate.py, for tests to copy (never to change)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    root = tmp_path_factory.mktemp("generated")
    generate(root, services=60, seed=3)
    return root
