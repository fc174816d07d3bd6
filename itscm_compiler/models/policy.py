"""The continuity policy and the scope of the programme."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Document, Model
from .catalogue import Strategy
from .types import Duration, IsoDate, PersonOrTeamRef, PersonRef, ScopeItemRef, ServiceRef, SiteRef


class TierPolicy(Model):
    """What the policy asks of the services of one tier."""

    tier: int = Field(ge=1, le=9)
    name: str | None = None
    max_rto: Duration
    max_rpo: Duration
    strategies: list[Strategy] = Field(min_length=1, description="Recovery strategies allowed")
    review_interval: Duration = Field(description="How often plans and BIAs are reviewed")
    exercise_interval: Duration = Field(description="How often plans are exercised")
    restore_test_interval: Duration | None = Field(default=None, description="How often backups are restore-tested")


class Approval(Model):
    by: PersonRef
    on: IsoDate


class Policy(Document):
    """The continuity policy: one per repository."""

    kind: Literal["Policy"]
    owner: PersonOrTeamRef | None = None
    tiers: list[TierPolicy] = Field(min_length=1)
    risk_appetite: int = Field(ge=1, le=25, description="Highest acceptable residual risk score (likelihood x impact)")
    risk_review_interval: Duration | None = None
    supplier_assessment_interval: Duration | None = None
    approval: Approval | None = None
    next_review: IsoDate | None = None

    def tier(self, number: int) -> TierPolicy | None:
        for tier in self.tiers:
            if tier.tier == number:
                return tier
        return None


class Exclusion(Model):
    id: ScopeItemRef
    reason: str = Field(min_length=1)


class Scope(Document):
    """What the continuity programme covers."""

    kind: Literal["Scope"]
    services: list[ServiceRef] = Field(default_factory=list)
    tiers: list[int] = Field(default_factory=list, description="Every service of these tiers is in scope")
    sites: list[SiteRef] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    approval: Approval | None = None

