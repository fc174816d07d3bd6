"""Scenario coverage: the threats that can strike a tier-1 service are answered by its plans.

A threat strikes sites (and every site inside them), suppliers (and the sites
they run), components by id or type; what is struck takes down everything
that needs it (hard). One upward search per threat over the reversed hard
dependencies keeps this linear in the size of the estate for a given threat
catalogue.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..models import Component, Service, Site, Supplier, Threat
from .base import rule
from .reach import direct_hard

W = Severity.WARNING


def _dependants(estate: Estate) -> dict[str, list[str]]:
    """For every id, the services, components and suppliers that need it (hard)."""
    up: dict[str, list[str]] = defaultdict(list)
    for kind in (Service, Component, Supplier):
        for doc in estate.docs(kind):
            for dep in direct_hard(estate, doc.id):
                up[dep].append(doc.id)
    return up


def _struck_sites(estate: Estate, threat: Threat) -> set[str]:
    """Sites the threat strikes: named ones, sites run by a named supplier, and every site inside them."""
    named = set(threat.strikes.sites)
    suppliers = set(threat.strikes.suppliers)
    struck = set(named)
    for doc in estate.docs(Site):
        seen: set[str] = set()
        site: Site | None = doc.model  # type: ignore[assignment]
        while site is not None and site.id not in seen:  # a parent cycle must not hang the check
            seen.add(site.id)
            if site.id in named or (site.supplier and site.supplier in suppliers):
                struck.add(doc.id)
                break
            site = estate.model(site.parent, Site) if site.parent else None
    return struck


def _first_struck(estate: Estate, threat: Threat) -> set[str]:
    sites = _struck_sites(estate, threat)
    types = set(threat.strikes.component_types)
    hit = set(threat.strikes.suppliers) | set(threat.strikes.components)
    for component in estate.models(Component):
        if component.type in types or any(i.site in sites or i.zone in sites for i in component.instances):
            hit.add(component.id)
    for supplier in estate.models(Supplier):
        if any(site in sites for site in supplier.sites):
            hit.add(supplier.id)
    return hit


def struck_services(estate: Estate, threat: Threat, up: dict[str, list[str]]) -> set[str]:
    """Ids of everything a threat takes down, directly or through hard dependencies."""
    hit = _first_struck(estate, threat)
    stack = list(hit)
    while stack:
        for dependant in up.get(stack.pop(), ()):
            if dependant not in hit:
                hit.add(dependant)
                stack.append(dependant)
    return hit


@rule("C050", "threat-without-plan", W)
def threat_without_plan(estate: Estate) -> Iterator[Finding]:
    """A tier-1 service can be struck by threats that none of its plans names.

    A threat that strikes a site, supplier or component a tier-1 service
    needs (hard, directly or through other services and components) is a
    scenario that service must survive. If no plan covering the service
    lists it in ``scenarios``, the plans were written for other disasters,
    and nobody checked this one. (A service with no plan at all is C002.)

    Fails: threat ``flood-fra`` strikes site ``fra-dc1``, where the payments
    database runs, and the payments plans name only ``ransomware``. Fix:
    add the threat to the ``scenarios`` of the plan that answers it (and
    make sure its steps do), or write a plan for it.
    """
    tier1 = [
        doc
        for doc in estate.docs(Service)
        if doc.model.tier == 1 and estate.in_scope(doc.id) and estate.plans_of.get(doc.id)  # type: ignore[attr-defined]
    ]
    threats = estate.docs(Threat)
    if not tier1 or not threats:
        return
    up = _dependants(estate)
    striking: dict[str, list[str]] = defaultdict(list)
    for threat_doc in threats:
        for struck in struck_services(estate, threat_doc.model, up):  # type: ignore[arg-type]
            striking[struck].append(threat_doc.id)
    for doc in tier1:
        named = {t for plan in estate.plans_of[doc.id] for t in plan.scenarios}
        missing = [t for t in striking.get(doc.id, ()) if t not in named]
        if not missing:
            continue
        plans = ", ".join(repr(p.id) for p in estate.plans_of[doc.id])
        yield Finding(
            doc.location("id"),
            f"tier-1 service {doc.id!r} can be struck by {', '.join(map(repr, missing))}, but no plan covering it "
            f"({plans}) names {'it' if len(missing) == 1 else 'them'} in scenarios: add "
            f"{'it' if len(missing) == 1 else 'them'} to the scenarios of the plan that answers "
            f"{'it' if len(missing) == 1 else 'them'}, or write one",
            tuple(Related(estate.by_id[t].location("strikes"), f"what {t!r} strikes") for t in missing),
            key=f"{doc.id}:scenarios:{','.join(sorted(missing))}",
        )
