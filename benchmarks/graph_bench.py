"""Time the whole graph analysis on a synthetic estate of 10,000 services and ~40,000 edges.

Run: ``python benchmarks/graph_bench.py [--services N] [--seed S]``. Builds the
estate in memory (models validated as from files, no YAML), then times each
stage: graph build, cycles, single points of failure (with paths), double
failures of tier-1 services, recovery chains, needs from above, and the graph
rules producing their findings. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from itscm_compiler.config import Config  # noqa: E402
from itscm_compiler.estate import Estate  # noqa: E402
from itscm_compiler.loader import SourceDoc  # noqa: E402
from itscm_compiler.models import KINDS  # noqa: E402

V = "itscm/v1"


def synthetic(services: int, seed: int, cycles: int = 20) -> Estate:
    """Sites in regions, suppliers, components with instances, layered services with BIAs."""
    rng = random.Random(seed)
    raw: list[dict[str, object]] = [
        {"apiVersion": V, "kind": "Team", "id": "ops", "members": ["p"]},
        {"apiVersion": V, "kind": "Person", "id": "p", "name": "P"},
        {
            "apiVersion": V,
            "kind": "Policy",
            "id": "policy",
            "risk_appetite": 9,
            "tiers": [
                {"tier": t, "max_rto": f"{4 * t}h", "max_rpo": f"{t}h", "strategies": ["hot", "warm"] + (["cold"] if t > 1 else []),
                 "review_interval": "26w", "exercise_interval": "52w"}
                for t in (1, 2, 3)
            ],
        },
    ]
    regions = [f"region-{r}" for r in range(12)]
    zones = [f"{r}-z{z}" for r in regions for z in range(4)]
    raw += [{"apiVersion": V, "kind": "Site", "id": r, "type": "region"} for r in regions]
    raw += [{"apiVersion": V, "kind": "Site", "id": z, "type": "zone", "parent": z.rsplit("-z", 1)[0]} for z in zones]
    suppliers = [f"supplier-{s}" for s in range(40)]
    for s in suppliers:
        raw.append({"apiVersion": V, "kind": "Supplier", "id": s, "type": "saas", "sites": rng.sample(regions, rng.choice((1, 2))),
                    "contract": {"rto": rng.choice(("2h", "4h", "8h")), "rpo": rng.choice(("15m", "1h", "4h"))}})
    n_components = services * 3 // 10
    components = [f"component-{c}" for c in range(n_components)]
    for i, c in enumerate(components):
        instances = [{"site": z.rsplit("-z", 1)[0], "zone": z} for z in rng.sample(zones, rng.choice((1, 2, 2, 2, 3)))]
        deps = [components[j] for j in rng.sample(range(i), min(i, rng.choice((0, 0, 0, 1))))] if i else []
        doc: dict[str, object] = {"apiVersion": V, "kind": "Component", "id": c, "owner": "ops", "type": rng.choice(("database", "cluster", "queue")),
               "instances": instances, "depends_on": deps,
               "recovery": {"strategy": rng.choice(("hot", "warm", "cold")), "estimated_time": rng.choice(("15m", "30m", "1h", "2h"))}}
        if rng.random() < 0.3:
            doc["supplier"] = rng.choice(suppliers)
        if rng.random() < 0.3:
            doc["backup"] = {"frequency": rng.choice(("1h", "4h", "1d"))}
        raw.append(doc)
    # A realistic shape: a hundred platform services (identity, clusters,
    # messaging) in three layers, and business services that each run on a
    # few components, need one or two platform services and sometimes a
    # neighbour in their domain; about four dependency edges per service.
    platform = min(100, services)
    for i in range(services):
        deps: list[object] = [rng.choice(components) for _ in range(rng.choice((1, 2, 2)))]
        if i < platform:
            layer = i * 3 // platform
            lower = range(0, layer * platform // 3)
            deps += [f"service-{j}" for j in rng.sample(lower, min(len(lower), rng.choice((0, 1, 2))))]
        else:
            deps += [f"service-{j}" for j in rng.sample(range(platform), rng.choice((1, 2)))]
            domain_start = i - i % 50
            if i > domain_start + 5 and rng.random() < 0.5:
                j = rng.randrange(max(platform, domain_start), i)
                deps.append(f"service-{j}" if rng.random() < 0.7 else {"id": f"service-{j}", "mode": "soft"})
        if rng.random() < 0.2:
            deps.append({"any_of": rng.sample(suppliers, 2)})
        tier = rng.choice((1, 2, 2, 3, 3, 3))
        raw.append({"apiVersion": V, "kind": "Service", "id": f"service-{i}", "owner": "ops", "tier": tier, "depends_on": deps,
                    "recovery": {"strategy": "warm", "estimated_time": rng.choice(("15m", "30m", "1h"))}})
        raw.append({"apiVersion": V, "kind": "BIA", "id": f"bia-{i}", "service": f"service-{i}", "assessed": {"on": "2026-01-01", "by": "p"},
                    "rto": f"{4 * tier}h", "rpo": f"{tier}h"})
    # A few mistakes, as in any real catalogue: platform services that depend
    # back on a business service (hard or soft), closing cycles through many nodes.
    by_id = {str(item["id"]): item for item in raw}
    for k in range(cycles):
        target = f"service-{rng.randrange(platform, services)}" if services > platform else "service-0"
        deps = by_id[f"service-{rng.randrange(platform)}"]["depends_on"]
        deps.append(target if k % 2 else {"id": target, "mode": "soft"})  # type: ignore[union-attr]
    docs = []
    for i, item in enumerate(raw):
        model = KINDS[str(item["kind"])].model_validate(item)
        docs.append(SourceDoc(f"synthetic/{item['kind']}.yaml", i, model, {}))
    return Estate(Config(root=Path(".")), docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cycles", type=int, default=20, help="back edges that close dependency cycles")
    args = parser.parse_args()
    t0 = time.perf_counter()
    estate = synthetic(args.services, args.seed, args.cycles)
    print(f"synthetic estate: {len(estate.documents)} documents built in {time.perf_counter() - t0:.2f} s (not part of the analysis)")

    from itscm_compiler.analysis.spof import double_failures
    from itscm_compiler.engine import run_rules
    from itscm_compiler.rules import RULES

    gc.collect()
    stages = []
    start, cpu = time.perf_counter(), time.process_time()

    def stage(name: str, func: object) -> object:
        t, c = time.perf_counter(), time.process_time()
        result = func()  # type: ignore[operator]
        stages.append((name, time.perf_counter() - t, time.process_time() - c))
        return result

    a = estate.analysis
    dg = stage("graph build", lambda: a.graph)
    stage("hard order (Tarjan)", lambda: a.graph.hard_components)
    cycles = stage("cycles", lambda: a.cycles)
    stage("kill sets", lambda: a.kill)
    spofs = stage("single points + paths", lambda: a.single_points)
    tier1 = sorted(n for n, d in dg.data.items() if d["kind"] == "Service" and d.get("tier") == 1)  # type: ignore[attr-defined]
    doubles = stage("double failures (tier 1)", lambda: double_failures(estate, tier1))
    stage("recovery chains", lambda: a.chains)
    stage("needs from above", lambda: a.needs)
    mine = [r for r in RULES if r.code[0] == "G" or r.code[0] == "T" and 50 <= int(r.code[1:]) < 100]
    findings = stage("graph rules -> diagnostics", lambda: run_rules(estate, mine))
    total, total_cpu = time.perf_counter() - start, time.process_time() - cpu
    g = dg.graph  # type: ignore[attr-defined]
    print(f"graph: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges "
          f"({sum(1 for d in estate.documents if d.kind == 'Service')} services)")
    print(f"  {'stage':<26} {'wall':>8}    {'cpu':>8}")
    for name, seconds, cpu_seconds in stages:
        print(f"  {name:<26} {seconds * 1000:8.0f} ms {cpu_seconds * 1000:8.0f} ms")
    analysis = sum(w for n, w, _ in stages if not n.startswith("graph rules"))
    analysis_cpu = sum(c for n, _, c in stages if not n.startswith("graph rules"))
    print(f"  {'analysis (no findings)':<26} {analysis * 1000:8.0f} ms {analysis_cpu * 1000:8.0f} ms")
    print(f"  {'whole, with findings':<26} {total * 1000:8.0f} ms {total_cpu * 1000:8.0f} ms")
    print("(cpu: process time, the figure to trust on a machine shared with other jobs)")
    print(f"cycles: {len(cycles)} ({sum(c.members for c in cycles)} nodes in them), services with single points: {len(spofs)}, "  # type: ignore[arg-type]
          f"points: {sum(len(p) for p in spofs.values())}, tier-1 services with double failures: {len(doubles)}, "  # type: ignore[union-attr]
          f"findings: {len(findings)}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
