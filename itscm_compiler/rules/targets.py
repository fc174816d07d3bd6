"""Recovery targets, one document at a time: BIA against itself, the policy, and the plans.

The checks that follow the dependency graph (recovery-time inversion, component,
backup and supplier targets, end-to-end chains) live with the graph rules.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..loader import SourceDoc
from ..models import BIA, Plan, Policy, Service
from ..models.bia import Impact
from ..models.types import Duration
from ..procedure import StepGraph
from .base import rule

E, W = Severity.ERROR, Severity.WARNING

_LEVELS = ("none", "minor", "moderate", "major", "severe")
_DIMENSIONS = ("financial", "operational", "reputational", "legal", "safety")


def _policy_doc(estate: Estate) -> SourceDoc | None:
    docs = estate.docs(Policy)
    return docs[0] if docs else None


def _tier_index(policy: Policy, tier: int) -> int | None:
    return next((i for i, t in enumerate(policy.tiers) if t.tier == tier), None)


def _service_bias(estate: Estate) -> Iterator[tuple[SourceDoc, Service, SourceDoc, BIA]]:
    """(service doc, service, BIA doc, BIA) for each service's first BIA."""
    seen: set[str] = set()
    for bia_doc in estate.docs(BIA):
        bia: BIA = bia_doc.model  # type: ignore[assignment]
        service_doc = estate.get(bia.service)
        if bia.service in seen or service_doc is None or not isinstance(service_doc.model, Service):
            continue
        seen.add(bia.service)
        yield service_doc, service_doc.model, bia_doc, bia


@rule("T001", "rto-above-mtpd", E)
def rto_above_mtpd(estate: Estate) -> Iterator[Finding]:
    """A BIA whose RTO is longer than its maximum tolerable period of disruption.

    The MTPD is the point after which the business does not survive the
    outage; the RTO is when recovery is promised. An RTO beyond the MTPD
    promises recovery only after the damage is done, and every plan built
    on that RTO is too slow by design.

    Fails: ``mtpd: 8h`` with ``rto: 12h``. Fix: shorten the RTO to well
    inside the MTPD (the gap is the margin for things going wrong), or
    revisit the MTPD with the business owner.
    """
    for doc in estate.docs(BIA):
        bia: BIA = doc.model  # type: ignore[assignment]
        if bia.rto is None or bia.mtpd is None or bia.rto <= bia.mtpd:
            continue
        yield Finding(
            doc.location("rto"),
            f"RTO {bia.rto} is longer than the MTPD {bia.mtpd} of service {bia.service!r}: "
            f"recovery would come {Duration(bia.rto.seconds - bia.mtpd.seconds)} after the business "
            "can no longer tolerate the outage; set an RTO within the MTPD",
            (Related(doc.location("mtpd"), f"MTPD {bia.mtpd}"),),
            key=f"{doc.id}:rto",
        )


def _above_policy(estate: Estate, field: str) -> Iterator[Finding]:
    policy_doc = _policy_doc(estate)
    if policy_doc is None:
        return
    policy: Policy = policy_doc.model  # type: ignore[assignment]
    limit_field = f"max_{field}"
    for _service_doc, service, bia_doc, bia in _service_bias(estate):
        value = getattr(bia, field)
        index = _tier_index(policy, service.tier)
        if value is None or index is None:
            continue
        limit = getattr(policy.tiers[index], limit_field)
        if value <= limit:
            continue
        name = field.upper()
        yield Finding(
            bia_doc.location(field),
            f"{name} {value} of tier-{service.tier} service {service.id!r} is above the policy's maximum "
            f"{name} {limit} for tier {service.tier}: set {field}: {limit} or less, or move the service to a "
            "tier whose maximum it can meet",
            (Related(policy_doc.location("tiers", index, limit_field), f"tier {service.tier} maximum {name} {limit}"),),
            key=f"{bia_doc.id}:{field}",
        )


@rule("T002", "rto-above-policy", E)
def rto_above_policy(estate: Estate) -> Iterator[Finding]:
    """A service's RTO is longer than its tier's maximum RTO in the policy.

    The policy is what management signed: every tier-1 service back within,
    say, 4 hours. A BIA that quietly settles for 8 hours leaves the service
    outside the promise, and nobody notices until the outage.

    Fails: tier 1 has ``max_rto: 4h``; the BIA of a tier-1 service says
    ``rto: 8h``. Fix: lower the RTO to the tier's maximum, or move the
    service to a tier whose maximum it can meet (and get that agreed).
    """
    yield from _above_policy(estate, "rto")


@rule("T003", "rpo-above-policy", E)
def rpo_above_policy(estate: Estate) -> Iterator[Finding]:
    """A service's RPO is longer than its tier's maximum RPO in the policy.

    The RPO is how much data may be lost. A tier-1 service that accepts a
    day of lost payments when the policy says 15 minutes breaks the
    policy's promise to the business.

    Fails: tier 1 has ``max_rpo: 15m``; the BIA says ``rpo: 1d``. Fix:
    lower the RPO (and back up or replicate accordingly), or move the
    service to another tier.
    """
    yield from _above_policy(estate, "rpo")


@rule("T004", "missing-targets", E)
def missing_targets(estate: Estate) -> Iterator[Finding]:
    """The BIA of an in-scope service has no RTO, RPO or MBCO.

    Without an RTO no plan, dependency or supplier can be checked against
    a recovery time; without an RPO backups cannot be checked; without an
    MBCO responders do not know what "good enough for now" means. (A
    service with no BIA at all is C001.)

    Fails: a BIA with ``mtpd: 1d`` and nothing else. Fix: agree the
    targets with the service owner and add ``rto``, ``rpo`` and ``mbco``.
    """
    for _service_doc, service, bia_doc, bia in _service_bias(estate):
        if not estate.in_scope(service.id):
            continue
        missing = [name for name in ("rto", "rpo", "mbco") if getattr(bia, name) is None]
        if missing:
            listed = ", ".join(m.upper() for m in missing)
            yield Finding(
                bia_doc.location("id"),
                f"BIA of in-scope service {service.id!r} has no {listed}: agree the missing targets with the service owner "
                f"and add {', '.join(m + ':' for m in missing)} to the BIA",
                key=f"{bia_doc.id}:{','.join(missing)}",
            )


@rule("T005", "procedure-exceeds-rto", E)
def procedure_exceeds_rto(estate: Estate) -> Iterator[Finding]:
    """A plan's recovery procedure takes longer than the RTO of a service it covers.

    Steps that wait for each other run one after the other; the longest such
    chain (summing the steps' estimates) is the least time the procedure can
    take, however many people help. If that critical path is longer than the
    RTO, the plan cannot meet the target even when everything goes right.
    The message lists the chain with each step's estimate.

    Fails: RTO 2h and ``restore-db`` (90m) waits for ``isolate`` (45m).
    Fix: run independent steps in parallel (drop needless ``waits_for``),
    shorten the slow steps (automate, pre-stage), or revisit the RTO.
    """
    bia_docs = {id(d.model): d for d in estate.docs(BIA)}
    for plan_doc in estate.docs(Plan):
        plan: Plan = plan_doc.model  # type: ignore[assignment]
        if not plan.procedure:
            continue
        graph = StepGraph.of(plan.procedure)
        total, chain = graph.critical_path()
        for i, service_id in enumerate(plan.services):
            bia = estate.bia_of.get(service_id)
            if bia is None or bia.rto is None or total <= bia.rto:
                continue
            bia_doc = bia_docs[id(bia)]
            last = next(n for n, step in enumerate(plan.procedure) if step.id == chain[-1])
            yield Finding(
                plan_doc.location("services", i),
                f"the procedure's critical path takes {total}, above the RTO {bia.rto} of {service_id!r}: "
                f"{graph.describe(chain)}; run independent steps in parallel, shorten the slow ones, "
                "or revisit the RTO",
                (
                    Related(bia_doc.location("rto"), f"RTO {bia.rto}"),
                    Related(plan_doc.location("procedure", last, "id"), f"critical path ends at step {chain[-1]!r}"),
                ),
                key=f"{plan_doc.id}:procedure:{service_id}",
            )


def _sorted_impacts(impacts: list[Impact]) -> list[tuple[int, Impact]]:
    return sorted(enumerate(impacts), key=lambda pair: pair[1].after)


@rule("T006", "impacts-out-of-order", W)
def impacts_out_of_order(estate: Estate) -> Iterator[Finding]:
    """A BIA's impacts are not listed in increasing order of ``after``.

    Impact over time reads as a timeline: after 1h, after 4h, after 1d. An
    entry out of order, or two entries for the same time, is usually a typo
    (``4d`` for ``4h``) that distorts where the MTPD and RTO should sit.

    Fails: ``after: 8h`` followed by ``after: 4h``. Fix: order the entries
    by time, merge duplicates, or correct the duration.
    """
    for doc in estate.docs(BIA):
        bia: BIA = doc.model  # type: ignore[assignment]
        for i in range(1, len(bia.impacts)):
            before, here = bia.impacts[i - 1].after, bia.impacts[i].after
            if here > before:
                continue
            what = "repeats" if here == before else "comes after"
            yield Finding(
                doc.location("impacts", i, "after"),
                f"impact after {here} {what} the impact after {before}: list impacts in increasing order of time "
                "and merge duplicates",
                (Related(doc.location("impacts", i - 1, "after"), f"after {before}"),),
                key=f"{doc.id}:impacts:{i}",
            )


@rule("T007", "impact-decreases", W)
def impact_decreases(estate: Estate) -> Iterator[Finding]:
    """A BIA's impact in one dimension gets smaller the longer the outage lasts.

    The harm of an outage accumulates: a financial impact that is ``major``
    after 4 hours cannot be ``minor`` after a day. A falling level usually
    means a dimension was left out of a later entry (which counts as
    ``none``) or a typo.

    Fails: ``financial: major`` after 4h, then ``financial: minor`` after 1d.
    Fix: repeat the level (or a higher one) in the later entry.
    """
    for doc in estate.docs(BIA):
        bia: BIA = doc.model  # type: ignore[assignment]
        ordered = _sorted_impacts(bia.impacts)
        for (j, earlier), (i, later) in zip(ordered, ordered[1:]):
            for dim in _DIMENSIONS:
                was, now = getattr(earlier, dim), getattr(later, dim)
                if _LEVELS.index(now) >= _LEVELS.index(was):
                    continue
                yield Finding(
                    doc.location("impacts", i, dim),
                    f"{dim} impact falls from {was} after {earlier.after} to {now} after {later.after}: "
                    f"impact only grows with time; write {dim}: {was} or higher here",
                    (Related(doc.location("impacts", j, dim), f"{dim}: {was} after {earlier.after}"),),
                    key=f"{doc.id}:impacts:{i}:{dim}",
                )


@rule("T008", "tier-not-in-policy", E)
def tier_not_in_policy(estate: Estate) -> Iterator[Finding]:
    """An in-scope service has a tier that the policy does not define.

    The tier is what ties a service to the policy's maximum RTO and RPO,
    allowed strategies and review and exercise intervals. A tier the policy
    does not know means none of them apply, silently.

    Fails: ``tier: 4`` when the policy defines tiers 1 to 3. Fix: use one of
    the policy's tiers, or add the tier to the policy.
    """
    policy_doc = _policy_doc(estate)
    if policy_doc is None:
        return
    policy: Policy = policy_doc.model  # type: ignore[assignment]
    known = ", ".join(str(t.tier) for t in sorted(policy.tiers, key=lambda t: t.tier))
    for doc in estate.docs(Service):
        service: Service = doc.model  # type: ignore[assignment]
        if estate.in_scope(service.id) and policy.tier(service.tier) is None:
            yield Finding(
                doc.location("tier"),
                f"tier {service.tier} is not defined in the policy (tiers {known}): use one of them, "
                f"or add tier {service.tier} to the policy",
                (Related(policy_doc.location("tiers"), "the policy's tiers"),),
                key=f"{doc.id}:tier",
            )


@rule("T009", "no-policy", E)
def no_policy(estate: Estate) -> Iterator[Finding]:
    """The repository has services but no continuity policy.

    The policy sets the maximum RTO and RPO per tier, the review and
    exercise intervals and the risk appetite: without it none of those
    checks can run, and the programme has no mandate. Reported at the first
    service.

    Fix: add one ``kind: Policy`` document (``itscm new Policy policy``).
    """
    services = estate.docs(Service)
    if services and not estate.docs(Policy):
        first = min(services, key=lambda d: (d.path, d.index))
        yield Finding(
            first.location("id"),
            f"there is no Policy, so no tier targets, review intervals or risk appetite apply to the "
            f"{len(services)} services: add one kind: Policy document",
            key="no-policy",
        )


@rule("T010", "duplicate-policy", E)
def duplicate_policy(estate: Estate) -> Iterator[Finding]:
    """More than one Policy document.

    The policy is one per repository: with two, which tier targets apply is
    a matter of file order. Fix: merge them into one and delete the other.
    """
    docs = estate.docs(Policy)
    for doc in docs[1:]:
        yield Finding(
            doc.location("id"),
            f"a second Policy {doc.id!r}: there is one policy per repository; merge it into {docs[0].id!r}",
            (Related(docs[0].location("id"), "the policy in force"),),
        )


@rule("T011", "duplicate-policy-tier", E)
def duplicate_policy_tier(estate: Estate) -> Iterator[Finding]:
    """The policy defines the same tier twice.

    Only the first definition is used; the second is dead text that readers
    will take for the rule. Fix: merge the two entries.
    """
    for doc in estate.docs(Policy):
        policy: Policy = doc.model  # type: ignore[assignment]
        first: dict[int, int] = {}
        for i, tier in enumerate(policy.tiers):
            if tier.tier not in first:
                first[tier.tier] = i
                continue
            yield Finding(
                doc.location("tiers", i, "tier"),
                f"tier {tier.tier} is defined twice; only the first definition applies: merge them",
                (Related(doc.location("tiers", first[tier.tier], "tier"), "first defined here"),),
            )


@rule("T012", "policy-tiers-inverted", W)
def policy_tiers_inverted(estate: Estate) -> Iterator[Finding]:
    """A less critical tier has a stricter maximum RTO or RPO than a more critical one.

    Tier 1 is the most critical, so its targets are the tightest. A tier 2
    that must recover faster than tier 1 is almost always a swapped value.

    Fails: tier 1 ``max_rto: 8h``, tier 2 ``max_rto: 4h``. Fix: swap or
    correct the values.
    """
    for doc in estate.docs(Policy):
        policy: Policy = doc.model  # type: ignore[assignment]
        first: dict[int, int] = {}
        for i, tier in enumerate(policy.tiers):
            first.setdefault(tier.tier, i)  # a repeated tier is T011; the first definition applies
        order = [first[t] for t in sorted(first)]
        for field in ("max_rto", "max_rpo"):
            for a, b in zip(order, order[1:]):
                upper, lower = policy.tiers[a], policy.tiers[b]
                if getattr(lower, field) >= getattr(upper, field):
                    continue
                yield Finding(
                    doc.location("tiers", b, field),
                    f"tier {lower.tier} {field} {getattr(lower, field)} is stricter than tier {upper.tier}'s "
                    f"{getattr(upper, field)}, but tier {upper.tier} is more critical: swap or correct the values",
                    (Related(doc.location("tiers", a, field), f"tier {upper.tier} {field}"),),
                    key=f"{doc.id}:tiers:{lower.tier}:{field}",
                )
