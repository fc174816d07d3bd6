"""``itscm --help`` and ``itscm lint`` start fast: heavy libraries are imported only where needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import ROOT, run_itscm

HEAVY = ("mkdocs", "jinja2", "networkx", "material")
PROBE = """
import json, sys
from itscm_compiler.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy})))
"""


def _imported(*args: str) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_help_imports_no_heavy_library() -> None:
    assert _imported("--help") == []


def test_lint_help_imports_no_heavy_library() -> None:
    assert _imported("lint", "--help") == []


def test_lint_never_imports_the_site_stack() -> None:
    loaded = {m.split(".")[0] for m in _imported("lint", "--root", str(ROOT))}
    assert not loaded & {"mkdocs", "jinja2", "material"}


def test_graph_export_never_builds_the_networkx_graph() -> None:
    for args in (["graph", "--around", "payments-gateway", "--depth", "2"], ["graph", "--format", "json"]):
        assert "networkx" not in _imported(*args, "--root", str(ROOT))
    assert run_itscm("graph", "--around", "payments-gateway", "--root", str(ROOT)).stdout.startswith("flowchart LR\n")
