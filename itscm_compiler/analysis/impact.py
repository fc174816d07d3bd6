"""What a loss takes down: ``impact(estate, ["dc-frankfurt"])``.

Lose one or more components, sites, suppliers, services, or everything a
threat strikes, and propagate the failure up the hard graph with the same
fault-tree semantics as the single points of failure. Then estimate recovery:
a node can start recovering once its down hard dependencies are back (they
recover in parallel), and is back after its own estimate; the fastest
alternative of an OR node brings it back. One pass in dependency order.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..models import Component, Service, Threat
from .graph import DependencyGraph

if TYPE_CHECKING:
    from ..estate import Estate

LOSABLE = ("Component", "Site", "Supplier", "Service", "Threat")
# Kinds listed in the recovery plan: sites and OR gates are not "recovered",
# the components on them are (elsewhere, by their strategy).
_PLANNED = ("Supplier", "Component", "Service")


class ImpactError(ValueError):
    """An id that cannot be lost (unknown, or of a kind with no place in the graph)."""


@dataclass(frozen=True)
class Step:
    """One entry of the recovery plan; times in seconds after the loss.

    ``wave``: 1 for what depends on nothing else that is down, then one more
    than the latest wave it waits for; entries of one wave can run in parallel.
    ``estimate`` is None when the document has no estimated recovery time
    (counted as 0).
    """

    id: str
    kind: str
    wave: int
    start: int
    back: int
    estimate: int | None
    waits_for: tuple[str, ...]


@dataclass(frozen=True)
class ServiceDown:
    """A service the loss takes down, with its RTO and the chain that decides when it is back."""

    id: str
    tier: int
    rto: int | None
    back: int
    chain: tuple[str, ...]

    @property
    def misses_rto(self) -> bool:
        return self.rto is not None and self.back > self.rto


@dataclass
class ImpactReport:
    """The result of :func:`impact`.

    ``lost``: the ids asked for; ``failed``: the elements that fail directly
    (a threat expanded into what it strikes); ``kinds``: the kind of each id
    asked for; ``services``: services down, the
    most critical first; ``degraded``: services still up but with a soft
    dependency down; ``plan``: every service, component and supplier to
    recover, dependencies first, ordered by start time.
    """

    lost: list[str]
    failed: list[str]
    kinds: dict[str, str] = field(default_factory=dict)
    services: list[ServiceDown] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)
    plan: list[Step] = field(default_factory=list)
    down: set[str] = field(default_factory=set)

    @property
    def missed(self) -> list[ServiceDown]:
        return [s for s in self.services if s.misses_rto]


def _expand(estate: Estate, ids: list[str]) -> list[str]:
    failed: list[str] = []
    for id_ in ids:
        doc = estate.get(id_)
        if doc is None or doc.kind not in LOSABLE:
            candidates = [d.id for kind in LOSABLE for d in estate.by_kind.get(kind, [])]
            close = difflib.get_close_matches(id_, candidates, n=1, cutoff=0.6)
            if doc is not None:
                raise ImpactError(f"{id_!r} is a {doc.kind}: give a component, site, supplier, service or threat")
            hint = f": did you mean {close[0]!r}?" if close else ""
            raise ImpactError(f"no component, site, supplier, service or threat {id_!r}{hint}")
        if isinstance(doc.model, Threat):
            strikes = doc.model.strikes
            failed += strikes.sites + strikes.suppliers + strikes.components
            types = set(strikes.component_types)
            failed += [c.id for c in estate.models(Component) if c.type in types]
        else:
            failed.append(id_)
    return sorted({f for f in failed if f in estate.by_id})


def impact(estate: Estate, ids: list[str]) -> ImpactReport:
    """What losing ``ids`` together takes down, who misses their RTO, and the recovery plan.

    Raises :class:`ImpactError` for an id that is unknown or cannot be lost.
    """
    failed = _expand(estate, ids)
    dg = estate.analysis.graph
    report = ImpactReport(list(ids), failed, {i: estate.by_id[i].kind for i in ids})
    down, back, via = _propagate(dg, set(failed))
    report.down = down
    wave: dict[str, int] = {}
    succ = dg.hard_succ
    for comp in dg.hard_components:
        for node in comp:
            if node not in down:
                continue
            below = max((wave.get(c, 0) for c in succ[node] if c in down), default=0)
            wave[node] = below + (1 if dg.kind(node) in _PLANNED else 0)
            if dg.kind(node) in _PLANNED:
                report.plan.append(
                    Step(
                        node,
                        dg.kind(node),
                        wave[node],
                        back[node] - (dg.est(node) or 0),
                        back[node],
                        dg.est(node),
                        tuple(sorted(_planned_below(dg, node, down))),
                    )
                )
    report.plan.sort(key=lambda s: (s.start, s.wave, s.back, s.id))
    for node in sorted(down):
        if dg.kind(node) != "Service":
            continue
        svc = estate.model(node, Service)
        bia = estate.bia_of.get(node)
        rto = bia.rto.seconds if bia is not None and bia.rto is not None else None
        chain = [node]
        while via.get(chain[-1]) is not None and len(chain) <= len(down):
            chain.append(via[chain[-1]])  # type: ignore[arg-type]
        shown = tuple(n for n in chain if "|" not in n)  # gates and instances are details of their owner
        report.services.append(ServiceDown(node, svc.tier if svc else 9, rto, back[node], shown))
    report.services.sort(key=lambda s: (not s.misses_rto, s.tier, s.id))
    for node, nbrs in dg.adj.items():
        if dg.kind(node) == "Service" and node not in down:
            if any(d["mode"] == "soft" and v in down for v, d in nbrs.items()):
                report.degraded.append(node)
    report.degraded.sort()
    return report


def _propagate(dg: DependencyGraph, failed: set[str]) -> tuple[set[str], dict[str, int], dict[str, str | None]]:
    """Down nodes, when each is back (seconds), and the down dependency that decides it."""
    succ = dg.hard_succ
    down: set[str] = set()
    back: dict[str, int] = {}
    via: dict[str, str | None] = {}
    for comp in dg.hard_components:
        for _ in range(len(comp) if len(comp) > 1 else 1):  # a hard cycle: let the failure go round
            for node in comp:
                children = succ[node]
                dead = [c for c in children if c in down]
                is_or = dg.is_gate(node)
                if node in failed or (dead and (not is_or or len(dead) == len(children))):
                    down.add(node)
                    best: str | None
                    if is_or:
                        best = min(dead, key=lambda c: (back[c], c))
                    else:
                        best = max(dead, key=lambda c: (back[c], c), default=None) if dead else None
                    wait = back[best] if best is not None else 0
                    back[node] = wait + (0 if is_or else dg.est(node) or 0)
                    via[node] = best
    return down, back, via


def _planned_below(dg: DependencyGraph, node: str, down: set[str]) -> set[str]:
    """The nearest planned (service, component, supplier) nodes below ``node`` that are down."""
    found: set[str] = set()
    stack = [c for c in dg.hard_succ[node] if c in down]
    seen: set[str] = set()
    while stack:
        child = stack.pop()
        if child in seen:
            continue
        seen.add(child)
        if dg.kind(child) in _PLANNED:
            found.add(child)
        else:
            stack.extend(c for c in dg.hard_succ[child] if c in down)
    return found
