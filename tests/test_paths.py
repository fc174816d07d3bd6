"""PATHS arguments: one meaning for ``lint``, ``lint --since`` and ``fmt``; ``exclude`` patterns as fnmatch reads them."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itscm_compiler.config import Config
from itscm_compiler.fmt import format_files
from itscm_compiler.paths import relative, under

from .conftest import ROOT, write_tree

PERSON = "apiVersion: itscm/v1\nkind: Person\nid: {id}\nname: {id}\n"


def test_relative_names_the_root_empty_and_leaves_outside_paths_alone(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    assert relative(root, str(root)) == ""
    assert relative(root, str(root / "services" / "a.yaml")) == "services/a.yaml"
    outside = str(root.parent)
    assert relative(root, outside) == outside


def test_under_matches_the_path_itself_and_what_is_inside_it() -> None:
    assert under("services/a.yaml", ("services",)) and under("services/a.yaml", ("services/",))
    assert under("services/a.yaml", ("services/a.yaml",)) and under("anything.yaml", ("",))
    assert not under("servicesx/a.yaml", ("services",)) and not under("services/a.yaml", ("plans", "services/b"))


def test_fmt_checks_only_the_files_under_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {"people/a.yaml": PERSON.format(id="a"), "teams/b.yaml": PERSON.format(id="b")})
    assert format_files(root, (str(root / "people"),), check=True).checked == ["people/a.yaml"]
    assert format_files(root, (str(root),), check=True).checked == ["people/a.yaml", "teams/b.yaml"]
    monkeypatch.chdir(root / "teams")
    assert format_files(root, (".",), check=True).checked == ["teams/b.yaml"]


@settings(max_examples=int(os.environ.get("ITSCM_HYPOTHESIS_EXAMPLES", "200")), deadline=None)
@given(
    patterns=st.lists(st.text(alphabet="ab/.*?[]!-", min_size=1, max_size=8), min_size=1, max_size=4),
    paths=st.lists(st.text(alphabet="ab/.-", min_size=1, max_size=12), min_size=1, max_size=20),
)
def test_exclude_matches_as_fnmatch_does_pattern_by_pattern(patterns: list[str], paths: list[str]) -> None:
    # The patterns are joined into one regular expression (one match per path in discovery).
    config = Config(root=Path("/repo"), exclude=tuple(patterns))
    for path in paths:
        assert config.excluded(path) == any(fnmatch.fnmatch(path, p) for p in patterns), (path, patterns)


def _too_deep(services: Path) -> str:
    """Folders nested past the system's path limit under ``services``, a document at the bottom; the first folder's name."""
    name = "d" * 200
    here = os.open(services, os.O_RDONLY)
    try:
        for _ in range(25):  # 5,000 characters: more than PATH_MAX (4,096)
            os.mkdir(name, dir_fd=here)
            inner = os.open(name, os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = inner
        fd = os.open("deep.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here)
        os.write(fd, b"apiVersion: itscm/v1\nkind: Site\nid: deep-site\ntype: region\n")
        os.close(fd)
    finally:
        os.close(here)
    return name


def test_a_folder_that_cannot_be_listed_is_reported_not_skipped(tmp_path: Path) -> None:
    # A folder whose path is longer than the system allows (or that the
    # checking user may not read) dropped out of every check in silence.
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    root = tmp_path / "repo"
    itscm = [sys.executable, "-m", "itscm_compiler"]
    subprocess.run([*itscm, "init", str(root)], check=True, capture_output=True, env=env)
    top = _too_deep(root / "services")
    lint = [*itscm, "lint", "--root", str(root), "--format", "json"]
    runs = [subprocess.run(lint, capture_output=True, env=env, timeout=120) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout  # the second from the result cache
    found = [d for d in json.loads(runs[0].stdout)["diagnostics"] if d["code"] == "Y011"]
    assert runs[0].returncode == 1 and len(found) == 1, runs[0].stdout
    assert found[0]["path"].startswith(f"services/{top}/") and "File name too long" in found[0]["message"]
    os.chdir(root / "services")  # the folders are removed from where their paths are short enough
    try:
        shutil.rmtree(top)
    finally:
        os.chdir(ROOT)
    after = subprocess.run(lint, capture_output=True, env=env, timeout=120)
    assert after.returncode == 0 and b"Y011" not in after.stdout  # the stored result did not outlive the folder
