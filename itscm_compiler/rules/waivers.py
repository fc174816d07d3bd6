"""Waivers are linted too: expired, unused and malformed ones (logic in ``itscm_compiler/waivers.py``)."""

from __future__ import annotations

from ..diagnostics import Severity
from .base import loader_rule

WAIVER_RULES = (
    loader_rule("W001", "expired-waiver", Severity.ERROR, """
        A waiver's expiry date has passed.

        A waiver is a promise to fix something by a date; once the date is
        gone the risk is back in the open, so the waived diagnostic is
        reported again next to this error. Waivers are YAML comments next to
        the value they concern, at the end of its line or on the line
        directly above it::

            # itscm: waive G101 until 2027-03-31 -- single DB accepted until the migration
            depends_on: [orders-db]

        Fails: ``until 2026-01-31`` checked on 2026-02-01. Fix: fix the
        finding and delete the waiver, or renew it with a new date and reason
        (``itscm lint --today`` shows what expires when).
    """),
    loader_rule("W002", "unused-waiver", Severity.WARNING, """
        A waiver matches no diagnostic.

        The problem it covered is gone (good: delete the waiver), or the value
        moved and the waiver no longer sits next to it (then it silently
        hides nothing while the real problem is reported elsewhere). A waiver
        applies to diagnostics whose line is the waiver's own line (a comment
        at the end of the value's line) or the first non-comment line below a
        standalone waiver comment, and whose code is listed.

        Fix: delete the waiver, or move it next to the value the diagnostic
        points at.
    """),
    loader_rule("W003", "malformed-waiver", Severity.ERROR, """
        A ``# itscm:`` comment that is not a valid waiver.

        The syntax is ``# itscm: waive CODE[, CODE...] until YYYY-MM-DD --
        reason``. The reason and the expiry are mandatory: a suppression
        nobody can explain, or that never ends, is how plans rot. Codes must
        exist (``itscm rules``), and waiver codes (W...) cannot be waived.

        Fails: ``# itscm: waive G101`` (no expiry, no reason),
        ``until 31/03/2027`` (not an ISO date), ``waive G999`` (unknown code).
        Fix: write the waiver in full.
    """),
)
