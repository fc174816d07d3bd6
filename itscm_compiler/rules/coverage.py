"""Coverage: every in-scope service has one BIA and a plan; the programme has one scope."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from ..loader import SourceDoc
from ..models import BIA, Document, Scope, Service
from .base import rule

E = Severity.ERROR


def _in_scope_services(estate: Estate) -> Iterator[tuple[SourceDoc, Service]]:
    for doc in estate.docs(Service):
        service: Service = doc.model  # type: ignore[assignment]
        if estate.in_scope(service.id):
            yield doc, service


def second_documents(estate: Estate, kind: type[Document], why: str) -> Iterator[Finding]:
    """A finding at each document of a one-only ``kind`` after the first, pointing at the one in force."""
    docs = estate.docs(kind)
    for doc in docs[1:]:
        yield Finding(
            doc.location("id"),
            f"a second {kind.__name__} {doc.id!r}: {why}; merge it into {docs[0].id!r}",
            (Related(docs[0].location("id"), f"the {kind.__name__.lower()} in force"),),
        )


@rule("C001", "service-without-bia", E)
def service_without_bia(estate: Estate) -> Iterator[Finding]:
    """An in-scope service has no business impact analysis.

    The BIA is where the RTO, RPO, MTPD and MBCO come from: without it the
    service has no recovery targets, so no plan, dependency or supplier can
    be checked against them, and nobody has agreed what an outage costs.

    Fails: service ``payments`` in scope and no ``kind: BIA`` with
    ``service: payments``. Fix: run a BIA with the service owner and add it
    (``itscm new BIA payments-bia``), or exclude the service from the scope
    with a reason.
    """
    for doc, service in _in_scope_services(estate):
        if service.id not in estate.bia_of:
            yield Finding(
                doc.location("id"),
                f"in-scope tier-{service.tier} service {service.id!r} has no BIA, so it has no recovery "
                f"targets: add a BIA with service: {service.id}, or exclude the service from the scope",
                key=f"{service.id}:bia",
            )


@rule("C002", "service-without-plan", E)
def service_without_plan(estate: Estate) -> Iterator[Finding]:
    """An in-scope service is covered by no continuity plan.

    When it fails, responders have no procedure, no roles and no contacts
    for it: recovery is improvised at the worst possible moment.

    Fails: service ``payments`` in scope and no plan lists it in
    ``services``. Fix: add it to the ``services`` of the plan that recovers
    it, or write one (``itscm new Plan payments-dr``).
    """
    for doc, service in _in_scope_services(estate):
        if not estate.plans_of.get(service.id):
            yield Finding(
                doc.location("id"),
                f"in-scope tier-{service.tier} service {service.id!r} is covered by no plan: list it in the "
                "services of the plan that recovers it, or write one",
                key=f"{service.id}:plan",
            )


@rule("C003", "duplicate-bia", E)
def duplicate_bia(estate: Estate) -> Iterator[Finding]:
    """A service has more than one BIA.

    Two BIAs give two sets of targets; the checks use the first one found,
    so which RTO applies depends on file order.

    Fails: ``payments-bia`` and ``payments-bia-2025`` both with ``service:
    payments``. Fix: merge them into one BIA and delete the other.
    """
    first: dict[str, SourceDoc] = {}
    for doc in estate.docs(BIA):
        bia: BIA = doc.model  # type: ignore[assignment]
        if bia.service not in first:
            first[bia.service] = doc
            continue
        earlier = first[bia.service]
        yield Finding(
            doc.location("service"),
            f"service {bia.service!r} already has the BIA {earlier.id!r}: a service has one BIA; merge the two",
            (Related(earlier.location("service"), f"BIA {earlier.id!r}"),),
        )


@rule("C004", "duplicate-scope", E)
def duplicate_scope(estate: Estate) -> Iterator[Finding]:
    """More than one Scope document.

    Only the first scope is used, so what the programme covers would depend
    on file order.

    Fails: two documents with ``kind: Scope``. Fix: merge the scopes into
    one.
    """
    yield from second_documents(estate, Scope, "the programme has one scope")
