"""``itscm fmt``: rewrite YAML files in the canonical layout, keeping every comment.

The layout is described in roundtrip.py. A file that cannot be formatted
safely (bad YAML, an edit that would touch data or comments) is reported and
left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_atomically
from .config import Config, load_config
from .discovery import discover
from .loader import read_text
from .paths import relative, under
from .roundtrip import EditError, check_same, dump_all, line_break, load_all
from .yamlread import read_documents


@dataclass
class FmtResult:
    """Files looked at, those that (would) change, and those that could not be formatted."""

    checked: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def format_text(text: str) -> str:
    """``text`` in canonical layout; raises EditError when that is not safe."""
    # The fast reader first: it refuses bad, deep or exploding YAML in milliseconds,
    # where the round-trip parser would take seconds to fail.
    parsed, problems = read_documents(text)
    problems = problems + [p for d in parsed for p in d.problems]
    if problems:
        first = problems[0]
        raise EditError(f"YAML problem at {first.line}:{first.column} ({first.message}): fix it first")
    documents = load_all(text)
    if all(document is None for document in documents):
        return text  # empty or only comments: nothing to lay out (lint reports it)
    result = dump_all(documents, line_break(text))
    check_same(text, result)
    return result


def format_files(root: Path, paths: tuple[str, ...] = (), check: bool = False, config: Config | None = None) -> FmtResult:
    """Format the YAML files under ``paths`` (default: the configured roots) of the repository at ``root``."""
    root = root.resolve()
    config = config or load_config(root)
    # Only the estate's own files, even when given paths (pre-commit passes every
    # changed YAML file, tool files like .pre-commit-config.yaml included).
    files = discover(config).files
    if paths:
        wanted = tuple(relative(root, p) for p in paths)
        # A "." that does not resolve into the repository (run from elsewhere) still means every file.
        files = tuple(f for f in files if under(f, wanted) or "." in wanted)
    result = FmtResult()
    for rel in files:
        full = root / rel
        text, problems = read_text(full, rel, config.max_file_size)
        if text is None:
            result.problems.extend((rel, p.message) for p in problems)
            continue
        result.checked.append(rel)
        try:
            formatted = format_text(text)
        except EditError as exc:
            result.problems.append((rel, str(exc)))
            continue
        if formatted == text:
            continue
        result.changed.append(rel)
        if not check:
            write_atomically(full, formatted)
    return result
