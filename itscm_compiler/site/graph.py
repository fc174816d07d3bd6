"""Direct dependency facts the pages show, read from the estate.

Only what a page prints (what a node needs, what needs it, where it runs);
analysis such as single points of failure and loss impact lives in
``itscm_compiler.analysis``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from ..estate import Estate
from ..models import AnyOf, Component, Service, Site, Supplier

NODE_KINDS = ("Service", "Component", "Supplier", "Site")


@dataclass(frozen=True)
class Dep:
    """One entry of a ``depends_on`` list (or a component's supplier / sites)."""

    targets: tuple[str, ...]  # several: any one of them is enough
    mode: str  # hard, soft, runs-on (supplier), placed (site)
    note: str | None = None

    @property
    def any_of(self) -> bool:
        return len(self.targets) > 1 or self.mode == "any_of"


class DepGraph:
    """Dependencies and dependants of every service, component and supplier."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate

    def deps(self, node_id: str) -> list[Dep]:
        return self._deps.get(node_id, [])

    def dependants(self, node_id: str) -> list[tuple[str, str]]:
        """(id, mode) of what names ``node_id`` directly, sorted."""
        return self._dependants.get(node_id, [])

    @cached_property
    def _deps(self) -> dict[str, list[Dep]]:
        found: dict[str, list[Dep]] = {}
        estate = self.estate
        dependants: list[Service | Component | Supplier] = [
            *estate.models(Service), *estate.models(Component), *estate.models(Supplier)
        ]
        for model in dependants:
            entries: list[Dep] = []
            for dep in model.depends_on:
                if isinstance(dep, AnyOf):
                    entries.append(Dep(tuple(dep.any_of), dep.mode if dep.mode == "soft" else "hard", dep.note))
                else:
                    entries.append(Dep((dep.id,), dep.mode, dep.note))
            if isinstance(model, Component):
                if model.supplier:
                    entries.append(Dep((model.supplier,), "runs-on"))
                sites = sorted({i.site for i in model.instances})
                if sites:
                    entries.append(Dep(tuple(sites), "placed"))
            found[model.id] = entries
        return found

    @cached_property
    def _dependants(self) -> dict[str, list[tuple[str, str]]]:
        found: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for source, entries in self._deps.items():
            for dep in entries:
                for target in dep.targets:
                    found[target].add((source, dep.mode))
        return {k: sorted(v) for k, v in found.items()}

    def within(self, site_id: str) -> set[str]:
        """The site and every site inside it (zones of a region, rooms of a building)."""
        children: dict[str, list[str]] = defaultdict(list)
        for site in self.estate.models(Site):
            if site.parent:
                children[site.parent].append(site.id)
        found, todo = set(), [site_id]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(children.get(current, []))
        return found

    def hosted(self, site_id: str) -> list[str]:
        """Components with an instance in ``site_id`` or in a site inside it."""
        inside = self.within(site_id)
        return sorted(
            c.id for c in self.estate.models(Component) if any(i.site in inside or i.zone in inside for i in c.instances)
        )
