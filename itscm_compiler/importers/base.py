"""What an importer produces: entities to write, and problems to report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..models.types import SLUG_PATTERN

_SLUG_RE = re.compile(SLUG_PATTERN)
MAX_ID = 80


@dataclass
class Problem:
    """Something in the source that the user should know about."""

    level: str  # error: not imported as written; warning: imported, but check it; info: a note
    where: str  # source file[:line]
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.message}"


@dataclass
class Entity:
    """One document the source describes.

    ``owned`` fields are set on every import (the source owns them);
    ``initial`` fields only when the document is created (a person owns them
    from then on, e.g. the tier); ``notes`` are comments on initial fields.
    ``depends_on`` lists the hard dependencies the source states; it is merged
    so that entries people wrote (soft modes, any_of, suppliers) survive.
    ``instances`` is an instance count the source owns (Compose replicas).
    """

    kind: str
    id: str
    where: str
    folder: str
    owned: dict[str, Any] = field(default_factory=dict)
    initial: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    depends_on: list[str] | None = None
    instances: int | None = None
    site: str | None = None  # where new instances are placed
    file_stem: str | None = None  # new documents with the same stem share one file
    header: str = ""  # comment at the top of a new document

    @property
    def label(self) -> str:
        return f"{self.kind} {self.id}"


@dataclass
class Extracted:
    """Everything one source gave: entities in a stable order, and problems."""

    entities: list[Entity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem("error", where, message))

    def warning(self, where: str, message: str) -> None:
        self.problems.append(Problem("warning", where, message))

    def info(self, where: str, message: str) -> None:
        self.problems.append(Problem("info", where, message))


def is_slug(text: str) -> bool:
    return bool(_SLUG_RE.match(text))


def slugify(text: str) -> str:
    """A valid itscm id for ``text``: lower case, hyphens, at most 80 characters ('' if nothing is left)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
    if len(slug) > MAX_ID:
        cut = slug[:MAX_ID]
        # Cut at a word boundary when one is reasonably close, so the id stays readable.
        boundary = cut.rfind("-")
        slug = cut[:boundary] if boundary >= MAX_ID // 2 else cut
        slug = slug.strip("-")
    return slug


def humanise(slug: str) -> str:
    """``physical-attack`` -> ``Physical attack``."""
    words = slug.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]
