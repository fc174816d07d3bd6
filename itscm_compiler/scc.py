"""Strongly connected components of a directed graph given as successor lists.

Shared by the dependency graph (cycles, recovery chains) and a plan's step
graph (waits that go round in circles). Iterative, so a hostile input with
thousands of chained nodes cannot exhaust the recursion limit, and linear in
nodes plus edges.
"""

from __future__ import annotations

from typing import Mapping, Sequence


def tarjan(succ: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Iterative Tarjan: SCCs in the order they complete, i.e. dependencies first.

    ``succ`` maps every node to its successors; its key order is the order in
    which roots are tried, so the result is deterministic. Members of a
    component are listed in the order they leave the stack.

    networkx's SCC generator does not document its order, and condensation
    plus a topological sort costs several times more on large graphs.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in succ:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, i = work[-1]
            children = succ[node]
            if i < len(children):
                work[-1] = (node, i + 1)
                child = children[i]
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, 0))
                elif child in on_stack and index[child] < low[node]:
                    low[node] = index[child]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                result.append(members)
    return result
