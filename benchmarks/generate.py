"""Generate a deterministic, realistic synthetic continuity estate.

    python benchmarks/generate.py --services 10000 --seed 1 --out /tmp/estate

Every kind appears: a policy and a scope, services in four tiers (one file
each, about four dependencies apiece), components with instances across sites,
suppliers, sites, BIAs, plans, exercises, people, teams, threats and risks.
A few deliberate problems of each family (YAML, schema, references, targets,
graph, coverage, freshness, risk) make every rule do real work; ``PROBLEMS``
says where they are. The same ``--services`` and ``--seed`` always give the
same bytes.

Importable: ``generate(out, services=1000, seed=1)`` returns a ``Generated``
summary, so tests and benchmarks can build estates without a subprocess.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TODAY = dt.date(2026, 11, 24)  # the dates are relative to this fixed day, so output never drifts
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*\Z")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
TIERS = {1: ("1h", "15m", "4h"), 2: ("4h", "1h", "1d"), 3: ("1d", "4h", "3d"), 4: ("3d", "1d", "1w")}
COMPONENT_TYPES = ("database", "cluster", "queue", "storage", "network", "cache")
WORDS = (
    "payments ledger orders billing search catalogue identity auth mail chat crm erp payroll hr "
    "inventory shipping pricing quotes claims policy underwriting reporting analytics gateway portal "
    "mobile web api batch export import archive backup monitoring logging metrics tickets support"
).split()


@dataclass
class Generated:
    """What was written: file and document counts, and the deliberate problems."""

    root: Path
    files: int = 0
    documents: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED and ": " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and item:
                out.append(f"{pad}{key}:")
                _emit(item, indent + 2, out)
            elif isinstance(item, list) and item:
                out.append(f"{pad}{key}:")
                _emit(item, indent + 2, out)
            elif isinstance(item, (dict, list)):
                out.append(f"{pad}{key}: {'{}' if isinstance(item, dict) else '[]'}")
            else:
                out.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                sub: list[str] = []
                _emit(item, indent + 2, sub)
                out.append(f"{pad}- {sub[0].lstrip()}")
                out.extend(sub[1:])
            elif isinstance(item, list) and item:
                out.append(f"{pad}-")
                _emit(item, indent + 2, out)
            else:
                out.append(f"{pad}- {_scalar(item)}")


def dump(*documents: dict[str, Any]) -> str:
    """Documents as YAML text, separated by ``---``."""
    parts = []
    for doc in documents:
        lines: list[str] = []
        _emit(doc, 0, lines)
        parts.append("\n".join(lines) + "\n")
    return "---\n".join(parts)


def _doc(kind: str, id_: str, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": "itscm/v1", "kind": kind, "id": id_, **fields}


def _day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


class _Writer:
    def __init__(self, root: Path, summary: Generated) -> None:
        self.root = root
        self.summary = summary
        self.dirs: set[Path] = set()

    def write(self, rel: str, *documents: dict[str, Any], text: str | None = None) -> None:
        path = self.root / rel
        if path.parent not in self.dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(path.parent)
        path.write_text(dump(*documents) if text is None else text, encoding="utf-8")
        self.summary.files += 1
        self.summary.documents += len(documents)

    def problem(self, family: str, where: str) -> None:
        self.summary.problems.setdefault(family, []).append(where)


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def generate(out: Path, services: int = 1000, seed: int = 1) -> Generated:
    """Write an estate of ``services`` services under ``out`` (created if needed)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    summary = Generated(out)
    w = _Writer(out, summary)
    n = max(services, 10)
    problems = max(1, n // 2000)  # deliberate problems of each kind

    # -- people and teams --------------------------------------------------
    n_teams = max(3, n // 25)
    teams = [f"team-{i:05d}" for i in range(n_teams)]
    members: dict[str, list[str]] = {t: [f"person-{i:05d}-{k}" for k in range(3)] for i, t in enumerate(teams)}
    everyone = [p for ms in members.values() for p in ms]
    inactive = {everyone[rng.randrange(len(everyone))] for _ in range(problems)}
    for chunk in _chunks(teams, 20):
        docs = []
        for team in chunk:
            ms = members[team]
            docs.append(_doc("Team", team, name=f"Team {team[5:]}", members=ms, on_call=ms[0], escalation=ms[1],
                             email=f"{team}@example.com"))
            for person in ms:
                docs.append(_doc("Person", person, name=f"Person {person[7:]}", phones=[f"+44 20 7946 {rng.randrange(10000):04d}"],
                                 email=f"{person}@example.com", active=person not in inactive))
        w.write(f"plans/people/{chunk[0]}.yaml", *docs)
    w.write("plans/people/loner.yaml", _doc("Person", "person-loner", name="Lone Person", email="loner@example.com"))
    w.problem("references", "plans/people/loner.yaml: person in no team (R102)")
    for person in sorted(inactive):
        w.problem("coverage", f"{person}: inactive person still named")

    # -- policy and scope ---------------------------------------------------
    tiers = [
        {"tier": t, "name": f"Tier {t}", "max_rto": rto, "max_rpo": rpo,
         "strategies": ["hot", "warm"] if t == 1 else ["hot", "warm", "cold", "manual"],
         "review_interval": "26w" if t <= 2 else "52w", "exercise_interval": "52w" if t <= 2 else "104w",
         "restore_test_interval": "26w"}
        for t, (rto, rpo, _) in TIERS.items()
    ]
    w.write("plans/policy.yaml", _doc("Policy", "continuity-policy", name="Continuity policy", owner=teams[0],
                                      tiers=tiers, risk_appetite=9, risk_review_interval="52w",
                                      supplier_assessment_interval="52w",
                                      approval={"by": everyone[0], "on": _day(-100)}, next_review=_day(265)))
    w.write("plans/scope.yaml", _doc("Scope", "programme-scope", name="Programme scope", tiers=[1, 2, 3, 4],
                                     approval={"by": everyone[0], "on": _day(-100)}))

    # -- sites and suppliers --------------------------------------------------
    regions = [f"region-{r}" for r in ("north", "south", "west")]
    zones = [f"{r}-zone-{z}" for r in regions for z in "abc"]
    offices = ["office-london", "office-leeds"]
    n_suppliers = max(4, n // 250)
    suppliers = [f"supplier-{i:04d}" for i in range(n_suppliers)]
    site_docs = [_doc("Site", r, name=r.replace("-", " ").title(), type="region") for r in regions]
    site_docs += [_doc("Site", z, type="zone", parent=z.rsplit("-zone-", 1)[0]) for z in zones]
    site_docs += [_doc("Site", o, type="office", address=f"{o[7:].title()}, UK") for o in offices]
    w.write("services/sites.yaml", *site_docs)
    weak_suppliers = set(suppliers[-problems:])
    for chunk in _chunks(suppliers, 25):
        docs = []
        for s in chunk:
            strong = s not in weak_suppliers
            docs.append(_doc("Supplier", s, name=f"Supplier {s[9:]}", type=rng.choice(["saas", "cloud-region", "isp", "vendor"]),
                             owner=rng.choice(teams), contract={"rto": "30m" if strong else "2d", "rpo": "5m" if strong else "1d"},
                             contact={"name": "Service desk", "phone": "+44 20 7946 0000"},
                             last_assessment=_day(-rng.randrange(30, 300)), exit_plan="Move to the alternative",
                             sites=rng.sample(regions, 2)))
        w.write(f"services/suppliers/{chunk[0]}.yaml", *docs)

    # -- components ----------------------------------------------------------
    n_components = max(8, n // 2)
    components = [f"component-{i:05d}" for i in range(n_components)]
    lonely = set(rng.sample(components, problems))
    on_weak = set(rng.sample(components, problems))
    for c in sorted(lonely):
        w.problem("graph", f"{c}: one instance, a single point of failure")
    for c in sorted(on_weak):
        w.problem("targets", f"{c}: runs on a supplier with a weak contract")
    for chunk in _chunks(components, 10):
        docs = []
        for c in chunk:
            kind = rng.choice(COMPONENT_TYPES)
            # Instances in different regions: redundant, but for a few deliberate single points.
            count = 1 if c in lonely else rng.choice((2, 2, 3))
            homes = [f"{r}-zone-{rng.choice('abc')}" for r in rng.sample(regions, count)]
            instances = [{"name": f"{c}-{k}", "site": z} for k, z in enumerate(homes)]
            fields: dict[str, Any] = {"name": f"{kind.title()} {c[10:]}", "owner": rng.choice(teams), "type": kind,
                                      "instances": instances,
                                      "recovery": {"strategy": rng.choice(["hot", "warm"]),
                                                   "estimated_time": rng.choice(["5m", "10m", "15m"])}}
            if c in on_weak:
                fields["supplier"] = rng.choice(sorted(weak_suppliers))
            if kind == "database":
                fields["backup"] = {"frequency": rng.choice(["5m", "15m"]), "retention": "30d",
                                    "site": rng.choice(regions), "last_restore_test": _day(-rng.randrange(10, 150))}
            docs.append(_doc("Component", c, **fields))
        w.write(f"services/components/{chunk[0]}.yaml", *docs)

    # -- services, one per file --------------------------------------------------
    ids = [f"svc-{WORDS[i % len(WORDS)]}-{i:05d}" for i in range(n)]
    # Real estates are clustered: a service leans on a few neighbours in its
    # domain (about fifty services sharing some twenty-five components) and on
    # shared platform services, never on a random service across the company.
    platform = ids[: min(20, n // 10)]
    domain_size = 50
    # Platform services are tier 1; within a domain, earlier services are more
    # critical, and services only lean on more critical ones (no RTO inversion).
    tier_of = {s: 1 if s in platform else 1 + min(3, (i % domain_size) * 4 // domain_size) for i, s in enumerate(ids)}
    dangling = set(rng.sample(ids[: n // 2], problems))
    deps_of: dict[str, list[Any]] = {}
    for i, s in enumerate(ids):
        domain = i // domain_size
        pool = components[(domain * 25) % n_components : (domain * 25) % n_components + 25] or components
        deps: list[Any] = list(rng.sample(pool, min(2, len(pool))))
        first = max(len(platform), domain * domain_size)
        above = [j for j in range(max(first, i - 15), i) if tier_of[ids[j]] < tier_of[s]]
        for j in rng.sample(above, min(len(above), 1 + (i % 2))):  # earlier: acyclic but for the deliberate cycles
            dep = ids[j]
            deps.append({"id": dep, "mode": "soft"} if rng.random() < 0.3 else dep)
        if platform and s not in platform and rng.random() < 0.5:
            deps.append(rng.choice(platform))
        if rng.random() < 0.15:
            deps.append({"any_of": rng.sample(pool, min(2, len(pool)))})
        if rng.random() < 0.1:
            deps.append({"any_of": rng.sample(suppliers[: n_suppliers - problems], 2), "mode": "soft"})
        deps_of[s] = deps
    for k in range(problems):  # three services that wait on each other
        a, b, c = ids[-3 * (k + 1) :][:3]
        deps_of[a].append(b)
        deps_of[b].append(c)
        deps_of[c].append(a)
        w.problem("graph", f"cycle {a} -> {b} -> {c} -> {a}")
    for s in sorted(dangling):
        deps_of[s].append("component-that-was-decommissioned")
        w.problem("references", f"services/.../{s}.yaml: dangling dependency")
    bad_duration = set(rng.sample(ids, problems))
    typo = set(rng.sample(ids, problems))
    for i, s in enumerate(ids):
        fields = {"name": s[4:].replace("-", " ").title(), "owner": teams[i % n_teams], "tier": tier_of[s],
                  "customers": ["staff", "customers"] if i % 3 else ["partners"], "depends_on": deps_of[s],
                  "recovery": {"strategy": "hot" if tier_of[s] == 1 else "warm",
                               "estimated_time": "99 minutes" if s in bad_duration else "10m"},
                  "description": f"The {s[4:].split('-')[0]} service, number {i}."}
        if s in typo:
            fields["dependson"] = ["oops"]
            w.problem("schema", f"{s}: unknown field dependson")
        if s in bad_duration:
            w.problem("schema", f"{s}: bad duration")
        rel = f"services/{WORDS[i % len(WORDS)]}/{s}.yaml"
        w.write(rel, _doc("Service", s, **fields))

    # -- BIAs, twenty to a file -----------------------------------------------
    without_bia = set(rng.sample(ids, problems))
    inverted = set(rng.sample(ids, problems))
    for s in sorted(without_bia):
        w.problem("coverage", f"{s}: no BIA")
    bias = [s for s in ids if s not in without_bia]
    for chunk in _chunks(bias, 20):
        docs = []
        for s in chunk:
            rto, rpo, mtpd = TIERS[tier_of[s]]
            if s in inverted:
                rto, mtpd = "2w", "1w"
                w.problem("targets", f"bia-{s}: RTO above MTPD and the tier maximum")
            docs.append(_doc("BIA", f"bia-{s}", service=s, assessed={"on": _day(-rng.randrange(20, 150)), "by": rng.choice(everyone)},
                             impacts=[{"after": "1h", "financial": "minor", "operational": "moderate"},
                                      {"after": "1d", "financial": "major", "operational": "severe", "reputational": "major"}],
                             mtpd=mtpd, rto=rto, rpo=rpo,
                             mbco={"description": "Card payments at half capacity", "capacity": 50},
                             peak_periods=[{"name": "Month end", "when": "last three working days"}]))
        w.write(f"plans/bia/{chunk[0][4:]}.yaml", *docs)

    # -- threats and risks ------------------------------------------------------
    categories = ["natural", "technical", "human", "supplier"]
    # A threat catalogue has tens of entries whatever the size of the estate
    # (threats strike failure domains, and the sites here do not grow either).
    # Growing it with the services made C050's findings, one related line per
    # threat per tier-1 service, grow with the square of the estate.
    threat_ids = [f"threat-{i:03d}" for i in range(min(max(12, n // 500), 20))]
    docs = [_doc("ThreatCategory", f"cat-{c}", name=c.title()) for c in categories]
    for i, t in enumerate(threat_ids):
        docs.append(_doc("Threat", t, name=f"Threat {i}", category=f"cat-{categories[i % 4]}",
                         strikes={"sites": [rng.choice(zones)], "component_types": [rng.choice(COMPONENT_TYPES)]}))
    docs.append(_doc("Threat", "threat-unused", name="A threat nothing names", category="cat-natural"))
    w.problem("references", "threat-unused: named by no risk or plan")
    w.write("threats/catalogue.yaml", *docs)
    n_risks = max(6, n // 20)
    risk_docs = [_doc("RiskCategory", "rcat-continuity", name="Continuity")]
    for i in range(n_risks):
        likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
        fields = {"name": f"Risk {i}", "category": "rcat-continuity", "threats": [threat_ids[i % len(threat_ids)]],
                  "services": rng.sample(ids, 2), "likelihood": likelihood, "impact": impact,
                  "treatment": "mitigate", "mitigations": {"components": [rng.choice(components)]},
                  "residual": {"likelihood": min(likelihood, 2), "impact": min(impact, 3)},
                  "owner": rng.choice(teams), "reviewed_on": _day(-rng.randrange(10, 300)), "next_review": _day(rng.randrange(10, 300))}
        if i < problems:
            fields.update(likelihood=5, impact=5, residual={"likelihood": 5, "impact": 5})
            del fields["treatment"], fields["owner"]
            w.problem("risk", f"risk-{i:05d}: above appetite, untreated, no owner")
        if problems <= i < 2 * problems:
            fields["next_review"] = _day(-40)
            w.problem("freshness", f"risk-{i:05d}: review overdue")
        risk_docs.append(_doc("Risk", f"risk-{i:05d}", **fields))
    for chunk_no, chunk in enumerate(_chunks(risk_docs, 50)):
        w.write(f"risks/register-{chunk_no:04d}.yaml", *chunk)

    # -- plans, each covering about five services; exercises ------------------
    uncovered = set(rng.sample(ids, problems))
    covered = [s for s in ids if s not in uncovered]
    plan_docs = []
    exercise_docs = []
    overdue_plans = set()
    for k, group in enumerate(_chunks(covered, 5)):
        pid = f"plan-{k:05d}"
        team = teams[k % n_teams]
        primary, backup = members[team][0], members[team][1]
        reviewed = _day(-rng.randrange(20, 150))
        if k < problems:
            reviewed = _day(-900)
            overdue_plans.add(pid)
            w.problem("freshness", f"{pid}: review overdue")
        steps = [
            {"id": "assess", "title": "Assess the outage", "role": "lead", "estimate": "15m", "verify": "Scope known"},
            {"id": "failover", "title": "Fail over to the standby", "role": "tech", "estimate": "30m",
             "waits_for": ["assess"], "instructions": "Run the failover job"},
            {"id": "verify", "title": "Check the service end to end", "role": "tech", "estimate": "15m",
             "waits_for": ["failover"], "verify": "Synthetic checks green"},
        ]
        plan_docs.append(_doc(
            "Plan", pid, name=f"Recovery of {group[0][4:]} and others", owner=team, services=group,
            scenarios=[threat_ids[k % len(threat_ids)]],
            activation={"triggers": ["Primary site unavailable for 15 minutes"], "alerts": [f"{group[0]}-down"],
                        "invoked_by": [team]},
            roles=[{"id": "lead", "name": "Incident lead", "primary": primary, "backup": backup},
                   {"id": "tech", "name": "Engineer", "primary": backup, "backup": members[team][2]}],
            escalation=[{"level": 1, "after": "30m", "contact": team}, {"level": 2, "after": "2h", "contact": members[team][1]}],
            communication=[{"audience": "staff", "channel": "email", "when": "on activation",
                            "template": "Service {service} is down; next update in 30 minutes.", "owner": "lead"}],
            procedure=steps,
            failback=[{"id": "failback", "title": "Return to the primary", "role": "tech", "estimate": "1h"}],
            review={"last_reviewed": reviewed, "by": primary, "status": "approved"},
        ))
        if k % 2 == 0:
            finding_due = _day(-30) if k < 2 * problems else _day(60)
            exercise_docs.append(_doc(
                "Exercise", f"exercise-{k:05d}", plan=pid, date=_day(-rng.randrange(10, 300)), type=rng.choice(["tabletop", "failover"]),
                participants=[primary, backup], results=[{"service": group[0], "recovery_time": "45m", "data_loss": "5m"}],
                outcome="passed" if k % 3 else "partial",
                findings=[{"id": "f1", "title": "Runbook step unclear", "owner": primary, "due": finding_due, "status": "open"}],
            ))
    for s in sorted(uncovered):
        w.problem("coverage", f"{s}: no plan")
    w.problem("freshness", "exercise findings past due")
    for chunk in _chunks(plan_docs, 10):
        w.write(f"plans/recovery/{chunk[0]['id']}.yaml", *chunk)
    for chunk in _chunks(exercise_docs, 10):
        w.write(f"plans/exercises/{chunk[0]['id']}.yaml", *chunk)

    # -- broken files (YAML and schema families) ---------------------------------
    w.write("services/broken/syntax-error.yaml", text="apiVersion: itscm/v1\nkind: Service\nid: broken\n  owner: [unclosed\n")
    w.problem("yaml", "services/broken/syntax-error.yaml: syntax error")
    w.write("services/broken/duplicate-key.yaml",
            text=f"apiVersion: itscm/v1\nkind: Service\nid: svc-duplicate-key\nowner: {teams[0]}\ntier: 2\ntier: 3\n")
    w.problem("yaml", "services/broken/duplicate-key.yaml: duplicate key")
    w.write("services/broken/bad-date.yaml",
            text="apiVersion: itscm/v1\nkind: Exercise\nid: exercise-bad-date\nplan: plan-00000\ndate: 31/03/2026\n"
                 "type: tabletop\noutcome: passed\n")
    w.problem("schema", "services/broken/bad-date.yaml: bad date")
    w.write("services/broken/wrong-kind.yaml",
            text=f"apiVersion: itscm/v1\nkind: Service\nid: svc-wrong-kind\nowner: {everyone[0]}\ntier: 3\n")
    w.problem("references", "services/broken/wrong-kind.yaml: owner is a Person, not a Team")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=1000, help="number of services (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the estate into")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty: choose a new folder", file=sys.stderr)
        return 2
    summary = generate(args.out, args.services, args.seed)
    print(f"{summary.files} files, {summary.documents} documents in {summary.root}")
    for family, where in sorted(summary.problems.items()):
        print(f"  {family}: {len(where)} deliberate problem(s), e.g. {where[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
