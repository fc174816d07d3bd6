"""The loaded repository: documents by id, references, scope, policy and today.

Built once per run from the loader's output; rules, the site, the graph export
and the metrics all read this one object.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from pydantic import BaseModel

from .config import Config
from .loader import InvalidDoc, SourceDoc
from .models import (
    BIA,
    Component,
    Document,
    Exercise,
    Person,
    Plan,
    Policy,
    Risk,
    Scope,
    Service,
    Site,
    Supplier,
    Team,
    Threat,
)
from .models.types import RefTo
from .waivers import Waiver
from .yamlread import Path as DataPath

if typing.TYPE_CHECKING:
    from .analysis import Analysis
    from .gitinfo import History as GitHistory

D = TypeVar("D", bound=Document)


@dataclass(slots=True)  # not frozen: a large estate has 100,000 of them, and frozen init costs twice
class Reference:
    """One id written in a document, and the kinds it may name."""

    source: SourceDoc
    path: DataPath
    target: str
    kinds: tuple[str, ...]


def _ref_kinds(annotation: Any) -> tuple[str, ...] | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        for meta in annotation.__metadata__:
            if isinstance(meta, RefTo):
                return meta.kinds
        return _ref_kinds(typing.get_args(annotation)[0])
    for arg in typing.get_args(annotation):
        kinds = _ref_kinds(arg)
        if kinds:
            return kinds
    return None


_PLANS: dict[type[BaseModel], list[tuple[str, str, tuple[str, ...] | None]]] = {}


def _plan(cls: type[BaseModel]) -> list[tuple[str, str, tuple[str, ...] | None]]:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = []
        for name, info in cls.model_fields.items():
            kinds = None
            for meta in info.metadata:
                if isinstance(meta, RefTo):
                    kinds = meta.kinds
            kinds = kinds or _ref_kinds(info.annotation)
            plan.append((name, info.alias or name, kinds))
        _PLANS[cls] = plan
    return plan


_REF_PLANS: dict[type[BaseModel], list[tuple[str, str, tuple[str, ...] | None]]] = {}


def _ref_plan(cls: type[BaseModel]) -> list[tuple[str, str, tuple[str, ...] | None]]:
    """The fields of ``cls`` that can hold a reference: ids, or models that may hold some.

    Names, descriptions, dates and durations never do; skipping them halves
    the walk the loader makes over every document.
    """
    plan = _REF_PLANS.get(cls)
    if plan is None:
        from .validate import models_in

        plan = [
            (name, key, kinds)
            for name, key, kinds in _plan(cls)
            if kinds or models_in(cls.model_fields[name].annotation)
        ]
        _REF_PLANS[cls] = plan
    return plan


FieldPlan = Callable[[type[BaseModel]], list[tuple[str, str, tuple[str, ...] | None]]]


def iter_refs(
    model: BaseModel, prefix: DataPath = (), plan: FieldPlan = _ref_plan
) -> Iterator[tuple[DataPath, str, tuple[str, ...]]]:
    """Every reference inside ``model``: (data path, id, allowed kinds).

    ``plan`` says which fields to visit; a test walks every field with
    ``_plan`` to prove that the pruned plan misses no reference.
    """
    for name, key, kinds in plan(type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        path = (*prefix, key)
        if kinds and isinstance(value, str):
            yield path, value, kinds
        elif isinstance(value, BaseModel):
            yield from iter_refs(value, path, plan)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if kinds and isinstance(item, str):
                    yield (*path, i), item, kinds
                elif isinstance(item, BaseModel):
                    yield from iter_refs(item, (*path, i), plan)


def _nested(cls: type[BaseModel], name: str) -> list[type[BaseModel]]:
    from .validate import models_in

    return models_in(cls.model_fields[name].annotation)


def raw_refs(cls: type[BaseModel], data: Any, prefix: DataPath = ()) -> Iterator[tuple[DataPath, str, tuple[str, ...]]]:
    """The references written in raw data meant for ``cls``, for a document that failed validation.

    Follows the model's fields through the data as far as it has their shape;
    a value of the wrong shape is skipped (its own schema error says why). A
    plain id where a model is expected (``depends_on: [db]``) is that model's
    ``id``.
    """
    if not isinstance(data, dict):
        return
    for name, key, kinds in _plan(cls):
        value = data.get(key, data.get(name))
        if value is None:
            continue
        path = (*prefix, key)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            where = path if i is None else (*path, i)
            if isinstance(item, str):
                if kinds:
                    yield where, item, kinds
                    continue
                for model in _nested(cls, name):
                    id_kinds = next((k for n, a, k in _plan(model) if n == "id" and k), None)
                    if id_kinds:
                        yield where, item, id_kinds
                        break
            elif isinstance(item, dict):
                for model in _nested(cls, name):
                    known = {n for n, _, _ in _plan(model)} | {k for _, k, _ in _plan(model)}
                    if all(k in known for k in item):
                        yield from raw_refs(model, item, where)
                        break


@dataclass
class Estate:
    """Every valid document of the repository, indexed, with the facts rules share."""

    config: Config
    documents: list[SourceDoc]
    invalid: list[InvalidDoc] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)
    waivers: dict[str, tuple[Waiver, ...]] = field(default_factory=dict)  # by file, see waivers.py
    # Where Git history is read: None for the repository at ``root`` as it is;
    # (a folder of the repository, a commit) for a tree as it was at that commit.
    history_at: tuple[Path, str] | None = None

    def __post_init__(self) -> None:
        self.by_id: dict[str, SourceDoc] = {}
        self.duplicates: list[tuple[SourceDoc, SourceDoc]] = []
        self.by_kind: dict[str, list[SourceDoc]] = defaultdict(list)
        for doc in self.documents:
            first = self.by_id.get(doc.id)
            if first is not None:
                self.duplicates.append((first, doc))
                continue
            self.by_id[doc.id] = doc
            self.by_kind[doc.kind].append(doc)
        self.invalid_ids: dict[str, InvalidDoc] = {d.id: d for d in self.invalid if d.id not in self.by_id}

    @property
    def root(self) -> Path:
        return self.config.root

    # -- lookup -----------------------------------------------------------
    def get(self, id_: str) -> SourceDoc | None:
        return self.by_id.get(id_)

    def model(self, id_: str, kind: type[D]) -> D | None:
        doc = self.by_id.get(id_)
        if doc is not None and isinstance(doc.model, kind):
            return doc.model
        return None

    def docs(self, kind: type[Document]) -> list[SourceDoc]:
        return self.by_kind.get(kind.__name__, [])

    def models(self, kind: type[D]) -> list[D]:
        return [doc.model for doc in self.by_kind.get(kind.__name__, [])]  # type: ignore[misc]

    @cached_property
    def references(self) -> list[Reference]:
        refs = []
        for doc in self.by_id.values():
            # The loader computes each document's references once (and caches them).
            for path, target, kinds in doc.refs if doc.refs is not None else iter_refs(doc.model):
                refs.append(Reference(doc, path, target, kinds))
        return refs

    @cached_property
    def invalid_references(self) -> list[tuple[InvalidDoc, DataPath, str, tuple[str, ...]]]:
        """References written in documents that failed validation: (document, path, id, kinds)."""
        return [(doc, path, target, kinds) for doc in self.invalid for path, target, kinds, _, _ in doc.refs]

    @cached_property
    def referrers(self) -> dict[str, list[Reference]]:
        """References that resolve, grouped by the id they name."""
        found: dict[str, list[Reference]] = defaultdict(list)
        for ref in self.references:
            if ref.target in self.by_id:
                found[ref.target].append(ref)
        return found

    # -- the programme ----------------------------------------------------
    @cached_property
    def policy(self) -> Policy | None:
        policies = self.models(Policy)
        return policies[0] if policies else None

    @cached_property
    def scope(self) -> Scope | None:
        scopes = self.models(Scope)
        return scopes[0] if scopes else None

    @cached_property
    def _in_scope(self) -> frozenset[str]:
        services = self.models(Service)
        scope = self.scope
        if scope is None:
            return frozenset(s.id for s in services if s.lifecycle not in ("retired",))
        excluded = {e.id for e in scope.exclusions}
        chosen = set(scope.services) | {s.id for s in services if s.tier in scope.tiers}
        return frozenset(s.id for s in services if s.id in chosen and s.id not in excluded)

    def in_scope(self, service_id: str) -> bool:
        """Whether a service is in the continuity programme's scope."""
        return service_id in self._in_scope

    @cached_property
    def bia_of(self) -> dict[str, BIA]:
        """The BIA of each service (the first one when several exist)."""
        found: dict[str, BIA] = {}
        for bia in self.models(BIA):
            found.setdefault(bia.service, bia)
        return found

    @cached_property
    def plans_of(self) -> dict[str, list[Plan]]:
        found: dict[str, list[Plan]] = defaultdict(list)
        for plan in self.models(Plan):
            for service in plan.services:
                found[service].append(plan)
        return found

    @cached_property
    def analysis(self) -> Analysis:
        """Dependency graph, cycles, single points of failure, chains: computed once, on demand.

        Imported lazily so that networkx loads only when a graph check runs.
        """
        from .analysis import Analysis

        return Analysis(self)

    @cached_property
    def exercises_of(self) -> dict[str, list[Exercise]]:
        """Exercises of each plan, newest first."""
        found: dict[str, list[Exercise]] = defaultdict(list)
        for exercise in self.models(Exercise):
            found[exercise.plan].append(exercise)
        for items in found.values():
            items.sort(key=lambda e: e.date, reverse=True)
        return found

    # -- Git ----------------------------------------------------------------
    def git_history(self, since: dt.date) -> GitHistory:
        """Files changed in Git under the root after ``since`` (read once per run, on first use).

        Rules stay pure: the estate reads Git lazily, so a run whose Git rule
        is off (or has nothing to check) never starts ``git``.
        """
        cache: dict[dt.date, GitHistory] = self.__dict__.setdefault("_git_histories", {})
        history = cache.get(since)
        if history is None:
            pending = self.__dict__.setdefault("_git_pending", {}).pop(since, None)
            if pending is None:
                self.prefetch_git_history(since)
                pending = self.__dict__["_git_pending"].pop(since)
            history = cache[since] = pending()
        return history

    def git_failed(self) -> bool:
        """Whether reading Git failed in a way the next run may not meet (a timeout, a failing command).

        No repository and no git command are stable answers; anything else
        makes the run's result unfit to be reused.
        """
        stable = ("not inside a Git repository", "the git command is not installed")
        histories: dict[dt.date, GitHistory] = self.__dict__.get("_git_histories", {})
        return any(not h.available and h.problem not in stable for h in histories.values())

    def prefetch_git_history(self, since: dt.date) -> None:
        """Start reading the history that :meth:`git_history` will ask for, without waiting."""
        pending: dict[dt.date, Callable[[], GitHistory]] = self.__dict__.setdefault("_git_pending", {})
        if since not in pending and since not in self.__dict__.get("_git_histories", {}):
            from .gitinfo import start_history

            root, revision = self.history_at or (self.root, None)
            pending[since] = start_history(root, since, self.today, revision)


__all__ = [
    "BIA",
    "Component",
    "Estate",
    "Person",
    "Reference",
    "Risk",
    "Site",
    "Supplier",
    "Team",
    "Threat",
    "iter_refs",
]
