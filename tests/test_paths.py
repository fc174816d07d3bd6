"""PATHS arguments: one meaning for ``lint``, ``lint --since`` and ``fmt``; ``exclude`` patterns as fnmatch reads them."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itscm_compiler.config import Config
from itscm_compiler.fmt import format_files
from itscm_compiler.paths import relative, under

from .conftest import write_tree

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
