"""Dependency diagrams as inline SVG, drawn at build time: no JavaScript, no network.

A simple layered layout: what depends on the node on top, the node, then its
dependencies level by level down to sites and suppliers. Rows are ordered by
the mean position of their parents, which keeps most edges short. Every label
is XML-escaped; links are built from validated ids only.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .graph import DepGraph

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 172, 46, 18, 54, 8
MAX_NODES = 60
PER_ROW = 4  # wider rows would be scaled down to unreadable text on a laptop
MAX_LABEL = 24
STYLE = {
    "Service": ("#e8eaf6", "#3949ab"),
    "Component": ("#eceff1", "#546e7a"),
    "Supplier": ("#fff3e0", "#e65100"),
    "Site": ("#e8f5e9", "#2e7d32"),
    "any": ("#ffffff", "#757575"),
    "unknown": ("#ffebee", "#c62828"),
}


@dataclass
class _Node:
    key: str
    label: str
    kind: str
    href: str | None = None
    row: int = 0
    x: float = 0.0
    parents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    mode: str


@dataclass(frozen=True)
class Area:
    """Where a node with a page is drawn, for the image map that makes it clickable."""

    left: int
    top: int
    right: int
    bottom: int
    href: str
    title: str


@dataclass(frozen=True)
class Diagram:
    svg: str
    nodes: int
    truncated: int  # nodes left out to keep the drawing readable
    width: int = 0
    height: int = 0
    areas: tuple[Area, ...] = ()


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "\u2026"


def draw(
    graph: DepGraph,
    center: str,
    label_of: Callable[[str], tuple[str, str]],
    href_of: Callable[[str], str | None],
) -> Diagram:
    """The neighbourhood of ``center``: dependants above, dependencies (all levels) below."""
    nodes: dict[str, _Node] = {}
    edges: list[_Edge] = []

    def add(key: str, row: int, parent: str | None, real: str | None = None) -> bool:
        if key in nodes:
            if parent and parent not in nodes[key].parents:
                nodes[key].parents.append(parent)
            return False
        if real is None:
            label, kind = "any of", "any"
        else:
            label, kind = label_of(real)
        nodes[key] = _Node(key, label, kind, href_of(real) if real and real != center else None, row)
        if parent:
            nodes[key].parents.append(parent)
        return True

    add(center, 1, None, center)
    for source, mode in graph.dependants(center)[:12]:
        if add(source, 0, None, source):
            edges.append(_Edge(source, center, mode))
    truncated = max(0, len(graph.dependants(center)) - 12)
    frontier, row = [center], 2
    while frontier:
        following: list[str] = []
        for key in frontier:
            for index, dep in enumerate(graph.deps(key)):
                if dep.mode == "placed" and key != center:
                    continue  # sites of every component would drown the picture; their pages show them
                if len(nodes) >= MAX_NODES:
                    truncated += len(dep.targets)
                    continue
                mode = "soft" if dep.mode == "soft" else "hard"
                parent, level = key, row
                if dep.any_of:
                    junction = f"{key}~any~{index}"
                    add(junction, row, key)
                    edges.append(_Edge(key, junction, mode))
                    parent, level = junction, row + 1
                for target in dep.targets:
                    if target == center or (target in nodes and nodes[target].row < level and target != key):
                        if target in nodes:
                            edges.append(_Edge(parent, target, mode))
                        continue
                    if add(target, level, parent, target):
                        following.append(target)
                    edges.append(_Edge(parent, target, mode))
        frontier = following
        row = max((n.row for n in nodes.values()), default=row) + 1
    svg, width, height, areas = _svg(nodes, edges, center)
    return Diagram(svg, len(nodes), truncated, width, height, areas)


def _layout(nodes: dict[str, _Node]) -> tuple[list[list[_Node]], float]:
    """Visual rows (a level wider than PER_ROW wraps onto several rows) and the drawing's width."""
    levels: dict[int, list[_Node]] = {}
    for node in nodes.values():
        levels.setdefault(node.row, []).append(node)
    widest = min(PER_ROW, max(len(level) for level in levels.values()))
    width = widest * (NODE_W + GAP_X) - GAP_X + 2 * PAD
    rows: list[list[_Node]] = []
    for number in sorted(levels):
        level = levels[number]

        def weight(node: _Node) -> tuple[float, str]:
            xs = [nodes[p].x for p in node.parents if p in nodes and nodes[p].row < number]
            return (sum(xs) / len(xs) if xs else 0.0, node.label)

        level.sort(key=weight)
        for start in range(0, len(level), PER_ROW):
            row = level[start : start + PER_ROW]
            used = len(row) * (NODE_W + GAP_X) - GAP_X
            left = (width - used) / 2
            for i, node in enumerate(row):
                node.x = left + i * (NODE_W + GAP_X) + NODE_W / 2
            rows.append(row)
    return rows, width


def _svg(nodes: dict[str, _Node], edges: list[_Edge], center: str) -> tuple[str, int, int, tuple[Area, ...]]:
    rows, width = _layout(nodes)
    top: dict[str, float] = {}
    for index, row in enumerate(rows):
        for node in row:
            top[node.key] = PAD + index * (NODE_H + GAP_Y)
    height = PAD * 2 + len(rows) * (NODE_H + GAP_Y) - GAP_Y
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg class="itscm-diagram" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}">',
        "<title>Dependency diagram</title>",
        "<style>text{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;fill:#212121}"
        ".label{font-size:13px;font-weight:600}.kind{font-size:11px;fill:#616161}</style>",
        '<defs><marker id="itscm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#616161"/></marker></defs>',
    ]
    xs = {key: f"{node.x:.1f}" for key, node in nodes.items()}  # each x is printed several times
    for edge in edges:
        a, b = edge.source, edge.target
        y1, y2 = top[a] + NODE_H, top[b]
        if y2 <= y1:  # same visual row or back up (a cycle): from side to side
            y1, y2 = top[a] + NODE_H / 2, top[b] + NODE_H / 2
        mid = f"{(y1 + y2) / 2:.1f}"
        dash = ' stroke-dasharray="5 4"' if edge.mode == "soft" else ""
        parts.append(
            f'<path class="edge edge-{edge.mode}" d="M{xs[a]} {y1:.1f}C{xs[a]} {mid} {xs[b]} {mid} '
            f'{xs[b]} {y2 - 2:.1f}" fill="none" stroke="#9e9e9e" stroke-width="1.3"{dash} '
            'marker-end="url(#itscm-arrow)"/>'
        )
    areas = []
    for row in rows:
        for node in row:
            y = top[node.key]
            parts.append(_node(node, xs[node.key], y, node.key == center))
            if node.href:
                left = round(node.x - NODE_W / 2)
                title = f"{node.label} ({node.kind})"
                areas.append(Area(left, round(y), left + NODE_W, round(y + NODE_H), node.href, title))
    parts.append("</svg>\n")
    return "".join(parts), round(width), round(height), tuple(areas)


@lru_cache(maxsize=65_536)
def _texts(label: str, kind: str) -> tuple[str, str, str, str]:
    """The escaped parts of a node that do not depend on where it is drawn (nodes recur in many diagrams)."""
    return (
        html.escape(_short(label)),
        html.escape(f"{label} ({kind})"),
        "" if kind == "any" else html.escape(kind.lower()),
        html.escape(kind.lower()),
    )


def _node(node: _Node, x_text: str, y: float, is_center: bool) -> str:
    fill, stroke = STYLE.get(node.kind, STYLE["unknown"])
    label, full, kind, css = _texts(node.label, node.kind)
    width = "3" if is_center else "1.4"
    shape = (
        f'<rect x="{node.x - NODE_W / 2:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{width}"' + (' stroke-dasharray="4 3"' if node.kind == "any" else "") + "/>"
    )
    if node.kind == "any":
        texts = f'<text x="{x_text}" y="{y + NODE_H / 2 + 5:.1f}" text-anchor="middle" class="kind">any one of</text>'
    else:
        texts = (
            f'<text x="{x_text}" y="{y + 19:.1f}" text-anchor="middle" class="label">{label}</text>'
            f'<text x="{x_text}" y="{y + 36:.1f}" text-anchor="middle" class="kind">{kind}</text>'
        )
    # No <a> here: links inside an <img> are inert; the page's image map holds them (see Area).
    return f'<g class="node node-{css}"><title>{full}</title>{shape}{texts}</g>'
