"""The pipeline, readable top to bottom: discover, load, build the estate, check, sort.

Library entry points used by the CLI, the site and the tests alike.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .config import Config, load_config
from .diagnostics import Diagnostic, Finding, Location, Severity
from .discovery import Discovered, discover
from .gcpause import gc_paused
from .paths import relative, under

if TYPE_CHECKING:
    from .bulk import Reading
    from .cache import LoadCache
    from .estate import Estate

# The estate, the models and the rules are imported where they are used: a
# run answered from the result cache needs none of them.


class LintResult:
    """Every diagnostic of a run, sorted by place, and the estate that was checked.

    A result from the result cache has no estate in memory: ``estate`` loads
    it on first use (through the load cache, so it is the same estate).
    """

    def __init__(
        self,
        estate: Estate | Callable[[], Estate],
        diagnostics: list[Diagnostic],
        notes: list[str] | None = None,
        waived: list[Diagnostic] | None = None,  # suppressed by a valid waiver
        files: int | None = None,
        config: Config | None = None,
    ) -> None:
        self._estate = estate
        self.diagnostics = diagnostics
        self.notes = notes if notes is not None else []
        self.waived = waived if waived is not None else []
        self.cached = callable(estate)
        if not callable(estate):
            files, config = len(estate.files), estate.config
        assert files is not None and config is not None  # given with a loader
        self.files = files
        self.config = config

    @property
    def estate(self) -> Estate:
        if callable(self._estate):
            self._estate = self._estate()
        return self._estate

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == Severity.ERROR for d in self.diagnostics)

    @property
    def has_internal_errors(self) -> bool:
        return any(d.code.startswith("X") for d in self.diagnostics)


def load_estate(
    root: Path, config: Config | None = None, today: dt.date | None = None, cache: bool = True
) -> tuple[Estate, list[Diagnostic]]:
    """Discover and load every document under the configured roots.

    ``cache`` uses the content-addressed cache in ``.itscm-cache/`` (see
    cache.py); it never changes the result, only how fast it comes.
    """
    config = config or load_config(root)
    from .cache import LoadCache

    estate, diagnostics, _ = _load(
        root, config, today or dt.date.today(), discover(config), LoadCache.open(config) if cache else None
    )
    return estate, diagnostics


def _load(
    root: Path, config: Config, today: dt.date, found: Discovered, cache: LoadCache | None, reading: Reading | None = None
) -> tuple[Estate, list[Diagnostic], list[bytes] | None]:
    """The estate and the loading diagnostics, and each file's content key when cached."""
    from .bulk import load_all
    from .engine import stamp
    from .estate import Estate

    findings: list[Finding] = [
        Finding(Location(path), f"{why}: not followed", code="Y009") for path, why in found.links
    ]
    loaded = load_all(root, list(found.files), config, use_cache=False, cache=cache, reading=reading)
    findings.extend(loaded.findings)
    estate = Estate(config, loaded.documents, loaded.invalid, loaded.files, today, loaded.waivers)
    return estate, stamp(findings, config), loaded.keys


def lint(
    root: Path,
    paths: tuple[str, ...] = (),
    today: dt.date | None = None,
    config: Config | None = None,
    cache: bool = True,
) -> LintResult:
    """Run every check on the repository at ``root``.

    ``paths`` restricts what is reported, never what is loaded: cross-file
    checks always see the whole estate. With ``cache``, a run on exactly
    the inputs of a recent one returns its stored result (resultcache.py).
    """
    root = root.resolve()
    config = config or load_config(root)
    day = today or dt.date.today()
    with gc_paused():
        result = _checked(root, config, day, cache)
        diagnostics = result.diagnostics
        if paths:
            wanted = tuple(relative(root, p) for p in paths)
            diagnostics = [d for d in diagnostics if under(d.location.path, wanted)]
        diagnostics.sort(key=Diagnostic.sort_key)
        result.diagnostics = diagnostics
    return result


def _checked(root: Path, config: Config, today: dt.date, cache: bool) -> LintResult:
    """Every diagnostic of the estate, from the result cache when nothing changed."""
    from .bulk import read_files
    from .cache import LoadCache
    from .resultcache import ResultCache, Stored, start_git_state

    found = discover(config)
    files = list(found.files)
    load_cache = LoadCache.open(config) if cache else None
    if load_cache is None:
        estate, diagnostics, _ = _load(root, config, today, found, None)
        return _run(estate, diagnostics)
    results = ResultCache.beside(load_cache)
    git_state = start_git_state(root)
    reading = read_files(root, files, config, load_cache) if load_cache.has_packs else None
    if reading is not None:
        key = results.key(config, today.isoformat(), zip(files, reading.keys), found.links, git_state())
        stored = results.get(key)
        if stored is not None:
            return LintResult(
                lambda: load_estate(root, config, today)[0],
                stored.diagnostics,
                waived=stored.waived,
                files=stored.files,
                config=config,
            )
    estate, diagnostics, keys = _load(root, config, today, found, load_cache, reading)
    result = _run(estate, diagnostics)
    # Stored under the keys of the bytes actually loaded (a file may change
    # meanwhile), and only when the same inputs are sure to give it again: a
    # crashed check or a failed Git call may not happen next time.
    if keys is not None and not result.has_internal_errors and not estate.git_failed():
        key = results.key(config, today.isoformat(), zip(files, keys), found.links, git_state())
        results.put(key, Stored(result.diagnostics, result.waived, len(files)))
    return result


def _run(estate: Estate, diagnostics: list[Diagnostic]) -> LintResult:
    from .engine import run_rules
    diagnostics.extend(run_rules(estate))
    diagnostics, waived = apply_waivers(estate, diagnostics)
    return LintResult(estate, diagnostics, waived=waived)


def apply_waivers(estate: Estate, diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Drop waived diagnostics and add the waivers' own (W001-W003); returns (kept, waived)."""
    if not estate.waivers:
        return diagnostics, []
    from .engine import INTERNAL, stamp
    from .rules import BY_CODE
    from .waivers import apply

    known = [*BY_CODE, INTERNAL.code]
    applied = apply(diagnostics, estate.waivers, estate.today, known)
    return applied.kept + stamp(applied.findings, estate.config), applied.waived
