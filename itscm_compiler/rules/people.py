"""People and teams: nobody who has left is still called, every team can be reached."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate, Reference
from ..models import Exercise, Person, Team
from .base import rule

E, W = Severity.ERROR, Severity.WARNING

# (kind, first element of the data path): where a person is called during an incident.
_ON_DUTY = {
    ("Plan", "roles"),
    ("Plan", "escalation"),
    ("Plan", "activation"),
    ("Team", "on_call"),
    ("Team", "escalation"),
}
# Where naming someone who left is stale but does not stop a recovery. Historical
# records (BIA assessments, approvals, exercise participants) are left alone.
_LISTED = {
    ("Team", "members"),
    ("Plan", "review"),
    ("Risk", "owner"),
    ("Policy", "owner"),
    ("Exercise", "findings"),
}


def _inactive_refs(estate: Estate, places: set[tuple[str, str]]) -> Iterator[tuple[Reference, Person]]:
    for doc in estate.docs(Person):
        person: Person = doc.model  # type: ignore[assignment]
        if person.active:
            continue
        for ref in estate.referrers.get(person.id, ()):
            if ref.path and (ref.source.kind, ref.path[0]) in places:
                yield ref, person


def _what(ref: Reference) -> str:
    return ".".join(map(str, ref.path))


def _names_inactive(estate: Estate, ref: Reference, person: Person, fix: str) -> Finding:
    """The finding at a reference to someone who has left, pointing at where they were marked inactive."""
    return Finding(
        ref.source.location(*ref.path),
        f"{_what(ref)} of {ref.source.kind} {ref.source.id!r} names {person.id!r}, who is no longer active: {fix}",
        (Related(estate.by_id[person.id].location("active"), "marked inactive here"),),
        key=f"{ref.source.id}:{_what(ref)}:{person.id}",
    )


@rule("C022", "inactive-person-on-duty", E)
def inactive_person_on_duty(estate: Estate) -> Iterator[Finding]:
    """A person marked ``active: false`` is still called during an incident.

    Plan roles, escalation contacts, the people who may invoke a plan, and a
    team's on-call and escalation contacts are the numbers dialled at 3 a.m.
    Someone who has left will not answer, and the minutes lost are taken
    from the RTO.

    Fails: ``primary: jo-bloggs`` where jo-bloggs has ``active: false``.
    Fix: name the person who took over (and a backup).
    """
    for ref, person in _inactive_refs(estate, _ON_DUTY):
        yield _names_inactive(estate, ref, person, "name the person who took over")


@rule("C023", "inactive-person-listed", W)
def inactive_person_listed(estate: Estate) -> Iterator[Finding]:
    """A person marked ``active: false`` is still a team member, reviewer or owner.

    Team membership, a plan's last reviewer, the owner of a risk or the
    policy, and the owner of an open exercise finding should be people who
    are still here: otherwise reviews, follow-ups and risk decisions fall
    through the cracks. (Historical records, such as who assessed a BIA or
    took part in an exercise, are not reported.)

    Fails: ``members: [ann, zed]`` where zed has ``active: false``. Fix:
    remove the person from the team, or hand the review, risk or finding to
    someone active.
    """
    for ref, person in _inactive_refs(estate, _LISTED):
        if ref.source.kind == "Exercise":
            exercise: Exercise = ref.source.model  # type: ignore[assignment]
            index = ref.path[1]
            if not isinstance(index, int) or exercise.findings[index].status != "open":
                continue
        yield _names_inactive(estate, ref, person, "remove them or hand over to someone active")


def _teams_without(estate: Estate, field: str, contact: str) -> Iterator[Finding]:
    """A finding at each team whose ``field`` names nobody: "team 'x' has no <contact> contact"."""
    for doc in estate.docs(Team):
        team: Team = doc.model  # type: ignore[assignment]
        if getattr(team, field) is None:
            yield Finding(doc.location("id"), f"team {team.id!r} has no {contact} contact: add {field}:")


@rule("C040", "team-without-on-call", W)
def team_without_on_call(estate: Estate) -> Iterator[Finding]:
    """A team has no on-call contact.

    The runbook tells responders which team owns a failing service; without
    an on-call person they are left with a group mailbox.

    Fails: a team with ``members`` and no ``on_call``. Fix: add ``on_call`` (the rotation's current contact or its lead).
    """
    yield from _teams_without(estate, "on_call", "on-call")


@rule("C041", "team-without-escalation", W)
def team_without_escalation(estate: Estate) -> Iterator[Finding]:
    """A team has no escalation contact.

    When the on-call person does not answer, someone must be next.

    Fails: a team with ``on_call`` and no ``escalation``. Fix: add
    ``escalation`` naming the person to call then (usually the team lead).
    """
    yield from _teams_without(estate, "escalation", "escalation")


@rule("C042", "escalation-is-on-call", W)
def escalation_is_on_call(estate: Estate) -> Iterator[Finding]:
    """A team's escalation contact is its on-call person.

    Escalation is for when the on-call person does not answer: calling them
    again gets nowhere.

    Fails: ``on_call: ann`` and ``escalation: ann``. Fix: name someone else
    as ``escalation``.
    """
    for doc in estate.docs(Team):
        team: Team = doc.model  # type: ignore[assignment]
        if team.on_call is not None and team.escalation == team.on_call:
            yield Finding(
                doc.location("escalation"),
                f"team {team.id!r} escalates to its on-call person {team.on_call!r}: name someone else to call "
                "when they do not answer",
                (Related(doc.location("on_call"), "on-call"),),
            )
