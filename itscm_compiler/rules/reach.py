"""Hard-dependency reach, shared by the freshness rules: what a service needs, who needs a component.

A small depth-first search over ``depends_on`` (hard entries and every
alternative of a hard ``any_of``) and a component's ``supplier``. Soft
dependencies only degrade a service, so they are not followed. Cycles are
harmless here (visited set); the graph rules report them.
"""

from __future__ import annotations

from typing import Iterator

from ..estate import Estate
from ..models import AnyOf, Component, Service, Supplier


def direct_hard(estate: Estate, id_: str) -> Iterator[str]:
    """The ids a document needs directly to recover at all."""
    doc = estate.get(id_)
    if doc is None:
        return
    model = doc.model
    if not isinstance(model, (Service, Component, Supplier)):
        return
    for dep in model.depends_on:
        if dep.mode == "soft":
            continue
        if isinstance(dep, AnyOf):
            yield from dep.any_of
        else:
            yield dep.id
    if isinstance(model, Component) and model.supplier:
        yield model.supplier


def hard_closure(estate: Estate, id_: str) -> list[str]:
    """``id_`` and everything it needs, transitively, in depth-first order."""
    seen = {id_}
    order = [id_]
    stack = [id_]
    while stack:
        for dep in direct_hard(estate, stack.pop()):
            if dep not in seen and dep in estate.by_id:
                seen.add(dep)
                order.append(dep)
                stack.append(dep)
    return order


def most_critical_tier(estate: Estate) -> dict[str, int]:
    """For every document some in-scope service needs (hard), the lowest tier number needing it.

    Services are visited most critical first, so a document already reached
    has its final tier and so has everything below it: the search stops there,
    which keeps the whole computation linear in the size of the graph.
    """
    tiers: dict[str, int] = {}
    for service in sorted(estate.models(Service), key=lambda s: s.tier):
        if service.id in tiers or not estate.in_scope(service.id):
            continue
        tiers[service.id] = service.tier
        stack = [service.id]
        while stack:
            for dep in direct_hard(estate, stack.pop()):
                if dep not in tiers and dep in estate.by_id:
                    tiers[dep] = service.tier
                    stack.append(dep)
    return tiers
