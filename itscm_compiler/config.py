"""Per-repository configuration, read from ``.itscm.yaml`` at the repository root.

Example::

    roots: [services, plans, threats, risks]   # default: the whole repository
    exclude: ["vendor/**", "compose/*.yml"]     # glob patterns, relative to the root
    max_file_size: 8MB                           # larger files are refused (Y006)
    rules:                                       # change a code's severity, or turn it off
      R102: info
      C105: off
"""

from __future__ import annotations

import fnmatch
import functools
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .diagnostics import Location, Severity

CONFIG_FILE = ".itscm.yaml"
DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024
_SIZE_RE = re.compile(r"(\d+)\s*([KMG]?)B?\Z", re.IGNORECASE)


class ConfigError(Exception):
    """The configuration file cannot be used; carries where and why, for every problem found.

    ``location`` and ``message`` are the first problem's; ``problems`` has
    them all, in the order of the file, so one run shows every mistake.
    """

    def __init__(self, location: Location, message: str, more: tuple[tuple[Location, str], ...] = ()) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message
        self.problems: tuple[tuple[Location, str], ...] = ((location, message), *more)


def _raise_all(problems: list[tuple[Location, str]]) -> None:
    """Raise one ConfigError with every problem, sorted by place; nothing when there are none."""
    if problems:
        ordered = sorted(problems, key=lambda p: (p[0].line or 0, p[0].column or 0))
        raise ConfigError(*ordered[0], more=tuple(ordered[1:]))


@dataclass(frozen=True)
class Config:
    """What a repository can configure; every field has a sensible default."""

    root: Path
    roots: tuple[str, ...] = (".",)
    exclude: tuple[str, ...] = ()
    severities: dict[str, Severity | None] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # Where each code under ``rules`` is written (code, line, column): a code
    # no rule has is reported there (Y010), once the rule catalogue is loaded.
    rule_places: tuple[tuple[str, int, int], ...] = ()
    # Where each entry of ``roots`` is written: a root that does not exist is reported there (Y012).
    root_places: tuple[tuple[str, int, int], ...] = ()

    def excluded(self, relpath: str) -> bool:
        return _matcher(self.exclude)(os.path.normcase(relpath)) is not None


@functools.lru_cache(maxsize=8)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """One regular expression for every ``exclude`` pattern, as ``fnmatch.fnmatch`` reads each.

    Discovery asks about every file and folder, warm runs included: one
    match per path instead of one ``fnmatch`` call per pattern (3,000
    patterns over 1,144 files took 3 s).
    """
    if not patterns:
        return lambda _: None
    return re.compile("|".join(fnmatch.translate(os.path.normcase(p)) for p in patterns)).match


def _parse_size(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE_RE.match(str(value).strip())
    if not match:
        raise ValueError(value)
    number, unit = int(match.group(1)), match.group(2).upper()
    return number * {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[unit]


def load_config(root: Path) -> Config:
    """Read ``.itscm.yaml`` under ``root``; a missing file gives the defaults."""
    from .readfile import read_settings
    from .yamlread import read_documents

    try:
        raw = read_settings(root / CONFIG_FILE)
        text = raw.decode("utf-8") if raw is not None else None
    except (ValueError, OSError) as exc:  # UnicodeDecodeError is a ValueError
        raise ConfigError(Location(CONFIG_FILE), f"cannot read the configuration: {exc}") from exc
    if text is None:
        return Config(root=root)
    documents, yaml_problems = read_documents(text)
    # A document's own problems too: a key written twice (`roots` twice kept one list in silence).
    yaml_problems = yaml_problems + [p for d in documents for p in d.problems]
    _raise_all([(Location(CONFIG_FILE, p.line, p.column), p.message) for p in yaml_problems])
    if not documents or documents[0].data is None:
        return Config(root=root)
    doc = documents[0]
    data = doc.data

    positions = doc.positions  # built on each access: once here, not once per setting

    def where(*keys: str | int) -> Location:
        pos = positions.get(tuple(keys)) or positions[()]
        return Location(CONFIG_FILE, pos.line, pos.column)

    if not isinstance(data, dict):
        raise ConfigError(where(), "the configuration must be a mapping")
    # Every mistake is collected and reported together: fixing a file one
    # error per run is what makes people give up on a tool.
    problems: list[tuple[Location, str]] = []
    known = {"roots", "exclude", "rules", "max_file_size"}
    for key in data:
        if key not in known:
            pos = positions[(key,)]
            problems.append(
                (
                    Location(CONFIG_FILE, pos.key_line, pos.key_column),
                    f"unknown setting {key!r}: use one of {', '.join(sorted(known))}",
                )
            )
    roots = data.get("roots", ["."])
    exclude = data.get("exclude", [])
    for name, value in (("roots", roots), ("exclude", exclude)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append((where(name), f"{name} must be a list of paths"))
    root_places: list[tuple[str, int, int]] = []
    if isinstance(roots, list) and not roots:
        problems.append((where("roots"), "roots lists no folder, so nothing would be checked: list the folders "
                         "that hold documents, or remove roots to check the whole repository"))
    if isinstance(roots, list):
        for i, start in enumerate(roots):
            if isinstance(start, str):
                place = where("roots", i)
                root_places.append((start, place.line, place.column))
            if isinstance(start, str) and _outside(start):
                problems.append(
                    (
                        where("roots", i),
                        f"root {start!r} is outside the repository: itscm reads only the repository's own files; "
                        "list folders relative to the folder of .itscm.yaml",
                    )
                )
    severities: dict[str, Severity | None] = {}
    places: list[tuple[str, int, int]] = []
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        problems.append((where("rules"), "rules must map a code to error, warning, info or off"))
        rules = {}
    for code, level in rules.items():
        text = str(level).strip().lower() if level is not False else "off"
        if text == "off":
            severities[str(code)] = None
        elif text in ("error", "warning", "info"):
            severities[str(code)] = Severity.parse(text)
        else:
            problems.append((where("rules", code), f"{level!r} is not a severity: use error, warning, info or off"))
        pos = positions.get(("rules", code)) or positions[()]
        places.append((str(code), pos.key_line or pos.line, pos.key_column or pos.column))
    max_size = DEFAULT_MAX_FILE_SIZE
    try:
        max_size = _parse_size(data.get("max_file_size", DEFAULT_MAX_FILE_SIZE))
    except ValueError:
        problems.append((where("max_file_size"), "max_file_size must be a size like 8MB or 500KB"))
    _raise_all(problems)
    return Config(
        root=root,
        roots=tuple(roots),
        exclude=tuple(exclude),
        severities=severities,
        max_file_size=max_size,
        rule_places=tuple(places),
        root_places=tuple(root_places),
    )


def _outside(start: str) -> bool:
    """Whether a configured root leaves the repository (absolute, or climbing above it with ``..``)."""
    if start.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", start):
        return True
    normal = posixpath.normpath(start.replace("\\", "/"))
    return normal == ".." or normal.startswith("../")
