"""Stale against Git: a plan whose services, components or suppliers changed after its last review."""

from __future__ import annotations

import inspect
from typing import Iterator

from ..diagnostics import Finding, Location, Related, Severity
from ..estate import Estate
from ..models import Plan
from .base import Rule, rule
from .reach import hard_closure

COVERED_KINDS = frozenset({"Service", "Component", "Supplier"})

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
    file; related locations list every changed document. Uncommitted changes
    in the working tree count as changes made today, so the pre-commit hook
    flags the plan in the very change that makes it stale. Changes to the
    plan's own file do not count, and neither do pure renames. Granularity is
    the file: any change to a file counts for every document in it.

    Fails: ``review: {last_reviewed: 2026-03-01}`` and a commit on 2026-05-02
    that changed ``services/payments.yaml``. Fix: review the plan against the
    change, then record the new review date and reviewer.
    """
    reviewed = [
        (doc, doc.model) for doc in estate.docs(Plan) if doc.model.review is not None  # type: ignore[attr-defined]
    ]
    if not reviewed:
        return
    since = min(plan.review.last_reviewed for _, plan in reviewed)  # type: ignore[union-attr]
    history = estate.git_history(since)
    if not history.available:
        yield Finding(
            Location("."),
            f"plans were not checked against Git history: {history.problem}",
            key="git-unavailable",
            code="F011",
        )
        return
    closures: dict[str, list[str]] = {}
    blind = []
    for doc, plan in reviewed:
        review = plan.review.last_reviewed  # type: ignore[union-attr]
        if history.boundary is not None and review < history.boundary.date:
            blind.append(plan.id)
        changed = []
        for id_ in _covered(estate, plan, closures):
            source = estate.by_id[id_]
            if source.kind not in COVERED_KINDS or source.path == doc.path:
                continue
            commit = history.changed_after(source.path, review)
            if commit is not None:
                changed.append((commit, source))
        if not changed:
            continue
        changed.sort(key=lambda item: (item[0].date, item[1].path), reverse=True)
        commit, source = changed[0]
        files = sorted({s.path for _, s in changed})
        more = f" ({len(files) - 1} more changed file{'s' if len(files) > 2 else ''}: see below)" if len(files) > 1 else ""
        yield Finding(
            doc.location("review", "last_reviewed"),
            f"plan {plan.id!r} was last reviewed on {review}, but {source.path} ({source.kind} {source.id!r}) "
            f"changed after that in {commit}{more}: review the plan against the change and record the review",
            tuple(Related(s.location("id"), f"{s.kind} {s.id!r} changed in {c}") for c, s in changed),
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
