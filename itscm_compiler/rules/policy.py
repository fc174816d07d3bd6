"""The policy itself: one per repository, with consistent tiers that cover every in-scope service."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..models import Policy, Service
from .base import rule
from .coverage import second_documents
from .targets import policy_doc

E, W = Severity.ERROR, Severity.WARNING


@rule("T008", "tier-not-in-policy", E)
def tier_not_in_policy(estate: Estate) -> Iterator[Finding]:
    """An in-scope service has a tier that the policy does not define.

    The tier is what ties a service to the policy's maximum RTO and RPO,
    allowed strategies and review and exercise intervals. A tier the policy
    does not know means none of them apply, silently.

    Fails: ``tier: 4`` when the policy defines tiers 1 to 3. Fix: use one of
    the policy's tiers, or add the tier to the policy.
    """
    found = policy_doc(estate)
    if found is None:
        return
    policy: Policy = found.model  # type: ignore[assignment]
    known = ", ".join(str(t.tier) for t in sorted(policy.tiers, key=lambda t: t.tier))
    for doc in estate.docs(Service):
        service: Service = doc.model  # type: ignore[assignment]
        if estate.in_scope(service.id) and policy.tier(service.tier) is None:
            yield Finding(
                doc.location("tier"),
                f"tier {service.tier} is not defined in the policy (tiers {known}): use one of them, "
                f"or add tier {service.tier} to the policy",
                (Related(found.location("tiers"), "the policy's tiers"),),
                key=f"{doc.id}:tier",
            )


@rule("T009", "no-policy", E)
def no_policy(estate: Estate) -> Iterator[Finding]:
    """The repository has services but no continuity policy.

    The policy sets the maximum RTO and RPO per tier, the review and
    exercise intervals and the risk appetite: without it none of those
    checks can run, and the programme has no mandate. Reported at the first
    service.

    Fails: services in ``services/`` and no document with ``kind: Policy``.
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
    a matter of file order.

    Fails: ``plans/policy.yaml`` and an old ``plans/policy-2024.yaml``, both
    ``kind: Policy``. Fix: merge them into one and delete the other.
    """
    yield from second_documents(estate, Policy, "there is one policy per repository")


@rule("T011", "duplicate-policy-tier", E)
def duplicate_policy_tier(estate: Estate) -> Iterator[Finding]:
    """The policy defines the same tier twice.

    Only the first definition is used; the second is dead text that readers
    will take for the rule.

    Fails: two entries with ``tier: 1`` under ``tiers``. Fix: merge the two
    entries.
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
