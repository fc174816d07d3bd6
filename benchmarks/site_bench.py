"""Benchmark ``itscm build`` on synthetic estates.

    python benchmarks/site_bench.py                      # 1,000 services
    python benchmarks/site_bench.py --services 500 1000  # and the growth from one size to the next

Prints one row per size: pages, the CPU seconds spent linting, in our own
rendering (views, analysis, diagrams, Jinja2, writing Markdown) and in MkDocs,
our share of the total, the wall time and the size of the site; then the
growth between consecutive sizes and the verdict on the targets for 1,000
services: under 20 s in all, under 100 MB, our rendering under 10% of the
total, growing linearly with the estate.

CPU seconds are the figures to compare: on a machine shared with other jobs,
wall time measures the neighbours as much as the build. They include the
kernel's time to create files, which depends on the disk and folder
(``--tmp DIR`` chooses where the estate is generated and built). The generated estate
has deliberate lint errors, so the build runs with ``allow_errors`` (every
affected page then carries its warning, as in real use).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import TODAY, generate  # noqa: E402

from itscm_compiler.site.build import build_site  # noqa: E402


@dataclass(frozen=True)
class Figures:
    services: int
    pages: int
    lint: float  # CPU seconds
    ours: float
    mkdocs: float
    wall: float
    mb: float
    files: int
    ours_kernel: float  # of ``ours``: mostly creating the Markdown files

    @property
    def total(self) -> float:
        return self.lint + self.ours + self.mkdocs

    @property
    def share(self) -> float:
        return 100 * self.ours / self.total


def size_of(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def run(services: int, where: str | None) -> Figures:
    with tempfile.TemporaryDirectory(prefix="itscm-site-bench-", dir=where) as tmp:
        estate = Path(tmp) / "estate"
        generate(estate, services=services, seed=1)
        # Flush the generator's writes now: left dirty, they are written back while the build
        # creates its own files, and the kernel charges that to whichever phase is writing.
        os.sync()
        started = time.perf_counter()
        result = build_site(estate, Path(tmp) / "site", allow_errors=True, today=TODAY)
        wall = time.perf_counter() - started
        files, size = size_of(result.out)
        cpu = result.cpu
        return Figures(
            services, result.pages, cpu["lint"], cpu["render"], cpu["mkdocs"], wall, size / 1e6, files, cpu["render_kernel"]
        )


HEADER = (
    f"{'services':>8} {'pages':>6} {'lint s':>7} {'ours s':>7} {'MkDocs s':>9} {'total s':>8} "
    f"{'ours %':>7} {'wall s':>7} {'MB':>6} {'files':>6} {'ours in kernel s':>17}"
)


def row(f: Figures) -> str:
    return (
        f"{f.services:>8,} {f.pages:>6,} {f.lint:>7.2f} {f.ours:>7.2f} {f.mkdocs:>9.2f} {f.total:>8.2f} "
        f"{f.share:>6.1f}% {f.wall:>7.1f} {f.mb:>6.1f} {f.files:>6,} {f.ours_kernel:>17.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, nargs="+", default=[1000], help="estate sizes (default 1000)")
    parser.add_argument(
        "--tmp", metavar="DIR", help="where to generate and build (default: benchmarks/out, on the "
        "repository's disk, where `itscm build` writes its site); creating files costs very different "
        "times on different file systems (here /tmp took ten times the kernel time), and a build creates thousands"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    where = Path(args.tmp or Path(__file__).resolve().parent / "out").resolve()
    where.mkdir(parents=True, exist_ok=True)
    print(
        f"itscm build benchmark: {os.cpu_count()} CPUs, load average {load:.1f} before the run, "
        f"built in {where}; CPU seconds per phase"
    )
    print(HEADER)
    figures = []
    for services in args.services:
        figures.append(run(services, args.tmp))
        print(row(figures[-1]), flush=True)
    after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {after:.1f} after the run")
    for small, big in zip(figures, figures[1:]):
        factor = big.services / small.services
        print(
            f"growth {small.services:,} -> {big.services:,} services (x{factor:.2f}): "
            f"pages x{big.pages / small.pages:.2f}, CPU time x{big.total / small.total:.2f} "
            f"(ours x{big.ours / small.ours:.2f}, MkDocs x{big.mkdocs / small.mkdocs:.2f}), size x{big.mb / small.mb:.2f}"
        )
    for f in figures:
        if f.services == 1000:
            checks = [
                ("under 20 s", f.total < 20, f"{f.total:.1f} s CPU, {f.wall:.1f} s wall"),
                ("under 100 MB", f.mb < 100, f"{f.mb:.1f} MB"),
                ("our rendering under 10%", f.share < 10, f"{f.share:.1f}%"),
            ]
            verdict = "; ".join(f"{name}: {'met' if ok else 'NOT met'} ({detail})" for name, ok, detail in checks)
            print(f"targets for 1,000 services: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
