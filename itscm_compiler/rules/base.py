"""What a rule is: a code, a name, a default severity, documentation and a pure check."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from ..diagnostics import Finding, Severity

if TYPE_CHECKING:
    from ..estate import Estate

Check = Callable[["Estate"], Iterable[Finding]]

FAMILIES = {
    "Y": "YAML",
    "S": "schema",
    "R": "references",
    "T": "targets",
    "G": "graph",
    "C": "coverage and completeness",
    "F": "freshness",
    "K": "risk",
    "W": "waivers",
    "X": "internal",
}


@dataclass(frozen=True)
class Rule:
    """One entry of the rule catalogue.

    ``check`` is None for codes that the loader emits itself (YAML and schema
    problems found while reading); their documentation still lives here.
    """

    code: str
    name: str
    severity: Severity
    doc: str
    check: Check | None = None
    # Starts slow outside work (a Git call) before the checks run, so it
    # overlaps them; never yields findings, never changes a result.
    prefetch: Callable[["Estate"], None] | None = None

    @property
    def family(self) -> str:
        return FAMILIES.get(self.code[0], "other")

    @property
    def summary(self) -> str:
        first = self.doc.strip().split("\n\n", 1)[0]
        return " ".join(first.split()) if first else self.name


def rule(code: str, name: str, severity: Severity) -> Callable[[Check], Rule]:
    """Decorate a pure check function; its docstring becomes the rule's documentation."""

    def wrap(func: Check) -> Rule:
        return Rule(code, name, severity, inspect.cleandoc(func.__doc__ or ""), func)

    return wrap


def loader_rule(code: str, name: str, severity: Severity, doc: str) -> Rule:
    """A code the loader emits while reading; documented like any other rule."""
    return Rule(code, name, severity, inspect.cleandoc(doc))
