"""Freshness: reviews, exercises, restore tests and assessments under the policy's cadences.

Every rule reads ``estate.today`` (``itscm lint --today``), so results are
reproducible. A cadence comes from the policy tier of the most critical
in-scope service concerned; without a policy, or without that tier in it,
there is no cadence to check against and the rules stay silent (the target
rules report the missing policy).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..loader import SourceDoc
from ..models import BIA, Component, Duration, Plan, Risk, Service, Supplier
from ..models.policy import TierPolicy
from .base import rule
from .reach import most_critical_tier


def days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def overdue(estate: Estate, last: dt.date, interval: Duration) -> tuple[dt.date, int] | None:
    """(due date, days overdue) when ``last + interval`` lies before today, else None."""
    due = interval.after(last)
    late = (estate.today - due).days
    return (due, late) if late > 0 else None


def overdue_finding(
    estate: Estate,
    doc: SourceDoc,
    path: tuple[str, ...],
    last: dt.date,
    every: Duration,
    fact: str,
    cadence: str,
    fix: str,
    *,
    key: str,
    what: str = "it",
    related: tuple[Related, ...] = (),
) -> Iterator[Finding]:
    """A finding at ``path`` when ``last + every`` lies before today, else nothing.

    Every freshness message reads the same way: "<fact>; <cadence> every
    <every>, so <what> was due on <date> (<n> days ago): <fix>".
    """
    late = overdue(estate, last, every)
    if late:
        yield Finding(
            doc.location(*path),
            f"{fact}; {cadence} every {every}, so {what} was due on {late[0]} ({days(late[1])} ago): {fix}",
            related,
            key=key,
        )


def tier_policy(estate: Estate, tier: int | None) -> TierPolicy | None:
    if tier is None or estate.policy is None:
        return None
    return estate.policy.tier(tier)


def plan_tier(estate: Estate, plan: Plan) -> int | None:
    """The most critical tier among the plan's in-scope services."""
    tiers = [
        s.tier
        for s in (estate.model(sid, Service) for sid in plan.services)
        if s is not None and estate.in_scope(s.id)
    ]
    return min(tiers) if tiers else None


@rule("F001", "plan-review-overdue", Severity.ERROR)
def plan_review_overdue(estate: Estate) -> Iterator[Finding]:
    """A plan whose last review is older than its tier's review interval.

    Plans rot: people leave, systems are replaced, phone numbers change. The
    policy says how often each tier's plans are reviewed; the most critical
    tier among the plan's in-scope services sets the interval.

    Fails: ``review: {last_reviewed: 2025-01-10}`` for a tier-1 plan when the
    policy reviews tier 1 every ``26w``. Fix: review the plan with its owners
    and record the new date and reviewer in ``review``.
    """
    for doc in estate.docs(Plan):
        plan: Plan = doc.model  # type: ignore[assignment]
        tier = plan_tier(estate, plan)
        policy = tier_policy(estate, tier)
        if plan.review is None or policy is None:
            continue
        yield from overdue_finding(
            estate,
            doc,
            ("review", "last_reviewed"),
            plan.review.last_reviewed,
            policy.review_interval,
            f"plan {plan.id!r} was last reviewed on {plan.review.last_reviewed}",
            f"tier {tier} plans are reviewed",
            f"review it and record the review (itscm review {plan.id} --by PERSON)",
            key=plan.id,
        )


@rule("F002", "plan-never-reviewed", Severity.WARNING)
def plan_never_reviewed(estate: Estate) -> Iterator[Finding]:
    """A plan without any ``review`` record.

    Nobody has confirmed that the plan works and is current: a draft nobody
    approved is what responders find at 3 a.m. Fix: review the plan and add
    ``review: {last_reviewed: YYYY-MM-DD, by: PERSON, status: approved}``.
    """
    for doc in estate.docs(Plan):
        if doc.model.review is None:  # type: ignore[attr-defined]
            yield Finding(
                doc.location("id"),
                f"plan {doc.id!r} has never been reviewed: review it and add review "
                "(last_reviewed, by, status)",
                key=doc.id,
            )


@rule("F003", "bia-review-overdue", Severity.WARNING)
def bia_review_overdue(estate: Estate) -> Iterator[Finding]:
    """A business impact analysis older than its service tier's review interval.

    Impacts and targets change with the business: a BIA from three years ago
    sets recovery targets for a business that no longer exists. The BIA is
    reviewed at the plan cadence of its service's tier.

    Fails: ``assessed: {on: 2024-02-01}`` for a tier-2 service reviewed
    every ``1y``. Fix: reassess the impacts and targets and update ``assessed``.
    """
    for doc in estate.docs(BIA):
        bia: BIA = doc.model  # type: ignore[assignment]
        service = estate.model(bia.service, Service)
        if service is None or not estate.in_scope(service.id):
            continue
        policy = tier_policy(estate, service.tier)
        if policy is None:
            continue
        yield from overdue_finding(
            estate,
            doc,
            ("assessed", "on"),
            bia.assessed.on,
            policy.review_interval,
            f"BIA {bia.id!r} of service {service.id!r} was assessed on {bia.assessed.on}",
            f"tier {service.tier} is reviewed",
            "reassess the impacts and targets and update assessed.on",
            key=bia.id,
        )


@rule("F004", "risk-review-overdue", Severity.WARNING)
def risk_review_overdue(estate: Estate) -> Iterator[Finding]:
    """A risk whose review date has passed.

    A risk is due for review on its ``next_review`` date, or else
    ``risk_review_interval`` (policy) after ``reviewed_on``. A risk with
    neither date is due when the policy sets an interval. Likelihood,
    impact and the treatment drift: an old assessment gives false comfort.

    Fails: ``next_review: 2026-01-31`` when today is later. Fix: review the
    risk with its owner, then update ``reviewed_on`` and ``next_review``.
    """
    interval = estate.policy.risk_review_interval if estate.policy else None
    for doc in estate.docs(Risk):
        risk: Risk = doc.model  # type: ignore[assignment]
        if risk.next_review is not None:
            late_days = (estate.today - risk.next_review).days
            if late_days > 0:
                yield Finding(
                    doc.location("next_review"),
                    f"risk {risk.id!r} was due for review on {risk.next_review} ({days(late_days)} ago): "
                    "review it with its owner and update reviewed_on and next_review",
                    key=risk.id,
                )
        elif interval is not None and risk.reviewed_on is not None:
            yield from overdue_finding(
                estate,
                doc,
                ("reviewed_on",),
                risk.reviewed_on,
                interval,
                f"risk {risk.id!r} was last reviewed on {risk.reviewed_on}",
                "the policy reviews risks",
                "review it and update reviewed_on",
                key=risk.id,
            )
        elif interval is not None:
            yield Finding(
                doc.location("id"),
                f"risk {risk.id!r} has no review date and the policy reviews risks every {interval}: "
                "review it and set reviewed_on and next_review",
                key=risk.id,
            )


@rule("F008", "restore-test-overdue", Severity.WARNING)
def restore_test_overdue(estate: Estate) -> Iterator[Finding]:
    """A component's backup not restore-tested within the tier's restore-test interval.

    A backup that was never restored is a hope, not a backup. The interval is
    ``restore_test_interval`` of the most critical tier among the in-scope
    services that need the component (directly or through other hard
    dependencies); tiers without an interval are not checked.

    Fails: ``backup: {frequency: 1h, last_restore_test: 2025-06-01}`` under a
    tier-1 service restore-tested every ``13w``. Fix: restore the backup into
    a scratch environment, verify the data, and record the date in
    ``backup.last_restore_test``.
    """
    tiers: dict[str, int] | None = None
    for doc in estate.docs(Component):
        component: Component = doc.model  # type: ignore[assignment]
        if component.backup is None:
            continue
        if tiers is None:
            tiers = most_critical_tier(estate)
        tier = tiers.get(component.id)
        policy = tier_policy(estate, tier)
        if policy is None or policy.restore_test_interval is None:
            continue
        every = policy.restore_test_interval
        last = component.backup.last_restore_test
        if last is None:
            yield Finding(
                doc.location("backup"),
                f"the backup of component {component.id!r} has never been restore-tested; tier {tier} "
                f"services need it and tier {tier} backups are restore-tested every {every}: restore it, "
                "verify the data and set backup.last_restore_test",
                key=component.id,
            )
            continue
        yield from overdue_finding(
            estate,
            doc,
            ("backup", "last_restore_test"),
            last,
            every,
            f"the backup of component {component.id!r} was last restore-tested on {last}",
            f"tier {tier} services need it and tier {tier} backups are restore-tested",
            "restore it, verify the data and update backup.last_restore_test",
            key=component.id,
            what="a test",
        )


@rule("F009", "supplier-assessment-overdue", Severity.WARNING)
def supplier_assessment_overdue(estate: Estate) -> Iterator[Finding]:
    """A supplier whose continuity assessment is older than the policy's interval.

    Suppliers change their own arrangements; their continuity capability is
    reassessed every ``supplier_assessment_interval`` (policy). A supplier
    never assessed is reported too.

    Fails: ``last_assessment: 2024-05-01`` with an interval of ``1y``. Fix:
    assess the supplier's continuity arrangements (certificates, test
    reports, contract) and update ``last_assessment``.
    """
    every = estate.policy.supplier_assessment_interval if estate.policy else None
    if every is None:
        return
    for doc in estate.docs(Supplier):
        supplier: Supplier = doc.model  # type: ignore[assignment]
        last = supplier.last_assessment
        if last is None:
            yield Finding(
                doc.location("id"),
                f"supplier {supplier.id!r} has no continuity assessment and the policy assesses suppliers "
                f"every {every}: assess it and set last_assessment",
                key=supplier.id,
            )
            continue
        yield from overdue_finding(
            estate,
            doc,
            ("last_assessment",),
            last,
            every,
            f"supplier {supplier.id!r} was last assessed on {last}",
            "the policy assesses suppliers",
            "reassess it and update last_assessment",
            key=supplier.id,
        )
