"""Recovery chains (bottom-up) and the targets services impose on what they run on (top-down).

Both are one pass over the hard graph's strongly connected components in
topological order, so every node is computed once: in a diamond
(``a -> b -> d``, ``a -> c -> d``) ``d``'s chain is computed once and ``a``
takes the longer of ``b``'s and ``c``'s, never adding ``d`` twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, NamedTuple

from .graph import DependencyGraph

if TYPE_CHECKING:
    from ..estate import Estate


@dataclass
class Chains:
    """Per node, the longest time to recover it when everything below is down too.

    ``total[n]`` is ``n``'s own estimate plus the longest chain among its hard
    dependencies (the fastest alternative for an OR node), in seconds;
    ``next[n]`` is the dependency on that chain.
    """

    total: dict[str, int]
    next: dict[str, str | None]

    def path(self, node: str) -> list[str]:
        """``[node, dependency, its dependency, ...]`` along the longest chain."""
        path = [node]
        seen = {node}
        nxt = self.next.get(node)
        while nxt is not None and nxt not in seen:
            path.append(nxt)
            seen.add(nxt)
            nxt = self.next.get(nxt)
        return path


def recovery_chains(dg: DependencyGraph) -> Chains:
    """Longest recovery chain of every node, computed once per node in dependency order."""
    nodes = dg.data
    succ = dg.hard_succ
    total: dict[str, int] = {}
    nxt: dict[str, str | None] = {}
    for comp in dg.hard_components:
        for node in comp:
            data = nodes[node]
            own = data["est"] or 0
            best: str | None = None
            best_total = 0
            if data["gate"] == "or":
                for child in succ[node]:
                    if child in total and (best is None or (total[child], child) < (best_total, best)):
                        best, best_total = child, total[child]
            else:
                for child in succ[node]:
                    t = total.get(child)
                    if t is not None and t > 0 and (best is None or t > best_total or (t == best_total and child < best)):
                        best, best_total = child, t
            total[node] = own + best_total
            nxt[node] = best
    return Chains(total, nxt)


class Need(NamedTuple):
    """A target imposed from above: ``value`` (seconds, or a tier) set by ``service``, reached ``via`` a dependant."""

    value: int
    service: str
    via: str | None = None


@dataclass
class Needs:
    """What the in-scope services above each node require of it, through plain hard edges.

    Alternatives of an ``any_of`` are left out: the service can recover
    through another one. ``rto``/``rpo``: the strictest target above a node
    (a service's own included); ``inherited_rto``: the strictest one from its
    dependants only; ``tiers``: every tier above a node.
    """

    rto: dict[str, Need] = field(default_factory=dict)
    rpo: dict[str, Need] = field(default_factory=dict)
    inherited_rto: dict[str, Need] = field(default_factory=dict)
    tiers: dict[str, dict[int, Need]] = field(default_factory=dict)

    @staticmethod
    def trace(node: str, need: Need, lookup: Callable[[str], Need | None]) -> list[str]:
        """``[service, ..., node]``: how ``need`` reached ``node``, looking each dependant up."""
        path = [node]
        seen = {node}
        current: Need | None = need
        while current is not None and current.via is not None and current.via not in seen:
            path.append(current.via)
            seen.add(current.via)
            current = lookup(current.via)
        path.reverse()
        return path


class _Flow:
    """The strictest (value, service) reaching each node, and through which dependant."""

    def __init__(self) -> None:
        self.best: dict[str, tuple[int, str]] = {}
        self.via: dict[str, str] = {}

    def offer(self, node: str, value: tuple[int, str], via: str) -> None:
        current = self.best.get(node)
        if current is None or value < current:
            self.best[node] = value
            self.via[node] = via

    def need(self, node: str) -> Need:
        value, service = self.best[node]
        return Need(value, service, self.via.get(node))


def needs_from_above(estate: Estate, dg: DependencyGraph) -> Needs:
    """Propagate RTO, RPO and tier from every in-scope service down its plain hard dependencies.

    One pass in dependants-first order; values are plain tuples until the end.
    """
    nodes = dg.data
    succ = dg.hard_succ
    needs = Needs()
    inherited_rto, inherited_rpo = _Flow(), _Flow()
    rto_own: dict[str, tuple[int, str]] = {}
    rpo_own: dict[str, tuple[int, str]] = {}
    tiers: dict[str, dict[int, tuple[str, str | None]]] = {}
    rto_best: dict[str, tuple[tuple[int, str], str | None]] = {}
    rpo_best: dict[str, tuple[tuple[int, str], str | None]] = {}
    for comp in reversed(dg.hard_components):
        for node in comp:
            data = nodes[node]
            rto = inherited_rto.best.get(node)
            rto_via = inherited_rto.via.get(node)
            rpo = inherited_rpo.best.get(node)
            rpo_via = inherited_rpo.via.get(node)
            mine = tiers.get(node)
            if data["kind"] == "Service" and estate.in_scope(node):
                bia = estate.bia_of.get(node)
                if bia is not None and bia.rto is not None:
                    rto_own[node] = (bia.rto.seconds, node)
                    if rto is None or rto_own[node] < rto:
                        rto, rto_via = rto_own[node], None
                if bia is not None and bia.rpo is not None:
                    rpo_own[node] = (bia.rpo.seconds, node)
                    if rpo is None or rpo_own[node] < rpo:
                        rpo, rpo_via = rpo_own[node], None
                mine = dict(mine or {})
                mine[data["tier"]] = (node, None)
                tiers[node] = mine
            if rto is not None:
                rto_best[node] = (rto, rto_via)
            if rpo is not None:
                rpo_best[node] = (rpo, rpo_via)
            if data["gate"] == "or":
                continue
            for child in succ[node]:
                if nodes[child]["gate"] == "or":
                    continue
                if rto is not None:
                    inherited_rto.offer(child, rto, node)
                if rpo is not None:
                    inherited_rpo.offer(child, rpo, node)
                if mine:
                    below = tiers.get(child)
                    if below is None:
                        tiers[child] = {t: (svc, node) for t, (svc, _) in mine.items()}
                    else:
                        for tier, (svc, _) in mine.items():
                            if tier not in below or svc < below[tier][0]:
                                below[tier] = (svc, node)
    needs.rto = {n: Need(v[0], v[1], via) for n, (v, via) in rto_best.items()}
    needs.rpo = {n: Need(v[0], v[1], via) for n, (v, via) in rpo_best.items()}
    needs.inherited_rto = {n: inherited_rto.need(n) for n in inherited_rto.best}
    needs.tiers = {n: {t: Need(t, svc, via) for t, (svc, via) in by.items()} for n, by in tiers.items()}
    return needs
