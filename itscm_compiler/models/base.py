"""The fields every itscm document carries, and the shared model configuration."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .types import Slug, Text

API_VERSION = "itscm/v1"


class Model(BaseModel):
    """Strict, closed models: unknown fields are errors (they are usually typos)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True, defer_build=True)


class Link(Model):
    """A link to somewhere useful: a dashboard, a wiki page, a console."""

    title: str
    url: str


class Document(Model):
    """Fields common to all kinds."""

    api_version: Literal["itscm/v1"] = Field(alias="apiVersion", description="Always itscm/v1")
    id: Slug = Field(description="Unique across the repository, all kinds together")
    name: str | None = Field(default=None, description="Human-readable name")
    description: Text | None = None
    tags: list[str] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or self.id
