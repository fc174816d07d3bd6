"""The pipeline, readable top to bottom: discover, load, build the estate, check, sort.

Library entry points used by the CLI, the site and the tests alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, load_config
from .diagnostics import Diagnostic, Finding, Location, Severity
from .discovery import discover
from .engine import INTERNAL, run_rules, stamp
from .estate import Estate
from .gcpause import gc_paused
from .paths import relative, under


@dataclass
class LintResult:
    """The estate that was checked and every diagnostic, sorted by place."""

    estate: Estate
    diagnostics: list[Diagnostic]
    notes: list[str] = field(default_factory=list)
    waived: list[Diagnostic] = field(default_factory=list)  # suppressed by a valid waiver

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == Severity.ERROR for d in self.diagnostics)

    @property
    def has_internal_errors(self) -> bool:
        return any(d.code.startswith("X") for d in self.diagnostics)


def load_estate(
    root: Path, config: Config | None = None, today: dt.date | None = None, cache: bool = True
) -> tuple[Estate, list[Diagnostic]]:
    """Discover and load every document under the configured roots.

    ``cache`` uses the content-addressed cache in ``.itscm-cache/`` (see
    cache.py); it never changes the result, only how fast it comes.
    """
    from .bulk import load_all

    config = config or load_config(root)
    found = discover(config)
    findings: list[Finding] = [
        Finding(Location(path), f"{why}: not followed", code="Y009") for path, why in found.links
    ]
    loaded = load_all(root, list(found.files), config, use_cache=cache)
    findings.extend(loaded.findings)
    estate = Estate(config, loaded.documents, loaded.invalid, loaded.files, today or dt.date.today(), loaded.waivers)
    return estate, stamp(findings, config)


def lint(
    root: Path,
    paths: tuple[str, ...] = (),
    today: dt.date | None = None,
    config: Config | None = None,
    cache: bool = True,
) -> LintResult:
    """Run every check on the repository at ``root``.

    ``paths`` restricts what is reported, never what is loaded: cross-file
    checks always see the whole estate.
    """
    root = root.resolve()
    with gc_paused():
        estate, diagnostics = load_estate(root, config, today, cache)
        diagnostics.extend(run_rules(estate))
        diagnostics, waived = apply_waivers(estate, diagnostics)
        if paths:
            wanted = tuple(relative(root, p) for p in paths)
            diagnostics = [d for d in diagnostics if under(d.location.path, wanted)]
        diagnostics.sort(key=Diagnostic.sort_key)
    return LintResult(estate, diagnostics, waived=waived)


def apply_waivers(estate: Estate, diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Drop waived diagnostics and add the waivers' own (W001-W003); returns (kept, waived)."""
    if not estate.waivers:
        return diagnostics, []
    from .rules import BY_CODE
    from .waivers import apply

    known = [*BY_CODE, INTERNAL.code]
    applied = apply(diagnostics, estate.waivers, estate.today, known)
    return applied.kept + stamp(applied.findings, estate.config), applied.waived
