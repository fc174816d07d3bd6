"""The dependency graph of services, components, suppliers and sites.

Edges point from the dependant to what it needs (``payments-api -> postgres``).
Each edge carries a ``mode`` (``hard``: needed to recover; ``soft``: only
degrades) and a ``rel`` saying where it came from (``depends_on``,
``alternative``, ``instances``, ``site``, ``zone``, ``supplier``, ``parent``,
``runs_in``), plus the document and data path that wrote it, for locations.

Nodes are document ids, plus synthetic nodes whose ids contain ``|`` (never
valid in a slug):

* ``owner|any_of|3``: an OR gate for the ``any_of`` entry 3 of ``owner``;
* ``component|instances``: an OR gate over the instances of a component with
  two or more instances, and ``component|0``, ``component|1``: the instances;
* ``supplier|sites``: an OR gate over the sites of a supplier running in two
  or more sites.

Node attributes: ``kind`` (a document kind, ``Instance`` or ``Or``), ``gate``
(``and``: fails when any hard child fails; ``or``: fails when every child
fails), ``basic`` (whether the node can fail on its own, i.e. is a candidate
single point of failure), ``est`` (estimated recovery time in seconds, or None),
``label``, ``doc`` and ``path`` (where it is written).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable

from ..diagnostics import Location
from ..models import AnyOf, Component, Service, Site, Supplier
from ..scc import tarjan

if TYPE_CHECKING:
    import networkx as nx

    from ..estate import Estate
    from ..loader import SourceDoc

DEPENDABLE = frozenset({"Service", "Component", "Supplier"})
HARD = "hard"
SOFT = "soft"


@dataclass
class DependencyGraph:
    """The graph plus the views the analyses share (hard adjacency, dependency order).

    ``data`` (node -> attributes) and ``adj`` (node -> successor -> edge
    attributes) are plain dicts: the analyses do hundreds of thousands of
    lookups, and networkx's views cost a microsecond each. ``graph`` is the
    same graph as a ``networkx.DiGraph``, built on first use (export, library
    users), so linting never pays for it.
    """

    data: dict[str, dict[str, Any]]
    adj: dict[str, dict[str, dict[str, Any]]]

    @cached_property
    def graph(self) -> nx.DiGraph:
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.data.items())
        g.add_edges_from((u, v, d) for u, nbrs in self.adj.items() for v, d in nbrs.items())
        return g

    # -- nodes ---------------------------------------------------------------
    def kind(self, node: str) -> str:
        return str(self.data[node]["kind"])

    def label(self, node: str) -> str:
        return str(self.data[node]["label"])

    def est(self, node: str) -> int | None:
        value: int | None = self.data[node]["est"]
        return value

    def is_gate(self, node: str) -> bool:
        """Synthetic OR nodes (any_of, instances, supplier sites)."""
        return bool(self.data[node]["kind"] == "Or")

    def location(self, node: str) -> Location:
        data = self.data[node]
        doc: SourceDoc = data["doc"]
        return doc.location(*data["path"])

    def edge_location(self, source: str, target: str) -> Location:
        data = self.adj[source][target]
        doc: SourceDoc = data["doc"]
        return doc.location(*data["path"])

    def document_of(self, node: str) -> str:
        """The id of the document that defines ``node`` (itself, or the owner of a synthetic node)."""
        return node.split("|", 1)[0]

    # -- shared views ----------------------------------------------------------
    @cached_property
    def hard_succ(self) -> dict[str, list[str]]:
        """Hard successors of every node (soft edges never block recovery)."""
        return {n: [v for v, d in nbrs.items() if d["mode"] == HARD] for n, nbrs in self.adj.items()}

    @cached_property
    def hard_components(self) -> list[list[str]]:
        """Strongly connected components of the hard graph, dependencies before dependants.

        Almost every component is a single node; a larger one is a hard cycle
        (reported as G001), which the analyses iterate to a fixpoint. Its
        members are sorted by id, so nothing depends on the order in which
        files were found or edges were written.
        """
        from . import _no_gc

        with _no_gc():
            return [comp if len(comp) == 1 else sorted(comp) for comp in tarjan(self.hard_succ)]

    @cached_property
    def hard_pred(self) -> dict[str, list[str]]:
        pred: dict[str, list[str]] = {n: [] for n in self.hard_succ}
        for node, children in self.hard_succ.items():
            for child in children:
                pred[child].append(node)
        return pred

    def render_path(self, path: Iterable[str]) -> str:
        """``payments-api -> any of (a | b) -> fra1`` for messages."""
        data = self.data
        return " -> ".join(data[n]["label"] if "|" in n else n for n in path)


class _Builder:
    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.data: dict[str, dict[str, Any]] = {}
        self.adj: dict[str, dict[str, dict[str, Any]]] = {}

    def node(self, node: str, kind: str, doc: SourceDoc, path: tuple[Any, ...], **attrs: Any) -> None:
        attrs.setdefault("gate", "and")
        attrs.setdefault("basic", kind in ("Component", "Supplier", "Site", "Instance"))
        attrs.setdefault("est", None)
        attrs.setdefault("label", node)
        self.data[node] = {"kind": kind, "doc": doc, "path": path, **attrs}
        self.adj[node] = {}

    def edge(self, source: str, target: str, mode: str, rel: str, doc: SourceDoc, path: tuple[Any, ...]) -> None:
        edges = self.adj[source]
        old = edges.get(target)
        if old is not None and (old["mode"] == HARD or mode == SOFT):
            return  # a hard edge wins over a soft duplicate
        edges[target] = {"mode": mode, "rel": rel, "doc": doc, "path": path}

    def target(self, id_: str, kinds: frozenset[str] | tuple[str, ...]) -> bool:
        """Whether ``id_`` names a document of a fitting kind (R001/R002 report the rest)."""
        doc = self.estate.by_id.get(id_)
        return doc is not None and doc.kind in kinds

    def build(self) -> DependencyGraph:
        estate = self.estate
        for doc in estate.docs(Service):
            svc: Service = doc.model  # type: ignore[assignment]
            est = svc.recovery.estimated_time.seconds if svc.recovery and svc.recovery.estimated_time else None
            self.node(doc.id, "Service", doc, ("id",), basic=False, est=est, tier=svc.tier)
        for doc in estate.docs(Component):
            comp: Component = doc.model  # type: ignore[assignment]
            rec = comp.recovery
            est = rec.estimated_time.seconds if rec and rec.estimated_time else None
            self.node(doc.id, "Component", doc, ("id",), basic=len(comp.instances) <= 1, est=est)
        for doc in estate.docs(Supplier):
            sup: Supplier = doc.model  # type: ignore[assignment]
            rto = sup.contract.rto.seconds if sup.contract and sup.contract.rto else None
            self.node(doc.id, "Supplier", doc, ("id",), est=rto)
        for doc in estate.docs(Site):
            self.node(doc.id, "Site", doc, ("id",))
        for kind in (Service, Component, Supplier):
            for doc in estate.docs(kind):
                self.dependencies(doc)
        for doc in estate.docs(Component):
            self.placement(doc)
        for doc in estate.docs(Supplier):
            self.supplier_sites(doc)
        for doc in estate.docs(Site):
            self.site_links(doc)
        return DependencyGraph(self.data, self.adj)

    def dependencies(self, doc: SourceDoc) -> None:
        owner = doc.id
        for i, dep in enumerate(doc.model.depends_on):  # type: ignore[attr-defined]
            if isinstance(dep, AnyOf):
                valid = [(j, t) for j, t in enumerate(dep.any_of) if self.target(t, DEPENDABLE)]
                if len(valid) == 1:
                    j, t = valid[0]
                    self.edge(owner, t, dep.mode, "depends_on", doc, ("depends_on", i, "any_of", j))
                elif valid:
                    gate = f"{owner}|any_of|{i}"
                    label = "any of (" + " | ".join(t for _, t in valid) + ")"
                    self.node(gate, "Or", doc, ("depends_on", i), gate="or", basic=False, label=label)
                    self.edge(owner, gate, dep.mode, "depends_on", doc, ("depends_on", i))
                    for j, t in valid:
                        self.edge(gate, t, HARD, "alternative", doc, ("depends_on", i, "any_of", j))
            elif self.target(dep.id, DEPENDABLE):
                self.edge(owner, dep.id, dep.mode, "depends_on", doc, ("depends_on", i))

    def placement(self, doc: SourceDoc) -> None:
        comp: Component = doc.model  # type: ignore[assignment]
        owner = doc.id
        if comp.supplier and self.target(comp.supplier, ("Supplier",)):
            self.edge(owner, comp.supplier, HARD, "supplier", doc, ("supplier",))
        if len(comp.instances) == 1:
            self.place(owner, doc, 0)
        elif len(comp.instances) > 1:
            gate = f"{owner}|instances"
            label = f"{len(comp.instances)} instances of {owner}"
            self.node(gate, "Or", doc, ("instances",), gate="or", basic=False, label=label)
            self.edge(owner, gate, HARD, "instances", doc, ("instances",))
            for j, inst in enumerate(comp.instances):
                node = f"{owner}|{j}"
                label = f"{owner} instance {inst.name or j + 1} ({inst.zone or inst.site})"
                self.node(node, "Instance", doc, ("instances", j), label=label)
                self.edge(gate, node, HARD, "instance", doc, ("instances", j))
                self.place(node, doc, j)

    def place(self, node: str, doc: SourceDoc, j: int) -> None:
        inst = doc.model.instances[j]  # type: ignore[attr-defined]
        if self.target(inst.site, ("Site",)):
            self.edge(node, inst.site, HARD, "site", doc, ("instances", j, "site"))
        if inst.zone and self.target(inst.zone, ("Site",)):
            self.edge(node, inst.zone, HARD, "zone", doc, ("instances", j, "zone"))

    def supplier_sites(self, doc: SourceDoc) -> None:
        sup: Supplier = doc.model  # type: ignore[assignment]
        sites = [(j, s) for j, s in enumerate(sup.sites) if self.target(s, ("Site",))]
        if len(sites) == 1:
            j, s = sites[0]
            self.edge(doc.id, s, HARD, "runs_in", doc, ("sites", j))
        elif sites:
            gate = f"{doc.id}|sites"
            label = f"{len(sites)} sites of {doc.id}"
            self.node(gate, "Or", doc, ("sites",), gate="or", basic=False, label=label)
            self.edge(doc.id, gate, HARD, "runs_in", doc, ("sites",))
            for j, s in sites:
                self.edge(gate, s, HARD, "runs_in", doc, ("sites", j))

    def site_links(self, doc: SourceDoc) -> None:
        site: Site = doc.model  # type: ignore[assignment]
        if site.parent and self.target(site.parent, ("Site",)):
            self.edge(doc.id, site.parent, HARD, "parent", doc, ("parent",))
        if site.supplier and self.target(site.supplier, ("Supplier",)):
            sup: Supplier = self.estate.by_id[site.supplier].model  # type: ignore[assignment]
            # "supplier X runs in site S" and "site S is run by supplier X" say
            # the same thing twice; keeping both directions would be a cycle.
            if doc.id not in sup.sites:
                self.edge(doc.id, site.supplier, HARD, "supplier", doc, ("supplier",))


def build_graph(estate: Estate) -> DependencyGraph:
    """Build the dependency graph of ``estate`` (prefer :func:`dependency_graph`, which caches)."""
    return _Builder(estate).build()


def dependency_graph(estate: Estate) -> DependencyGraph:
    """The estate's dependency graph, built once per estate and cached on it."""
    return estate.analysis.graph
