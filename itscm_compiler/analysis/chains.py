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
    dependants only; ``tiers``: the tiers above a node, as a bit mask (bit
    ``t`` set for tier ``t``); :meth:`tier_path` finds a service of a tier.
    """

    dg: DependencyGraph
    in_scope: Callable[[str], bool]
    rto: dict[str, Need] = field(default_factory=dict)
    rpo: dict[str, Need] = field(default_factory=dict)
    inherited_rto: dict[str, Need] = field(default_factory=dict)
    tiers: dict[str, int] = field(default_factory=dict)

    def tiers_above(self, node: str) -> list[int]:
        mask = self.tiers.get(node, 0)
        return [t for t in range(1, mask.bit_length()) if mask >> t & 1]

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

    def tier_path(self, node: str, tier: int) -> list[str]:
        """``[service, ..., node]`` for the nearest in-scope service of ``tier`` above ``node``.

        A breadth-first search up the dependants that carry the tier: only
        run for findings, so the propagation itself stays a bit mask.
        """
        bit = 1 << tier
        pred = self.dg.hard_pred
        data = self.dg.data
        parent: dict[str, str | None] = {node: None}
        queue = [node]
        for current in queue:
            d = data[current]
            if d["kind"] == "Service" and d.get("tier") == tier and self.in_scope(current):
                path = [current]
                while parent[path[-1]] is not None:
                    path.append(parent[path[-1]])  # type: ignore[arg-type]
                return path
            for up in pred[current]:
                if up not in parent and data[up]["gate"] != "or" and self.tiers.get(up, 0) & bit:
                    parent[up] = current
                    queue.append(up)
        return [node]


def needs_from_above(estate: Estate, dg: DependencyGraph) -> Needs:
    """Propagate RTO, RPO and tier from every in-scope service down its plain hard dependencies.

    One pass in dependants-first order; values are plain tuples until the end.
    Inside a hard cycle (already a G001 error) the members are visited again
    until nothing changes: targets only get stricter and tier masks only
    grow, so this ends, and the result does not depend on the visiting order.
    """
    nodes = dg.data
    succ = dg.hard_succ
    needs = Needs(dg, estate.in_scope)
    inh_rto: dict[str, tuple[int, str]] = {}
    inh_rto_via: dict[str, str] = {}
    inh_rpo: dict[str, tuple[int, str]] = {}
    inh_rpo_via: dict[str, str] = {}
    tiers = needs.tiers
    rto_best: dict[str, tuple[tuple[int, str], str | None]] = {}
    rpo_best: dict[str, tuple[tuple[int, str], str | None]] = {}
    bia_of = estate.bia_of
    no_members: frozenset[str] = frozenset()

    def visit(node: str, members: frozenset[str]) -> bool:
        """Push ``node``'s needs to its children; True when a member of ``members`` got a stricter one."""
        data = nodes[node]
        rto = inh_rto.get(node)
        rto_via = inh_rto_via.get(node)
        rpo = inh_rpo.get(node)
        rpo_via = inh_rpo_via.get(node)
        mask = tiers.get(node, 0)
        if data["kind"] == "Service" and estate.in_scope(node):
            bia = bia_of.get(node)
            if bia is not None and bia.rto is not None:
                own = (bia.rto.seconds, node)
                if rto is None or own < rto:
                    rto, rto_via = own, None
            if bia is not None and bia.rpo is not None:
                own = (bia.rpo.seconds, node)
                if rpo is None or own < rpo:
                    rpo, rpo_via = own, None
            mask |= 1 << data["tier"]
            tiers[node] = mask
        if rto is not None:
            rto_best[node] = (rto, rto_via)
        if rpo is not None:
            rpo_best[node] = (rpo, rpo_via)
        if data["gate"] == "or":
            return False
        changed = False
        for child in succ[node]:
            if nodes[child]["gate"] == "or":
                continue
            inside = child in members
            if rto is not None:
                current = inh_rto.get(child)
                if current is None or rto < current:
                    inh_rto[child] = rto
                    inh_rto_via[child] = node
                    changed |= inside
            if rpo is not None:
                current = inh_rpo.get(child)
                if current is None or rpo < current:
                    inh_rpo[child] = rpo
                    inh_rpo_via[child] = node
                    changed |= inside
            if mask:
                before = tiers.get(child, 0)
                if before | mask != before:
                    tiers[child] = before | mask
                    changed |= inside
        return changed

    for comp in reversed(dg.hard_components):
        if len(comp) == 1:
            visit(comp[0], no_members)
            continue
        members = frozenset(comp)
        changed = True
        while changed:
            changed = False
            for node in comp:
                changed |= visit(node, members)
    needs.rto = {n: Need(v[0], v[1], via) for n, (v, via) in rto_best.items()}
    needs.rpo = {n: Need(v[0], v[1], via) for n, (v, via) in rpo_best.items()}
    needs.inherited_rto = {n: Need(v[0], v[1], inh_rto_via[n]) for n, v in inh_rto.items()}
    return needs
