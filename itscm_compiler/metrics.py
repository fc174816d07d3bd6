"""The programme's figures: one computation for ``itscm metrics`` and the site's dashboard.

Every figure is a pure function of the loaded estate (and, for open
diagnostics, of the lint result), computed as of ``estate.today``:

* plan coverage: in-scope services covered by at least one plan;
* plan currency: plans reviewed within the review interval of the most
  critical tier they cover;
* exercise completion: plans exercised within that tier's exercise interval;
* RTO achievement: the latest measured recovery time of each service in an
  exercise, against the service's RTO (from its BIA);
* open findings of exercises, and those past their due date;
* overdue reviews (plans, BIAs, risks) and overdue exercises, as lists.

Cadences follow the freshness rules (F001-F009): the policy tier of the most
critical in-scope service concerned; without one there is no cadence, nothing
is counted overdue and ``notes`` says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from .diagnostics import Diagnostic, Severity
from .estate import Estate
from .models import BIA, Exercise, Plan, Risk, Service
from .models.policy import TierPolicy
from .models.types import Duration
from .rules.freshness import plan_tier


@dataclass(frozen=True)
class Ratio:
    """``part`` of ``whole``; ``percent`` is None when there is nothing to count."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None

    def __str__(self) -> str:
        percent = self.percent
        return f"{self.part}/{self.whole} ({percent:g}%)" if percent is not None else "0/0 (n/a)"


@dataclass(frozen=True)
class Overdue:
    """Something past its date: what, which document, due when, how late."""

    kind: str  # plan-review, bia-review, risk-review, exercise, finding
    id: str
    title: str
    due: dt.date | None  # None: never done at all
    days_late: int | None


@dataclass(frozen=True)
class RtoResult:
    """The latest measured recovery of one service in an exercise."""

    service: str
    exercise: str
    date: dt.date
    achieved: Duration
    rto: Duration

    @property
    def met(self) -> bool:
        return self.achieved <= self.rto


@dataclass
class Metrics:
    """Every dashboard figure, as of ``today``."""

    today: dt.date
    services_in_scope: int
    plan_coverage: Ratio
    plan_currency: Ratio
    exercise_completion: Ratio
    rto_achievement: Ratio
    open_findings: int
    overdue_findings: int
    diagnostics: dict[str, int]
    uncovered_services: list[str] = field(default_factory=list)
    rto_results: list[RtoResult] = field(default_factory=list)
    overdue_reviews: list[Overdue] = field(default_factory=list)
    overdue_exercises: list[Overdue] = field(default_factory=list)
    overdue_finding_list: list[Overdue] = field(default_factory=list)
    heat_map: list[list[int]] = field(default_factory=list)  # [likelihood-1][impact-1] -> risks
    residual_heat_map: list[list[int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary with stable keys, for CI trend tracking."""

        def ratio(value: Ratio) -> dict[str, Any]:
            return {"part": value.part, "whole": value.whole, "percent": value.percent}

        def overdue(items: list[Overdue]) -> list[dict[str, Any]]:
            return [
                {**asdict(item), "due": item.due.isoformat() if item.due else None} for item in items
            ]

        return {
            "today": self.today.isoformat(),
            "services_in_scope": self.services_in_scope,
            "plan_coverage": ratio(self.plan_coverage),
            "plan_currency": ratio(self.plan_currency),
            "exercise_completion": ratio(self.exercise_completion),
            "rto_achievement": ratio(self.rto_achievement),
            "open_findings": self.open_findings,
            "overdue_findings": self.overdue_findings,
            "diagnostics": dict(self.diagnostics),
            "uncovered_services": list(self.uncovered_services),
            "rto_results": [
                {
                    "service": r.service,
                    "exercise": r.exercise,
                    "date": r.date.isoformat(),
                    "achieved": str(r.achieved),
                    "rto": str(r.rto),
                    "met": r.met,
                }
                for r in self.rto_results
            ],
            "overdue_reviews": overdue(self.overdue_reviews),
            "overdue_exercises": overdue(self.overdue_exercises),
            "overdue_findings_list": overdue(self.overdue_finding_list),
            "risk_heat_map": self.heat_map,
            "residual_risk_heat_map": self.residual_heat_map,
            "notes": list(self.notes),
        }


def _tier_policy(estate: Estate, tier: int | None) -> TierPolicy | None:
    policy = estate.policy
    if policy is None or tier is None:
        return None
    return policy.tier(tier)


def _late(today: dt.date, due: dt.date) -> int | None:
    days = (today - due).days
    return days if days > 0 else None


def _plan_review(estate: Estate, plan: Plan, notes: set[str]) -> Overdue | None:
    tier = _tier_policy(estate, plan_tier(estate, plan))
    if tier is None:
        notes.add("some plans cover no in-scope service of a policy tier: no review or exercise cadence applies")
        return None
    interval = tier.review_interval
    title = plan.label
    if plan.review is None:
        return Overdue("plan-review", plan.id, title, None, None)
    due = interval.after(plan.review.last_reviewed)
    late = _late(estate.today, due)
    return Overdue("plan-review", plan.id, title, due, late) if late else None


def _plan_exercise(estate: Estate, plan: Plan, notes: set[str]) -> Overdue | None:
    tier = _tier_policy(estate, plan_tier(estate, plan))
    if tier is None:
        return None
    interval = tier.exercise_interval
    done = [e for e in estate.exercises_of.get(plan.id, []) if e.date <= estate.today]
    if not done:
        return Overdue("exercise", plan.id, plan.label, None, None)
    due = interval.after(done[0].date)
    late = _late(estate.today, due)
    return Overdue("exercise", plan.id, plan.label, due, late) if late else None


def _bia_reviews(estate: Estate, notes: set[str]) -> Iterable[Overdue]:
    for bia in estate.models(BIA):
        service = estate.model(bia.service, Service)
        if service is None or not estate.in_scope(service.id):
            continue
        tier = _tier_policy(estate, service.tier)
        if tier is None:
            notes.add("some BIAs are for services of a tier the policy does not name: no review cadence applies")
            continue
        interval = tier.review_interval
        due = interval.after(bia.assessed.on)
        late = _late(estate.today, due)
        if late:
            yield Overdue("bia-review", bia.id, bia.label, due, late)


def _risk_reviews(estate: Estate) -> Iterable[Overdue]:
    policy = estate.policy
    for risk in estate.models(Risk):
        due = risk.next_review
        if due is None and risk.reviewed_on and policy and policy.risk_review_interval:
            due = policy.risk_review_interval.after(risk.reviewed_on)
        if due is None:
            continue
        late = _late(estate.today, due)
        if late:
            yield Overdue("risk-review", risk.id, risk.label, due, late)


def latest_results(estate: Estate) -> list[RtoResult]:
    """The newest exercise result with a measured recovery time, per service with an RTO."""
    newest: dict[str, tuple[Exercise, Duration]] = {}
    for exercise in estate.models(Exercise):
        if exercise.date > estate.today:
            continue
        for result in exercise.results:
            if result.recovery_time is None:
                continue
            seen = newest.get(result.service)
            if seen is None or (exercise.date, exercise.id) > (seen[0].date, seen[0].id):
                newest[result.service] = (exercise, result.recovery_time)
    found = []
    for service_id in sorted(newest):
        bia = estate.bia_of.get(service_id)
        if bia is None or bia.rto is None:
            continue
        exercise, achieved = newest[service_id]
        found.append(RtoResult(service_id, exercise.id, exercise.date, achieved, bia.rto))
    return found


def heat_map(risks: Iterable[Risk], residual: bool = False) -> list[list[int]]:
    """Risks counted by likelihood (rows, 1-5) and impact (columns, 1-5)."""
    grid = [[0] * 5 for _ in range(5)]
    for risk in risks:
        if residual and risk.residual is not None:
            likelihood, impact = risk.residual.likelihood, risk.residual.impact
        else:
            likelihood, impact = risk.likelihood, risk.impact
        grid[likelihood - 1][impact - 1] += 1
    return grid


def compute(estate: Estate, diagnostics: Iterable[Diagnostic] = ()) -> Metrics:
    """Every dashboard figure for ``estate``, as of ``estate.today``."""
    notes: set[str] = set()
    in_scope = sorted(s.id for s in estate.models(Service) if estate.in_scope(s.id))
    plans = sorted(estate.models(Plan), key=lambda p: p.id)
    covered = [s for s in in_scope if estate.plans_of.get(s)]
    uncovered = [s for s in in_scope if not estate.plans_of.get(s)]

    review_late = [o for o in (_plan_review(estate, p, notes) for p in plans) if o]
    exercise_late = [o for o in (_plan_exercise(estate, p, notes) for p in plans) if o]
    reviews = review_late + list(_bia_reviews(estate, notes)) + list(_risk_reviews(estate))

    findings_open: list[Overdue] = []
    open_count = 0
    for exercise in sorted(estate.models(Exercise), key=lambda e: e.id):
        for finding in exercise.findings:
            if finding.status != "open":
                continue
            open_count += 1
            late = _late(estate.today, finding.due)
            if late:
                findings_open.append(Overdue("finding", exercise.id, finding.title, finding.due, late))

    results = latest_results(estate)
    counts = {str(s): 0 for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    for diagnostic in diagnostics:
        counts[str(diagnostic.severity)] += 1
    risks = estate.models(Risk)

    def by_lateness(items: list[Overdue]) -> list[Overdue]:
        # never done first, then the latest first: what needs attention leads
        return sorted(items, key=lambda o: (o.due is not None, -(o.days_late or 0), o.kind, o.id))

    return Metrics(
        today=estate.today,
        services_in_scope=len(in_scope),
        plan_coverage=Ratio(len(covered), len(in_scope)),
        plan_currency=Ratio(len(plans) - len(review_late), len(plans)),
        exercise_completion=Ratio(len(plans) - len(exercise_late), len(plans)),
        rto_achievement=Ratio(sum(1 for r in results if r.met), len(results)),
        open_findings=open_count,
        overdue_findings=len(findings_open),
        diagnostics=counts,
        uncovered_services=uncovered,
        rto_results=results,
        overdue_reviews=by_lateness(reviews),
        overdue_exercises=by_lateness(exercise_late),
        overdue_finding_list=by_lateness(findings_open),
        heat_map=heat_map(risks),
        residual_heat_map=heat_map(risks, residual=True),
        notes=sorted(notes),
    )


def render_text(metrics: Metrics) -> str:
    """The figures as aligned text lines, for people reading a terminal or CI log."""
    rows = [
        ("Plan coverage", f"{metrics.plan_coverage} of in-scope services have a plan"),
        ("Plan currency", f"{metrics.plan_currency} of plans reviewed on time"),
        ("Exercise completion", f"{metrics.exercise_completion} of plans exercised on time"),
        ("RTO achievement", f"{metrics.rto_achievement} of exercised services recovered within RTO"),
        ("Open findings", f"{metrics.open_findings} ({metrics.overdue_findings} past due)"),
        ("Overdue reviews", str(len(metrics.overdue_reviews))),
        ("Overdue exercises", str(len(metrics.overdue_exercises))),
        (
            "Open diagnostics",
            ", ".join(f"{count} {name}{'' if count == 1 else 's'}" for name, count in metrics.diagnostics.items()),
        ),
    ]
    lines = [f"Continuity metrics as of {metrics.today.isoformat()}"]
    lines += [f"  {name:<20} {value}" for name, value in rows]
    for item in metrics.overdue_reviews + metrics.overdue_exercises:
        when = f"due {item.due.isoformat()}, {item.days_late} days late" if item.due else "never done"
        lines.append(f"  - {item.kind} {item.id}: {when}")
    lines += [f"  note: {note}" for note in metrics.notes]
    return "\n".join(lines) + "\n"
