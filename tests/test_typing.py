"""The library type-checks: mypy finds no error in itscm_compiler (configured in pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_mypy_finds_no_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, MYPY_CACHE_DIR=str(tmp_path / "mypy-cache"))
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
