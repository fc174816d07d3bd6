"""Rule cases as data: each file under cases/ is a small repository and its expected diagnostics.

Format of a case file::

    codes: R001            # the codes this case is about
    today: 2026-11-24      # optional
    expect: services/a.yaml:7:5 R001
    === services/a.yaml
    apiVersion: itscm/v1
    ...
    === plans/b.yaml
    ...
    === raw.yaml !bytes
    \x89PNG\x00 (Python escapes, for bytes that are not UTF-8)
    === link.yaml -> /etc/hostname   (a symbolic link)
    === @commit 2026-03-01 Subject   (commit every file written so far, dated;
                                      the case becomes a Git repository, and
                                      files after the last commit stay uncommitted)

Only diagnostics with the listed codes are compared, by code and location
(never by wording). A case without ``expect`` lines proves the codes stay
silent.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from itscm_compiler.pipeline import lint
from itscm_compiler.rules import RULES

from .conftest import write_tree

CASES = Path(__file__).parent / "cases"


@dataclass
class Case:
    name: str
    codes: set[str]
    expected: set[str]
    today: dt.date | None
    files: dict[str, str]
    links: dict[str, str]
    commits: list[tuple[dict[str, str], dt.date, str]] = field(default_factory=list)
    uncommitted: dict[str, str] = field(default_factory=dict)


def parse_case(path: Path) -> Case:
    codes: set[str] = set()
    expected: set[str] = set()
    today = None
    files: dict[str, str] = {}
    links: dict[str, str] = {}
    commits: list[tuple[dict[str, str], dt.date, str]] = []
    pending: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("=== "):
            if current is not None:
                files[current] = pending[current] = "".join(lines)
            current, lines = line[4:].strip(), []
            if current.startswith("@commit "):
                date, _, subject = current[len("@commit ") :].partition(" ")
                commits.append((pending, dt.date.fromisoformat(date), subject or "change"))
                pending, current = {}, None
                continue
            if " -> " in current:
                name, target = current.split(" -> ", 1)
                links[name] = target
                current = None
        elif current is not None:
            lines.append(line)
        elif line.startswith("codes:"):
            codes.update(line.split(":", 1)[1].split())
        elif line.startswith("expect:"):
            expected.add(" ".join(line.split(":", 1)[1].split()))
        elif line.startswith("today:"):
            today = dt.date.fromisoformat(line.split(":", 1)[1].strip())
    if current is not None:
        files[current] = pending[current] = "".join(lines)
    assert codes, f"{path.name}: a case names the codes it is about"
    return Case(path.stem, codes, expected, today, files, links, commits, pending if commits else {})


def commit_case(case: Case, base: Path) -> None:
    """Write a Git case commit by commit, with the dates it gives; leave the rest uncommitted."""

    def git(*args: str, date: dt.date | None = None) -> None:
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
        if date is not None:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date.isoformat()}T12:00:00+00:00"
        subprocess.run(["git", *args], cwd=base, env=env, check=True, capture_output=True)

    git("init", "-q")
    for files, date, subject in case.commits:
        write_tree(base, dict(files))
        git("add", "-A")
        git("commit", "-q", "--allow-empty", "-m", subject, date=date)
    write_tree(base, dict(case.uncommitted))


def materialise(case: Case, base: Path) -> None:
    """Write the case's files (``!bytes`` ones decoded from Python escapes) and links."""
    for name, content in case.files.items():
        if name.endswith(" !bytes"):
            raw = content.strip("\n").encode("ascii").decode("unicode_escape").encode("latin-1")
            write_tree(base, {name[: -len(" !bytes")]: raw})
        else:
            write_tree(base, {name: content})
    for name, target in case.links.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).symlink_to(target)


ALL_CASES = sorted(CASES.glob("*.case"))


@pytest.mark.parametrize("path", ALL_CASES, ids=[p.stem for p in ALL_CASES])
def test_case(path: Path, tmp_path: Path) -> None:
    case = parse_case(path)
    if case.commits:
        commit_case(case, tmp_path)
    else:
        materialise(case, tmp_path)
    result = lint(tmp_path, today=case.today or dt.date(2026, 11, 24))
    actual = {f"{d.location} {d.code}" for d in result.diagnostics if d.code in case.codes}
    assert actual == case.expected, "\n".join(str(d) for d in result.diagnostics)


# Codes whose positive case cannot be a case file, and the test that holds it instead.
POSITIVE_ELSEWHERE = {
    # A folder that cannot be listed: permissions do not stop root (CI), and a
    # path past the system's limit cannot be written the way case files are.
    "Y011": "tests/test_paths.py::test_a_folder_that_cannot_be_listed_is_reported_not_skipped",
}


def test_every_code_has_a_positive_and_a_negative_case() -> None:
    for code, test in POSITIVE_ELSEWHERE.items():
        module, name = test.split("::")
        assert f"def {name}(" in (Path(__file__).parent.parent / module).read_text(), (code, test)
    positive: set[str] = set(POSITIVE_ELSEWHERE)
    negative: set[str] = set()
    for path in ALL_CASES:
        case = parse_case(path)
        hit = {e.split()[-1] for e in case.expected}
        positive |= hit
        negative |= case.codes - hit
    missing = [
        f"{rule.code} ({'positive' if rule.code not in positive else ''}{' ' if rule.code not in positive and rule.code not in negative else ''}{'negative' if rule.code not in negative else ''})"
        for rule in RULES
        if rule.code not in positive or rule.code not in negative
    ]
    assert not missing, "codes without a case: " + ", ".join(missing)
