"""Reporters: formatting of diagnostics only, one module per format.

Every reporter takes a :class:`Report` and returns the whole output as text;
the command writes it. Formats are imported only when chosen.
"""

from __future__ import annotations

import importlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ..diagnostics import Diagnostic, Severity

FORMATS = ("text", "json", "sarif", "github")


@dataclass(frozen=True)
class Report:
    """What a reporter formats.

    ``prefix`` is where the itscm root lies inside its Git repository
    (``""`` at the top, ``"continuity/"`` in a subfolder): code scanning and
    workflow commands need paths relative to the repository, not to the root.
    """

    diagnostics: Sequence[Diagnostic]
    files: int
    waived: int = 0
    notes: Sequence[str] = ()
    prefix: str = ""
    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    since: str = ""  # PR mode: the base ref
    left_out: int = 0  # PR mode: findings already present at the base, not reported

    def path(self, relpath: str) -> str:
        """A diagnostic's path relative to the Git repository."""
        if relpath in (".", ""):
            return self.prefix.rstrip("/") or "."
        return self.prefix + relpath


def render(fmt: str, report: Report) -> str:
    """The whole output of ``report`` in format ``fmt`` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{fmt}")
    output: str = module.render_report(report)
    return output


def repository_prefix(root: Path) -> str:
    """Where ``root`` lies inside its Git work tree (``""`` outside Git or at the top)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-prefix"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
