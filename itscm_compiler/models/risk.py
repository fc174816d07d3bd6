"""The threat catalogue and the risk register."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Document, Model
from .types import IsoDate, Ref


class ThreatCategory(Document):
    kind: Literal["ThreatCategory"]


class Strikes(Model):
    """What a threat can take down."""

    sites: list[Ref("Site")] = Field(default_factory=list)
    suppliers: list[Ref("Supplier")] = Field(default_factory=list)
    components: list[Ref("Component")] = Field(default_factory=list)
    component_types: list[str] = Field(default_factory=list)


class Threat(Document):
    kind: Literal["Threat"]
    category: Ref("ThreatCategory")
    strikes: Strikes = Field(default_factory=Strikes)
    source: str | None = Field(default=None, description="Catalogue the threat comes from")


class RiskCategory(Document):
    kind: Literal["RiskCategory"]


class Mitigations(Model):
    plans: list[Ref("Plan")] = Field(default_factory=list)
    components: list[Ref("Component")] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)


class Residual(Model):
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)


class Risk(Document):
    """An entry of the risk register; a continuity risk when it names services."""

    kind: Literal["Risk"]
    category: Ref("RiskCategory")
    threats: list[Ref("Threat")] = Field(default_factory=list)
    services: list[Ref("Service")] = Field(default_factory=list)
    components: list[Ref("Component")] = Field(default_factory=list)
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    treatment: Literal["mitigate", "accept", "transfer", "avoid"] | None = None
    mitigations: Mitigations = Field(default_factory=Mitigations)
    residual: Residual | None = None
    owner: Ref("Person", "Team") | None = None
    reviewed_on: IsoDate | None = None
    next_review: IsoDate | None = None

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def residual_score(self) -> int:
        return self.residual.likelihood * self.residual.impact if self.residual else self.score
