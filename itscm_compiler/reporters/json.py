"""The stable JSON format (``--format json``), version 1; documented in the README.

Fields are only ever added within a version; a change that removes or
changes the meaning of a field bumps ``version``.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic, Severity
from ..fingerprints import fingerprint
from . import Report
from .jsontext import dumps

VERSION = 1


def diagnostic_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    """One diagnostic as a JSON object (paths relative to the itscm root)."""
    loc = diagnostic.location
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": str(diagnostic.severity),
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "message": diagnostic.message,
        "related": [
            {
                "path": r.location.path,
                "line": r.location.line,
                "column": r.location.column,
                "message": r.message,
            }
            for r in diagnostic.related
        ],
        "fingerprint": fingerprint(diagnostic),
    }


def render_report(report: Report) -> str:
    counts = {s: sum(1 for d in report.diagnostics if d.severity == s) for s in Severity}
    document = {
        "version": VERSION,
        "tool": {"name": "itscm", "version": __version__},
        "diagnostics": [diagnostic_dict(d) for d in report.diagnostics],
        "summary": {
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "infos": counts[Severity.INFO],
            "files": report.files,
            "waived": report.waived,
            "notes": list(report.notes),
        },
    }
    if report.since:  # PR mode only, so the output of a plain run stays as documented
        document["summary"].update({"since": report.since, "left_out": report.left_out})  # type: ignore[attr-defined]
    return dumps(document, expand=2) + "\n"  # one diagnostic per line
