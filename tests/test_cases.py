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

Only diagnostics with the listed codes are compared, by code and location
(never by wording). A case without ``expect`` lines proves the codes stay
silent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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


def parse_case(path: Path) -> Case:
    codes: set[str] = set()
    expected: set[str] = set()
    today = None
    files: dict[str, str] = {}
    links: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("=== "):
            if current is not None:
                files[current] = "".join(lines)
            current, lines = line[4:].strip(), []
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
        files[current] = "".join(lines)
    assert codes, f"{path.name}: a case names the codes it is about"
    return Case(path.stem, codes, expected, today, files, links)


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
    materialise(case, tmp_path)
    result = lint(tmp_path, today=case.today or dt.date(2026, 11, 24))
    actual = {f"{d.location} {d.code}" for d in result.diagnostics if d.code in case.codes}
    assert actual == case.expected, "\n".join(str(d) for d in result.diagnostics)


def test_every_code_has_a_positive_and_a_negative_case() -> None:
    positive: set[str] = set()
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
