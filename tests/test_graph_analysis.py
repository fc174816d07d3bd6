"""Graph analysis: numbers and paths in messages, impact, export formats.

Rule cases (tests/cases) pin codes and locations; these tests pin what the
messages say and what the library API returns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx

from itscm_compiler.analysis.impact import impact
from itscm_compiler.analysis.spof import double_failures, single_points
from itscm_compiler.pipeline import lint, load_estate
from itscm_compiler.scc import tarjan

from .conftest import ROOT, run_itscm, write_tree

PEOPLE = """\
apiVersion: itscm/v1
kind: Team
id: ops
members: [ann]
---
apiVersion: itscm/v1
kind: Person
id: ann
name: Ann
"""


def doc(kind: str, id_: str, body: str = "") -> str:
    extra = {"Service": "owner: ops\ntier: 1\n", "Component": "owner: ops\ntype: database\n"}.get(kind, "")
    return f"apiVersion: itscm/v1\nkind: {kind}\nid: {id_}\n{extra}{body}"


def bia(service: str, rto: str, rpo: str = "1h") -> str:
    return doc("BIA", f"{service}-bia", f"service: {service}\nassessed: {{on: 2026-01-01, by: ann}}\nrto: {rto}\nrpo: {rpo}\n")


def repo_with(path: Path, *docs: str) -> Path:
    write_tree(path, {"people.yaml": PEOPLE, "estate.yaml": "---\n".join(docs)})
    return path


def messages(path: Path, code: str) -> list[str]:
    result = lint(path, today=dt.date(2026, 11, 24))
    return [d.message for d in result.diagnostics if d.code == code]


def test_any_of_pair_on_one_supplier_is_one_single_point(repo: Path) -> None:
    repo_with(
        repo,
        doc("Service", "payments", "depends_on:\n  - any_of: [queue-a, queue-b]\n"),
        doc("Component", "queue-a", "supplier: aws\n"),
        doc("Component", "queue-b", "supplier: aws\n"),
        doc("Supplier", "aws", "type: cloud-region\n"),
    )
    estate, _ = load_estate(repo)
    points = single_points(estate)["payments"]
    assert [(p.element, p.kind) for p in points] == [("aws", "Supplier")]
    assert points[0].path == ("payments", "payments|any_of|0", "queue-a", "aws")
    assert messages(repo, "G101") == [
        "payments cannot recover if supplier aws is lost (payments -> any of (queue-a | queue-b) -> queue-a -> aws; "
        "every one of the any of (queue-a | queue-b) depends on it): add an alternative that does not run on this "
        "supplier (any_of), or an exit plan"
    ]


def test_any_of_suppliers_in_one_cloud_region_share_the_site(repo: Path) -> None:
    repo_with(
        repo,
        doc("Service", "payments", "depends_on:\n  - any_of: [saas-a, saas-b]\n"),
        doc("Supplier", "saas-a", "type: saas\nsites: [eu-west-1]\n"),
        doc("Supplier", "saas-b", "type: saas\nsites: [eu-west-1, eu-central-1]\n"),
        doc("Site", "eu-west-1", "type: cloud-region\n"),
        doc("Site", "eu-central-1", "type: cloud-region\n"),
    )
    estate, _ = load_estate(repo)
    # saas-b survives eu-west-1 through its second site: no single point.
    assert "payments" not in single_points(estate)
    # eu-central-1 alone does not take saas-b down, so it pairs only with eu-west-1.
    assert double_failures(estate, ["payments"])["payments"] == [
        ("eu-central-1", "eu-west-1"),
        ("eu-west-1", "saas-b"),
        ("saas-a", "saas-b"),
    ]


def test_two_instances_in_one_site_are_one_single_point(repo: Path) -> None:
    repo_with(
        repo,
        doc("Service", "payments", "depends_on: [postgres]\n"),
        doc("Component", "postgres", "instances:\n  - {name: a, site: fra1}\n  - {name: b, site: fra1}\n"),
        doc("Site", "fra1", "type: data-centre\n"),
    )
    estate, _ = load_estate(repo)
    assert [p.element for p in single_points(estate)["payments"]] == ["fra1"]
    assert double_failures(estate, ["payments"])["payments"] == [("postgres|0", "postgres|1")]
    (message,) = messages(repo, "G101")
    assert "payments cannot recover if site fra1 is lost (payments -> postgres -> 2 instances of postgres" in message


def test_soft_dependency_on_a_single_instance_is_no_single_point(repo: Path) -> None:
    repo_with(
        repo,
        doc("Service", "payments", "depends_on:\n  - {id: cache, mode: soft}\n"),
        doc("Component", "cache", "instances: [{site: fra1}]\n"),
        doc("Site", "fra1", "type: data-centre\n"),
    )
    estate, _ = load_estate(repo)
    assert single_points(estate) == {}
    assert messages(repo, "G101") == []


def test_inherited_single_points_are_summarised_per_dependency(repo: Path) -> None:
    repo_with(
        repo,
        doc("Service", "portal", "depends_on: [identity]\n"),
        doc("Service", "identity", "depends_on: [pg-identity]\n"),
        doc("Component", "pg-identity", "instances: [{site: fra1}]\n"),
        doc("Site", "fra1", "type: data-centre\n"),
    )
    estate, _ = load_estate(repo)
    assert [p.element for p in single_points(estate)["portal"]] == ["fra1", "pg-identity"]
    found = messages(repo, "G101")
    assert len(found) == 3
    (summary,) = [m for m in found if m.startswith("portal")]
    assert summary.startswith(
        "portal cannot recover if any of 2 single points of failure of identity is lost (portal -> identity): "
        "site fra1, component pg-identity; they are reported at identity"
    )


def test_cycle_through_a_soft_edge_is_a_warning_with_its_path(repo: Path) -> None:
    repo_with(
        repo,
        doc("Service", "checkout", "depends_on: [catalogue]\n"),
        doc("Service", "catalogue", "depends_on: [{id: search, mode: soft}]\n"),
        doc("Service", "search", "depends_on: [checkout]\n"),
    )
    assert messages(repo, "G001") == []
    (message,) = messages(repo, "G002")
    assert message.startswith(
        "dependency cycle through a soft dependency catalogue -(soft)-> search -> checkout -> catalogue:"
    )


def test_hard_cycle_reports_a_shortest_cycle_once_per_component(repo: Path) -> None:
    # a <-> b and a -> c -> d -> a: one component, the 2-cycle is the shortest.
    repo_with(
        repo,
        doc("Service", "a", "depends_on: [b, c]\n"),
        doc("Service", "b", "depends_on: [a]\n"),
        doc("Service", "c", "depends_on: [d]\n"),
        doc("Service", "d", "depends_on: [a]\n"),
    )
    (message,) = messages(repo, "G001")
    assert message.startswith("hard dependency cycle a -> b -> a (4 documents are involved): recovery deadlocks")


def _diamond(repo: Path, left: str) -> Path:
    return repo_with(
        repo,
        doc("Service", "top", "recovery: {strategy: warm, estimated_time: 30m}\ndepends_on: [left, right]\n"),
        doc("Component", "left", f"recovery: {{strategy: warm, estimated_time: {left}}}\ndepends_on: [bottom]\n"),
        doc("Component", "right", "recovery: {strategy: warm, estimated_time: 1h}\ndepends_on: [bottom]\n"),
        doc("Component", "bottom", "recovery: {strategy: warm, estimated_time: 2h}\n"),
        bia("top", "4h"),
    )


def test_diamond_chain_counts_the_shared_dependency_once(repo: Path) -> None:
    _diamond(repo, "1h")
    estate, _ = load_estate(repo)
    chains = estate.analysis.chains
    assert chains.total["top"] == 3 * 3600 + 1800  # 30m + max(1h, 1h) + 2h, never 2h twice
    assert messages(repo, "T056") == []


def test_recovery_chain_message_gives_the_numbers(repo: Path) -> None:
    _diamond(repo, "2h")
    assert messages(repo, "T056") == [
        "top has RTO 4h but the recovery chain top (30m) <- left (2h) <- bottom (2h) needs 4h30m: "
        "shorten the slowest link or revisit the RTO"
    ]


def test_targets_flow_down_with_numbers_and_path(repo: Path) -> None:
    repo_with(
        repo,
        doc("Service", "payments", "depends_on: [postgres]\n"),
        doc("Component", "postgres", "backup: {frequency: 1d}\nsupplier: dbaas\ndepends_on: [ledger]\n"),
        doc("Supplier", "dbaas", "type: saas\ncontract: {rto: 8h, rpo: 4h}\n"),
        doc("Service", "ledger", "tier: 2\n".replace("tier: 2\n", "")),
        bia("payments", "4h", "15m"),
        bia("ledger", "1d"),
    )
    assert messages(repo, "T050") == [
        "ledger has RTO 1d but payments (RTO 4h) cannot recover without it (payments -> postgres -> ledger): "
        "lower ledger's RTO to 4h or less, or make the dependency soft or redundant"
    ]
    assert messages(repo, "T053") == [
        "postgres is backed up every 1d but payments has RPO 15m (payments -> postgres): "
        "back up every 15m or more often, or replicate"
    ]
    assert messages(repo, "T054") == [
        "dbaas's contract promises RTO 8h but payments needs RTO 4h (payments -> postgres -> dbaas): "
        "negotiate a stronger contract, or add an alternative supplier"
    ]
    assert messages(repo, "T055")[0].startswith("dbaas's contract promises RPO 4h but payments needs RPO 15m")


SITE_LOSS = (
    doc("Service", "payments", "recovery: {strategy: warm, estimated_time: 30m}\ndepends_on: [postgres, {id: cache, mode: soft}]\n"),
    doc("Service", "reports", "tier: 3\n".replace("tier: 3\n", "") + "depends_on: [payments]\n"),
    doc("Service", "web", "depends_on: [cache]\n"),
    doc("Component", "postgres", "recovery: {strategy: warm, estimated_time: 3h}\ninstances: [{site: fra1}]\ndepends_on: [san]\n"),
    doc("Component", "san", "recovery: {strategy: warm, estimated_time: 2h}\ninstances: [{site: fra1}, {site: ams1}]\n"),
    doc("Component", "cache", "instances: [{site: ams1}]\n"),
    doc("Site", "fra1", "type: data-centre\n"),
    doc("Site", "ams1", "type: data-centre\n"),
    bia("payments", "4h"),
)


def test_impact_of_a_site_loss(repo: Path) -> None:
    repo_with(repo, *SITE_LOSS)
    estate, _ = load_estate(repo)
    report = impact(estate, ["fra1"])
    assert [(s.id, s.back, s.misses_rto) for s in report.services] == [
        ("payments", 3 * 3600 + 1800, False),
        ("reports", 3 * 3600 + 1800, False),
    ]
    assert [(s.id, s.wave, s.start, s.back) for s in report.plan] == [
        ("postgres", 1, 0, 3 * 3600),
        ("payments", 2, 3 * 3600, 3 * 3600 + 1800),
        ("reports", 3, 3 * 3600 + 1800, 3 * 3600 + 1800),
    ]
    both = impact(estate, ["fra1", "ams1"])
    (payments,) = [s for s in both.services if s.id == "payments"]
    assert (payments.back, payments.misses_rto, payments.chain) == (5 * 3600 + 1800, True, ("payments", "postgres", "san", "fra1"))
    assert both.degraded == []
    assert impact(estate, ["ams1"]).degraded == ["payments"]


def test_impact_of_a_threat_strikes_sites_and_component_types(repo: Path) -> None:
    threat = doc("ThreatCategory", "technical") + "---\n" + doc(
        "Threat", "db-corruption", "category: technical\nstrikes:\n  component_types: [storage]\n  sites: [ams1]\n"
    )
    repo_with(repo, *SITE_LOSS, threat)
    estate, _ = load_estate(repo)
    report = impact(estate, ["db-corruption"])
    assert report.failed == ["ams1"]  # no component of type storage: only the site
    storage = [d.replace("id: san\nowner: ops\ntype: database", "id: san\nowner: ops\ntype: storage") for d in SITE_LOSS]
    repo_with(repo / "typed", *storage, threat)
    estate, _ = load_estate(repo / "typed")
    report = impact(estate, ["db-corruption"])
    assert report.failed == ["ams1", "san"]
    assert [(s.id, s.misses_rto) for s in report.services] == [("payments", True), ("reports", False), ("web", False)]
    assert report.kinds == {"db-corruption": "Threat"}


def test_impact_and_single_points_survive_a_hard_cycle(repo: Path) -> None:
    repo_with(
        repo,
        doc("Service", "a", "depends_on: [b, db]\n"),
        doc("Service", "b", "depends_on: [a]\n"),
        doc("Component", "db", "instances: [{site: fra1}]\n"),
        doc("Site", "fra1", "type: data-centre\n"),
    )
    estate, _ = load_estate(repo)
    assert [p.element for p in single_points(estate)["b"]] == ["fra1", "db"]
    assert sorted(s.id for s in impact(estate, ["fra1"]).services) == ["a", "b"]


def test_impact_command_text_and_json(repo: Path) -> None:
    repo_with(repo, *SITE_LOSS)
    proc = run_itscm("impact", "fra1", "ams1", "--root", str(repo))
    assert proc.returncode == 1, proc.stderr  # payments misses its RTO
    lines = proc.stdout.splitlines()
    assert lines[0] == "Losing fra1 (site), ams1 (site)"
    assert lines[1] == "takes down 3 services: 1 of them misses their RTO (2 without an RTO)."
    assert (
        "  payments  tier 1  back after ~5h30m  MISSES RTO 4h by 1h30m: payments (30m) <- postgres (3h) <- san (2h)"
        in lines
    )
    assert "  wave 1" in lines
    data = json.loads(run_itscm("impact", "fra1", "--format", "json", "--root", str(repo)).stdout)
    assert data["services"][0] == {
        "id": "payments",
        "tier": 1,
        "rto": {"text": "4h", "seconds": 14400},
        "back_after": {"text": "3h30m", "seconds": 12600},
        "misses_rto": False,
        "chain": ["payments", "postgres", "fra1"],
    }
    unknown = run_itscm("impact", "fra2", "--root", str(repo))
    assert unknown.returncode == 2 and "did you mean 'fra1'?" in unknown.stderr


def test_graph_export_formats(repo: Path) -> None:
    repo_with(repo, *SITE_LOSS)
    mermaid = run_itscm("graph", "--around", "postgres", "--root", str(repo))
    assert mermaid.returncode == 0, mermaid.stderr
    assert mermaid.stdout.splitlines()[:5] == [
        "flowchart LR",
        '  n0[("fra1")]',
        '  n1(["payments"])',
        '  n2["postgres"]',
        '  n3["san"]',
    ]
    assert "  n1 --> n2" in mermaid.stdout
    assert "  class n0,n2 spof" in mermaid.stdout
    dot = run_itscm("graph", "--format", "dot", "--root", str(repo)).stdout
    assert dot.startswith("digraph itscm {")
    assert '  "payments" -> "cache" [style=dashed, label="soft"];' in dot
    assert '"fra1" [label="fra1", shape=cylinder, color="#cc0000"' in dot
    data = json.loads(run_itscm("graph", "--format", "json", "--root", str(repo)).stdout)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["postgres"]["spof"] is True and nodes["san"]["spof"] is False
    assert {"source": "postgres", "target": "san", "mode": "hard", "rel": "depends_on"} in data["edges"]
    assert run_itscm("graph", "--around", "nope", "--root", str(repo)).returncode == 2


def _networkx_neighbourhood(dg: object, around: str, depth: int) -> list[str]:
    """The neighbourhood as it was computed over the networkx graph, for comparison."""
    from collections import deque

    graph = dg.graph  # type: ignore[attr-defined]
    seen = {around: 0}
    queue = deque([around])
    while queue:
        node = queue.popleft()
        if seen[node] >= depth:
            continue
        for other in (*graph.successors(node), *graph.predecessors(node)):
            step = 0 if "|" in other or ("|" in node and other == node.split("|", 1)[0]) else 1
            if other not in seen:
                seen[other] = seen[node] + step
                (queue.appendleft if step == 0 else queue.append)(other)
    return sorted(seen)


def test_graph_around_a_node_matches_the_networkx_walk(generated_estate: Path) -> None:
    from itscm_compiler.analysis.export import _shown, neighbourhood

    estate, _ = load_estate(generated_estate, today=dt.date(2026, 11, 24), cache=False)
    dg = estate.analysis.graph
    compared = 0
    for around in sorted(dg.data)[::7]:
        for depth in (1, 2, 3):
            nodes = neighbourhood(dg, around, depth)
            assert nodes == _networkx_neighbourhood(dg, around, depth), (around, depth)
            keep = set(nodes)
            _, _, edges, _ = _shown(estate, around, depth)
            expected = [e for e in sorted(dg.graph.edges(data=True), key=lambda e: (e[0], e[1])) if e[0] in keep and e[1] in keep]
            assert edges == expected
            compared += len(nodes) > 1
    assert compared > 50


def test_tarjan_matches_networkx_and_orders_dependencies_first() -> None:
    for seed in range(50):
        g = nx.gnp_random_graph(25, 0.08, directed=True, seed=seed)
        succ = {str(u): [str(v) for v in g.successors(u)] for u in g}
        comps = tarjan(succ)
        assert sorted(map(sorted, comps)) == sorted(sorted(map(str, c)) for c in nx.strongly_connected_components(g))
        position = {m: i for i, c in enumerate(comps) for m in c}
        assert all(position[v] <= position[u] for u, vs in succ.items() for v in vs)
        assert tarjan({u: dict.fromkeys(vs) for u, vs in succ.items()}) == comps  # a dict's keys are successors too


def test_tarjan_walks_a_long_cycle_without_recursion() -> None:
    ring = {str(i): [str((i + 1) % 50_000)] for i in range(50_000)}
    ring["7"].append("7")  # a self loop inside the ring changes nothing
    (comp,) = tarjan(ring)
    assert sorted(comp) == sorted(ring)


def test_lint_runs_the_graph_rules_without_importing_networkx(repo: Path) -> None:
    repo_with(repo, *SITE_LOSS)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from itscm_compiler.pipeline import lint\n"
        f"result = lint(Path({str(repo)!r}))\n"
        "assert any(d.code == 'G101' for d in result.diagnostics), result.diagnostics\n"
        "assert 'networkx' not in sys.modules\n"
    )
    proc = run_itscm_python(code)
    assert proc.returncode == 0, proc.stderr


def run_itscm_python(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_benchmark_runs_on_a_small_synthetic_estate() -> None:
    # Figures are printed, never asserted: timing tests are flaky on shared machines.
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "graph_bench.py"), "--services", "300", "--cycles", "6"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "(300 services)" in proc.stdout and "analysis (no findings)" in proc.stdout


CYCLE_ESTATE = (
    doc("Service", "top", "depends_on: [b]\n"),
    bia("top", "1h", "15m"),
    doc("Service", "a", "tier: 2\ndepends_on: [b, db-a]\n").replace("tier: 1\n", ""),
    doc("Service", "b", "depends_on: [c, {any_of: [db-a, db-b]}]\n"),
    doc("Service", "c", "tier: 3\ndepends_on: [a, db-c]\n").replace("tier: 1\n", ""),
    bia("c", "8h", "4h"),
    doc("Component", "db-a", "instances: [{site: fra1}]\nrecovery: {strategy: cold, estimated_time: 2h}\n"),
    doc("Component", "db-b", "instances: [{site: fra1}, {site: ams1}]\nrecovery: {strategy: warm, estimated_time: 3h}\n"),
    doc("Component", "db-c", "instances: [{site: ams1}]\nrecovery: {strategy: hot, estimated_time: 30m}\n"),
    doc("Site", "fra1", "type: data-centre\n"),
    doc("Site", "ams1", "type: data-centre\n"),
)


def _lint_one_file_per_document(path: Path, order: list[int]) -> list[tuple[str, str, int, int]]:
    """Each document in its own file, named so that discovery meets them in ``order``."""
    files = {"people.yaml": PEOPLE}
    for rank, index in enumerate(order):
        files[f"estate/{rank:02d}.yaml"] = CYCLE_ESTATE[index]
    write_tree(path, files)
    result = lint(path, today=dt.date(2026, 11, 24), cache=False)
    # The same document sits in a different file in each layout: compare by
    # which document it is. T009 (no policy) is shown at the first service
    # found, so its place rightly follows the file order.
    content = {f"estate/{rank:02d}.yaml": index for rank, index in enumerate(order)}
    return sorted(
        (d.code, d.message, content.get(d.location.path, -1), d.location.line)
        for d in result.diagnostics
        if d.code != "T009"
    )


def test_results_inside_a_hard_cycle_do_not_depend_on_the_order_files_are_found(tmp_path: Path) -> None:
    # top -> b -> c -> a -> b is a hard cycle with an any_of and targets flowing
    # into it: single points, double failures, inherited targets and recovery
    # chains are fixpoints over the cycle, not artefacts of the visiting order.
    count = len(CYCLE_ESTATE)
    forward = _lint_one_file_per_document(tmp_path / "forward", list(range(count)))
    backward = _lint_one_file_per_document(tmp_path / "backward", list(reversed(range(count))))
    shuffled = _lint_one_file_per_document(tmp_path / "shuffled", [(i * 5) % count for i in range(count)])
    assert {code for code, *_ in forward} >= {"G001", "G101"}
    assert forward == backward == shuffled


def test_cycle_analyses_are_fixpoints_whatever_the_visiting_order(repo: Path) -> None:
    # Visit the members of the hard cycle in every order: the kill sets, the
    # double failures and the targets inherited through the cycle must not move.
    import itertools

    from itscm_compiler.analysis.chains import needs_from_above
    from itscm_compiler.analysis.spof import _double_failures, kill_sets

    repo_with(repo, *CYCLE_ESTATE)
    estate, _ = load_estate(repo, cache=False)
    dg = estate.analysis.graph
    components = dg.hard_components
    cycle = next(i for i, comp in enumerate(components) if len(comp) > 1)
    seen = set()
    for order in itertools.permutations(components[cycle]):
        dg.__dict__["hard_components"] = [*components[:cycle], list(order), *components[cycle + 1 :]]
        kill = kill_sets(dg)
        estate.analysis.__dict__["kill"] = kill
        needs = needs_from_above(estate, dg)
        seen.add(
            (
                tuple(sorted((k, tuple(sorted(v))) for k, v in kill.items())),
                tuple(sorted(_double_failures(estate, ["top", "a", "b", "c"]).items())),
                tuple(sorted((k, (v.value, v.service)) for k, v in needs.rto.items())),
                tuple(sorted((k, (v.value, v.service)) for k, v in needs.inherited_rto.items())),
                tuple(sorted(needs.tiers.items())),
            )
        )
    assert len(seen) == 1
    kill, _, rto, inherited, tiers = seen.pop()
    assert dict(kill)["top"] == ("ams1", "db-a", "db-c", "fra1")
    assert dict(rto)["a"] == (3600, "top")  # top's 1h reaches a round the cycle
    assert dict(tiers)["a"] == 0b1110  # tiers 1, 2 and 3 all sit above a
