"""The dependency graph as Mermaid, Graphviz DOT or JSON, whole or around one node.

Single points of failure (of any in-scope service) are marked. Labels are
escaped for each format: ids are slugs, but names and labels come from YAML.
"""

from __future__ import annotations

import json
from collections import deque
from typing import TYPE_CHECKING, Any

from .graph import DependencyGraph

if TYPE_CHECKING:
    from ..estate import Estate

_MERMAID_SHAPE = {
    "Service": ('(["', '"])'),
    "Component": ('["', '"]'),
    "Supplier": ('{{"', '"}}'),
    "Site": ('[("', '")]'),
    "Instance": ('["', '"]'),
    "Or": ('(("', '"))'),
}
_DOT_SHAPE = {
    "Service": "box, style=rounded",
    "Component": "box",
    "Supplier": "hexagon",
    "Site": "cylinder",
    "Instance": "box, style=dashed",
    "Or": "circle",
}


def neighbourhood(dg: DependencyGraph, around: str | None, depth: int) -> list[str]:
    """Nodes within ``depth`` steps of ``around`` in both directions (all nodes when None)."""
    if around is None:
        return sorted(dg.data)
    predecessors: dict[str, list[str]] = {node: [] for node in dg.adj}
    for node, successors in dg.adj.items():
        for other in successors:
            predecessors[other].append(node)
    seen = {around: 0}
    queue = deque([around])
    while queue:
        node = queue.popleft()
        if seen[node] >= depth:
            continue
        for other in (*dg.adj[node], *predecessors[node]):
            # An OR gate or an instance is a detail of its owner: do not spend depth on it.
            detail = "|" in other or ("|" in node and other == dg.document_of(node))
            step = 0 if detail else 1
            if other not in seen:
                seen[other] = seen[node] + step
                (queue.appendleft if step == 0 else queue.append)(other)
    return sorted(seen)


def spof_elements(estate: Estate) -> set[str]:
    """Every element that is a single point of failure of some in-scope service."""
    return {p.element for points in estate.analysis.single_points.values() for p in points}


def _shown(
    estate: Estate, around: str | None, depth: int
) -> tuple[DependencyGraph, list[str], list[tuple[str, str, dict[str, Any]]], set[str]]:
    """What every format shows: the graph, the nodes, the edges among them (by source and target), the SPOFs.

    Read from the graph's own dicts: building the networkx graph of a
    10,000-service estate to show twenty nodes took longer than loading it.
    """
    dg = estate.analysis.graph
    nodes = neighbourhood(dg, around, depth)
    keep = set(nodes)
    edges = sorted(
        ((source, target, data) for source in nodes for target, data in dg.adj[source].items() if target in keep),
        key=lambda edge: (edge[0], edge[1]),
    )
    return dg, nodes, edges, spof_elements(estate)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(estate: Estate, around: str | None = None, depth: int = 1) -> str:
    """Mermaid ``flowchart`` text of the whole graph or of ``around``'s neighbourhood.

    Hard edges are solid, soft edges dotted; single points of failure get the
    ``spof`` class (red). Renders offline with mermaid.js.
    """
    dg, nodes, edges, spofs = _shown(estate, around, depth)
    ids = {n: f"n{i}" for i, n in enumerate(nodes)}
    lines = ["flowchart LR"]
    for node in nodes:
        left, right = _MERMAID_SHAPE.get(dg.kind(node), ('["', '"]'))
        label = dg.label(node) if "|" in node else node
        lines.append(f"  {ids[node]}{left}{_mermaid_text(label)}{right}")
    for source, target, data in edges:
        arrow = "-.->" if data["mode"] == "soft" else "-->"
        lines.append(f"  {ids[source]} {arrow} {ids[target]}")
    lines.append("  classDef spof fill:#fdd,stroke:#c00,stroke-width:2px")
    marked = [ids[n] for n in nodes if n in spofs]
    if marked:
        lines.append(f"  class {','.join(marked)} spof")
    if around is not None and around in ids:
        lines.append("  classDef focus stroke-width:3px")
        lines.append(f"  class {ids[around]} focus")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def dot(estate: Estate, around: str | None = None, depth: int = 1) -> str:
    """Graphviz DOT of the whole graph or of ``around``'s neighbourhood; SPOFs filled red."""
    dg, nodes, edges, spofs = _shown(estate, around, depth)
    lines = ["digraph itscm {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for node in nodes:
        label = dg.label(node) if "|" in node else node
        attrs = f'label="{_dot_text(label)}", shape={_DOT_SHAPE.get(dg.kind(node), "box")}'
        if node in spofs:
            attrs += ', color="#cc0000", fillcolor="#ffdddd", style="filled"'
        lines.append(f'  "{_dot_text(node)}" [{attrs}];')
    for source, target, data in edges:
        style = ' [style=dashed, label="soft"]' if data["mode"] == "soft" else ""
        lines.append(f'  "{_dot_text(source)}" -> "{_dot_text(target)}"{style};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def as_json(estate: Estate, around: str | None = None, depth: int = 1) -> dict[str, Any]:
    """Nodes (id, kind, label, spof, est seconds) and edges (source, target, mode, rel)."""
    dg, nodes, edges, spofs = _shown(estate, around, depth)
    return {
        "nodes": [
            {"id": n, "kind": dg.kind(n), "label": dg.label(n), "spof": n in spofs, "estimated_recovery_seconds": dg.est(n)}
            for n in nodes
        ],
        "edges": [{"source": s, "target": t, "mode": d["mode"], "rel": d["rel"]} for s, t, d in edges],
    }


def render(estate: Estate, fmt: str, around: str | None = None, depth: int = 1) -> str:
    """One of ``mermaid``, ``dot``, ``json`` as text."""
    if fmt == "dot":
        return dot(estate, around, depth)
    if fmt == "json":
        return json.dumps(as_json(estate, around, depth), indent=2) + "\n"
    return mermaid(estate, around, depth)
