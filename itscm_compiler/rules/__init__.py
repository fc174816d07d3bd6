"""The rule registry: one explicit tuple, checked at import for duplicate codes.

Add a rule by writing it in a module of this package and listing it here.
A code is never reused, even after its rule is removed.
"""

from __future__ import annotations

import re

from . import exercises, freshness, gitstale, references, syntax, targets, waivers
from . import graph, graph_targets  # noqa: I001 - own line: fewer merge conflicts
from . import coverage, people, plans, policy, risk, scenarios, steps  # noqa: I001 - own line: fewer merge conflicts
from .base import Rule

RULES: tuple[Rule, ...] = (
    *syntax.YAML_RULES,
    syntax.duplicate_id,
    references.dangling_reference,
    references.wrong_kind_reference,
    references.unused_threat,
    references.person_in_no_team,
    references.unused_category,
    freshness.plan_review_overdue,
    freshness.plan_never_reviewed,
    freshness.bia_review_overdue,
    freshness.risk_review_overdue,
    exercises.exercise_overdue,
    exercises.last_exercise_failed,
    exercises.exercise_finding_overdue,
    freshness.restore_test_overdue,
    freshness.supplier_assessment_overdue,
    gitstale.plan_changed_since_review,
    gitstale.git_history_incomplete,
    *waivers.WAIVER_RULES,
    targets.rto_above_mtpd,
    targets.rto_above_policy,
    targets.rpo_above_policy,
    targets.missing_targets,
    targets.procedure_exceeds_rto,
    targets.impacts_out_of_order,
    targets.impact_decreases,
    targets.exercise_data_loss_above_rpo,
    policy.tier_not_in_policy,
    policy.no_policy,
    policy.duplicate_policy,
    policy.duplicate_policy_tier,
    policy.policy_tiers_inverted,
    graph.hard_dependency_cycle,
    graph.soft_dependency_cycle,
    graph.single_point_of_failure,
    graph.double_failure,
    graph_targets.recovery_time_inversion,
    graph_targets.strategy_not_allowed,
    graph_targets.component_recovery_exceeds_rto,
    graph_targets.backup_exceeds_rpo,
    graph_targets.supplier_rto_too_weak,
    graph_targets.supplier_rpo_too_weak,
    graph_targets.recovery_chain_exceeds_rto,
    coverage.service_without_bia,
    coverage.service_without_plan,
    coverage.duplicate_bia,
    coverage.duplicate_scope,
    plans.plan_without_triggers,
    plans.plan_without_invoker,
    plans.plan_without_roles,
    plans.plan_without_escalation,
    plans.plan_without_communication,
    plans.plan_without_steps,
    plans.plan_without_services,
    plans.escalation_out_of_order,
    plans.plan_without_failback,
    plans.role_without_backup,
    plans.role_backup_is_primary,
    people.inactive_person_on_duty,
    people.inactive_person_listed,
    steps.step_without_role,
    steps.step_without_estimate,
    steps.unknown_plan_role,
    steps.unknown_waits_for,
    steps.step_cycle,
    steps.duplicate_step_id,
    steps.duplicate_role_id,
    people.team_without_on_call,
    people.team_without_escalation,
    people.escalation_is_on_call,
    scenarios.threat_without_plan,
    risk.risk_untreated,
    risk.mitigate_without_mitigations,
    risk.residual_above_inherent,
    risk.accepted_above_appetite,
    risk.risk_without_owner,
    risk.residual_above_appetite,
    risk.residual_not_assessed,
)

_CODE_RE = re.compile(r"[A-Z]\d{3}\Z")


def _index(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    by_code: dict[str, Rule] = {}
    names: set[str] = set()
    for item in rules:
        if not _CODE_RE.match(item.code):
            raise RuntimeError(f"rule code {item.code!r} does not look like X123")
        if item.code in by_code or item.name in names:
            raise RuntimeError(f"rule {item.code} {item.name} is registered twice")
        by_code[item.code] = item
        names.add(item.name)
    return by_code


BY_CODE: dict[str, Rule] = _index(RULES)


def find(code_or_name: str) -> Rule | None:
    """A rule by code (``R001``) or name (``dangling-reference``)."""
    wanted = code_or_name.strip()
    rule = BY_CODE.get(wanted.upper())
    if rule is not None:
        return rule
    return next((r for r in RULES if r.name == wanted.lower()), None)
