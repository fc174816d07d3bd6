"""Dependency cycles: one per strongly connected component, with a shortest cycle as the path.

Enumerating every simple cycle explodes on large components, and
``networkx.find_cycle`` over a whole DAG is slow; instead, Tarjan gives the
components in linear time and a few breadth-first searches inside each
component give a short cycle to show.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

from ..scc import tarjan
from .graph import SOFT, DependencyGraph

# Breadth-first searches per component when looking for its shortest cycle:
# enough to find the shortest one in any realistic component, bounded on huge ones.
_STARTS = 24


@dataclass(frozen=True)
class Cycle:
    """A dependency cycle: ``path[0] -> path[1] -> ... -> path[0]``.

    ``hard`` cycles consist of hard edges only: recovery deadlocks, each
    member waiting for the next. Others pass through at least one soft edge.
    ``members`` is the size of the strongly connected component it stands for.
    """

    hard: bool
    path: tuple[str, ...]
    members: int


def find_cycles(dg: DependencyGraph) -> list[Cycle]:
    """Every cyclic strongly connected component once: hard cycles, then cycles through a soft edge."""
    found: list[Cycle] = []
    hard = dg.hard_succ
    for comp in dg.hard_components:
        if len(comp) == 1 and comp[0] not in hard[comp[0]]:
            continue
        members = set(comp)
        path = _shortest_cycle(sorted(members), lambda n: hard[n], members)
        if path:
            found.append(Cycle(True, _rotate(path), len(comp)))
    adj = dg.adj
    for comp in tarjan(adj):  # successors are the keys of each node's edge dict
        if len(comp) == 1 and comp[0] not in adj[comp[0]]:
            continue  # almost every component: one node on no cycle
        members = set(comp)
        soft_edges = sorted(
            (u, v) for u in comp for v, d in adj[u].items() if d["mode"] == SOFT and v in members
        )
        if not soft_edges:
            continue
        best: list[str] | None = None
        for u, v in soft_edges[:_STARTS]:
            back = _path(v, u, lambda n: adj[n], members)
            if back is None:
                continue
            cycle = _close(u, v, back)
            if best is None or len(cycle) < len(best):
                best = cycle
        if best:
            found.append(Cycle(False, _rotate(best), len(comp)))
    return found


def _close(u: str, v: str, back: list[str]) -> list[str]:
    """The cycle ``u -soft-> v -> ... -> u`` as a node list starting at ``u`` (``back`` is v..u)."""
    if u == v:
        return [u]
    return [u, *back[:-1]]


def _shortest_cycle(starts: list[str], succ: Callable[[str], Iterable[str]], members: set[str]) -> list[str] | None:
    best: list[str] | None = None
    for start in starts[:_STARTS]:
        path = _path_back(start, succ, members)
        if path is not None and (best is None or len(path) < len(best)):
            best = path
            if len(best) <= 2:
                break
    return best


def _path_back(start: str, succ: Callable[[str], Iterable[str]], members: set[str]) -> list[str] | None:
    """Shortest cycle through ``start`` as ``[start, ..., last]`` (last -> start closes it)."""
    parent: dict[str, str] = {}
    queue: deque[str] = deque()
    for v in succ(start):
        if v == start:
            return [start]
        if v in members and v not in parent:
            parent[v] = start
            queue.append(v)
    while queue:
        x = queue.popleft()
        for y in succ(x):
            if y == start:
                path = [x]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                path.reverse()
                return path
            if y in members and y not in parent:
                parent[y] = x
                queue.append(y)
    return None


def _path(source: str, goal: str, succ: Callable[[str], Iterable[str]], members: set[str]) -> list[str] | None:
    """Shortest path ``[source, ..., goal]`` inside ``members``."""
    if source == goal:
        return [source]
    parent: dict[str, str] = {source: source}
    queue: deque[str] = deque([source])
    while queue:
        x = queue.popleft()
        for y in succ(x):
            if y in members and y not in parent:
                parent[y] = x
                if y == goal:
                    path = [y]
                    while path[-1] != source:
                        path.append(parent[path[-1]])
                    path.reverse()
                    return path
                queue.append(y)
    return None


def _rotate(path: list[str]) -> tuple[str, ...]:
    """Start the cycle at its smallest document id, so the report does not depend on search order."""
    candidates = [i for i, n in enumerate(path) if "|" not in n] or list(range(len(path)))
    first = min(candidates, key=lambda i: path[i])
    return tuple(path[first:] + path[:first])


__all__ = ["Cycle", "find_cycles"]
