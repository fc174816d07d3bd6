"""The numbers in the target rules' messages: durations, chains and limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from itscm_compiler.models.plan import Step
from itscm_compiler.models.types import Duration
from itscm_compiler.pipeline import lint
from itscm_compiler.procedure import StepGraph

from .conftest import write_tree

POLICY = """\
apiVersion: itscm/v1
kind: Policy
id: policy
risk_appetite: 8
tiers:
  - {tier: 1, max_rto: 4h, max_rpo: 15m, strategies: [hot], review_interval: 26w, exercise_interval: 52w}
  - {tier: 2, max_rto: 1d, max_rpo: 4h, strategies: [warm], review_interval: 52w, exercise_interval: 52w}
"""

SERVICE = """\
apiVersion: itscm/v1
kind: Service
id: payments
owner: team
tier: 1
"""


def _messages(root: Path, code: str) -> list[str]:
    result = lint(root, today=dt.date(2026, 11, 24))
    return [d.message for d in result.diagnostics if d.code == code]


def _step(sid: str, estimate: str | None, waits: tuple[str, ...] = ()) -> Step:
    return Step(id=sid, title=sid, estimate=Duration.parse(estimate) if estimate else None, waits_for=list(waits))


def test_critical_path_takes_the_longest_chain_and_counts_a_diamond_once() -> None:
    graph = StepGraph.of(
        [
            _step("isolate", "30m"),
            _step("restore-db", "3h", ("isolate",)),
            _step("restore-app", "1h", ("isolate",)),
            _step("verify", "1h30m", ("restore-db", "restore-app")),
            _step("notify", "10m"),
        ]
    )
    total, chain = graph.critical_path()
    assert str(total) == "5h"
    assert chain == ["isolate", "restore-db", "verify"]
    assert graph.describe(chain) == "isolate (30m) -> restore-db (3h) -> verify (1h30m)"


def test_critical_path_ignores_unknown_waits_and_cycles_and_counts_missing_estimates_as_zero() -> None:
    graph = StepGraph.of(
        [
            _step("a", "1h", ("ghost",)),
            _step("b", None, ("a",)),
            _step("c", "2h", ("b", "d")),
            _step("d", "1h", ("c",)),
        ]
    )
    total, chain = graph.critical_path()
    assert (str(total), chain) == ("3h", ["a", "b", "c"])
    assert graph.cycles() == [["c", "d"]]
    assert graph.describe(["a", "b"]) == "a (1h) -> b (no estimate)"


def test_cycles_are_reported_once_per_group_with_a_shortest_path() -> None:
    graph = StepGraph.of(
        [
            _step("a", "1m", ("b",)),
            _step("b", "1m", ("c", "a")),
            _step("c", "1m", ("a",)),
            _step("self", "1m", ("self",)),
            _step("free", "1m"),
        ]
    )
    assert graph.cycles() == [["a", "b"], ["self"]]


def test_a_long_chain_of_steps_does_not_hit_the_recursion_limit() -> None:
    steps = [_step(f"s{i}", "1m", (f"s{i - 1}",) if i else ()) for i in range(5000)]
    total, chain = StepGraph.of(steps).critical_path()
    assert total == Duration(5000 * 60)
    assert len(chain) == 5000


def test_procedure_message_gives_the_total_the_rto_and_the_chain(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policy.yaml": POLICY,
            "service.yaml": SERVICE,
            "bia.yaml": SERVICE.replace("kind: Service", "kind: BIA")
            .replace("id: payments", "id: payments-bia\nservice: payments")
            .replace("owner: team\ntier: 1\n", "assessed: {on: 2026-01-10, by: ann}\nrto: 2h\n"),
            "plan.yaml": """\
apiVersion: itscm/v1
kind: Plan
id: payments-dr
services: [payments]
procedure:
  - {id: isolate, title: Isolate, estimate: 45m}
  - {id: restore-db, title: Restore, estimate: 90m, waits_for: [isolate]}
  - {id: notify, title: Notify, estimate: 5m}
""",
        },
    )
    assert _messages(repo, "T005") == [
        "the procedure's critical path takes 2h15m, above the RTO 2h of 'payments': "
        "isolate (45m) -> restore-db (1h30m); run independent steps in parallel, shorten the slow ones, "
        "or revisit the RTO"
    ]


def test_policy_and_mtpd_messages_give_both_numbers(repo: Path) -> None:
    write_tree(
        repo,
        {
            "policy.yaml": POLICY,
            "service.yaml": SERVICE,
            "bia.yaml": """\
apiVersion: itscm/v1
kind: BIA
id: payments-bia
service: payments
assessed: {on: 2026-01-10, by: ann}
mtpd: 6h
rto: 1d6h
rpo: 1h
""",
        },
    )
    assert _messages(repo, "T001") == [
        "RTO 1d6h is longer than the MTPD 6h of service 'payments': recovery would come 1d after the business "
        "can no longer tolerate the outage; set an RTO within the MTPD"
    ]
    assert _messages(repo, "T002") == [
        "RTO 1d6h of tier-1 service 'payments' is above the policy's maximum RTO 4h for tier 1: set rto: 4h or "
        "less, or move the service to a tier whose maximum it can meet"
    ]
    assert _messages(repo, "T003") == [
        "RPO 1h of tier-1 service 'payments' is above the policy's maximum RPO 15m for tier 1: set rpo: 15m or "
        "less, or move the service to a tier whose maximum it can meet"
    ]
    assert _messages(repo, "T004") == [
        "BIA of in-scope service 'payments' has no MBCO: agree the missing targets with the service owner and add mbco: to the BIA"
    ]
