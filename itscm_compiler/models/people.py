"""Who does what, and how to reach them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from .base import Document
from .types import PersonRef


class Person(Document):
    """Someone who can be called: plan roles, on-call, escalation, reviews."""

    kind: Literal["Person"]
    name: str  # type: ignore[assignment]  # required for people
    title: str | None = Field(default=None, description="Job title")
    phones: list[str] = Field(default_factory=list, description="Phone numbers, first is preferred")
    email: str | None = None
    chat: str | None = Field(default=None, description="Chat handle")
    location: str | None = None
    active: StrictBool = Field(default=True, description="false once the person has left or moved on")


class Team(Document):
    """A team: members, and who to call first and next."""

    kind: Literal["Team"]
    members: list[PersonRef] = Field(default_factory=list)
    on_call: PersonRef | None = Field(default=None, description="First person to call")
    escalation: PersonRef | None = Field(default=None, description="Person to call when on-call does not answer")
    email: str | None = None
    chat: str | None = None
    phone: str | None = Field(default=None, description="Team hotline")
