"""Plan completeness: what a responder needs on the page when the plan is invoked."""

from __future__ import annotations

from typing import Callable, Iterator

from ..diagnostics import Finding, Location, Related, Severity
from ..estate import Estate
from ..loader import SourceDoc
from ..models import Plan
from .base import rule

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


def at_key(doc: SourceDoc, *path: str | int) -> Location:
    """The key of ``path`` when it is written (``roles: []``), else the document's id."""
    if path in doc.spans:
        return doc.location(*path, key=True)
    if path[:1] in doc.spans:
        return doc.location(*path[:1], key=True)
    return doc.location("id")


def plans(estate: Estate) -> Iterator[tuple[SourceDoc, Plan]]:
    for doc in estate.docs(Plan):
        yield doc, doc.model  # type: ignore[misc]


def _missing(
    estate: Estate, path: tuple[str, ...], message: str, when: Callable[[Plan], bool] | None = None
) -> Iterator[Finding]:
    """A finding at each plan (that ``when`` selects) whose field at ``path`` is empty: "plan 'x' <message>"."""
    for doc, plan in plans(estate):
        value: object = plan
        for name in path:
            value = getattr(value, name)
        if not value and (when is None or when(plan)):
            yield Finding(at_key(doc, *path), f"plan {plan.id!r} {message}", key=f"{plan.id}:{'.'.join(path)}")


@rule("C010", "plan-without-triggers", W)
def plan_without_triggers(estate: Estate) -> Iterator[Finding]:
    """A plan says nothing about when it is invoked.

    Without trigger conditions, whoever is on call must decide under
    pressure whether this is "the" disaster; plans get invoked late, or
    not at all.

    Fails: a plan without ``activation.triggers``. Fix: list observable
    conditions, e.g. ``payments error rate above 50% for 15 minutes``.
    """
    yield from _missing(
        estate,
        ("activation", "triggers"),
        "has no trigger conditions: add activation.triggers that say when to invoke it",
    )


@rule("C011", "plan-without-invoker", W)
def plan_without_invoker(estate: Estate) -> Iterator[Finding]:
    """A plan names nobody who may invoke it.

    Invoking a plan commits people and money (failover, customer notices).
    If nobody is named, the on-call engineer waits for permission that no
    one knows how to give.

    Fails: ``activation:`` with ``triggers`` and no ``invoked_by``. Fix: list
    the people or teams in ``activation.invoked_by``.
    """
    yield from _missing(
        estate,
        ("activation", "invoked_by"),
        "names nobody who may invoke it: add the people or teams in activation.invoked_by",
    )


@rule("C012", "plan-without-roles", E)
def plan_without_roles(estate: Estate) -> Iterator[Finding]:
    """A plan has no roles.

    Roles say who does what during recovery, with a backup for each. A plan
    without them leaves the steps to whoever happens to be around.

    Fails: a plan with steps and no ``roles``. Fix: add ``roles``, each with
    an ``id``, a ``primary`` and a ``backup``
    person, and give each step a ``role``.
    """
    yield from _missing(estate, ("roles",), "has no roles: add roles, each with a primary and a backup person")


@rule("C013", "plan-without-escalation", W)
def plan_without_escalation(estate: Estate) -> Iterator[Finding]:
    """A plan has no escalation path.

    When recovery stalls or the outage grows, responders need to know who
    to call next and after how long.

    Fails: a plan without ``escalation``. Fix: add ``escalation`` levels,
    each with ``level``, ``after`` and a ``contact``.
    """
    yield from _missing(estate, ("escalation",), "has no escalation path: add escalation levels with after and contact")


@rule("C014", "plan-without-communication", W)
def plan_without_communication(estate: Estate) -> Iterator[Finding]:
    """A plan says nothing about communication.

    Customers, staff, regulators and suppliers need to hear from you during
    an outage; writing the first message at 3 a.m. is slow and risky.

    Fails: a plan without ``communication``. Fix: add ``communication`` entries with the audience, channel, when, and a
    message template.
    """
    yield from _missing(
        estate,
        ("communication",),
        "has no communication: add who is told what, how and when (audience, channel, when, template)",
    )


@rule("C015", "plan-without-steps", E)
def plan_without_steps(estate: Estate) -> Iterator[Finding]:
    """A plan has no recovery procedure.

    A plan without steps is a contact list: it cannot be followed, timed or
    exercised, and its critical path cannot be checked against the RTO.

    Fails: ``procedure: []``. Fix: add ``procedure`` steps, each with a role, an estimate and the
    steps it waits for.
    """
    yield from _missing(
        estate, ("procedure",), "has no recovery steps: add procedure steps with role, estimate and waits_for"
    )


@rule("C016", "plan-without-services", W)
def plan_without_services(estate: Estate) -> Iterator[Finding]:
    """A plan covers no service.

    Coverage, targets and the runbook site all link plans through the
    services they cover; a plan that names none is invisible from every
    service page and its procedure is never checked against an RTO.

    Fails: a plan without ``services``. Fix: list the services the plan recovers in ``services``.
    """
    yield from _missing(estate, ("services",), "covers no service: list the services it recovers in services")


@rule("C017", "escalation-out-of-order", W)
def escalation_out_of_order(estate: Estate) -> Iterator[Finding]:
    """Escalation levels do not go up in level and time.

    Each level should come later than the one before it: level 2 after
    level 1. An entry out of order is usually a typo that has someone
    called too early or too late.

    Fails: level 1 ``after: 1h``, level 2 ``after: 30m``. Fix: order the
    levels and their times.
    """
    for doc, plan in plans(estate):
        for i in range(1, len(plan.escalation)):
            before, here = plan.escalation[i - 1], plan.escalation[i]
            if here.level > before.level and here.after > before.after:
                continue
            if here.level <= before.level:
                loc, what = doc.location("escalation", i, "level"), f"level {here.level} follows level {before.level}"
            else:
                loc, what = doc.location("escalation", i, "after"), (
                    f"level {here.level} after {here.after} is not later than level {before.level} after {before.after}"
                )
            yield Finding(
                loc,
                f"{what}: list escalation levels in increasing order of level and time",
                (Related(doc.location("escalation", i - 1), f"level {before.level}"),),
                key=f"{plan.id}:escalation:{i}",
            )


@rule("C018", "plan-without-failback", I)
def plan_without_failback(estate: Estate) -> Iterator[Finding]:
    """A plan with recovery steps has no return-to-normal (failback) steps.

    Running on the recovery site or in degraded mode is not the end of an
    incident: failing back is where data gets lost and outages restart.

    Fails: ``procedure`` steps and no ``failback``. Fix: add ``failback`` steps, or state in a step why none are needed.
    """
    yield from _missing(
        estate,
        ("failback",),
        "has no failback steps: add the steps that return to normal operation",
        when=lambda p: bool(p.procedure),
    )


@rule("C020", "role-without-backup", W)
def role_without_backup(estate: Estate) -> Iterator[Finding]:
    """A plan role has no backup person.

    Disasters happen on holidays and at night: a role held by one person is
    a single point of failure in the plan itself.

    Fails: ``{id: dba, primary: ann}``. Fix: add ``backup: bob``.
    """
    for doc, plan in plans(estate):
        for i, role in enumerate(plan.roles):
            if role.backup is None:
                yield Finding(
                    doc.location("roles", i, "id"),
                    f"role {role.id!r} has only {role.primary!r}: add a backup person who can stand in",
                    key=f"{plan.id}:roles:{role.id}",
                )


@rule("C021", "role-backup-is-primary", E)
def role_backup_is_primary(estate: Estate) -> Iterator[Finding]:
    """A plan role has the same person as primary and backup.

    The backup covers for the primary being unreachable; naming the same
    person looks complete but gives no cover at all.

    Fails: ``{id: dba, primary: ann, backup: ann}``. Fix: name someone else
    as backup.
    """
    for doc, plan in plans(estate):
        for i, role in enumerate(plan.roles):
            if role.backup is not None and role.backup == role.primary:
                yield Finding(
                    doc.location("roles", i, "backup"),
                    f"role {role.id!r} has {role.primary!r} as both primary and backup, which gives no cover: "
                    "name another person as backup",
                    (Related(doc.location("roles", i, "primary"), "primary"),),
                    key=f"{plan.id}:roles:{role.id}",
                )
