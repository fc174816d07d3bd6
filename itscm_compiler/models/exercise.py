"""Exercises: tests of plans and what they found."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Document, Model
from .types import Duration, IsoDate, PersonOrTeamRef, PersonRef, PlanRef, ServiceRef


class Result(Model):
    """What an exercise achieved for one service."""

    service: ServiceRef
    recovery_time: Duration | None = None
    data_loss: Duration | None = None
    note: str | None = None


class Finding(Model):
    id: str | None = None
    title: str
    owner: PersonOrTeamRef
    due: IsoDate
    status: Literal["open", "closed"] = "open"
    closed_on: IsoDate | None = None


class Exercise(Document):
    kind: Literal["Exercise"]
    plan: PlanRef
    date: IsoDate
    type: Literal["tabletop", "walkthrough", "simulation", "failover", "full"]
    participants: list[PersonRef] = Field(default_factory=list)
    results: list[Result] = Field(default_factory=list)
    outcome: Literal["passed", "partial", "failed"]
    findings: list[Finding] = Field(default_factory=list)
    report: str | None = None
