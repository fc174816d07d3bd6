"""Recovery targets, one document at a time: BIA against itself, the policy, and the plans.

The checks that follow the dependency graph (recovery-time inversion, component,
backup and supplier targets, end-to-end chains) live with the graph rules.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..loader import SourceDoc
from ..models import BIA, Exercise, Plan, Policy, Service
from ..models.bia import Impact
from ..models.types import Duration
from ..procedure import StepGraph
from .base import rule

E, W = Severity.ERROR, Severity.WARNING

_LEVELS = ("none", "minor", "moderate", "major", "severe")
_DIMENSIONS = ("financial", "operational", "reputational", "legal", "safety")


def policy_doc(estate: Estate) -> SourceDoc | None:
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
    found = policy_doc(estate)
    if found is None:
        return
    policy: Policy = found.model  # type: ignore[assignment]
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
            (Related(found.location("tiers", index, limit_field), f"tier {service.tier} maximum {name} {limit}"),),
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
        seen: set[str] = set()
        for i, service_id in enumerate(plan.services):
            if service_id in seen:
                continue
            seen.add(service_id)
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


@rule("T013", "exercise-data-loss-above-rpo", W)
def exercise_data_loss_above_rpo(estate: Estate) -> Iterator[Finding]:
    """The newest exercise that measured a service's data loss lost more than its RPO.

    An exercise is the evidence that the RPO holds: if restoring lost four
    hours of data when the business accepted fifteen minutes, backups or
    replication are not frequent enough, whatever the documents say. Only
    the newest measurement per service counts, so a later exercise that met
    the RPO clears the warning. (Recovery times above the RTO are F006.)

    Fails: ``data_loss: 4h`` for a service whose BIA says ``rpo: 15m``.
    Fix: back up or replicate more often, then exercise again.
    """
    newest: dict[str, tuple[SourceDoc, int]] = {}
    for doc in estate.docs(Exercise):
        exercise: Exercise = doc.model  # type: ignore[assignment]
        for i, result in enumerate(exercise.results):
            if result.data_loss is None:
                continue
            seen = newest.get(result.service)
            if seen is None or seen[0].model.date < exercise.date:  # type: ignore[attr-defined]
                newest[result.service] = (doc, i)
    for service_id, (doc, i) in newest.items():
        exercise = doc.model  # type: ignore[assignment]
        lost = exercise.results[i].data_loss
        bia = estate.bia_of.get(service_id)
        if bia is None or bia.rpo is None or lost is None or lost <= bia.rpo:
            continue
        yield Finding(
            doc.location("results", i, "data_loss"),
            f"exercise {exercise.id!r} on {exercise.date} lost {lost} of data for {service_id!r}, above its RPO "
            f"{bia.rpo}: back up or replicate more often, then exercise again",
            key=f"{exercise.id}:{service_id}:data_loss",
        )
