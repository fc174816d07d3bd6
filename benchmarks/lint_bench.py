"""Benchmark ``itscm lint`` against two baselines on generated estates.

    python benchmarks/lint_bench.py                      # 1,000, 10,000 and 50,000 services
    python benchmarks/lint_bench.py --sizes 1000,10000 --runs 5
    python benchmarks/lint_bench.py --sizes 50000 --skip-baselines-from 50000

For each size it generates an estate (benchmarks/generate.py, cached under
--workdir) and measures, each in a fresh child process, wall time (median of
--runs), CPU time (user and system, the process and its workers: steadier
than wall time on a shared machine) and peak memory (the largest resident
set of the process and its workers), both from wait4:

* cold: ``itscm lint`` with no cache (``.itscm-cache/`` removed first);
* warm: ``itscm lint`` again, nothing changed (answered by the result cache);
* one prose edit: one service file's description edited before each run.
  The file is parsed and validated again, and since no check reads prose
  (itscm_compiler/prose.py), the stored diagnostics stand without the checks;
* one value edit: the same file's estimated recovery time edited before each
  run, a value the checks read: the estate is built and every check runs;
* example: the repository's own example estate in a fresh local clone, warm
  and with one service file edited each way (the pre-commit case; interpreter
  start included; median of at least 10 runs). The clone is a Git repository,
  so the first edit also changes what the Git check sees;
* baseline (a): every file loaded with ruamel.yaml's round-trip loader, nothing else;
* baseline (b): ``check-jsonschema`` validating the same documents against
  schema/ (schema checks only). It reads one document per file, so it gets
  the estate's documents split one per file, in batches that fit a command line.

The baselines run once per size unless --baseline-runs says otherwise: (a)
takes minutes at 50,000 services, so --skip-baselines-from can skip them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from generate import generate  # noqa: E402

TODAY = "2026-11-24"
ROUNDTRIP = """
import sys
from ruamel.yaml import YAML
yaml = YAML()  # the plain round-trip loader
count = 0
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, encoding="utf-8") as handle:
        try:
            count += sum(1 for _ in yaml.load_all(handle))
        except Exception:
            pass
print(count)
"""


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    note: str = ""
    cpu: float = 0.0  # user + system seconds of the process and its workers (median): steadier than wall time

    def __str__(self) -> str:
        """The table's columns: wall time, CPU time, peak RSS."""
        return f"{self.seconds:12.2f} s {self.cpu:7.2f} s {self.peak_mb:6.0f} MB"


def run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS in MB (process and reaped workers), exit code and CPU seconds of one child."""
    # With --python, the itscm installed there runs, as pre-commit would run it.
    full_env = dict(os.environ) if PYTHON != [sys.executable] else dict(os.environ, PYTHONPATH=str(REPO))
    # As a hook runs: Python keeps the bytecode of what it imports (a shell
    # that turned that off would add compiling itscm to every run measured).
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    full_env.update(env or {})
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


def median_of(runs: int, argv: list[str], before: object = None, **kwargs: object) -> Measure:
    times, peaks, cpus = [], [], []
    for _ in range(runs):
        if callable(before):
            before()
        seconds, peak, code, cpu = run(argv, **kwargs)  # type: ignore[arg-type]
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} exited with {code}")
        times.append(seconds)
        peaks.append(peak)
        cpus.append(cpu)
    return Measure(statistics.median(times), max(peaks), cpu=statistics.median(cpus))


def estate(workdir: Path, services: int, seed: int) -> Path:
    root = workdir / f"estate-{services}-{seed}"
    marker = root / ".generated"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        summary = generate(root, services, seed)
        marker.write_text(f"{summary.files} files, {summary.documents} documents\n")
    return root


def yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if ".itscm-cache" not in p.parts)


def split_documents(root: Path, workdir: Path) -> list[Path]:
    """The estate's documents one per file, for check-jsonschema (which reads one document per file)."""
    out = workdir / (root.name + "-split")
    marker = out / ".generated"
    if not marker.exists():
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for index, path in enumerate(yaml_files(root)):
            parts = path.read_text(encoding="utf-8").split("\n---\n")
            for part, text in enumerate(parts):
                (out / f"{index:06d}-{part}.yaml").write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        marker.write_text("ok\n")
    return sorted(out.glob("*.yaml"))


PYTHON = [sys.executable]  # --python: the interpreter that runs itscm


def lint_argv(root: Path) -> list[str]:
    return [*PYTHON, "-m", "itscm_compiler", "lint", "--root", str(root), "--today", TODAY]


PROSE_EDIT = (re.compile(rb'description: "?'), rb"\g<0>edit %d, ")  # no check reads it
VALUE_EDIT = (re.compile(rb'estimated_time: ("?)[^"\n]*'), rb"estimated_time: \g<1>%dm")  # the recovery chains read it


def editor(path: Path, edit: tuple[re.Pattern[bytes], bytes]) -> Callable[[], None]:
    """A function that edits ``path`` anew at each call (never back to a content seen before)."""
    original = path.read_bytes()
    pattern, replacement = edit
    counter = [0]

    def touch() -> None:
        counter[0] += 1
        edited = pattern.sub(lambda m: m.expand(replacement.replace(b"%d", str(counter[0]).encode())), original, count=1)
        assert edited != original, f"{path} has nothing to edit for {pattern.pattern!r}"
        path.write_bytes(edited)

    return touch


def one_file_edits(runs: int, argv: list[str], changed: Path, cwd: Path | None = None) -> dict[str, Measure]:
    """A prose edit, then a value edit, of ``changed`` before each run; the file is put back after each."""
    original = changed.read_bytes()
    result = {"one prose edit": median_of(runs, argv, before=editor(changed, PROSE_EDIT), cwd=cwd)}
    changed.write_bytes(original)
    run(argv, cwd=cwd)  # the stored result of the original again: the value edits start from it
    result["one value edit"] = median_of(runs, argv, before=editor(changed, VALUE_EDIT), cwd=cwd)
    changed.write_bytes(original)
    return result


def bench(services: int, args: argparse.Namespace) -> dict[str, Measure | None]:
    root = estate(args.workdir, services, args.seed)
    files = yaml_files(root)
    cache = root / ".itscm-cache"
    changed = next(p for p in files if p.name.startswith("svc-") and b"estimated_time: " in p.read_bytes())

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    result: dict[str, Measure | None] = {}
    argv = lint_argv(root)
    result["cold"] = median_of(args.runs, argv, before=clear)
    run(argv)  # fill the cache
    result["warm"] = median_of(args.runs, argv)
    result.update(one_file_edits(args.runs, argv, changed))
    if services >= args.skip_baselines_from:
        result["(a) ruamel round-trip"] = result["(b) check-jsonschema"] = None
        return result
    listing = args.workdir / f"files-{services}.txt"
    listing.write_text("\n".join(str(p) for p in files) + "\n", encoding="utf-8")
    result["(a) ruamel round-trip"] = median_of(args.baseline_runs, [sys.executable, "-c", ROUNDTRIP, str(listing)])
    result["(b) check-jsonschema"] = check_jsonschema(split_documents(root, args.workdir), args.baseline_runs)
    return result


def check_jsonschema(files: list[Path], runs: int) -> Measure:
    schema = REPO / "schema" / "itscm.schema.json"
    # Next to this Python first: the test extras install it there, and the
    # virtual environment need not be activated.
    beside = Path(sys.executable).parent / "check-jsonschema"
    exe = str(beside) if beside.exists() else shutil.which("check-jsonschema") or "check-jsonschema"
    base = [exe, "--base-uri", schema.as_uri(), "--schemafile", str(schema)]
    times, peaks, cpus = [], [], []
    for _ in range(runs):
        total, peak, cpu = 0.0, 0.0, 0.0
        for start in range(0, len(files), 2000):  # a command line holds only so many paths
            seconds, mb, _, used = run([*base, *map(str, files[start : start + 2000])])
            total += seconds
            peak = max(peak, mb)
            cpu += used
        times.append(total)
        peaks.append(peak)
        cpus.append(cpu)
    return Measure(statistics.median(times), max(peaks), f"{len(files)} one-document files", statistics.median(cpus))


def table(results: dict[int, dict[str, Measure | None]]) -> str:
    lines = [
        f"{'services':>9} {'measure':<22} {'wall (median)':>14} {'CPU':>9} {'peak RSS':>9} {'vs (a)':>8} {'vs (b)':>8}",
    ]
    for services, rows in results.items():
        base_a, base_b = rows.get("(a) ruamel round-trip"), rows.get("(b) check-jsonschema")
        for name, m in rows.items():
            if m is None:
                lines.append(f"{services:>9,} {name:<22} {'skipped':>14}")
                continue
            ra = f"{m.seconds / base_a.seconds:8.3f}" if base_a and not name.startswith("(") else ""
            rb = f"{m.seconds / base_b.seconds:8.3f}" if base_b and not name.startswith("(") else ""
            lines.append(f"{services:>9,} {name:<22} {m} {ra:>8} {rb:>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated service counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per itscm measure (median)")
    parser.add_argument("--baseline-runs", type=int, default=1, help="runs per baseline (median)")
    parser.add_argument("--skip-baselines-from", type=int, default=10**9, metavar="N",
                        help="skip both baselines for sizes of N services and more")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / "out")
    parser.add_argument(
        "--python", help="interpreter to run itscm with (default: this one). A development venv "
        "loads an editable-install finder and the test tools' .pth files at every start; "
        "a venv made by `pip install .`, as pre-commit makes one, measures what users start "
        "(the itscm installed there runs, not this checkout)",
    )
    args = parser.parse_args(argv)
    if args.python:
        # -P (Python 3.11+): not the working folder first on sys.path, which in a clone of this
        # repository would import its source instead of the installed itscm.
        PYTHON[:] = [args.python, "-P"]
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results: dict[int, dict[str, Measure | None]] = {}
    load_before = os.getloadavg()[0]
    for services in sizes:
        print(f"-- {services:,} services", file=sys.stderr, flush=True)
        results[services] = bench(services, args)
        marker = (args.workdir / f"estate-{services}-{args.seed}" / ".generated").read_text().strip()
        print(f"   {marker}", file=sys.stderr, flush=True)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    example = example_measure(max(args.runs, 10), args.workdir)
    print(f"itscm lint benchmark: {cpus} CPUs, load average {load_before:.1f} before and "
          f"{os.getloadavg()[0]:.1f} after, runs={args.runs}")
    print(table(results))
    for name, m in example.items():
        print(f"{'example':>9} {name:<22} {m}")
    print()
    print(targets(results, example))
    return 0


def example_measure(runs: int, workdir: Path) -> dict[str, Measure]:
    """The pre-commit case on this repository's example estate: warm, and one file edited each way.

    Measured in a fresh local clone, so the Git check sees real history and
    the edit never touches the working tree the benchmark runs from.
    """
    clone = workdir / "example-clone"
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", "--local", str(REPO), str(clone)], check=True)
    argv = lint_argv(clone)
    # Run from the clone, as a hook does: `python -m` puts the working folder first on sys.path.
    run(argv, cwd=clone)  # fill the cache
    result = {"warm": median_of(runs, argv, cwd=clone)}
    result.update(one_file_edits(runs, argv, clone / "services" / "analytics" / "reporting.yaml", cwd=clone))
    return result


def targets(results: dict[int, dict[str, Measure | None]], example: dict[str, Measure]) -> str:
    """Each target of the scale issue, with the figure measured and whether it holds."""
    rows: list[tuple[str, str, bool]] = []

    def get(services: int, name: str) -> Measure | None:
        return results.get(services, {}).get(name)

    cold = get(10000, "cold")
    base_a, base_b = get(10000, "(a) ruamel round-trip"), get(10000, "(b) check-jsonschema")
    if cold:
        rows.append(("10,000 cold under 2 s", f"{cold.seconds:.2f} s", cold.seconds < 2))
        rows.append(("10,000 cold under 500 MB", f"{cold.peak_mb:.0f} MB", cold.peak_mb < 500))
        if base_a:
            ratio = cold.seconds / base_a.seconds
            rows.append(("10,000 cold at most 0.1 of (a)", f"{ratio:.3f}", ratio <= 0.1))
        if base_b:
            rows.append(("10,000 cold faster than (b)", f"{cold.seconds / base_b.seconds:.3f}", cold.seconds < base_b.seconds))
    for edit in ("prose", "value"):
        changed = get(10000, f"one {edit} edit")
        if changed:
            rows.append((f"10,000 one file changed ({edit} edit) under 0.5 s", f"{changed.seconds:.2f} s", changed.seconds < 0.5))
    big = get(50000, "cold")
    if big:
        rows.append(("50,000 cold under 10 s", f"{big.seconds:.2f} s", big.seconds < 10))
        if cold:
            growth = (big.seconds / cold.seconds) / 5
            rows.append(("50,000 vs 10,000 no worse than linear", f"{growth:.2f} of linear", growth <= 1.0))
    for edit in ("prose", "value"):
        m = example[f"one {edit} edit"]
        rows.append((f"example, one file changed ({edit} edit, pre-commit) under 0.3 s", f"{m.seconds:.2f} s", m.seconds < 0.3))
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{'met ' if ok else 'MISSED'} {name:<{width}}  {figure}" for name, figure, ok in rows)


if __name__ == "__main__":
    sys.exit(main())
