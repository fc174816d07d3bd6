"""Strongly connected components of a directed graph given as successor lists.

Shared by the dependency graph (cycles, recovery chains) and a plan's step
graph (waits that go round in circles). Iterative, so a hostile input with
thousands of chained nodes cannot exhaust the recursion limit, and linear in
nodes plus edges.
"""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, Mapping

_DONE = sys.maxsize


def tarjan(succ: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Iterative Tarjan: SCCs in the order they complete, i.e. dependencies first.

    ``succ`` maps every node to its successors (a list, or a dict whose keys
    are the successors); its key order is the order in which roots are tried,
    so the result is deterministic. Members of a component are listed in the
    order they leave the stack.

    networkx's SCC generator does not document its order, and condensation
    plus a topological sort costs several times more on large graphs.

    Each frame of the explicit DFS stack holds a node and an iterator over its
    successors, so resuming a node is one ``for`` over what is left. A node
    assigned to a component gets an index above every real one, which stands
    in for the "not on the stack" test of the textbook version.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in succ:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(succ[root]))]
        while work:
            node, children = work[-1]
            for child in children:
                seen = index.get(child)
                if seen is None:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    work.append((child, iter(succ[child])))
                    break
                if seen < low[node]:  # on the stack: finished nodes hold _DONE
                    low[node] = seen
            else:
                work.pop()
                lowest = low[node]
                if work:
                    parent = work[-1][0]
                    if lowest < low[parent]:
                        low[parent] = lowest
                if lowest == index[node]:
                    if stack[-1] == node:
                        stack.pop()
                        index[node] = _DONE
                        result.append([node])
                        continue
                    members = []
                    while True:
                        member = stack.pop()
                        index[member] = _DONE
                        members.append(member)
                        if member == node:
                            break
                    result.append(members)
    return result
