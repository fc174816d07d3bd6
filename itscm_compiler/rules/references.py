"""Cross-references: every id written must name a document of a kind that fits."""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterator

from ..diagnostics import Finding, Location, Related, Severity
from ..estate import Estate
from ..models import Person, Team, Threat
from ..yamlread import Path as DataPath
from .base import rule


def _a(kinds: tuple[str, ...]) -> str:
    return " or ".join(kinds)


Written = tuple[str, DataPath, str, tuple[str, ...], Callable[[], Location]]


def _written(estate: Estate, keep: Callable[[str, tuple[str, ...]], bool]) -> Iterator[Written]:
    """The references written whose (id, kinds) ``keep`` selects, with where they are written.

    Includes documents that failed validation: a schema error in a plan must
    not hide that it also names a service that does not exist. The filter
    comes first because almost every reference is fine: a location is only
    worked out for the few that are not (a quarter of a million references
    on a 10,000-service estate).
    """
    for ref in estate.references:
        if keep(ref.target, ref.kinds):
            yield ref.source.id, ref.path, ref.target, ref.kinds, partial(ref.source.location, *ref.path)
    for doc, path, target, kinds in estate.invalid_references:
        if keep(target, kinds):
            yield doc.id, path, target, kinds, partial(doc.at, path)


@rule("R001", "dangling-reference", Severity.ERROR)
def dangling_reference(estate: Estate) -> Iterator[Finding]:
    """A reference names an id that no document has.

    A plan that names a service which was renamed, a role held by a person
    who was never added: at 3 a.m. the responder follows a link to nothing.
    The message suggests the closest existing id of a fitting kind. The
    references of a document that fails validation are checked too, so
    fixing its schema error never reveals new ones.

    Fails: ``owner: paymnts-team``. Fix: correct the id, or add the document.
    """
    from ..suggest import Suggester

    candidates: dict[tuple[str, ...], Suggester] = {}
    known = estate.by_id.keys() | estate.invalid_ids.keys()
    for source, path, target, kinds, where in _written(estate, lambda target, _: target not in known):
        names = candidates.get(kinds)
        if names is None:
            names = Suggester([d.id for kind in kinds for d in estate.by_kind.get(kind, [])])
            candidates[kinds] = names
        close = names.closest(target)
        hint = f": did you mean {close!r}?" if close else f": add a {_a(kinds)} with this id or fix the reference"
        yield Finding(
            where(),
            f"{'.'.join(map(str, path))} names {target!r}, which does not exist{hint}",
            key=f"{source}:{'.'.join(map(str, path))}:{target}",
        )


@rule("R002", "wrong-kind-reference", Severity.ERROR)
def wrong_kind_reference(estate: Estate) -> Iterator[Finding]:
    """A reference names a document of a kind that does not fit the field.

    A plan role held by a team instead of a person, a dependency on a site:
    the id exists, but the checks that follow the reference would draw the
    wrong conclusions. The related location is the document named.
    """
    by_id = estate.by_id

    def misfit(name: str, kinds: tuple[str, ...]) -> bool:
        target = by_id.get(name)
        return target is not None and target.kind not in kinds

    for source, path, name, kinds, where in _written(estate, misfit):
        target = by_id[name]
        yield Finding(
            where(),
            f"{'.'.join(map(str, path))} names {name!r}, which is a {target.kind}: it must be a {_a(kinds)}",
            (Related(target.location("id"), f"{name} is defined here"),),
            key=f"{source}:{'.'.join(map(str, path))}:{name}",
        )


def _named(estate: Estate, id_: str, *kinds: str) -> bool:
    return any(ref.source.kind in kinds for ref in estate.referrers.get(id_, ()))


@rule("R101", "unused-threat", Severity.WARNING)
def unused_threat(estate: Estate) -> Iterator[Finding]:
    """A threat that no risk and no plan names.

    A threat in the catalogue that nothing assesses or answers is either
    obsolete or a gap in the risk register. Fix: name it in a risk (and a plan
    scenario), or remove it from the catalogue.
    """
    for doc in estate.docs(Threat):
        if not _named(estate, doc.id, "Risk", "Plan"):
            yield Finding(doc.location("id"), f"threat {doc.id!r} is named by no risk and no plan")


@rule("R102", "person-in-no-team", Severity.WARNING)
def person_in_no_team(estate: Estate) -> Iterator[Finding]:
    """A person who belongs to no team.

    Contacts outside every team are missed by on-call rotations and reviews of
    team membership, and usually belong to someone who left. Fix: add them to
    their team's ``members``, or remove the person.
    """
    members = {m for team in estate.models(Team) for m in team.members}
    for doc in estate.docs(Person):
        if doc.id not in members:
            yield Finding(doc.location("id"), f"person {doc.id!r} is a member of no team")


@rule("R103", "unused-category", Severity.WARNING)
def unused_category(estate: Estate) -> Iterator[Finding]:
    """A threat or risk category that nothing uses.

    Fix: file threats or risks under it, or remove it.
    """
    for kind in ("ThreatCategory", "RiskCategory"):
        for doc in estate.by_kind.get(kind, []):
            if not estate.referrers.get(doc.id):
                yield Finding(doc.location("id"), f"{kind} {doc.id!r} is used by no threat or risk")
