"""The risk register against the policy's appetite: treated, owned, and scored consistently.

Scores are likelihood x impact (1-25). The policy's ``risk_appetite`` is the
highest acceptable residual score; a risk without a ``residual`` keeps its
inherent score.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding, Location, Related, Severity
from ..estate import Estate
from ..loader import SourceDoc
from ..models import Policy, Risk
from .base import rule

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


def _risks(estate: Estate) -> Iterator[tuple[SourceDoc, Risk]]:
    for doc in estate.docs(Risk):
        yield doc, doc.model  # type: ignore[misc]


def _appetite(estate: Estate) -> tuple[int, Related] | None:
    docs = estate.docs(Policy)
    if not docs:
        return None
    policy: Policy = docs[0].model  # type: ignore[assignment]
    return policy.risk_appetite, Related(docs[0].location("risk_appetite"), f"risk appetite {policy.risk_appetite}")


def _against_appetite(estate: Estate) -> Iterator[tuple[SourceDoc, Risk, int, Related]]:
    """Each risk with the appetite and where the policy sets it; nothing when there is no policy."""
    appetite = _appetite(estate)
    if appetite is None:
        return
    limit, related = appetite
    for doc, risk in _risks(estate):
        yield doc, risk, limit, related


def _treatment(doc: SourceDoc) -> Location:
    if ("treatment",) in doc.spans:
        return doc.location("treatment")
    return doc.location("id")


def _scored(risk: Risk) -> str:
    return f"{risk.likelihood} x {risk.impact} = {risk.score}"


def _residual(risk: Risk) -> str:
    if risk.residual is None:
        return f"{risk.score} (no residual assessed)"
    return f"{risk.residual.likelihood} x {risk.residual.impact} = {risk.residual_score}"


@rule("K001", "risk-untreated", E)
def risk_untreated(estate: Estate) -> Iterator[Finding]:
    """A risk scored above the policy's appetite has no treatment.

    A risk above appetite is one management said it will not carry. Without
    a treatment decision (``mitigate``, ``transfer``, ``avoid``, or an
    explicit ``accept`` by its owner) nobody has acted on it.

    Fails: ``likelihood: 4``, ``impact: 5`` (score 20) with appetite 8 and
    no ``treatment``. Fix: decide and record the treatment, with
    mitigations and the residual score.
    """
    for doc, risk, limit, related in _against_appetite(estate):
        if risk.treatment is None and risk.score > limit:
            yield Finding(
                _treatment(doc),
                f"risk {risk.id!r} scores {_scored(risk)}, above the appetite {limit}, and has no treatment: "
                "record treatment: mitigate, transfer, avoid or accept",
                (related,),
                key=f"{risk.id}:treatment",
            )


@rule("K002", "mitigate-without-mitigations", E)
def mitigate_without_mitigations(estate: Estate) -> Iterator[Finding]:
    """A risk is treated by ``mitigate`` but names no mitigation.

    "Mitigate" with nothing behind it looks treated on the dashboard while
    nothing reduces the risk.

    Fails: ``treatment: mitigate`` and no ``mitigations``. Fix: list the plans, components or actions
    under ``mitigations`` that bring it down.
    """
    for doc, risk in _risks(estate):
        m = risk.mitigations
        if risk.treatment == "mitigate" and not (m.plans or m.components or m.actions):
            yield Finding(
                doc.location("treatment"),
                f"risk {risk.id!r} is mitigated by nothing: list the plans, components or actions under "
                "mitigations, or change the treatment",
                key=f"{risk.id}:treatment",
            )


@rule("K003", "residual-above-inherent", E)
def residual_above_inherent(estate: Estate) -> Iterator[Finding]:
    """A risk's residual score is higher than its inherent score.

    The residual is what is left after treatment: treatment cannot make a
    risk worse. Usually the two pairs of numbers are swapped.

    Fails: ``likelihood: 2``, ``impact: 2`` and ``residual: {likelihood: 3,
    impact: 2}``. Fix: correct the residual likelihood and impact.
    """
    for doc, risk in _risks(estate):
        if risk.residual is not None and risk.residual_score > risk.score:
            yield Finding(
                doc.location("residual"),
                f"risk {risk.id!r} has residual score {_residual(risk)}, higher than its inherent score "
                f"{_scored(risk)}: treatment cannot raise a risk; correct the numbers",
                (Related(doc.location("likelihood"), f"inherent score {risk.score}"),),
                key=f"{risk.id}:residual",
            )


@rule("K004", "accepted-above-appetite", W)
def accepted_above_appetite(estate: Estate) -> Iterator[Finding]:
    """A risk is accepted although its residual score is above the appetite.

    Accepting a risk above appetite is a decision management can take, but
    it must be visible and owned: the message says who owns it.

    Fails: appetite 8, ``treatment: accept`` and a residual of 3 x 4. Fix: have
    the owner confirm it (and waive this warning with the reason and an
    expiry), or treat the risk.
    """
    for doc, risk, limit, related in _against_appetite(estate):
        if risk.treatment == "accept" and risk.residual_score > limit:
            owner = f"owned by {risk.owner!r}" if risk.owner else "owned by nobody"
            yield Finding(
                doc.location("treatment"),
                f"risk {risk.id!r} is accepted with residual score {_residual(risk)}, above the appetite "
                f"{limit} ({owner}): have the owner confirm it with a waiver and expiry, or treat the risk",
                (related,),
                key=f"{risk.id}:treatment",
            )


@rule("K005", "risk-without-owner", W)
def risk_without_owner(estate: Estate) -> Iterator[Finding]:
    """A risk has no owner.

    An unowned risk is never reviewed, never treated and never escalated.
    Fails: a risk without ``owner``. Fix: add ``owner`` (a person or team
    accountable for it).
    """
    for doc, risk in _risks(estate):
        if risk.owner is None:
            yield Finding(doc.location("id"), f"risk {risk.id!r} has no owner: add owner: (a person or team)")


@rule("K006", "residual-above-appetite", W)
def residual_above_appetite(estate: Estate) -> Iterator[Finding]:
    """A treated risk's residual score is still above the appetite.

    The treatment (mitigate, transfer or avoid) does not bring the risk
    within what the policy accepts.

    Fails: appetite 8, ``treatment: mitigate`` and a residual of 3 x 4. Fix:
    add mitigations until the residual
    is within appetite, or have the owner accept the rest explicitly.
    """
    for doc, risk, limit, related in _against_appetite(estate):
        if risk.treatment in ("mitigate", "transfer", "avoid") and risk.residual and risk.residual_score > limit:
            yield Finding(
                doc.location("residual"),
                f"risk {risk.id!r} stays at residual score {_residual(risk)} after treatment, above the appetite "
                f"{limit}: add mitigations, or have the owner accept it",
                (related,),
                key=f"{risk.id}:residual",
            )


@rule("K007", "residual-not-assessed", I)
def residual_not_assessed(estate: Estate) -> Iterator[Finding]:
    """A treated risk above the appetite has no residual score.

    Without a residual likelihood and impact nobody can tell whether the
    treatment brings the risk within appetite; the risk counts at its
    inherent score.

    Fails: appetite 8, a score of 5 x 5 and ``treatment: transfer`` with no
    ``residual``. Fix: add ``residual: {likelihood: N, impact: N}``.
    """
    for doc, risk, limit, related in _against_appetite(estate):
        if risk.treatment in ("mitigate", "transfer", "avoid") and risk.residual is None and risk.score > limit:
            yield Finding(
                doc.location("treatment"),
                f"risk {risk.id!r} scores {_scored(risk)}, above the appetite {limit}, and its residual after "
                "treatment is not assessed: add residual likelihood and impact",
                (related,),
                key=f"{risk.id}:residual",
            )
