"""Recovery chains (bottom-up) and the targets services impose on what they run on (top-down).

Both are one pass over the hard graph's strongly connected components in
topological order, so every node is computed once: in a diamond
(``a -> b -> d``, ``a -> c -> d``) ``d``'s chain is computed once and ``a``
takes the longer of ``b``'s and ``c``'s, never adding ``d`` twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..models import Service
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
    nodes = dg.graph.nodes
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


@dataclass(frozen=True, order=True)
class Need:
    """A target imposed from above: ``value`` (seconds, or a tier) set by ``service``, reached ``via`` a dependant."""

    value: int
    service: str
    via: str | None = field(default=None, compare=False)


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


def needs_from_above(estate: Estate, dg: DependencyGraph) -> Needs:
    """Propagate RTO, RPO and tier from every in-scope service down its plain hard dependencies."""
    nodes = dg.graph.nodes
    succ = dg.hard_succ
    needs = Needs()
    inherited_rpo: dict[str, Need] = {}
    inherited_tiers: dict[str, dict[int, Need]] = {}
    for comp in reversed(dg.hard_components):
        for node in comp:
            data = nodes[node]
            rto = needs.inherited_rto.get(node)
            rpo = inherited_rpo.get(node)
            tiers = dict(inherited_tiers.get(node, {}))
            if data["kind"] == "Service" and estate.in_scope(node):
                bia = estate.bia_of.get(node)
                if bia is not None and bia.rto is not None:
                    rto = _min(rto, Need(bia.rto.seconds, node))
                if bia is not None and bia.rpo is not None:
                    rpo = _min(rpo, Need(bia.rpo.seconds, node))
                tier = estate.model(node, Service).tier  # type: ignore[union-attr]
                tiers[tier] = Need(tier, node)
            if rto is not None:
                needs.rto[node] = rto
            if rpo is not None:
                needs.rpo[node] = rpo
            if tiers:
                needs.tiers[node] = tiers
            if data["gate"] == "or":
                continue
            for child in succ[node]:
                if nodes[child]["gate"] == "or":
                    continue
                if rto is not None:
                    needs.inherited_rto[child] = _min(needs.inherited_rto.get(child), Need(rto.value, rto.service, node))
                if rpo is not None:
                    inherited_rpo[child] = _min(inherited_rpo.get(child), Need(rpo.value, rpo.service, node))
                if tiers:
                    below = inherited_tiers.setdefault(child, {})
                    for tier, need in tiers.items():
                        below[tier] = _min(below.get(tier), Need(tier, need.service, node))
    return needs


def _min(current: Need | None, new: Need) -> Need:
    return new if current is None or new < current else current
