"""Formatting of an impact report (``itscm impact``): text for people, JSON for tools."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..models.types import Duration

if TYPE_CHECKING:
    from ..analysis.graph import DependencyGraph
    from ..analysis.impact import ImpactReport


def _d(seconds: int | None) -> str:
    return "?" if seconds is None else str(Duration(seconds))


def _chain(dg: DependencyGraph, chain: tuple[str, ...]) -> str:
    first = f"{chain[0]} ({_d(dg.est(chain[0]))})" if dg.est(chain[0]) else chain[0]
    parts = [first] + [f"{n} ({_d(dg.est(n))})" for n in chain[1:] if dg.est(n) and "|" not in n]
    return " <- ".join(parts)


def render_text(report: ImpactReport, dg: DependencyGraph) -> str:
    """A report a responder can read: what is down, who misses the RTO, what to recover in which order."""
    lost = ", ".join(f"{i} ({report.kinds.get(i, '?').lower()})" for i in report.lost)
    lines = [f"Losing {lost}"]
    if report.failed != sorted(report.lost):
        lines.append(f"  strikes: {', '.join(report.failed) or 'nothing in the estate'}")
    if not report.services:
        lines.append("takes down no service.")
    else:
        missed = len(report.missed)
        no_rto = sum(1 for s in report.services if s.rto is None)
        verdict = f"{missed} of them miss{'es' if missed == 1 else ''} their RTO" if missed else "none misses its RTO"
        unknown = f" ({no_rto} without an RTO)" if no_rto else ""
        lines.append(
            f"takes down {len(report.services)} service{'s' if len(report.services) != 1 else ''}: {verdict}{unknown}."
        )
        lines += ["", "Services down (most critical first):"]
        width = max(len(s.id) for s in report.services)
        for svc in report.services:
            verdict = (
                f"MISSES RTO {_d(svc.rto)} by {_d(svc.back - svc.rto)}"  # type: ignore[operator]
                if svc.misses_rto
                else (f"within RTO {_d(svc.rto)}" if svc.rto is not None else "no RTO")
            )
            lines.append(
                f"  {svc.id:<{width}}  tier {svc.tier}  back after ~{_d(svc.back):<6} {verdict}: {_chain(dg, svc.chain)}"
            )
    if report.degraded:
        lines += ["", f"Degraded (a soft dependency is down): {', '.join(report.degraded)}"]
    if report.plan:
        lines += ["", "Recovery order (dependencies first; steps of one wave can run in parallel):"]
        width = max(len(s.id) for s in report.plan)
        current = 0
        for step in sorted(report.plan, key=lambda s: (s.wave, s.start, s.id)):
            if step.wave != current:
                current = step.wave
                lines.append(f"  wave {current}")
            est = "no estimate" if step.estimate is None else f"takes {_d(step.estimate)}"
            waits = f", after {', '.join(step.waits_for)}" if step.waits_for else ""
            lines.append(
                f"    {step.id:<{width}}  {step.kind.lower():<9}  +{_d(step.start):<6} -> +{_d(step.back):<6} ({est}{waits})"
            )
    return "\n".join(lines) + "\n"


def to_json(report: ImpactReport) -> dict[str, Any]:
    """The report as plain data; durations both as text and in seconds."""

    def dur(seconds: int | None) -> dict[str, Any] | None:
        return None if seconds is None else {"text": _d(seconds), "seconds": seconds}

    return {
        "lost": [{"id": i, "kind": report.kinds.get(i)} for i in report.lost],
        "failed": report.failed,
        "services": [
            {
                "id": s.id,
                "tier": s.tier,
                "rto": dur(s.rto),
                "back_after": dur(s.back),
                "misses_rto": s.misses_rto,
                "chain": list(s.chain),
            }
            for s in report.services
        ],
        "degraded": report.degraded,
        "recovery_plan": [
            {
                "id": s.id,
                "kind": s.kind,
                "wave": s.wave,
                "start": dur(s.start),
                "back": dur(s.back),
                "estimate": dur(s.estimate),
                "waits_for": list(s.waits_for),
            }
            for s in report.plan
        ],
    }
