"""Single points of failure and double failures, with fault-tree semantics.

A node fails when any of its hard dependencies fails (AND for recovery: it
needs them all), an OR node (``any_of``, the instances of a component, the
sites of a supplier) fails only when every alternative fails, and a site or
supplier is a common cause: everything placed on it fails with it. Soft
dependencies never take anything down.

One pass over the hard graph in dependency order computes, per node, the set
of elements whose single failure takes it down (``kill``): the union over the
children of an AND node, the intersection over those of an OR node, memoised
and shared when a node adds nothing. Hard cycles (already G001 errors) are
iterated to their least fixpoint, so the result never depends on the order
in which a cycle's members are visited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, NamedTuple

from .graph import DependencyGraph

if TYPE_CHECKING:
    from ..estate import Estate

_EMPTY: frozenset[str] = frozenset()
# Pairs kept per node for double failures: enough to show how thin the
# redundancy is, bounded so a pathological estate cannot explode.
_MAX_PAIRS = 2000
_KIND_ORDER = {"Site": 0, "Supplier": 1, "Component": 2, "Instance": 3}


class Point(NamedTuple):
    """One single point of failure of a service.

    ``element`` is the node whose loss takes the service down (a component,
    an instance ``component|N``, a site or a supplier); ``kind`` its kind;
    ``path`` the hard dependency path from the service to it, both included
    (it may pass through OR nodes whose alternatives all depend on it).
    """

    element: str
    kind: str
    label: str
    path: tuple[str, ...]


def kill_sets(dg: DependencyGraph) -> dict[str, frozenset[str]]:
    """Per node, the elements whose single failure takes it down (itself included when basic)."""
    nodes = dg.data
    succ = dg.hard_succ
    kill: dict[str, frozenset[str]] = {}

    def evaluate(node: str) -> frozenset[str]:
        data = nodes[node]
        children = [kill[c] for c in succ[node] if c in kill]
        if data["gate"] == "or":
            if not children:
                return _EMPTY
            result = children[0]
            for other in children[1:]:
                result = result & other
            return result
        own = frozenset((node,)) if data["basic"] else _EMPTY
        if not children:
            return own
        if len(children) == 1 and not own:
            return children[0]
        return own.union(*children)

    for comp in dg.hard_components:
        if len(comp) == 1:
            kill[comp[0]] = evaluate(comp[0])
            continue
        _cycle_fixpoint(comp, kill, evaluate, dg.hard_pred)
    return kill


def _cycle_fixpoint(
    comp: list[str],
    kill: dict[str, frozenset[str]],
    evaluate: Callable[[str], frozenset[str]],
    pred: dict[str, list[str]],
) -> None:
    """The least fixpoint of the kill sets inside a hard cycle (already a G001 error).

    Every member starts from the empty set and only grows (union and
    intersection are both monotone), so the result is the same whatever the
    order of evaluation, and the work list ends: each change adds at least
    one element to a finite set.
    """
    members = set(comp)
    for node in comp:
        kill[node] = _EMPTY
    pending = list(reversed(comp))
    queued = set(comp)
    while pending:
        node = pending.pop()
        queued.discard(node)
        value = evaluate(node)
        if value != kill[node]:
            kill[node] = value
            for up in pred[node]:
                if up in members and up not in queued:
                    queued.add(up)
                    pending.append(up)


def compute_single_points(estate: Estate, dg: DependencyGraph, kill: dict[str, frozenset[str]]) -> dict[str, list[Point]]:
    """Single points of failure of every in-scope service (see :func:`single_points`)."""
    result: dict[str, list[Point]] = {}
    memo: dict[tuple[str, str], tuple[str, ...]] = {}
    for service in sorted(n for n, d in dg.data.items() if d["kind"] == "Service"):
        if not estate.in_scope(service):
            continue
        elements = kill[service] - {service}
        if not elements:
            continue
        points = []
        data = dg.data
        # First hops for all elements at once, preferring children that are not
        # services (the service's own exposure), then memoised suffixes.
        children = sorted(dg.hard_succ[service], key=lambda c: data[c]["kind"] == "Service")
        left = set(elements)
        for child in children:
            if not left:
                break
            for e in left & kill.get(child, _EMPTY):
                d = data[e]
                tail = (e,) if child == e else path_to(dg, kill, child, e, memo)
                points.append(Point(e, d["kind"], d["label"], (service, *tail)))
            left -= kill.get(child, _EMPTY)
            left.discard(child)
        points.sort(key=lambda p: (_KIND_ORDER.get(p.kind, 9), p.element))
        result[service] = points
    return result


def single_points(estate: Estate) -> dict[str, list[Point]]:
    """Service id -> its single points of failure, for every in-scope service that has any.

    Each :class:`Point` names the failing element (component, instance, site
    or supplier) and the dependency path from the service to it. Computed once
    per estate and cached.
    """
    return estate.analysis.single_points


def path_to(
    dg: DependencyGraph,
    kill: dict[str, frozenset[str]],
    start: str,
    element: str,
    memo: dict[tuple[str, str], tuple[str, ...]] | None = None,
) -> tuple[str, ...]:
    """A hard path from ``start`` to ``element``, following only children that ``element`` kills.

    ``memo`` keeps the path from each (node, element) on: services share most
    of their paths, so each suffix is searched once.
    """
    memo = {} if memo is None else memo
    found = memo.get((start, element))
    if found is not None:
        return found
    succ = dg.hard_succ
    data = dg.data
    walked: list[str] = []
    seen: set[str] = set()
    node: str | None = start
    tail: tuple[str, ...] = ()
    while node is not None:
        if node == element:
            tail = (element,)
            break
        cached = memo.get((node, element))
        if cached is not None:
            tail = cached
            break
        if node in seen:  # only in a hard cycle: stop rather than loop
            break
        seen.add(node)
        walked.append(node)
        children = succ[node]
        if element in children:
            node = element
            continue
        # Prefer a route that does not pass through another service, so the
        # path shows the service's own exposure when there is one.
        nxt = None
        for child in children:
            if element in kill.get(child, _EMPTY):
                if data[child]["kind"] != "Service":
                    nxt = child
                    break
                nxt = nxt or child
        node = nxt
    for step in reversed(walked):
        tail = (step, *tail)
        memo[(step, element)] = tail
    return tail


def double_failures(estate: Estate, services: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Minimal cut sets of size two: pairs of elements that together, not alone, take a service down."""
    from . import _no_gc

    with _no_gc():
        return _double_failures(estate, services)


def _double_failures(estate: Estate, services: list[str]) -> dict[str, list[tuple[str, str]]]:
    dg = estate.analysis.graph
    kill = estate.analysis.kill
    succ = dg.hard_succ
    nodes = dg.data
    wanted: set[str] = set()
    stack = list(services)
    while stack:
        node = stack.pop()
        if node not in wanted:
            wanted.add(node)
            stack.extend(succ[node])
    pairs: dict[str, frozenset[tuple[str, str]]] = {}

    def evaluate(node: str) -> frozenset[tuple[str, str]]:
        single = kill[node]
        known = [c for c in succ[node] if c in pairs]
        if nodes[node]["gate"] == "or":
            return _or_pairs(single, [(kill[c], pairs[c]) for c in known])
        found: set[tuple[str, str]] = set()
        for child in known:
            for a, b in pairs[child]:
                if a not in single and b not in single:
                    found.add((a, b))
        return frozenset(sorted(found)[:_MAX_PAIRS]) if len(found) > _MAX_PAIRS else frozenset(found)

    for comp in dg.hard_components:
        if comp[0] not in wanted:  # a component is wanted whole or not at all: its members reach each other
            continue
        if len(comp) == 1:
            pairs[comp[0]] = evaluate(comp[0])
            continue
        # A hard cycle (a G001 error): every member starts empty and the
        # members are evaluated again, in id order, until nothing changes;
        # bounded, because the cap on pairs kept makes the sets non-monotone.
        for node in comp:
            pairs[node] = frozenset()
        for _ in range(len(comp) + 1):
            changed = False
            for node in comp:
                value = evaluate(node)
                if value != pairs[node]:
                    pairs[node] = value
                    changed = True
            if not changed:
                break
    return {s: sorted(pairs[s]) for s in services if pairs.get(s)}


def _or_pairs(
    single: frozenset[str], children: list[tuple[frozenset[str], frozenset[tuple[str, str]]]]
) -> frozenset[tuple[str, str]]:
    """Pairs that take down every alternative of an OR node, minus those a single element explains."""
    if not children:
        return frozenset()
    universe: set[str] = set()
    for s, p in children:
        universe |= s
        for a, b in p:
            universe.add(a)
            universe.add(b)
    first_single, first_pairs = children[0]
    candidates: set[tuple[str, str]] = set(first_pairs)
    for a in first_single:
        for b in universe:
            if a != b:
                candidates.add((a, b) if a < b else (b, a))
    result = set()
    for a, b in sorted(candidates):  # in order, so the cap keeps the same pairs in every process
        if a in single or b in single:
            continue
        if all(a in s or b in s or (a, b) in p for s, p in children):
            result.add((a, b))
        if len(result) >= _MAX_PAIRS:
            break
    return frozenset(result)
