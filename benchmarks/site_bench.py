"""Benchmark ``itscm build`` on a synthetic estate.

    python benchmarks/site_bench.py                 # 1,000 services
    python benchmarks/site_bench.py --services 250 500 1000

Prints, per size, the time spent linting, in our own rendering (views,
Jinja2, writing Markdown) and in MkDocs, and the size of the site. Targets
for 1,000 services: under 20 s in all, under 100 MB, our rendering under 10%
of the total, growing linearly with the estate. The generated estate has
deliberate lint errors, so the build runs with ``allow_errors`` (every
affected page then carries its warning, as in real use).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import TODAY, generate  # noqa: E402

from itscm_compiler.site.build import build_site  # noqa: E402


def size_of(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def run(services: int, today: dt.date) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="itscm-site-bench-") as tmp:
        estate = Path(tmp) / "estate"
        generate(estate, services=services, seed=1)
        started = time.perf_counter()
        result = build_site(estate, Path(tmp) / "site", allow_errors=True, today=today)
        total = time.perf_counter() - started
        files, size = size_of(result.out)
        ours = result.render_seconds
        cpu = result.cpu
        cpu_total = sum(cpu.values())
        print(
            f"{services:>6} services: {result.pages} pages, total {total:.1f}s "
            f"(lint {result.lint_seconds:.1f}s, our rendering {ours:.1f}s = {100 * ours / total:.1f}%, "
            f"MkDocs {result.mkdocs_seconds:.1f}s); site {size / 1e6:.1f} MB in {files} files, "
            f"{size / result.pages / 1e3:.0f} kB per page\n"
            f"{'':>16}CPU time: total {cpu_total:.1f}s (lint {cpu['lint']:.1f}s, our rendering {cpu['render']:.1f}s "
            f"= {100 * cpu['render'] / cpu_total:.1f}%, MkDocs {cpu['mkdocs']:.1f}s)"
        )
        return {"total": total, "ours": ours, "mkdocs": result.mkdocs_seconds, "mb": size / 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, nargs="+", default=[1000])
    args = parser.parse_args()
    figures = {n: run(n, TODAY) for n in args.services}
    big = figures.get(1000)
    if big:
        ok = big["total"] < 20 and big["mb"] < 100 and big["ours"] < 0.1 * big["total"]
        print(f"targets for 1,000 services (< 20 s, < 100 MB, our rendering < 10%): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
