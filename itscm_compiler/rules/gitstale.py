"""Stale against Git: a plan whose services, components or suppliers changed after its last review."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from typing import TYPE_CHECKING, Iterator

from ..diagnostics import Finding, Location, Related, Severity
from ..estate import Estate
from ..models import Plan
from .base import Rule, rule
from .reach import direct_hard, hard_closure

if TYPE_CHECKING:
    from ..gitinfo import Commit
    from ..gitinfo import History as GitHistory
    from ..loader import SourceDoc

COVERED_KINDS = frozenset({"Service", "Component", "Supplier"})
MAX_RELATED = 10  # the message names the newest change; the rest are pointers
_NEVER = dt.date.min

git_history_incomplete = Rule(
    "F011",
    "git-history-incomplete",
    Severity.INFO,
    inspect.cleandoc(
        """
        The stale-against-Git check (F010) could not see the whole history.

        Reported once per run: outside a Git repository the check is skipped;
        in a shallow clone, commits older than the clone's boundary are
        unknown, so a plan reviewed before the boundary may be stale without
        notice; when ``git`` fails, the message says why. Fix: run in a full
        clone (``git fetch --unshallow``; in GitHub Actions
        ``actions/checkout`` with ``fetch-depth: 0``), or turn the note off
        with ``rules: {F011: off}``.
        """
    ),
)


@rule("F010", "plan-changed-since-review", Severity.WARNING)
def plan_changed_since_review(estate: Estate) -> Iterator[Finding]:
    """A plan whose covered services, components or suppliers changed in Git after its last review.

    The plan covers its services and everything they need to recover (hard
    dependencies, transitively: services, components, suppliers). When a file
    that defines one of them was changed by a commit dated after the day of
    the plan's review, the plan may describe a system that no longer exists.
    The message names the newest such commit (short hash, date, subject) and
    file; related locations list the other changed files (up to ten).
    Uncommitted changes in the working tree count as changes made today, so
    the pre-commit hook flags the plan in the very change that makes it
    stale. Changes to the plan's own file do not count, and neither do pure
    renames. Granularity is the file: any change to a file counts for every
    document in it.

    Fails: ``review: {last_reviewed: 2026-03-01}`` and a commit on 2026-05-02
    that changed ``services/payments.yaml``. Fix: review the plan against the
    change, then record the new review date and reviewer
    (``itscm review PLAN --by PERSON``).
    """
    reviewed = [(doc, plan) for doc in estate.docs(Plan) if (plan := _plan(doc)).review is not None]
    since = _history_since(estate)
    if since is None:
        return
    history = estate.git_history(since)
    if not history.available:
        yield Finding(
            Location("."),
            f"plans were not checked against Git history: {history.problem}",
            key="git-unavailable",
            code="F011",
        )
        return
    newest = _newest_below(estate, history)
    closures: dict[str, list[str]] = {}
    blind = []
    for doc, plan in reviewed:
        review = plan.review.last_reviewed  # type: ignore[union-attr]
        if history.boundary is not None and review < history.boundary.date:
            blind.append(plan.id)
        # Cheap filter first: nothing below the plan's services changed after the review.
        if not any(newest.get(s, _NEVER) > review for s in plan.services):
            continue
        changed: dict[str, tuple[Commit, SourceDoc]] = {}  # one entry per changed file
        for id_ in sorted(_covered(estate, plan, closures)):  # sorted: the named document must not depend on set order
            source = estate.by_id[id_]
            if source.kind not in COVERED_KINDS or source.path == doc.path or source.path in changed:
                continue
            commit = history.changed_after(source.path, review)
            if commit is not None:
                changed[source.path] = (commit, source)
        if not changed:
            continue
        ordered = sorted(changed.values(), key=lambda item: (item[0].date, item[1].path), reverse=True)
        commit, source = ordered[0]
        more = len(ordered) - 1
        also = f" ({more} more changed file{'s' if more > 1 else ''}: see below)" if more else ""
        yield Finding(
            doc.location("review", "last_reviewed"),
            f"plan {plan.id!r} was last reviewed on {review}, but {source.path} ({source.kind} {source.id!r}) "
            f"changed after that in {commit}{also}: review the plan against the change and record it "
            f"(itscm review {plan.id} --by PERSON)",
            tuple(
                Related(s.location("id"), f"{s.kind} {s.id!r} ({s.path}) changed in {c}")
                for c, s in ordered[:MAX_RELATED]
            ),
            key=plan.id,
        )
    if blind:
        boundary = history.boundary
        assert boundary is not None
        names = ", ".join(blind[:5]) + (f" and {len(blind) - 5} more" if len(blind) > 5 else "")
        yield Finding(
            Location("."),
            f"this is a shallow clone: history before commit {boundary.short} ({boundary.date}) is not visible, "
            f"so changes made between their review and {boundary.date} cannot be seen for {len(blind)} "
            f"plan{'s' if len(blind) != 1 else ''} ({names}): fetch the full history (git fetch --unshallow)",
            key="git-shallow",
            code="F011",
        )


def _plan(doc: SourceDoc) -> Plan:
    assert isinstance(doc.model, Plan)  # estate.docs(Plan) holds plans only
    return doc.model


def _history_since(estate: Estate) -> dt.date | None:
    """The oldest plan review: the history F010 needs starts there (None: no reviewed plan)."""
    dates = [plan.review.last_reviewed for plan in estate.models(Plan) if plan.review is not None]
    return min(dates) if dates else None


def _prefetch(estate: Estate) -> None:
    since = _history_since(estate)
    if since is not None:
        estate.prefetch_git_history(since)


plan_changed_since_review = dataclasses.replace(plan_changed_since_review, prefetch=_prefetch)


def _newest_below(estate: Estate, history: GitHistory) -> dict[str, dt.date]:
    """For each document that needs (hard) a changed one, the newest such change date.

    Walks up from the documents whose file changed, newest change first, so
    each dependant is reached once with its final date: linear in the graph,
    and nothing at all to do when no file changed. It ignores the exclusion
    of a plan's own file, so it can only over-estimate: it is a filter, and
    the exact check runs for the plans it lets through.
    """
    changed = []
    for doc in estate.by_id.values():
        commits = history.changes.get(doc.path)
        if commits and doc.kind in COVERED_KINDS:
            changed.append((max(c.date for c in commits), doc.id))
    if not changed:
        return {}
    dependants: dict[str, list[str]] = {}
    for doc in estate.by_id.values():
        if doc.kind in COVERED_KINDS:
            for dep in direct_hard(estate, doc.id):
                dependants.setdefault(dep, []).append(doc.id)
    newest: dict[str, dt.date] = {}
    for date, start in sorted(changed, reverse=True):
        if start in newest:
            continue
        newest[start] = date
        stack = [start]
        while stack:
            for up in dependants.get(stack.pop(), ()):
                if up not in newest:
                    newest[up] = date
                    stack.append(up)
    return newest


def _covered(estate: Estate, plan: Plan, closures: dict[str, list[str]]) -> set[str]:
    covered: set[str] = set()
    for service in plan.services:
        if service not in estate.by_id:
            continue
        closure = closures.get(service)
        if closure is None:
            closure = closures[service] = hard_closure(estate, service)
        covered.update(closure)
    return covered
