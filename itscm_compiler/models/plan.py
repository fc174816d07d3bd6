"""Continuity and recovery plans."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Document, Model
from .types import Duration, IsoDate, PersonOrTeamRef, PersonRef, ServiceRef, Slug, TeamRef, ThreatRef


class Activation(Model):
    """When the plan is invoked, and by whom."""

    triggers: list[str] = Field(default_factory=list, description="Conditions that activate the plan")
    alerts: list[str] = Field(default_factory=list, description="Monitoring alert names that should link here")
    invoked_by: list[PersonOrTeamRef] = Field(default_factory=list, description="Who may invoke the plan")


class Role(Model):
    """A role in the plan, with a primary and a backup person."""

    id: Slug
    name: str | None = None
    primary: PersonRef
    backup: PersonRef | None = None
    responsibilities: list[str] = Field(default_factory=list)


class EscalationLevel(Model):
    level: int = Field(ge=1)
    after: Duration = Field(description="Escalate to this level after this long")
    contact: PersonOrTeamRef
    note: str | None = None


class Communication(Model):
    audience: str
    channel: str
    when: str
    template: str | None = None
    owner: str | None = Field(default=None, description="id of the plan role that sends it")


class Step(Model):
    """One step of a procedure."""

    id: Slug
    title: str
    role: str | None = Field(default=None, description="id of the plan role that owns the step")
    estimate: Duration | None = None
    waits_for: list[str] = Field(default_factory=list, description="ids of steps that must finish first")
    instructions: str | None = None
    verify: str | None = Field(default=None, description="How to check the step worked")


class Review(Model):
    last_reviewed: IsoDate
    by: PersonRef
    status: Literal["draft", "approved"] = "draft"


class Plan(Document):
    """A continuity or recovery plan."""

    kind: Literal["Plan"]
    owner: TeamRef | None = None
    services: list[ServiceRef] = Field(default_factory=list)
    scenarios: list[ThreatRef] = Field(default_factory=list, description="Threats the plan answers")
    activation: Activation = Field(default_factory=Activation.model_construct)
    roles: list[Role] = Field(default_factory=list)
    escalation: list[EscalationLevel] = Field(default_factory=list)
    communication: list[Communication] = Field(default_factory=list)
    procedure: list[Step] = Field(default_factory=list, description="Recovery steps")
    failback: list[Step] = Field(default_factory=list, description="Return-to-normal steps")
    review: Review | None = None
