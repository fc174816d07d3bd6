"""Severity, Location and Diagnostic: the immutable values every check produces."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How bad a diagnostic is; ordered so that ``max()`` gives the worst."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read ``error``, ``warning`` or ``info`` (case-insensitive)."""
        return cls[text.strip().upper()]


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a file, relative to the repository root."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Related:
    """Another place that helps to understand a diagnostic."""

    location: Location
    message: str


@dataclass(frozen=True)
class Finding:
    """What a rule reports: where, what, and the other places involved.

    Rules never choose their code or severity; the engine stamps both.
    ``key`` identifies the finding independently of line numbers (for PR-mode
    fingerprints); it defaults to the message.
    """

    location: Location
    message: str
    related: tuple[Related, ...] = ()
    key: str = ""
    code: str = ""  # only for rule families that emit several codes


@dataclass(frozen=True)
class Diagnostic:
    """A stamped finding: code, name and severity added by the engine."""

    code: str
    name: str
    severity: Severity
    location: Location
    message: str
    related: tuple[Related, ...] = field(default=())
    key: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity} {self.code} {self.message}"
