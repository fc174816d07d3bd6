"""Run the rules over the estate and stamp every finding with its code and severity."""

from __future__ import annotations

import gc
import traceback
from typing import Iterable

from .config import Config
from .diagnostics import Diagnostic, Finding, Location, Severity
from .estate import Estate
from .rules import BY_CODE, RULES
from .rules.base import Rule

INTERNAL = Rule(
    "X001",
    "internal-error",
    Severity.ERROR,
    "A check crashed. This is a bug in itscm, never in your files: please report it with the message.",
)


def stamp(findings: Iterable[Finding], config: Config, default: Rule | None = None) -> list[Diagnostic]:
    """Turn findings into diagnostics: code from the rule, severity from the config."""
    result = []
    for finding in findings:
        rule = BY_CODE.get(finding.code) if finding.code else default
        if rule is None:
            rule = INTERNAL
        severity = config.severities.get(rule.code, rule.severity)
        if severity is None:
            continue
        result.append(
            Diagnostic(
                rule.code,
                rule.name,
                severity,
                finding.location,
                finding.message,
                finding.related,
                finding.key or finding.message,
            )
        )
    return result


def run_rules(estate: Estate, rules: Iterable[Rule] = RULES) -> list[Diagnostic]:
    """Run every rule with a check; a crashing rule becomes an X001 diagnostic."""
    # Rules build many small acyclic objects (findings, paths) over a large
    # heap: the cyclic collector would run full collections for nothing
    # (measured on a 10,000-service estate: over half of the graph rules' time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        rules = [r for r in rules if r.check is not None and estate.config.severities.get(r.code, r.severity) is not None]
        from .bulk import cpu_count, requested_workers

        if len(estate.documents) >= PARALLEL_FROM and (requested_workers() or cpu_count()) > 1:
            split = _run_split(estate, rules)
            if split is not None:
                return split
        return _run_rules(estate, rules)
    finally:
        if was_enabled:
            gc.enable()


PARALLEL_FROM = 5000  # documents; below this a second process costs more than it saves
_GRAPH_MODULES = (".rules.graph", ".rules.graph_targets")


def _stays_here(rule: Rule) -> bool:
    """Graph rules share one analysis, and a prefetch's Git processes belong to this process."""
    module = getattr(rule.check, "__module__", "") or ""
    return rule.prefetch is not None or module.endswith(_GRAPH_MODULES)


def _run_split(estate: Estate, rules: list[Rule]) -> list[Diagnostic] | None:
    """Run the graph rules here and the others in a forked process, side by side.

    The estate of a large repository takes seconds to build and cannot be
    shipped cheaply, so the child is forked after it is built and reads it
    from memory (forked.py). Returns None where forking is not possible
    (the caller then runs everything here); when the child fails, its rules
    run here after this process's. The order of the result does not matter,
    the pipeline sorts it.
    """
    from .forked import Forked

    here = [r for r in rules if _stays_here(r)]
    there = [r for r in rules if not _stays_here(r)]
    if not here or not there:
        return None
    child = Forked.start(lambda: _run_rules(estate, there))
    if child is None:
        return None
    try:
        diagnostics = _run_rules(estate, here)
        shipped = child.result()
    finally:
        child.stop()  # nothing left to do when the result came; on a stop, the child ends too
    diagnostics.extend(shipped if shipped is not None else _run_rules(estate, there))
    return diagnostics


def _run_rules(estate: Estate, rules: Iterable[Rule]) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    config = estate.config
    for rule in rules:
        if rule.prefetch is not None:
            try:
                rule.prefetch(estate)
            except Exception:  # noqa: BLE001, S112 - the check itself will meet and report the problem
                continue
    for rule in rules:
        try:
            findings = list(rule.check(estate))  # type: ignore[misc]
        except MemoryError:
            raise  # the machine, not the rule: the command says so (cli.main)
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others
            where = traceback.extract_tb(exc.__traceback__)[-1]
            diagnostics.append(
                Diagnostic(
                    INTERNAL.code,
                    INTERNAL.name,
                    Severity.ERROR,
                    Location("."),
                    f"rule {rule.code} {rule.name} crashed: {type(exc).__name__}: {exc} "
                    f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno}); please report this",
                )
            )
            continue
        diagnostics.extend(stamp(findings, config, rule))
    return diagnostics
