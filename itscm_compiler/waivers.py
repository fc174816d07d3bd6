"""Inline waivers: a YAML comment next to a value waives one diagnostic, with a reason and an expiry.

Syntax, at the end of the value's line or on its own line directly above it::

    # itscm: waive G101 until 2027-03-31 -- single DB accepted until the migration

Several codes may be listed (``waive G101, T004 until ...``). Stacked waiver
comments above one value all apply to that value. The reason and the expiry
are mandatory. Expired waivers (W001), unused waivers (W002) and malformed
ones (W003) are diagnostics themselves, so suppressions are linted too.

Scanning is a pure function of the file text (the fast loader drops comments),
so its result can be cached with the rest of a file's loading.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Iterable, Mapping, Sequence

from .diagnostics import Diagnostic, Finding, Location, Related

MARKER = "itscm:"
_DIRECTIVE_RE = re.compile(r"#\s*itscm:(?P<body>.*)$")
_WAIVE_RE = re.compile(
    r"\s*waive\s+(?P<codes>[A-Za-z0-9_,\s]+?)\s+until\s+(?P<until>\S+)\s*(?:--\s*(?P<reason>.*?))?\s*\Z"
)
_CODE_RE = re.compile(r"[A-Z]\d{3}\Z")
SYNTAX = "# itscm: waive CODE until YYYY-MM-DD -- reason"


def comment_start(line: str) -> int:
    """Where a YAML comment starts in ``line`` (quotes respected), or -1."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote == "'":
            if char == "'":
                if line[index + 1 : index + 2] == "'":
                    index += 1
                else:
                    quote = ""
        elif quote == '"':
            if char == "\\":
                index += 1
            elif char == '"':
                quote = ""
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
        elif char in "'\"" and (index == 0 or line[index - 1] in " \t[{,:-?"):
            quote = char
        index += 1
    return -1


@dataclass(frozen=True, slots=True)
class Waiver:
    """One ``# itscm:`` comment of a file, parsed; ``problem`` is set when it is malformed.

    ``line``/``column`` are where the comment is; ``target`` is the line whose
    diagnostics it waives.
    """

    line: int
    column: int
    target: int
    codes: tuple[str, ...] = ()
    until: dt.date | None = None
    reason: str = ""
    problem: str = ""


def scan(text: str) -> tuple[Waiver, ...]:
    """Every ``# itscm:`` comment of ``text``, in order of lines (pure: text -> waivers)."""
    if MARKER not in text:
        return ()
    lines = text.splitlines()
    found: list[Waiver] = []
    for index, line in enumerate(lines):
        if MARKER not in line:
            continue
        start = comment_start(line)
        match = _DIRECTIVE_RE.match(line, start) if start >= 0 else None
        if match is None:
            continue
        number = index + 1
        column = start + 1
        standalone = not line[:start].strip()
        target = _next_content_line(lines, index) if standalone else number
        found.append(_parse(match.group("body"), number, column, target))
    return tuple(found)


def _next_content_line(lines: list[str], index: int) -> int:
    """The first line after ``index`` that is not a comment: stacked waivers share one target."""
    for later in range(index + 1, len(lines)):
        if not lines[later].lstrip().startswith("#"):
            return later + 1
    return index + 2


def _parse(body: str, line: int, column: int, target: int) -> Waiver:
    here = Waiver(line, column, target)
    match = _WAIVE_RE.match(body)
    if match is None:
        if not body.strip().startswith("waive"):
            return replace(here, problem=f"unknown itscm comment {body.strip()!r}: write `{SYNTAX}`")
        return replace(here, problem=f"a waiver needs codes, an expiry and a reason: write `{SYNTAX}`")
    codes = tuple(c for c in re.split(r"[\s,]+", match.group("codes").strip()) if c)
    bad = [c for c in codes if not _CODE_RE.match(c)]
    if bad:
        return replace(here, problem=f"{bad[0]!r} is not a rule code like G101: write `{SYNTAX}`")
    try:
        until = dt.date.fromisoformat(match.group("until"))
    except ValueError:
        return replace(
            here, codes=codes, problem=f"expiry {match.group('until')!r} is not a date: write YYYY-MM-DD"
        )
    reason = (match.group("reason") or "").strip()
    if not reason:
        return replace(
            here, codes=codes, until=until, problem="a waiver needs a reason after `--`: say why it is accepted"
        )
    return replace(here, codes=codes, until=until, reason=reason)


@dataclass
class Applied:
    """What applying the waivers gave: the diagnostics left, those waived, and W-findings."""

    kept: list[Diagnostic]
    waived: list[Diagnostic]
    findings: list[Finding]


def apply(
    diagnostics: Sequence[Diagnostic],
    waivers: Mapping[str, Sequence[Waiver]],
    today: dt.date,
    known_codes: Iterable[str],
) -> Applied:
    """Drop the diagnostics that a valid waiver covers; lint the waivers themselves."""
    known = frozenset(known_codes)
    findings: list[Finding] = []
    # (path, target line, code) -> waivers that are in force there
    active: dict[tuple[str, int, str], list[tuple[str, Waiver]]] = {}
    for path, items in waivers.items():
        for waiver in items:
            where = Location(path, waiver.line, waiver.column)
            problem = waiver.problem or _unknown_code(waiver.codes, known)
            if problem:
                findings.append(Finding(where, problem, key=f"malformed waiver: {problem}", code="W003"))
                continue
            assert waiver.until is not None
            if waiver.until < today:
                findings.append(
                    Finding(
                        where,
                        f"waiver of {', '.join(waiver.codes)} expired on {waiver.until} "
                        f"({(today - waiver.until).days} days ago; reason was: {waiver.reason}): "
                        "fix the finding, or renew the waiver with a new date and a reason",
                        key=f"expired waiver of {' '.join(waiver.codes)} until {waiver.until}: {waiver.reason}",
                        code="W001",
                    )
                )
                continue  # the diagnostic it covered is reported again
            for code in waiver.codes:
                active.setdefault((path, waiver.target, code), []).append((path, waiver))
    used: set[tuple[str, int, str]] = set()
    kept: list[Diagnostic] = []
    waived: list[Diagnostic] = []
    for diagnostic in diagnostics:
        loc = diagnostic.location
        key = (loc.path, loc.line, diagnostic.code)
        if key in active:
            used.add(key)
            waived.append(diagnostic)
        else:
            kept.append(diagnostic)
    for key, holders in active.items():
        if key in used:
            continue
        for path, waiver in holders:
            findings.append(
                Finding(
                    Location(path, waiver.line, waiver.column),
                    f"waiver of {key[2]} matches no {key[2]} diagnostic on line {waiver.target}: "
                    "the problem is gone or moved; remove the waiver or move it next to the value",
                    (Related(Location(path, waiver.target, 1), "the line it waives"),),
                    key=f"unused waiver of {key[2]}: {waiver.reason}",
                    code="W002",
                )
            )
    return Applied(kept, waived, findings)


def _unknown_code(codes: tuple[str, ...], known: frozenset[str]) -> str:
    for code in codes:
        if code.startswith("W"):
            return f"{code} cannot be waived: fix the waiver itself"
        if code not in known:
            return f"unknown rule code {code!r}: run `itscm rules` for the list"
    return ""
