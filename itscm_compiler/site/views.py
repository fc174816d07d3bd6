"""What each page shows, gathered from the estate: plain data for the templates.

Templates only lay out; every lookup (contacts, dependencies, the plans and
risks of a service, the last exercise) happens here, once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..diagnostics import Diagnostic, Severity
from ..estate import Estate
from ..models import (
    BIA,
    Component,
    Exercise,
    Person,
    Plan,
    Risk,
    Service,
    Site,
    Supplier,
    Team,
    Threat,
)
from ..models.exercise import Result
from .graph import DepGraph

# Documents with a page of their own, and where that page lives.
PAGE_DIRS = {"Service": "services", "Supplier": "suppliers", "Site": "sites", "Plan": "plans"}
# Components have no page: each is shown on the runbook page of every service
# that runs on it; its full entry (the one search finds and links point to) is
# on the first such page in the service list, or the service list itself.
ORPHAN_COMPONENTS = "services/index.md"
# Documents shown as a section of a shared page (linked with an anchor).
ANCHOR_PAGES = {
    "Person": "contacts.md",
    "Team": "contacts.md",
    "Risk": "risks.md",
    "Threat": "risks.md",
    "Exercise": "exercises.md",
}


@dataclass(frozen=True)
class RoleView:
    plan: Plan
    name: str
    primary: Person | None
    backup: Person | None
    primary_id: str
    backup_id: str | None


@dataclass
class Views:
    """Indexes over the estate that several pages share."""

    estate: Estate
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @cached_property
    def graph(self) -> DepGraph:
        return DepGraph(self.estate)

    # -- where things are -------------------------------------------------
    def page_of(self, id_: str) -> str | None:
        """The docs-relative Markdown path (with anchor) that shows ``id_``, or None."""
        try:
            return self._pages[id_]
        except KeyError:
            found = self._pages[id_] = self._page_of(id_)
            return found

    @cached_property
    def _pages(self) -> dict[str, str | None]:
        return {}  # page_of is asked tens of thousands of times for a few thousand ids

    def _page_of(self, id_: str) -> str | None:
        doc = self.estate.get(id_)
        if doc is None:
            return None
        if doc.kind in PAGE_DIRS:
            return f"{PAGE_DIRS[doc.kind]}/{id_}.md"
        if doc.kind == "Component":
            home = self.component_home.get(id_)
            return f"{PAGE_DIRS['Service']}/{home}.md#{id_}" if home else f"{ORPHAN_COMPONENTS}#{id_}"
        if doc.kind in ANCHOR_PAGES:
            return f"{ANCHOR_PAGES[doc.kind]}#{id_}"
        if isinstance(doc.model, BIA):
            return self.page_of(doc.model.service)
        return None

    def label(self, id_: str) -> str:
        doc = self.estate.get(id_)
        return doc.model.label if doc is not None else id_

    def kind(self, id_: str) -> str:
        doc = self.estate.get(id_)
        return doc.kind if doc is not None else "unknown"

    def person(self, id_: str | None) -> Person | None:
        return self.estate.model(id_, Person) if id_ else None

    def team(self, id_: str | None) -> Team | None:
        return self.estate.model(id_, Team) if id_ else None

    def source(self, id_: str) -> str | None:
        doc = self.estate.get(id_)
        return doc.path if doc is not None else None

    # -- components, shown on the pages of the services running on them ---------
    @cached_property
    def components_of(self) -> dict[str, list[Component]]:
        """Service id -> the components it runs on: direct ones, then theirs (through components only)."""
        found: dict[str, list[Component]] = {}
        for service in self.estate.models(Service):
            seen: dict[str, Component] = {}
            todo = [service.id]
            while todo:
                following = []
                for node in todo:
                    for dep in self.graph.deps(node):
                        for target in dep.targets:
                            component = self.estate.model(target, Component)
                            if component is not None and target not in seen:
                                seen[target] = component
                                following.append(target)
                todo = following
            found[service.id] = list(seen.values())
        return found

    @cached_property
    def component_home(self) -> dict[str, str]:
        """Component id -> the service whose page holds its full entry (the first in the service list)."""
        home: dict[str, str] = {}
        for service in self.services_sorted():
            for component in self.components_of.get(service.id, []):
                home.setdefault(component.id, service.id)
        return home

    def orphan_components(self) -> list[Component]:
        """Components no service runs on (they are listed on the service list)."""
        return sorted((c for c in self.estate.models(Component) if c.id not in self.component_home), key=lambda c: c.id)

    # -- lint results on pages -------------------------------------------
    @cached_property
    def errors_by_path(self) -> dict[str, list[Diagnostic]]:
        found: dict[str, list[Diagnostic]] = defaultdict(list)
        for diagnostic in self.diagnostics:
            if diagnostic.severity == Severity.ERROR:
                found[diagnostic.location.path].append(diagnostic)
        return found

    def errors_for(self, ids: list[str]) -> list[Diagnostic]:
        """Errors in the files of the documents a page shows."""
        paths = sorted({p for p in (self.source(i) for i in ids) if p})
        return [d for p in paths for d in self.errors_by_path.get(p, [])]

    # -- shared lookups ---------------------------------------------------
    @cached_property
    def risks_of(self) -> dict[str, list[Risk]]:
        """Risks naming a service or component, by that id."""
        found: dict[str, list[Risk]] = defaultdict(list)
        for risk in sorted(self.estate.models(Risk), key=lambda r: (-r.score, r.id)):
            for target in dict.fromkeys([*risk.services, *risk.components]):
                found[target].append(risk)
        return found

    @cached_property
    def results_of(self) -> dict[str, list[tuple[Exercise, Result | None]]]:
        """Exercises touching a service (a result for it, or a plan covering it), newest first."""
        found: dict[str, list[tuple[Exercise, Result | None]]] = defaultdict(list)
        plans = {p.id: p for p in self.estate.models(Plan)}
        for exercise in self.estate.models(Exercise):
            results = {r.service: r for r in exercise.results}
            covered = set(plans[exercise.plan].services) if exercise.plan in plans else set()
            for service in sorted(covered | set(results)):
                found[service].append((exercise, results.get(service)))
        for items in found.values():
            items.sort(key=lambda item: (item[0].date, item[0].id), reverse=True)
        return found

    def roles_for(self, plans: list[Plan]) -> list[RoleView]:
        roles = []
        for plan in plans:
            for role in plan.roles:
                roles.append(
                    RoleView(
                        plan,
                        role.name or role.id,
                        self.person(role.primary),
                        self.person(role.backup),
                        role.primary,
                        role.backup,
                    )
                )
        return roles

    def threats_of(self, risks: list[Risk], plans: list[Plan]) -> list[Threat]:
        ids = dict.fromkeys([t for r in risks for t in r.threats] + [t for p in plans for t in p.scenarios])
        return [t for t in (self.estate.model(i, Threat) for i in ids) if t is not None]

    def exposed_to(self, site_or_supplier: str) -> list[Threat]:
        """Threats that can strike a site or supplier."""
        found = []
        for threat in self.estate.models(Threat):
            if site_or_supplier in threat.strikes.sites or site_or_supplier in threat.strikes.suppliers:
                found.append(threat)
        return sorted(found, key=lambda t: t.id)

    def impact(self, ids: list[str]) -> Any:
        """What losing ``ids`` takes down and the recovery order (``analysis.impact``), or None."""
        from ..analysis.impact import ImpactError, impact

        try:
            return impact(self.estate, ids)
        except ImpactError:
            return None

    def single_points(self, service_id: str) -> list[Any] | None:
        """Single points of failure of a service (``analysis.spof``); None when it is not analysed (out of scope)."""
        if not self.estate.in_scope(service_id):
            return None
        from ..analysis.spof import single_points

        return single_points(self.estate).get(service_id, [])

    def path_labels(self, path: tuple[str, ...]) -> list[tuple[str | None, str]]:
        """(id with a page or None, label) for each node of an analysis path (instances have no page)."""
        graph = self.estate.analysis.graph
        return [
            (node, self.label(node)) if self.page_of(node) else (None, graph.label(node)) for node in path
        ]

    def services_sorted(self) -> list[Service]:
        return self._services_sorted

    @cached_property
    def _services_sorted(self) -> list[Service]:
        return sorted(self.estate.models(Service), key=lambda s: (s.tier, s.label.lower(), s.id))

    def tier_name(self, tier: int) -> str:
        policy = self.estate.policy
        tier_policy = policy.tier(tier) if policy else None
        return f"Tier {tier}" + (f" ({tier_policy.name})" if tier_policy and tier_policy.name else "")

    def service_context(self, service: Service) -> dict[str, Any]:
        plans = sorted(self.estate.plans_of.get(service.id, []), key=lambda p: p.id)
        risks = self.risks_of.get(service.id, [])
        team = self.team(service.owner)
        return {
            "service": service,
            "bia": self.estate.bia_of.get(service.id),
            "tier_policy": self.estate.policy.tier(service.tier) if self.estate.policy else None,
            "in_scope": self.estate.in_scope(service.id),
            "team": team,
            "on_call": self.person(team.on_call) if team else None,
            "escalation": self.person(team.escalation) if team else None,
            "roles": self.roles_for(plans),
            "deps": self.graph.deps(service.id),
            "dependants": self.graph.dependants(service.id),
            "plans": plans,
            "components": self.components_of.get(service.id, []),
            "risks": risks,
            "threats": self.threats_of(risks, plans),
            "exercises": self.results_of.get(service.id, [])[:3],
            "errors": self.errors_for(
                [
                    service.id,
                    *(b.id for b in [self.estate.bia_of.get(service.id)] if b),
                    *(p.id for p in plans),
                    *(c.id for c in self.components_of.get(service.id, [])),
                ]
            ),
        }


def sites_and_suppliers(estate: Estate) -> tuple[list[Site], list[Supplier]]:
    sites = sorted(estate.models(Site), key=lambda s: s.id)
    suppliers = sorted(estate.models(Supplier), key=lambda s: s.id)
    return sites, suppliers


def components_sorted(estate: Estate) -> list[Component]:
    return sorted(estate.models(Component), key=lambda c: c.id)
