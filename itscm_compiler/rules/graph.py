"""Graph rules: dependency cycles, single points of failure and double failures.

The analyses live in ``itscm_compiler.analysis`` (imported lazily: networkx
loads only when these rules run) and are computed once per estate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..models import Service
from .base import rule

if TYPE_CHECKING:
    from ..analysis.graph import DependencyGraph
    from ..analysis.spof import Point

_MAX_PAIRS_SHOWN = 6
_MAX_SHOWN = 5


def _edge_text(dg: DependencyGraph, source: str, target: str) -> str:
    return " -(soft)-> " if dg.adj[source][target]["mode"] == "soft" else " -> "


def _cycle_text(dg: DependencyGraph, path: tuple[str, ...]) -> str:
    closed = (*path, path[0])
    text = dg.render_path(closed[:1])
    for source, target in zip(closed, closed[1:]):
        text += _edge_text(dg, source, target) + dg.render_path((target,))
    return text


def _cycle_findings(estate: Estate, hard: bool) -> Iterator[Finding]:
    dg = estate.analysis.graph
    for cycle in estate.analysis.cycles:
        if cycle.hard is not hard:
            continue
        closed = (*cycle.path, cycle.path[0])
        related = tuple(
            Related(dg.edge_location(s, t), f"{dg.render_path((s,))} depends on {dg.render_path((t,))} here")
            for s, t in zip(closed[1:], closed[2:])
        )
        size = f" ({cycle.members} documents are involved)" if cycle.members > len(cycle.path) else ""
        if hard:
            message = (
                f"hard dependency cycle {_cycle_text(dg, cycle.path)}{size}: recovery deadlocks, each waiting "
                "for the next; make one of these dependencies soft, or break the cycle"
            )
        else:
            message = (
                f"dependency cycle through a soft dependency {_cycle_text(dg, cycle.path)}{size}: recovery can "
                "start, but these services degrade each other; break the cycle if you can"
            )
        yield Finding(
            dg.edge_location(closed[0], closed[1]),
            message,
            related,
            key=f"cycle:{'>'.join(cycle.path)}",
        )


@rule("G001", "hard-dependency-cycle", Severity.ERROR)
def hard_dependency_cycle(estate: Estate) -> Iterator[Finding]:
    """Services, components, suppliers or sites that need each other in a cycle of hard dependencies.

    Each needs the next to recover at all, so none can start: recovery
    deadlocks. Reported once per strongly connected group, with a shortest
    cycle as the path and every edge of it as a related location. A cycle
    with at least one soft edge is G002 instead: the soft edge breaks the
    deadlock.

    Fails: ``ledger`` depends on ``payments``, ``payments`` depends on ``ledger``.
    Fix: make one dependency soft if it only degrades, or split the component.
    """
    yield from _cycle_findings(estate, hard=True)


@rule("G002", "soft-dependency-cycle", Severity.WARNING)
def soft_dependency_cycle(estate: Estate) -> Iterator[Finding]:
    """A dependency cycle that passes through at least one soft dependency.

    Recovery does not deadlock (the soft dependency can wait), but the
    services degrade each other and the order to recover them in is not
    obvious. Reported once per strongly connected group.

    Fails: ``checkout`` depends on ``catalogue``, which depends softly on ``checkout``.
    Fix: break the cycle where you can, or waive with the reason it is harmless.
    """
    yield from _cycle_findings(estate, hard=False)


_ADVICE = {
    "Site": "place an instance of what depends on it in another site",
    "Supplier": "add an alternative that does not run on this supplier (any_of), or an exit plan",
    "Component": "run it with instances in two sites, or add an any_of alternative",
    "Instance": "add another instance in another site",
}


@rule("G101", "single-point-of-failure", Severity.WARNING)
def single_point_of_failure(estate: Estate) -> Iterator[Finding]:
    """One component, instance, site or supplier whose loss leaves an in-scope service unable to recover.

    Fault-tree semantics: hard dependencies must all be up, one alternative
    of an ``any_of`` is enough, one instance of a component is enough; a site
    or supplier takes down everything placed on it, so two instances in one
    site, or two ``any_of`` suppliers in one cloud region, are still one point
    of failure. Soft dependencies never are. Reported per service and point,
    at the dependency that leads to it, with the path; points a service only
    inherits through another in-scope service are reported once at that
    service, and summarised in one finding per such dependency.

    Fails: ``payments-api`` depends on ``postgres``, whose two instances are
    both in site ``fra1``. Fix: move one instance to another site.
    """
    dg = estate.analysis.graph
    for service, points in estate.analysis.single_points.items():
        inherited: dict[str, list[Point]] = {}
        for point in points:
            path = point.path
            via = next((n for n in path[1:-1] if dg.kind(n) == "Service" and estate.in_scope(n)), None)
            if via is not None:
                inherited.setdefault(via, []).append(point)
                continue
            where = dg.edge_location(path[0], path[1]) if len(path) > 1 else dg.location(service)
            gates = [n for n in path[1:-1] if dg.is_gate(n)]
            why = "".join(f"; every one of the {dg.label(g)} depends on it" for g in gates)
            yield Finding(
                where,
                f"{service} cannot recover if {point.kind.lower()} {point.label} is lost "
                f"({dg.render_path(path)}{why}): {_ADVICE.get(point.kind, 'add redundancy')}",
                (Related(dg.location(point.element), f"{point.label} is defined here"),),
                key=f"{service}:{point.element}",
            )
        for via, group in sorted(inherited.items()):
            path = group[0].path
            upto = path[: path.index(via) + 1]
            names = ", ".join(f"{p.kind.lower()} {p.label}" for p in group[:_MAX_SHOWN])
            more = f" and {len(group) - _MAX_SHOWN} more" if len(group) > _MAX_SHOWN else ""
            yield Finding(
                dg.edge_location(path[0], path[1]),
                f"{service} cannot recover if any of {len(group)} single point{'s' if len(group) != 1 else ''} "
                f"of failure of {via} is lost ({dg.render_path(upto)}): {names}{more}; they are reported "
                f"at {via}: fix them there, or make this dependency soft or redundant",
                (Related(dg.location(via), f"{via} is defined here"),),
                key=f"{service}:via:{via}",
            )


@rule("G102", "double-failure", Severity.INFO)
def double_failure(estate: Estate) -> Iterator[Finding]:
    """Pairs of failures that together take down a tier-1 service (minimal cut sets of size two).

    Shows how thin the redundancy of the most critical services is: two sites
    that share a power grid, two suppliers that share a backbone. Only pairs
    where neither failure alone is enough are listed (single points are G101).

    Fix: check that each pair cannot fail together, or add a third alternative.
    """
    from ..analysis.spof import double_failures

    dg = estate.analysis.graph
    tier1 = sorted(
        doc.id for doc in estate.docs(Service) if doc.model.tier == 1 and estate.in_scope(doc.id)  # type: ignore[attr-defined]
    )
    for service, pairs in double_failures(estate, tier1).items():
        shown = ", ".join(f"{dg.label(a)} + {dg.label(b)}" for a, b in pairs[:_MAX_PAIRS_SHOWN])
        more = f" and {len(pairs) - _MAX_PAIRS_SHOWN} more" if len(pairs) > _MAX_PAIRS_SHOWN else ""
        yield Finding(
            dg.location(service),
            f"{service} (tier 1) goes down if both of a pair fail together; {len(pairs)} such pair"
            f"{'s' if len(pairs) != 1 else ''}: {shown}{more}: make sure each pair cannot fail together",
            key=f"{service}:double",
        )
