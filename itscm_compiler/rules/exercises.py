"""Freshness of exercises: plans exercised on time, failures followed up, findings closed."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..models import Exercise, Plan
from .base import rule
from .freshness import days, overdue, overdue_finding, plan_tier, tier_policy


def done_exercises(estate: Estate, plan_id: str) -> list[Exercise]:
    """Exercises of a plan held on or before today, newest first (later dates are only scheduled)."""
    return [e for e in estate.exercises_of.get(plan_id, []) if e.date <= estate.today]


@rule("F005", "exercise-overdue", Severity.WARNING)
def exercise_overdue(estate: Estate) -> Iterator[Finding]:
    """A plan not exercised within its tier's exercise interval.

    An untested plan is a hypothesis. The policy says how often each tier's
    plans are exercised. A plan never exercised is due one interval after
    its first recorded review (or at once, without a review).

    Fails: a tier-1 plan whose last exercise is from 2025-03-01 when tier 1
    is exercised every ``26w``. Fix: run an exercise and record it as an
    ``Exercise`` document.
    """
    for doc in estate.docs(Plan):
        plan: Plan = doc.model  # type: ignore[assignment]
        tier = plan_tier(estate, plan)
        policy = tier_policy(estate, tier)
        if policy is None:
            continue
        held = done_exercises(estate, plan.id)
        every = policy.exercise_interval
        if held:
            last = held[0]
            yield from overdue_finding(
                estate,
                doc,
                ("id",),
                last.date,
                every,
                f"plan {plan.id!r} was last exercised on {last.date} ({last.id})",
                f"tier {tier} plans are exercised",
                "run an exercise and record it",
                key=plan.id,
                what="the next",
                related=(Related(estate.by_id[last.id].location("date"), "the last exercise"),),
            )
            continue
        since = plan.review.last_reviewed if plan.review else None
        late = overdue(estate, since, every) if since else None
        if since is None or late:
            when = f" although it was reviewed on {since} and tier {tier} plans are exercised every {every}" if since else ""
            yield Finding(
                doc.location("id"),
                f"plan {plan.id!r} has never been exercised{when}: run an exercise (a tabletop at least) "
                "and record it",
                key=plan.id,
            )


def _rto_misses(estate: Estate, exercise: Exercise) -> list[tuple[int, str]]:
    """(result index, description) for each result slower than its service's RTO."""
    misses = []
    for i, result in enumerate(exercise.results):
        bia = estate.bia_of.get(result.service)
        if result.recovery_time is not None and bia is not None and bia.rto is not None:
            if result.recovery_time > bia.rto:
                misses.append((i, f"{result.service} recovered in {result.recovery_time}, RTO {bia.rto}"))
    return misses


@rule("F006", "last-exercise-failed", Severity.ERROR)
def last_exercise_failed(estate: Estate) -> Iterator[Finding]:
    """A plan whose last exercise failed or missed an RTO, with no later exercise that passed.

    The evidence says the plan does not work as written. A ``partial``
    outcome does not clear an earlier failure; only an exercise with outcome
    ``passed`` and every measured recovery time within the service's RTO
    (from its BIA) does.

    Fails: the newest exercise of a plan has ``outcome: failed``, or a result
    ``recovery_time: 6h`` for a service whose RTO is ``4h``. Fix: correct the
    plan (and the findings of the exercise), then exercise it again and
    record the passing exercise.
    """
    for plan in estate.models(Plan):
        for exercise in done_exercises(estate, plan.id):
            misses = _rto_misses(estate, exercise)
            if exercise.outcome == "passed" and not misses:
                break
            if exercise.outcome != "failed" and not misses:
                continue  # partial: look further back for an unresolved failure
            doc = estate.by_id[exercise.id]
            if exercise.outcome == "failed":
                where, why = doc.location("outcome"), "failed"
            else:
                where, why = doc.location("results", misses[0][0], "recovery_time"), "missed the RTO"
            detail = f" ({'; '.join(m[1] for m in misses)})" if misses else ""
            yield Finding(
                where,
                f"the last decisive exercise of plan {plan.id!r}, {exercise.id} on {exercise.date}, {why}{detail}, "
                "and no later exercise passed: fix the plan and the exercise's findings, then exercise it again",
                (Related(estate.by_id[plan.id].location("id"), "the plan"),),
                key=f"{plan.id}:{exercise.id}",
            )
            break


@rule("F007", "exercise-finding-overdue", Severity.WARNING)
def exercise_finding_overdue(estate: Estate) -> Iterator[Finding]:
    """An exercise finding still open after its due date.

    Findings are how exercises improve plans; an open finding past its date
    is a known weakness left in place. Fails: ``status: open`` with
    ``due: 2026-03-31`` when today is later. Fix: do the work and set
    ``status: closed`` and ``closed_on``, or agree a new due date with the owner.
    """
    for doc in estate.docs(Exercise):
        exercise: Exercise = doc.model  # type: ignore[assignment]
        for i, item in enumerate(exercise.findings):
            late = (estate.today - item.due).days
            if item.status == "open" and late > 0:
                yield Finding(
                    doc.location("findings", i, "due"),
                    f"finding {item.id or item.title!r} of exercise {exercise.id!r} (owner {item.owner}) was due "
                    f"on {item.due} and is still open ({days(late)} late): close it (status: closed, closed_on) "
                    "or agree a new due date",
                    key=f"{exercise.id}:{item.id or item.title}",
                )
