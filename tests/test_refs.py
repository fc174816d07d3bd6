"""The loader's reference walk visits only fields that can hold references, and finds every one."""

from __future__ import annotations

import sys
from pathlib import Path

from itscm_compiler import estate as estate_module
from itscm_compiler.estate import iter_refs
from itscm_compiler.pipeline import load_estate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402


def test_pruned_walk_finds_every_reference_of_the_example_and_a_generated_estate(tmp_path: Path) -> None:
    generate(tmp_path / "generated", services=300, seed=7)
    total = 0
    for root in (ROOT, tmp_path / "generated"):
        estate, _ = load_estate(root, cache=False)
        kinds = set()
        for doc in estate.documents:
            found = list(iter_refs(doc.model))
            assert found == list(iter_refs(doc.model, plan=estate_module._plan)), doc.id  # every field visited
            assert doc.refs is None or list(doc.refs) == found  # what the loader stored
            total += len(found)
            kinds.add(doc.kind)
        assert len(kinds) >= 14, kinds  # every kind was walked
    assert total > 3000
    # the pruning is real: prose fields are never visited
    from itscm_compiler.models import Plan, Service

    assert "description" not in {key for _, key, _ in estate_module._ref_plan(Service)}
    assert {"services", "roles"} <= {key for _, key, _ in estate_module._ref_plan(Plan)}
