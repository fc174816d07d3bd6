"""``path:line:col: severity CODE message`` lines, then a one-line summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..diagnostics import Diagnostic, Severity
from .printable import printable_lines

if TYPE_CHECKING:
    from . import Report


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


_WORDS = {severity: str(severity) for severity in Severity}


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    counts = dict.fromkeys(Severity, 0)
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    head = (
        f"{_plural(counts[Severity.ERROR], 'error')}, {_plural(counts[Severity.WARNING], 'warning')}, "
        f"{_plural(counts[Severity.INFO], 'info')}"
    )
    return f"{head} in {_plural(files, 'file')} checked"


def _lines(diagnostics: Sequence[Diagnostic], show_related: bool = True) -> list[str]:
    """One line per diagnostic (what ``str(diagnostic)`` gives), each followed by its related places.

    Written out rather than through ``__str__``: a warm run on a large
    estate prints tens of thousands of diagnostics, and the method calls
    per line cost more than the formatting.
    """
    lines: list[str] = []
    append = lines.append
    words = _WORDS
    for diagnostic in diagnostics:
        loc = diagnostic.location
        append(f"{loc.path}:{loc.line}:{loc.column}: {words[diagnostic.severity]} {diagnostic.code} {diagnostic.message}")
        if show_related and diagnostic.related:
            for related in diagnostic.related:
                where = related.location
                append(f"    {where.path}:{where.line}:{where.column}: {related.message}")
    return lines


def render(diagnostics: Sequence[Diagnostic], files: int, show_related: bool = True) -> str:
    lines = _lines(diagnostics, show_related)
    lines.append(summary(diagnostics, files))
    return printable_lines(lines)


def report_summary(report: Report) -> str:
    """The summary line, with what waivers and PR mode left out (so a clean run is never misread)."""
    line = summary(report.diagnostics, report.files)
    if report.waived:
        line += f" ({report.waived} waived)"
    if report.since:
        found = "existing finding" if report.left_out == 1 else "existing findings"
        line += f"; {report.left_out} {found} left out (already present at {report.since})"
    return line


def render_report(report: Report) -> str:
    """The text format of a :class:`Report` (paths relative to the itscm root)."""
    lines = _lines(report.diagnostics)
    lines.append(report_summary(report))
    return printable_lines(lines)
