"""The bundled example estate (Larkspur Logistics) lints clean and stays a realistic showcase.

The README's first command lints it, and the documentation uses it as the
example, so it must compile with zero errors through the real CLI, and keep
the breadth the docs promise: three tiers, two data centres, every kind of
supplier, enough plans and people to be realistic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import lru_cache

from itscm_compiler.diagnostics import Severity
from itscm_compiler.models import BIA, Component, Exercise, Person, Plan, Risk, Service, Site, Supplier, Team, Threat
from itscm_compiler.pipeline import LintResult, lint

from .conftest import ROOT, run_itscm


@lru_cache(maxsize=1)
def _result() -> LintResult:
    return lint(ROOT)


def test_the_readme_lint_command_is_clean() -> None:
    proc = run_itscm("lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = re.search(r"(\d+) errors?, (\d+) warnings?", proc.stdout)
    assert summary, proc.stdout
    assert summary.group(1) == "0", proc.stdout
    assert "Traceback" not in proc.stderr


def test_no_error_diagnostics_from_the_library() -> None:
    result = _result()
    errors = [str(d) for d in result.diagnostics if d.severity == Severity.ERROR]
    assert errors == []
    assert not result.has_errors


def test_at_least_fifteen_services_in_three_tiers() -> None:
    services = _result().estate.models(Service)
    assert len(services) >= 15
    tiers = Counter(s.tier for s in services)
    assert {1, 2, 3} <= set(tiers), tiers
    assert all(tiers[t] >= 3 for t in (1, 2, 3)), tiers


def test_every_in_scope_service_has_a_bia_and_a_plan() -> None:
    estate = _result().estate
    in_scope = [s.id for s in estate.models(Service) if estate.in_scope(s.id)]
    assert len(in_scope) >= 15
    assert [s for s in in_scope if s not in estate.bia_of] == []
    assert [s for s in in_scope if not estate.plans_of.get(s)] == []
    assert len(estate.models(BIA)) >= len(in_scope)


def test_components_are_placed_in_two_data_centres_and_a_cloud_region() -> None:
    estate = _result().estate
    sites = {s.id: s for s in estate.models(Site)}

    def top(site_id: str) -> Site:
        site = sites[site_id]
        while site.parent:
            site = sites[site.parent]
        return site

    placed = {top(i.site).id for c in estate.models(Component) for i in c.instances}
    data_centres = {s for s in placed if sites[s].type == "data-centre"}
    assert len(data_centres) >= 2, placed
    assert any(sites[s].type == "cloud-region" for s in placed), placed
    # Tier-1 redundancy is the point of the example: some component spans both centres.
    assert any(
        len({top(i.site).id for i in c.instances} & data_centres) >= 2 for c in estate.models(Component)
    )


def test_each_supplier_type_is_present() -> None:
    types = {s.type for s in _result().estate.models(Supplier)}
    assert {"cloud-region", "saas", "isp"} <= types, types
    isps = [s for s in _result().estate.models(Supplier) if s.type == "isp"]
    assert len(isps) >= 2


def test_plans_exercises_people_threats_and_risks() -> None:
    estate = _result().estate
    plans = estate.models(Plan)
    assert len(plans) >= 5
    for plan in plans:
        assert plan.activation.triggers and plan.roles and plan.escalation and plan.communication, plan.id
        assert plan.procedure and plan.failback and plan.review and plan.review.status == "approved", plan.id
        assert all(role.backup and role.backup != role.primary for role in plan.roles), plan.id
    exercises = estate.models(Exercise)
    assert {e.plan for e in exercises} == {p.id for p in plans}
    assert len({e.type for e in exercises}) >= 4
    findings = [f for e in exercises for f in e.findings]
    assert any(f.status == "open" for f in findings) and any(f.status == "closed" for f in findings)
    people = estate.models(Person)
    assert len(people) >= 20
    members = {m for team in estate.models(Team) for m in team.members}
    assert {p.id for p in people} <= members
    assert all(t.on_call and t.escalation for t in estate.models(Team))
    assert len(estate.models(Threat)) >= 10
    assert len(estate.models(Risk)) >= 5


def test_policy_has_three_tiers_and_a_scope_exclusion() -> None:
    estate = _result().estate
    assert estate.policy is not None and estate.scope is not None
    assert sorted(t.tier for t in estate.policy.tiers) == [1, 2, 3]
    assert estate.scope.exclusions
    assert not estate.in_scope(estate.scope.exclusions[0].id)


def _plain(value: object) -> object:
    """YAML 1.2 (what editors use) has no timestamps: dates are strings there."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_every_example_document_validates_against_the_published_json_schema() -> None:
    """What an editor with the YAML language server sees: no squiggles in the example."""
    import json

    import jsonschema
    from referencing import Registry, Resource
    from ruamel.yaml import YAML

    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "schema").glob("*.json"))]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    top = json.loads((ROOT / "schema" / "itscm.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(top, registry=registry)
    yaml = YAML(typ="safe", pure=True)
    checked, problems = 0, []
    for folder in ("services", "plans", "threats", "risks"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            for doc in yaml.load_all(path.read_text(encoding="utf-8")):
                checked += 1
                for error in validator.iter_errors(_plain(doc)):
                    problems.append(f"{path.relative_to(ROOT)} {doc.get('id')}: {error.message}")
    assert checked >= 150
    assert problems == []
