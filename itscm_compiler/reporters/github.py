"""GitHub Actions workflow commands: one annotation per diagnostic on the pull request.

``::error file=plans/a.yaml,line=7,col=5,title=R001::message``; paths are
relative to the Git repository, as GitHub expects.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, Severity
from . import Report
from .printable import printable_lines
from .text import report_summary

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic, report: Report) -> str:
    loc = diagnostic.location
    props = f"title={escape_property(diagnostic.code)}"
    if loc.path not in (".", ""):  # repository-wide (no Git, internal error): an annotation of the run
        props = f"file={escape_property(report.path(loc.path))},line={loc.line},col={loc.column},{props}"
    message = f"{diagnostic.message} [{diagnostic.name}]"
    for related in diagnostic.related:
        rel = related.location
        message += f"\n{report.path(rel.path)}:{rel.line}:{rel.column}: {related.message}"
    return f"::{_COMMAND[diagnostic.severity]} {props}::{escape_data(message)}"


def render_report(report: Report) -> str:
    lines = [annotation(d, report) for d in report.diagnostics]  # newlines already %0A: one line each
    lines.extend(report.notes)
    lines.append(report_summary(report))
    return printable_lines(lines)
