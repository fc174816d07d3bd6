"""SARIF 2.1.0 for GitHub code scanning (``--format sarif``).

The rule catalogue goes into ``tool.driver.rules`` with each rule's docstring
as its help text; every result points at a repository-relative file under
``%SRCROOT%`` and carries a line-independent fingerprint so that code
scanning keeps tracking an alert when lines move.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .. import __version__
from ..diagnostics import Diagnostic, Location, Severity
from ..fingerprints import fingerprint
from ..rules.base import Rule
from . import Report
from .jsontext import dumps

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/itscm-compiler/"
FINGERPRINT_KEY = "itscm/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _catalogue() -> list[Rule]:
    from ..engine import INTERNAL
    from ..rules import RULES

    return [*RULES, INTERNAL]


def rule_descriptor(rule: Rule, report: Report) -> dict[str, Any]:
    """One ``reportingDescriptor``: what the rule checks, why, and how to fix it."""
    level = report.severities.get(rule.code, rule.severity)  # None: turned off in .itscm.yaml
    help_text = f"{rule.doc or rule.summary}\n\nMore: `itscm explain {rule.code}`"
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc or rule.summary},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": _LEVEL[level] if level is not None else "none"},
        "properties": {"tags": ["itscm", rule.family]},
    }
    if level is None:
        descriptor["defaultConfiguration"]["enabled"] = False
    return descriptor


def _physical(location: Location, report: Report) -> dict[str, Any]:
    return {
        "artifactLocation": {
            # A file name that is not UTF-8 keeps its own bytes, percent-encoded.
            "uri": quote(report.path(location.path), safe="/", errors="surrogateescape"),
            "uriBaseId": "%SRCROOT%",
        },
        "region": {"startLine": location.line, "startColumn": location.column},
    }


def result(diagnostic: Diagnostic, index: dict[str, int], report: Report) -> dict[str, Any]:
    """One ``result``: rule, level, message, where, the related places and a fingerprint."""
    item: dict[str, Any] = {"ruleId": diagnostic.code}
    if diagnostic.code in index:
        item["ruleIndex"] = index[diagnostic.code]
    item["level"] = _LEVEL[diagnostic.severity]
    item["message"] = {"text": diagnostic.message}
    item["locations"] = [{"physicalLocation": _physical(diagnostic.location, report)}]
    if diagnostic.related:
        item["relatedLocations"] = [
            {"id": n, "physicalLocation": _physical(r.location, report), "message": {"text": r.message}}
            for n, r in enumerate(diagnostic.related, 1)
        ]
    item["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(diagnostic)}
    return item


def render_report(report: Report) -> str:
    rules = _catalogue()
    index = {rule.code: n for n, rule in enumerate(rules)}
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "itscm",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(rule, report) for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [result(d, index, report) for d in report.diagnostics],
            }
        ],
    }
    return dumps(log, expand=4) + "\n"  # one rule and one result per line
