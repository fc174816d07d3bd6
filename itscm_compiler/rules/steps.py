"""Plan procedures: steps with owners and estimates, waits that exist and never go round in circles.

Both the recovery ``procedure`` and the ``failback`` steps are checked; steps
wait only for steps of the same list.
"""

from __future__ import annotations

import difflib
from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..loader import SourceDoc
from ..models import Plan
from ..models.plan import Step
from ..procedure import StepGraph
from .base import rule
from .plans import plans

E, W = Severity.ERROR, Severity.WARNING

_LISTS = ("procedure", "failback")


def _steps(estate: Estate) -> Iterator[tuple[SourceDoc, Plan, str, list[Step]]]:
    for doc, plan in plans(estate):
        for name in _LISTS:
            steps = getattr(plan, name)
            if steps:
                yield doc, plan, name, steps


def _hint(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else "use one of " + (", ".join(choices) or "nothing yet")


def _steps_without(estate: Estate, field: str, message: str) -> Iterator[Finding]:
    """A finding at each step whose ``field`` is not set: "step 'x' <message>"."""
    for doc, plan, name, steps in _steps(estate):
        for i, step in enumerate(steps):
            if getattr(step, field) is None:
                yield Finding(
                    doc.location(name, i, "id"), f"step {step.id!r} {message}", key=f"{plan.id}:{name}:{step.id}"
                )


@rule("C030", "step-without-role", W)
def step_without_role(estate: Estate) -> Iterator[Finding]:
    """A step has no owning role.

    A step nobody owns is a step nobody does: everyone assumes someone else
    has it.

    Fails: ``{id: restore-db, title: Restore, estimate: 1h}``. Fix: give the
    step a ``role`` naming one of the plan's roles.
    """
    yield from _steps_without(estate, "role", "has no owning role: add role: with one of the plan's roles")


@rule("C031", "step-without-estimate", W)
def step_without_estimate(estate: Estate) -> Iterator[Finding]:
    """A step has no estimated duration.

    Without estimates the procedure's critical path cannot be compared with
    the RTO (T005 counts the step as taking no time), and responders cannot
    tell whether recovery is on track.

    Fails: ``{id: restore-db, title: Restore, role: dba}``. Fix: add
    ``estimate``, e.g. ``30m``; an exercise is the best source of the number.
    """
    yield from _steps_without(
        estate, "estimate", "has no estimate, so the critical path counts it as 0m: add estimate:"
    )


@rule("C032", "unknown-plan-role", E)
def unknown_plan_role(estate: Estate) -> Iterator[Finding]:
    """A step or communication names a role that the plan does not define.

    Step and communication owners are ids of the plan's own ``roles``; a
    misspelt or removed role leaves the step without anyone to do it, and
    the runbook shows no contact for it.

    Fails: ``role: dba`` when the plan's roles are ``db-lead`` and
    ``incident-lead``. Fix: use one of the plan's role ids, or add the role.
    """
    for doc, plan in plans(estate):
        roles = list(dict.fromkeys(r.id for r in plan.roles))
        known = set(roles)
        owners: list[tuple[tuple[str | int, ...], str, str]] = []
        for name in _LISTS:
            for i, step in enumerate(getattr(plan, name)):
                if step.role is not None:
                    owners.append(((name, i, "role"), step.role, f"step {step.id!r}"))
        for i, message in enumerate(plan.communication):
            if message.owner is not None:
                owners.append((("communication", i, "owner"), message.owner, f"communication to {message.audience!r}"))
        for path, role, what in owners:
            if role not in known:
                yield Finding(
                    doc.location(*path),
                    f"{what} names role {role!r}, which plan {plan.id!r} does not define: {_hint(role, roles)}",
                    key=f"{plan.id}:{'.'.join(map(str, path[:1]))}:{what}:{role}",
                )


@rule("C033", "unknown-waits-for", E)
def unknown_waits_for(estate: Estate) -> Iterator[Finding]:
    """A step waits for a step that does not exist in the same list.

    The wait was meant to hold the step back until something is done (the
    database restored before the application starts); waiting for nothing
    lets it run too early, and the critical path is wrong.

    Fails: ``waits_for: [restore-databse]``. Fix: name an existing step id
    of the same procedure (or failback) list.
    """
    for doc, plan, name, steps in _steps(estate):
        ids = list(dict.fromkeys(s.id for s in steps))
        known = set(ids)
        for i, step in enumerate(steps):
            for j, wait in enumerate(step.waits_for):
                if wait not in known:
                    yield Finding(
                        doc.location(name, i, "waits_for", j),
                        f"step {step.id!r} waits for {wait!r}, which is not a step of the {name}: "
                        f"{_hint(wait, ids)}",
                        key=f"{plan.id}:{name}:{step.id}:{wait}",
                    )


@rule("C034", "step-cycle", E)
def step_cycle(estate: Estate) -> Iterator[Finding]:
    """Steps wait for each other in a circle.

    Each waits for the other to finish, so none of them can start: the
    procedure deadlocks. Reported once per group of steps, with a shortest
    cycle as the path and every step of it as a related location.

    Fails: ``start-app`` waits for ``check-app``, which waits for
    ``start-app``. Fix: remove the wait that points backwards.
    """
    for doc, plan, name, steps in _steps(estate):
        graph = StepGraph.of(steps)
        index: dict[str, int] = {}
        for i, step in enumerate(steps):
            index.setdefault(step.id, i)
        for cycle in graph.cycles():
            path = " -> ".join([*cycle, cycle[0]])
            yield Finding(
                doc.location(name, index[cycle[0]], "waits_for"),
                f"steps wait for each other in a cycle, so none of them can start: {path}; "
                "remove the wait that points backwards",
                tuple(Related(doc.location(name, index[s], "id"), f"step {s!r}") for s in cycle[1:]),
                key=f"{plan.id}:{name}:cycle:{','.join(sorted(cycle))}",
            )


def _duplicates(doc: SourceDoc, plan: Plan, name: str, ids: list[str]) -> Iterator[Finding]:
    first: dict[str, int] = {}
    what = "role" if name == "roles" else "step"
    for i, sid in enumerate(ids):
        if sid not in first:
            first[sid] = i
            continue
        yield Finding(
            doc.location(name, i, "id"),
            f"{what} id {sid!r} is used twice in {name}: references to it are ambiguous; rename one",
            (Related(doc.location(name, first[sid], "id"), "first used here"),),
            key=f"{plan.id}:{name}:{sid}",
        )


@rule("C035", "duplicate-step-id", E)
def duplicate_step_id(estate: Estate) -> Iterator[Finding]:
    """Two steps of one procedure (or failback) have the same id.

    ``waits_for`` names steps by id: with two steps of the same id, which
    one a step waits for is a guess.

    Fails: two steps with ``id: restore``. Fix: rename one of them.
    """
    for doc, plan, name, steps in _steps(estate):
        yield from _duplicates(doc, plan, name, [s.id for s in steps])


@rule("C036", "duplicate-role-id", E)
def duplicate_role_id(estate: Estate) -> Iterator[Finding]:
    """Two roles of one plan have the same id.

    Steps and communications name their owner by role id: with two roles of
    the same id, who owns the step is a guess.

    Fails: two roles with ``id: lead``. Fix: rename one of them.
    """
    for doc, plan in plans(estate):
        yield from _duplicates(doc, plan, "roles", [r.id for r in plan.roles])
