"""Prose: the fields written for people that no check reads, and what an edit to them can change.

Descriptions, names, notes, step instructions and message templates are what
plan authors edit most, and no check reads them: a file that changed only in
such text (each value still starting where it did) yields exactly the
diagnostics it yielded before. The result cache uses that to answer such an
edit without building the estate (pipeline.py). The site still renders them.

The list is a promise about the rules: a test runs every rule over the example
estate and a generated one while recording which model fields they read, and
fails if any of these is among them; another edits them all and compares the
diagnostics. A new rule that needs one of these fields takes it off the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models.base import Document, Link, Model
from .models.bia import Impact, Mbco
from .models.catalogue import AnyOf, DependencyRef, Recovery, Site
from .models.exercise import Exercise, Result
from .models.exercise import Finding as ExerciseFinding
from .models.people import Person
from .models.plan import Communication, EscalationLevel, Role, Step

if TYPE_CHECKING:
    from .loader import FileLoad

PROSE: dict[type[Model], frozenset[str]] = {
    Document: frozenset({"name", "description", "tags", "links"}),  # every kind inherits these
    Link: frozenset({"title", "url"}),
    DependencyRef: frozenset({"note"}),
    AnyOf: frozenset({"note"}),
    Recovery: frozenset({"notes"}),
    Impact: frozenset({"note"}),
    Mbco: frozenset({"description"}),
    Site: frozenset({"address"}),
    Person: frozenset({"title", "chat", "location"}),
    Role: frozenset({"name", "responsibilities"}),
    EscalationLevel: frozenset({"note"}),
    Communication: frozenset({"template"}),
    Step: frozenset({"title", "instructions", "verify"}),
    Exercise: frozenset({"report"}),
    Result: frozenset({"note"}),
    ExerciseFinding: frozenset({"title"}),
}

_SKIP: dict[type[Model], frozenset[str]] = {}


def prose_fields(cls: type[Model]) -> frozenset[str]:
    """The prose fields of ``cls``, its own and those it inherits."""
    skip = _SKIP.get(cls)
    if skip is None:
        skip = _SKIP[cls] = frozenset().union(*(PROSE.get(base, frozenset()) for base in cls.__mro__))
    return skip


def same_for_checks(a: Any, b: Any) -> bool:
    """Whether two values are equal once prose is left out (models compared field by field)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Model):
        skip = prose_fields(type(a))
        mine, theirs = a.__dict__, b.__dict__
        return all(same_for_checks(mine[name], theirs[name]) for name in type(a).model_fields if name not in skip)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_for_checks(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_for_checks(a[k], b[k]) for k in a)
    return bool(a == b)


def same_load(a: FileLoad, b: FileLoad) -> bool:
    """Whether two loads of one file give the checks the same input: equal but for prose.

    Positions count (a diagnostic points at them), so an edit that moves any
    value, even within prose, is a real change; so do the file's own
    findings, its waivers and its invalid documents.
    """
    if a.findings != b.findings or a.waivers != b.waivers or a.invalid != b.invalid:
        return False
    if len(a.documents) != len(b.documents):
        return False
    return all(
        x.index == y.index and x.refs == y.refs and x.spans == y.spans and same_for_checks(x.model, y.model)
        for x, y in zip(a.documents, b.documents)
    )
