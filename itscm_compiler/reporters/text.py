"""``path:line:col: severity CODE message`` lines, then a one-line summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from . import Report


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    errors = sum(1 for d in diagnostics if d.severity == Severity.ERROR)
    warnings = sum(1 for d in diagnostics if d.severity == Severity.WARNING)
    infos = sum(1 for d in diagnostics if d.severity == Severity.INFO)
    head = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}, {_plural(infos, 'info')}"
    return f"{head} in {_plural(files, 'file')} checked"


def render(diagnostics: Sequence[Diagnostic], files: int, show_related: bool = True) -> str:
    lines = []
    for diagnostic in diagnostics:
        lines.append(str(diagnostic))
        if show_related:
            for related in diagnostic.related:
                lines.append(f"    {related.location}: {related.message}")
    lines.append(summary(diagnostics, files))
    return "\n".join(lines) + "\n"


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
    text = render(report.diagnostics, report.files)
    return text[: text.rindex(summary(report.diagnostics, report.files))] + report_summary(report) + "\n"
