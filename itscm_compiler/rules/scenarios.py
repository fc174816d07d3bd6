"""Scenario coverage: the threats that can strike a tier-1 service are answered by its plans.

A threat strikes sites (and every site inside them), suppliers (and the sites
they run), components by id or type; what is struck takes down everything
that needs it (hard). Threats travel up the reversed hard dependencies as
bits of one integer per node, so the whole catalogue costs about one pass.
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


def struck_by(estate: Estate, threats: list[Threat]) -> dict[str, int]:
    """For every id a threat takes down (directly or through hard dependencies), a bit per threat.

    Bit ``i`` stands for ``threats[i]``. One pass marks what each threat
    strikes directly; a worklist then pushes the bits up to the dependants,
    revisiting a node only when it gains a bit, so the cost stays close to
    linear in the size of the estate whatever the number of threats.
    """
    by_site: dict[str, int] = defaultdict(int)
    by_type: dict[str, int] = defaultdict(int)
    masks: dict[str, int] = defaultdict(int)
    for i, threat in enumerate(threats):
        bit = 1 << i
        for site in _struck_sites(estate, threat):
            by_site[site] |= bit
        for kind in threat.strikes.component_types:
            by_type[kind] |= bit
        for id_ in (*threat.strikes.suppliers, *threat.strikes.components):
            masks[id_] |= bit
    for component in estate.models(Component):
        mask = by_type.get(component.type, 0)
        for instance in component.instances:
            mask |= by_site.get(instance.site, 0) | (by_site.get(instance.zone, 0) if instance.zone else 0)
        if mask:
            masks[component.id] |= mask
    for supplier in estate.models(Supplier):
        mask = 0
        for site in supplier.sites:
            mask |= by_site.get(site, 0)
        if mask:
            masks[supplier.id] |= mask
    up = _dependants(estate)
    work = list(masks)
    while work:
        node = work.pop()
        mask = masks[node]
        for dependant in up.get(node, ()):
            if masks[dependant] | mask != masks[dependant]:
                masks[dependant] |= mask
                work.append(dependant)
    return masks


def _bits(mask: int) -> Iterator[int]:
    """The positions of the set bits of ``mask``, lowest first.

    Walking only the set bits keeps the rule linear: the catalogue grows
    with the estate, and testing every threat for every tier-1 service did not.
    """
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


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
    threat_docs = estate.docs(Threat)
    if not tier1 or not threat_docs:
        return
    masks = struck_by(estate, [d.model for d in threat_docs])  # type: ignore[misc]
    where: dict[str, Related] = {}
    for doc in tier1:
        mask = masks.get(doc.id, 0)
        if not mask:
            continue
        named = {t for plan in estate.plans_of[doc.id] for t in plan.scenarios}
        missing = [threat_docs[i].id for i in _bits(mask) if threat_docs[i].id not in named]
        if not missing:
            continue
        for t in missing:
            if t not in where:  # the same few threats recur for many services: locate each once
                where[t] = Related(estate.by_id[t].location("strikes"), f"what {t!r} strikes")
        plans = ", ".join(repr(p) for p in dict.fromkeys(p.id for p in estate.plans_of[doc.id]))
        them = "it" if len(missing) == 1 else "them"
        yield Finding(
            doc.location("id"),
            f"tier-1 service {doc.id!r} can be struck by {', '.join(map(repr, missing))}, but no plan covering it "
            f"({plans}) names {them} in scenarios: add {them} to the scenarios of the plan that answers {them}, "
            "or write one",
            tuple(where[t] for t in missing),
            key=f"{doc.id}:scenarios:{','.join(sorted(missing))}",
        )
