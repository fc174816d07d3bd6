"""``itscm build``: lint, render Markdown, run MkDocs, then swap the new site in.

The build never leaves a half-written site: everything is written into a
temporary folder next to the output and renamed into place only once MkDocs
has finished. Two builds of one commit give identical files: the only stamp
is the commit and its date, and MkDocs' own dates follow SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..config import CONFIG_FILE, load_config
from ..gcpause import gc_frozen
from ..models import Plan
from ..pipeline import LintResult, lint
from ..signals import deferred
from . import mkdocs_config
from .stamp import Stamp, git_stamp

ASSETS = Path(__file__).resolve().parent.parent / "data" / "assets"
MARKER = "alerts.json"  # every itscm site has one: proof that a folder may be replaced


class BuildError(Exception):
    """The site cannot be built or published; the message says why and what to do."""

    def __init__(self, message: str, lint_result: LintResult | None = None, code: int = 2) -> None:
        super().__init__(message)
        self.lint_result = lint_result
        self.code = code


@dataclass
class BuildResult:
    out: Path
    pages: int
    stamp: Stamp
    lint: LintResult
    lint_seconds: float
    render_seconds: float
    mkdocs_seconds: float
    warnings: list[str] = field(default_factory=list)
    # CPU seconds per phase (wall time lies on a busy machine); "<phase>_kernel": the kernel's part
    cpu: dict[str, float] = field(default_factory=dict)


def build_site(
    root: Path,
    out: Path | None = None,
    *,
    allow_errors: bool = False,
    today: dt.date | None = None,
    strict: bool = False,
    markdown: Path | None = None,
) -> BuildResult:
    """Build the runbook site of the repository at ``root`` into ``out`` (default ``root/site``)."""
    root = root.resolve()
    config = load_config(root)
    out = (out if out is not None else root / "site").resolve()
    _check_output(root, out, config.roots)
    stamp = git_stamp(root, (*config.roots, "templates", CONFIG_FILE, "mkdocs.yml"))
    # Figures are as of the commit date, so a rebuild of the same commit is identical.
    as_of = today or stamp.date or dt.date.today()

    cpu: dict[str, float] = {}
    started, cpu_started = time.perf_counter(), os.times()
    result = lint(root, today=as_of, config=config)
    lint_seconds = time.perf_counter() - started
    _cpu(cpu, "lint", cpu_started)
    if result.has_errors and not allow_errors:
        raise BuildError(
            f"{_errors(result)} lint error(s): "
            "the site is not published; fix them (`itscm lint`) or build with --allow-errors "
            "to publish with a warning on every affected page",
            result,
            code=1,
        )

    # The loaded estate stays as it is from here on: no garbage collection needs to walk it again.
    with gc_frozen():
        work: Path | None = None
        try:
            with deferred():  # a stop that comes now waits until the folder is known, to be removed
                work = _work_folder(out)
            started, cpu_started = time.perf_counter(), os.times()
            docs = work / "docs"
            texts = _render(root, docs, result, stamp, as_of)
            pages = sum(1 for path in texts if path.endswith(".md"))
            if markdown is not None:  # for template authors, and for any engine that reads Markdown files
                from .render import write_pages

                write_pages(markdown.resolve(), texts)
            settings = mkdocs_config.generate(root, work, docs)
            render_seconds = time.perf_counter() - started
            _cpu(cpu, "render", cpu_started)

            started, cpu_started = time.perf_counter(), os.times()
            warnings = _run_mkdocs(settings, work / "mkdocs.yml", stamp, strict, texts)
            mkdocs_seconds = time.perf_counter() - started
            _cpu(cpu, "mkdocs", cpu_started)
            with deferred():  # never stopped between taking the old site away and putting the new one there
                _swap(work / "site", out, work)
        finally:
            if work is not None:
                with deferred():
                    shutil.rmtree(work, ignore_errors=True)
    return BuildResult(out, pages, stamp, result, lint_seconds, render_seconds, mkdocs_seconds, warnings, cpu)


def _cpu(cpu: dict[str, float], phase: str, started: os.times_result) -> None:
    """CPU seconds of a phase (with worker processes that ended in it: lint starts some on large
    estates), and (``phase_kernel``) the kernel's part: creating files is its largest."""
    now = os.times()
    kernel = (now.system - started.system) + (now.children_system - started.children_system)
    cpu[phase] = (now.user - started.user) + (now.children_user - started.children_user) + kernel
    cpu[f"{phase}_kernel"] = kernel


def _errors(result: LintResult) -> int:
    from ..diagnostics import Severity

    return result.count(Severity.ERROR)


def _check_output(root: Path, out: Path, roots: tuple[str, ...]) -> None:
    """Refuse outputs whose replacement would destroy sources."""
    protected = [root, *(root / r for r in roots), root / "templates"]
    for path in protected:
        path = path.resolve()
        if out == path or out in path.parents:
            raise BuildError(f"refusing to build into {out}: it holds the repository's sources; choose another --out")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise BuildError(
            f"refusing to replace {out}: it exists and is not an itscm site (no {MARKER}); "
            "remove it or choose another --out"
        )


def _render(root: Path, docs: Path, result: LintResult, stamp: Stamp, as_of: dt.date) -> dict[str, str]:
    from .. import metrics
    from .heatmap import heat_maps
    from .pages import pages
    from .render import environment, render_pages
    from .views import Views

    estate = result.estate
    views = Views(estate, result.diagnostics)
    figures = metrics.compute(estate, result.diagnostics)
    appetite = estate.policy.risk_appetite if estate.policy else None
    dashboard = {
        "metrics": figures,
        "diagnostics": result.diagnostics,
        "policy": estate.policy,
        "heat_map_html": heat_maps(figures.heat_map, figures.residual_heat_map, appetite),
    }
    env = environment(root / "templates")
    env.filters["rule_doc"] = _rule_doc
    common = {"views": views, "stamp": stamp, "today": as_of}
    texts = render_pages(env, pages(views, dashboard), common)
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSETS, docs / "assets")
    (docs / MARKER).write_text(json.dumps(alert_index(views, stamp), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return texts


def _rule_doc(doc: str) -> object:
    # Rule documentation is the project's own docstrings (trusted Markdown), not YAML.
    from markupsafe import Markup

    return Markup(doc)


def alert_index(views: object, stamp: Stamp) -> dict[str, object]:
    """Alert names and service ids -> runbook page URLs, relative to the site root."""
    from .views import Views

    assert isinstance(views, Views)
    estate = views.estate
    alerts: dict[str, dict[str, list[str]]] = {}
    for plan in sorted(estate.models(Plan), key=lambda p: p.id):
        for alert in plan.activation.alerts:
            entry = alerts.setdefault(alert, {"plans": [], "services": []})
            entry["plans"].append(f"plans/{plan.id}.html")
            entry["services"].extend(f"services/{s}.html" for s in plan.services if views.kind(s) == "Service")
    index = {
        name: {
            "url": entry["plans"][0],
            "plans": entry["plans"],
            "services": sorted(set(entry["services"])),
        }
        for name, entry in sorted(alerts.items())
    }
    services = {s.id: f"services/{s.id}.html" for s in sorted(views.services_sorted(), key=lambda s: s.id)}
    return {
        "version": 1,
        "commit": stamp.commit,
        "commit_date": stamp.committed.isoformat() if stamp.committed else None,
        "alerts": index,
        "services": services,
    }


@contextmanager
def _source_date(stamp: Stamp) -> Iterator[None]:
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(stamp.epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run_mkdocs(
    settings: dict[str, object], config_file: Path, stamp: Stamp, strict: bool, texts: dict[str, str]
) -> list[str]:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as load_mkdocs_config
    from mkdocs.exceptions import MkDocsException

    from .inmemory import InMemoryPages

    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    logger.addHandler(handler)
    propagate = logger.propagate
    logger.propagate = False  # MkDocs' chatter is collected and reported by us
    try:
        with _source_date(stamp):
            config = load_mkdocs_config(config_file=str(config_file), strict=strict)
            config.plugins["itscm-pages"] = InMemoryPages(texts)
            mkdocs_build(config)
    except MkDocsException as exc:
        detail = "; ".join(handler.messages[:5])
        raise BuildError(f"MkDocs failed: {exc}" + (f" ({detail})" if detail else "")) from exc
    except SystemExit as exc:  # MkDocs aborts with SystemExit in some strict paths
        raise BuildError(f"MkDocs failed: {'; '.join(handler.messages[:5]) or exc}") from exc
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    return handler.messages


def _work_folder(out: Path) -> Path:
    """A new folder next to ``out`` to build in (renamed into place at the end)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".itscm-build-", dir=out.parent))
    except OSError as exc:
        blocker = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
        why = f"{blocker} is a file, not a folder" if blocker is not None else exc.strerror or str(exc)
        raise BuildError(f"cannot write the site to {out}: {why}; choose another --out") from None


def _swap(new: Path, out: Path, work: Path) -> None:
    """Put the finished site at ``out``; the old one is moved aside first, then deleted."""
    if out.exists():
        os.replace(out, work / "previous")
    os.replace(new, out)
