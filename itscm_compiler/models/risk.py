"""The threat catalogue and the risk register."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Document, Model
from .types import ComponentRef, IsoDate, PersonOrTeamRef, PlanRef, RiskCategoryRef, ServiceRef, SiteRef, SupplierRef, ThreatCategoryRef, ThreatRef


class ThreatCategory(Document):
    kind: Literal["ThreatCategory"]


class Strikes(Model):
    """What a threat can take down."""

    sites: list[SiteRef] = Field(default_factory=list)
    suppliers: list[SupplierRef] = Field(default_factory=list)
    components: list[ComponentRef] = Field(default_factory=list)
    component_types: list[str] = Field(default_factory=list)


class Threat(Document):
    kind: Literal["Threat"]
    category: ThreatCategoryRef
    strikes: Strikes = Field(default_factory=Strikes.model_construct)
    source: str | None = Field(default=None, description="Catalogue the threat comes from")


class RiskCategory(Document):
    kind: Literal["RiskCategory"]


class Mitigations(Model):
    plans: list[PlanRef] = Field(default_factory=list)
    components: list[ComponentRef] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)


class Residual(Model):
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)


class Risk(Document):
    """An entry of the risk register; a continuity risk when it names services."""

    kind: Literal["Risk"]
    category: RiskCategoryRef
    threats: list[ThreatRef] = Field(default_factory=list)
    services: list[ServiceRef] = Field(default_factory=list)
    components: list[ComponentRef] = Field(default_factory=list)
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    treatment: Literal["mitigate", "accept", "transfer", "avoid"] | None = None
    mitigations: Mitigations = Field(default_factory=Mitigations.model_construct)
    residual: Residual | None = None
    owner: PersonOrTeamRef | None = None
    reviewed_on: IsoDate | None = None
    next_review: IsoDate | None = None

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def residual_score(self) -> int:
        return self.residual.likelihood * self.residual.impact if self.residual else self.score
