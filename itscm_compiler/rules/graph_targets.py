"""Recovery targets checked against the dependency graph (codes T050..T099).

What a service needs (RTO, RPO, tier) flows down its plain hard dependencies;
what a dependency takes to recover flows up. Both are computed once per
estate in ``itscm_compiler.analysis.chains``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..diagnostics import Finding, Location, Related, Severity
from ..estate import Estate
from ..loader import SourceDoc
from ..models import Component, Document, Supplier
from ..models.types import Duration
from .base import rule

if TYPE_CHECKING:
    from ..analysis.chains import Need, Needs


def _d(seconds: int) -> str:
    return str(Duration(seconds))


def _bia_location(estate: Estate, service: str, field: str) -> Location | None:
    bia = estate.bia_of.get(service)
    doc = estate.get(bia.id) if bia is not None else None
    return doc.location(field) if doc is not None else None


def _dependants(needs_path: list[str]) -> str:
    return " -> ".join(n for n in needs_path)


def _need_related(estate: Estate, need: Need, field: str, path: list[str]) -> tuple[Related, ...]:
    where = _bia_location(estate, need.service, field)
    related = []
    if where is not None:
        related.append(Related(where, f"{need.service} has {field.upper()} {_d(need.value)} here"))
    if len(path) >= 2:
        dg = estate.analysis.graph
        related.append(Related(dg.edge_location(path[-2], path[-1]), f"{path[-2]} depends on {path[-1]} here"))
    return tuple(related)


def _trace(needs: Needs, table: dict[str, Need], node: str, need: Need) -> list[str]:
    return needs.trace(node, need, table.get)


def _slower_than_needed(
    estate: Estate, kind: type[Document], field: str, duration: Callable[[Any], Duration | None]
) -> Iterator[tuple[SourceDoc, Duration, Need, list[str]]]:
    """Each document of ``kind`` whose ``duration`` is longer than the ``field`` ("rto" or "rpo") needed of it.

    Yields the document, its duration, the strictest need above it and the
    chain of dependants from the service with that need down to it.
    """
    needs = estate.analysis.needs
    table = needs.rto if field == "rto" else needs.rpo
    for doc in estate.docs(kind):
        need = table.get(doc.id)
        took = duration(doc.model)
        if need is not None and took is not None and took.seconds > need.value:
            yield doc, took, need, _trace(needs, table, doc.id, need)


@rule("T050", "recovery-time-inversion", Severity.ERROR)
def recovery_time_inversion(estate: Estate) -> Iterator[Finding]:
    """A hard dependency whose RTO is longer than the RTO of a service that needs it.

    If ``payments-api`` (RTO 1h) cannot recover without ``ledger`` (RTO 4h),
    one of the two targets is fiction. Followed through components and
    suppliers; alternatives of an ``any_of`` do not count. Reported once per
    dependency, against the strictest service above it, with the chain.

    Fix: lower the dependency's RTO (and fund it), or make the dependency soft
    or redundant.
    """
    needs = estate.analysis.needs
    for service, inherited in sorted(needs.inherited_rto.items()):
        if estate.analysis.graph.kind(service) != "Service" or not estate.in_scope(service):
            continue
        bia = estate.bia_of.get(service)
        if bia is None or bia.rto is None or bia.rto.seconds <= inherited.value:
            continue
        path = _trace(needs, needs.rto, service, inherited)
        where = _bia_location(estate, service, "rto")
        assert where is not None
        yield Finding(
            where,
            f"{service} has RTO {bia.rto} but {inherited.service} (RTO {_d(inherited.value)}) cannot recover "
            f"without it ({_dependants(path)}): lower {service}'s RTO to {_d(inherited.value)} or less, "
            "or make the dependency soft or redundant",
            _need_related(estate, inherited, "rto", path),
            key=f"{service}:{inherited.service}",
        )


@rule("T051", "strategy-not-allowed-for-tier", Severity.ERROR)
def strategy_not_allowed(estate: Estate) -> Iterator[Finding]:
    """A component whose recovery strategy the policy does not allow for the tier of a service on it.

    A tier-1 service on a component restored ``cold`` from backups inherits
    that component's recovery: the policy's list of strategies for tier 1 is
    there to prevent exactly this.

    Fails: policy tier 1 allows ``hot, warm``; a tier-1 service depends on a
    component with ``recovery: {strategy: cold}``. Fix: upgrade the
    component's strategy, or move the service off it.
    """
    policy = estate.policy
    if policy is None:
        return
    needs = estate.analysis.needs
    for doc in estate.docs(Component):
        comp: Component = doc.model  # type: ignore[assignment]
        if comp.recovery is None:
            continue
        for tier in needs.tiers_above(doc.id):
            allowed = policy.tier(tier)
            if allowed is None or comp.recovery.strategy in allowed.strategies:
                continue
            path = needs.tier_path(doc.id, tier)
            yield Finding(
                doc.location("recovery", "strategy"),
                f"{doc.id} recovers {comp.recovery.strategy}, but tier-{tier} service {path[0]} runs on it "
                f"({_dependants(path)}) and the policy allows only {', '.join(allowed.strategies)} for tier {tier}: "
                "change the strategy or move the service off this component",
                key=f"{doc.id}:{tier}",
            )
            break


@rule("T052", "component-recovery-exceeds-rto", Severity.ERROR)
def component_recovery_exceeds_rto(estate: Estate) -> Iterator[Finding]:
    """A component whose estimated recovery time is longer than the RTO of a service on it.

    Fails: ``postgres`` has ``estimated_time: 6h`` and ``payments-api`` (RTO
    4h) needs it. Fix: a faster strategy for the component, or a realistic RTO.
    """
    for doc, took, need, path in _slower_than_needed(
        estate, Component, "rto", lambda c: c.recovery.estimated_time if c.recovery else None
    ):
        yield Finding(
            doc.location("recovery", "estimated_time"),
            f"{doc.id} takes {took} to recover but {need.service} needs it within its "
            f"RTO {_d(need.value)} ({_dependants(path)}): recover it faster (e.g. a hot standby) or revisit the RTO",
            _need_related(estate, need, "rto", path),
            key=f"{doc.id}:{need.service}",
        )


@rule("T053", "backup-exceeds-rpo", Severity.ERROR)
def backup_exceeds_rpo(estate: Estate) -> Iterator[Finding]:
    """Backups taken less often than the RPO of a service whose data lives on the component.

    A daily backup under a service with a 15-minute RPO loses up to a day of
    data. Every service that depends on the component (hard, directly or
    through others) counts.

    Fix: back up at least as often as the strictest RPO, or replicate.
    """
    for doc, every, need, path in _slower_than_needed(
        estate, Component, "rpo", lambda c: c.backup.frequency if c.backup else None
    ):
        yield Finding(
            doc.location("backup", "frequency"),
            f"{doc.id} is backed up every {every} but {need.service} has RPO {_d(need.value)} "
            f"({_dependants(path)}): back up every {_d(need.value)} or more often, or replicate",
            _need_related(estate, need, "rpo", path),
            key=f"{doc.id}:{need.service}",
        )


def _supplier_check(estate: Estate, field: str) -> Iterator[Finding]:
    for doc, promised, need, path in _slower_than_needed(
        estate, Supplier, field, lambda s: getattr(s.contract, field, None) if s.contract else None
    ):
        yield Finding(
            doc.location("contract", field),
            f"{doc.id}'s contract promises {field.upper()} {promised} but {need.service} needs "
            f"{field.upper()} {_d(need.value)} ({_dependants(path)}): negotiate a stronger contract, "
            "or add an alternative supplier",
            _need_related(estate, need, field, path),
            key=f"{doc.id}:{need.service}",
        )


@rule("T054", "supplier-rto-too-weak", Severity.WARNING)
def supplier_rto_too_weak(estate: Estate) -> Iterator[Finding]:
    """A supplier whose contractual RTO is longer than the RTO of a service that needs it.

    Fails: ``contract: {rto: 24h}`` under a service with RTO 4h. Fix:
    negotiate the contract, add an alternative (``any_of``), or accept the
    risk explicitly with a waiver.
    """
    yield from _supplier_check(estate, "rto")


@rule("T055", "supplier-rpo-too-weak", Severity.WARNING)
def supplier_rpo_too_weak(estate: Estate) -> Iterator[Finding]:
    """A supplier whose contractual RPO is longer than the RPO of a service that needs it.

    Fails: ``contract: {rpo: 24h}`` under a service with RPO 1h. Fix:
    negotiate the contract, keep your own copy of the data, or waive with a reason.
    """
    yield from _supplier_check(estate, "rpo")


@rule("T056", "recovery-chain-exceeds-rto", Severity.ERROR)
def recovery_chain_exceeds_rto(estate: Estate) -> Iterator[Finding]:
    """The end-to-end recovery chain through the hard dependencies is longer than the service's RTO.

    A service recovers after its hard dependencies, which recover in
    parallel where they can: the time needed is its own estimate plus the
    longest chain of estimates below it (the fastest alternative of an
    ``any_of``; a shared dependency counts once on each chain, never twice).
    Services and components count with their ``recovery.estimated_time``,
    suppliers with their contractual RTO; what has no estimate counts as 0.

    Fails: RTO 4h but ``payments-api <- postgres-payments (3h) <- san-fra (2h)``
    needs 5h. Fix: shorten the slowest link of the chain, or revisit the RTO.
    """
    chains = estate.analysis.chains
    dg = estate.analysis.graph
    for service, bia in sorted(estate.bia_of.items()):
        if bia.rto is None or service not in chains.total or not estate.in_scope(service):
            continue
        total = chains.total[service]
        if total <= bia.rto.seconds:
            continue
        path = chains.path(service)
        parts = [service + (f" ({_d(dg.est(service) or 0)})" if dg.est(service) else "")]
        parts += [f"{dg.render_path((n,))} ({_d(dg.est(n) or 0)})" for n in path[1:] if dg.est(n)]
        where = _bia_location(estate, service, "rto")
        assert where is not None
        yield Finding(
            where,
            f"{service} has RTO {bia.rto} but the recovery chain {' <- '.join(parts)} needs {_d(total)}: "
            "shorten the slowest link or revisit the RTO",
            tuple(Related(dg.location(n), f"{dg.render_path((n,))} takes {_d(dg.est(n) or 0)}") for n in path[1:] if dg.est(n)),
            key=f"{service}:chain",
        )
