"""The installable distribution: build the sdist and wheel, install the wheel
into a fresh virtual environment outside the repository, and use it there.

The virtual environment is new and empty except for one ``.pth`` line that
lends it the packages of the environment running the tests (the effect of
``--system-site-packages``, but also when the tests themselves run in a
virtual environment, as CI's do): the dependencies resolve without a
download, while itscm itself comes only from the wheel. Building uses the
build backend from PyPI (``python -m build`` in its isolated environment).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "MANIFEST.in", "itscm_compiler", "schema")


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` on a copy of the sources, so the checkout gets no build/ or egg-info."""
    base = tmp_path_factory.mktemp("dist")
    source = base / "src"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(path, source / name)
    _run(sys.executable, "-m", "build", "--outdir", str(base / "out"), str(source), cwd=base)
    return base / "out"


def test_sdist_and_wheel_carry_templates_scaffold_and_schemas(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "itscm_compiler" / "data").rglob("*") if p.is_file()}
    assert data, "no package data found"
    assert data <= in_wheel, sorted(data - in_wheel)
    assert data <= in_sdist, sorted(data - in_sdist)
    schemas = {p.relative_to(ROOT).as_posix() for p in (ROOT / "schema").glob("*.json")}
    assert schemas <= in_sdist, sorted(schemas - in_sdist)
    assert "itscm_compiler/py.typed" in in_wheel
    assert any(name.endswith("entry_points.txt") for name in in_wheel)


def test_wheel_in_a_fresh_virtual_environment_inits_lints_and_builds(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path)
    lent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib.stdout.strip(), "lent-test-dependencies.pth").write_text("\n".join(sorted(lent)) + "\n")
    # --ignore-installed: where the lending environment has itscm installed
    # itself (CI's editable install), pip would otherwise call the wheel
    # "already satisfied" and install nothing.
    _run(
        str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--ignore-installed", str(wheel),
        cwd=tmp_path,
    )

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = _run(str(python), "-c", "import itscm_compiler; print(itscm_compiler.__file__)", cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # the wheel, not the checkout

    itscm = str(venv / "bin" / "itscm")
    _run(itscm, "init", "continuity", cwd=tmp_path, env=env)
    repo = tmp_path / "continuity"
    git = ("git", "-c", "user.name=t", "-c", "user.email=t@t")
    _run(*git, "init", "-q", cwd=repo)
    _run(*git, "add", "-A", cwd=repo)
    _run(*git, "commit", "-q", "-m", "itscm init", cwd=repo)
    lint = _run(itscm, "lint", cwd=repo, env=env)
    assert lint.stdout.strip().splitlines()[-1].startswith("0 errors, 0 warnings, 0 infos"), lint.stdout
    # The site templates and assets come from the wheel too.
    _run(itscm, "build", cwd=repo, env=env)
    assert (repo / "site" / "index.html").is_file()
    assert "Example application" in (repo / "site" / "index.html").read_text(encoding="utf-8")
    _run(itscm, "new", "service", "payments-api", cwd=repo, env=env)
    assert (repo / "services" / "payments-api.yaml").is_file()
    # The wheel's models produce exactly the schemas committed in this repository.
    _run(itscm, "schema", "--check", "--dir", str(ROOT / "schema"), cwd=repo, env=env)
