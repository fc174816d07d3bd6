"""The numbers in the risk and scenario messages: scores, appetite, owners and threats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from itscm_compiler.pipeline import lint

from .conftest import write_tree

POLICY = """\
apiVersion: itscm/v1
kind: Policy
id: policy
risk_appetite: 8
tiers:
  - {tier: 1, max_rto: 4h, max_rpo: 15m, strategies: [hot], review_interval: 26w, exercise_interval: 52w}
"""


def _messages(root: Path, *codes: str) -> list[str]:
    result = lint(root, today=dt.date(2026, 11, 24))
    return [f"{d.code} {d.message}" for d in result.diagnostics if d.code in codes]


def test_accepted_risk_above_appetite_names_scores_and_owner(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policy.yaml": POLICY,
            "risk.yaml": """\
apiVersion: itscm/v1
kind: Risk
id: single-dc
category: ops
owner: cfo
likelihood: 4
impact: 4
treatment: accept
residual: {likelihood: 3, impact: 3}
""",
        },
    )
    assert _messages(repo, "K003", "K004") == [
        "K004 risk 'single-dc' is accepted with residual score 3 x 3 = 9, above the appetite 8 (owned by 'cfo'): "
        "have the owner confirm it with a waiver and expiry, or treat the risk"
    ]


def test_appetite_is_the_highest_acceptable_score(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policy.yaml": POLICY,
            "risk.yaml": """\
apiVersion: itscm/v1
kind: Risk
id: at-appetite
category: ops
owner: cfo
likelihood: 2
impact: 4
""",
        },
    )
    assert _messages(repo, "K001", "K004", "K006", "K007") == []


def test_scenario_message_lists_every_unanswered_threat(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policy.yaml": POLICY,
            "services.yaml": """\
apiVersion: itscm/v1
kind: Service
id: payments
owner: team
tier: 1
depends_on: [db]
---
apiVersion: itscm/v1
kind: Component
id: db
owner: team
type: database
supplier: cloud
instances: [{site: fra}]
""",
            "threats.yaml": """\
apiVersion: itscm/v1
kind: Threat
id: fra-flood
category: natural
strikes: {sites: [fra]}
---
apiVersion: itscm/v1
kind: Threat
id: cloud-outage
category: supplier
strikes: {suppliers: [cloud]}
""",
            "plan.yaml": """\
apiVersion: itscm/v1
kind: Plan
id: payments-dr
services: [payments]
""",
        },
    )
    assert _messages(repo, "C050") == [
        "C050 tier-1 service 'payments' can be struck by 'fra-flood', 'cloud-outage', but no plan covering it "
        "('payments-dr') names them in scenarios: add them to the scenarios of the plan that answers them, "
        "or write one"
    ]
