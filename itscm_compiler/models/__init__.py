"""Pydantic models of every itscm kind: no I/O, no rules."""

from __future__ import annotations

from .base import API_VERSION, Document
from .bia import BIA
from .catalogue import AnyOf, Component, DependencyRef, Service, Site, Supplier
from .exercise import Exercise
from .people import Person, Team
from .plan import Plan
from .policy import Policy, Scope
from .risk import Risk, RiskCategory, Threat, ThreatCategory
from .types import Duration, RefTo

KINDS: dict[str, type[Document]] = {
    cls.__name__: cls
    for cls in (
        Policy,
        Scope,
        Service,
        Component,
        Supplier,
        Site,
        Team,
        Person,
        BIA,
        ThreatCategory,
        Threat,
        RiskCategory,
        Risk,
        Plan,
        Exercise,
    )
}

__all__ = [
    "API_VERSION",
    "KINDS",
    "AnyOf",
    "BIA",
    "Component",
    "DependencyRef",
    "Document",
    "Duration",
    "Exercise",
    "Person",
    "Plan",
    "Policy",
    "RefTo",
    "Risk",
    "RiskCategory",
    "Scope",
    "Service",
    "Site",
    "Supplier",
    "Team",
    "Threat",
    "ThreatCategory",
]
