"""Business impact analysis: what an outage costs over time, and the targets that follow."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Document, Model
from .types import Duration, IsoDate, PersonRef, ServiceRef

ImpactLevel = Literal["none", "minor", "moderate", "major", "severe"]


class Assessment(Model):
    on: IsoDate
    by: PersonRef


class Impact(Model):
    """The impact after the service has been down for ``after``."""

    after: Duration
    financial: ImpactLevel = "none"
    operational: ImpactLevel = "none"
    reputational: ImpactLevel = "none"
    legal: ImpactLevel = Field(default="none", description="legal and regulatory")
    safety: ImpactLevel = "none"
    note: str | None = None


class Mbco(Model):
    """Minimum business continuity objective: the least acceptable service during disruption."""

    description: str = Field(min_length=1)
    capacity: int | None = Field(default=None, ge=0, le=100, description="Percent of normal capacity")


class PeakPeriod(Model):
    name: str
    when: str


class BIA(Document):
    """Business impact analysis of one service."""

    kind: Literal["BIA"]
    service: ServiceRef
    assessed: Assessment
    impacts: list[Impact] = Field(default_factory=list)
    mtpd: Duration | None = Field(default=None, description="Maximum tolerable period of disruption")
    rto: Duration | None = Field(default=None, description="Recovery time objective")
    rpo: Duration | None = Field(default=None, description="Recovery point objective")
    mbco: Mbco | None = None
    peak_periods: list[PeakPeriod] = Field(default_factory=list)
