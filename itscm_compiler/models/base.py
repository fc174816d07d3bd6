"""The fields every itscm document carries, and the shared model configuration."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .types import Slug, Text

API_VERSION = "itscm/v1"


class Model(BaseModel):
    """Strict, closed models: unknown fields are errors (they are usually typos)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True, defer_build=True)

    def __reduce__(self) -> tuple[Any, ...]:
        # The cache and the worker processes pickle hundreds of thousands of
        # these. Pydantic's own state round trip goes through copyreg and a
        # Python __getstate__/__setstate__ pair per object; the models are
        # frozen, closed (no extra fields) and have no private attributes, so
        # their fields and the set of fields given are the whole state.
        return (_restore, (type(self), self.__dict__, self.__pydantic_fields_set__))


def _restore(cls: type[Model], values: dict[str, Any], fields_set: set[str]) -> Model:
    """Unpickle a model without validating it again (it was validated when it was read)."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


_set = object.__setattr__


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
