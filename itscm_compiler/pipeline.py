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
    from .resultcache import Stored

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
    root: Path,
    config: Config,
    today: dt.date,
    found: Discovered,
    cache: LoadCache | None,
    reading: Reading | None = None,
    history_at: tuple[Path, str] | None = None,
) -> tuple[Estate, list[Diagnostic], list[bytes] | None]:
    """The estate and the loading diagnostics, and each file's content key when cached (``history_at``: see lint)."""
    from .bulk import load_all
    from .engine import stamp
    from .estate import Estate

    findings: list[Finding] = [
        Finding(Location(path), f"{why}: not followed", code="Y009") for path, why in found.links
    ]
    findings.extend(
        Finding(
            Location(path),
            f"folder cannot be listed ({why}): none of its files was checked; make it readable, "
            "or list it under exclude in .itscm.yaml",
            code="Y011",
        )
        for path, why in found.unlisted
    )
    findings.extend(missing_roots(config, found))
    findings.extend(unknown_rule_codes(config))
    loaded = load_all(root, list(found.files), config, use_cache=False, cache=cache, reading=reading)
    findings.extend(loaded.findings)
    estate = Estate(config, loaded.documents, loaded.invalid, loaded.files, today, loaded.waivers, history_at)
    return estate, stamp(findings, config), loaded.keys


def missing_roots(config: Config, found: Discovered) -> list[Finding]:
    """Y012 for each folder under ``roots`` in ``.itscm.yaml`` that does not exist."""
    from .config import CONFIG_FILE

    import difflib

    missing = set(found.missing_roots)
    findings: list[Finding] = []
    for start, line, column in config.root_places:
        if start not in missing:
            continue
        parent = (config.root / start).parent
        try:
            near = [p.name for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")]
        except OSError:
            near = []
        close = difflib.get_close_matches((config.root / start).name, near, n=1, cutoff=0.6)
        fix = f"did you mean {str(Path(start).parent / close[0]).removeprefix('./')!r}?" if close else (
            "correct the path, or remove it from roots"
        )
        message = f"root {start!r} does not exist, so nothing in it is checked: {fix}"
        findings.append(Finding(Location(CONFIG_FILE, line, column), message, code="Y012"))
    return findings


SUGGEST_UP_TO = 100  # unknown codes given a "did you mean"


def unknown_rule_codes(config: Config) -> list[Finding]:
    """Y010 for each code under ``rules`` in ``.itscm.yaml`` that no rule has."""
    import difflib

    from .config import CONFIG_FILE

    known = _known_codes()
    names = set(known)  # looked up once per code written; difflib wants the list
    findings: list[Finding] = []
    for code, line, column in config.rule_places:
        if code in names:
            continue
        if code.upper() in names:
            hint = f"codes are upper case: write {code.upper()!r}"
        else:
            # A suggestion costs a millisecond or two: a generated or hostile
            # configuration with thousands of unknown codes gets them for the first few.
            close = difflib.get_close_matches(code, known, n=1, cutoff=0.6) if len(findings) < SUGGEST_UP_TO else []
            hint = f"did you mean {close[0]!r}?" if close else "`itscm rules` lists the codes"
        findings.append(Finding(Location(CONFIG_FILE, line, column), f"no rule has the code {code!r}: {hint}", code="Y010"))
    return findings


def _known_codes() -> list[str]:
    """Every code a waiver or ``.itscm.yaml`` may name: the rules' and X001's."""
    from .engine import INTERNAL
    from .rules import BY_CODE

    return [*BY_CODE, INTERNAL.code]


def lint(
    root: Path,
    paths: tuple[str, ...] = (),
    today: dt.date | None = None,
    config: Config | None = None,
    cache: bool = True,
    cache_of: Path | None = None,
    history_at: tuple[Path, str] | None = None,
) -> LintResult:
    """Run every check on the repository at ``root``.

    ``paths`` restricts what is reported, never what is loaded: cross-file
    checks always see the whole estate. With ``cache``, a run on exactly
    the inputs of a recent one returns its stored result (resultcache.py).
    ``cache_of`` runs on ``root`` with the caches of another copy of the
    same repository (PR mode's base): load cache entries are keyed by path
    and content, so every file the two trees share is a hit. ``history_at``
    (a folder of a Git repository, a commit) is where the stale-against-Git
    check reads history, when ``root`` is a copy of the tree at that commit
    rather than a checkout.
    """
    root = root.resolve()
    config = config or load_config(root)
    day = today or dt.date.today()
    with gc_paused():
        result = _checked(root, config, day, cache, cache_of, history_at)
        diagnostics = result.diagnostics
        if paths:
            wanted = tuple(relative(root, p) for p in paths)
            diagnostics = [d for d in diagnostics if under(d.location.path, wanted)]
        diagnostics.sort(key=Diagnostic.sort_key)
        result.diagnostics = diagnostics
    return result


def _checked(
    root: Path,
    config: Config,
    today: dt.date,
    cache: bool,
    host: Path | None = None,
    history_at: tuple[Path, str] | None = None,
) -> LintResult:
    """Every diagnostic of the estate, from the result cache when nothing the checks read changed.

    ``host`` and ``history_at``: see :func:`lint`. Such a run keeps the
    host's caches (never compacting them) and is keyed by the host and the
    commit, not by the temporary folder it reads.
    """
    import dataclasses

    from .bulk import read_files
    from .cache import LoadCache
    from .resultcache import ResultCache, Stored, start_git_state

    found = discover(config)
    files = list(found.files)
    cache_config = config if host is None else dataclasses.replace(config, root=host)
    load_cache = LoadCache.open(cache_config, guest=host is not None) if cache else None
    if load_cache is None:
        estate, diagnostics, _ = _load(root, config, today, found, None, history_at=history_at)
        return _run(estate, diagnostics)
    results = ResultCache.beside(load_cache)
    git_state = start_git_state(*history_at) if history_at is not None else start_git_state(root)
    reading = read_files(root, files, config, load_cache) if load_cache.has_packs else None
    inputs: bytes | None = None  # every input but the files, worked out once (it waits for Git)
    if reading is not None:
        inputs = results.inputs(cache_config, today.isoformat(), _unread(found), git_state())
        key = results.key(inputs, zip(files, reading.keys))
        stored = results.get(inputs, key)
        if stored is None:
            stored = _prose_only(root, config, files, reading.keys, results.latest(inputs), load_cache)
            if stored is not None:  # the same answer for these contents from now on
                results.put(key, stored.again(inputs, tuple(files), tuple(reading.keys)))
        if stored is not None:
            load_cache.mark_used()  # its packs are what the next edit needs
            kept, waived = stored.diagnostics()
            return LintResult(
                lambda: load_estate(root, config, today)[0], kept, waived=waived, files=stored.files, config=config
            )
    estate, diagnostics, keys = _load(root, config, today, found, load_cache, reading, history_at)
    result = _run(estate, diagnostics)
    # Stored under the keys of the bytes actually loaded (a file may change
    # meanwhile), and only when the same inputs are sure to give it again: a
    # crashed check or a failed Git call may not happen next time.
    if keys is not None and not result.has_internal_errors and not estate.git_failed():
        if inputs is None:
            inputs = results.inputs(cache_config, today.isoformat(), _unread(found), git_state())
        key = results.key(inputs, zip(files, keys))
        results.put(key, Stored.of(result.diagnostics, result.waived, len(files), inputs, tuple(files), tuple(keys)))
    return result


def _unread(found: Discovered) -> tuple[tuple[str, str], ...]:
    """What discovery saw but did not read (links, folders it could not list): an input of the result."""
    unread = (*found.unlisted, *((start, "missing") for start in found.missing_roots))
    return (*found.links, *(("\0" + path, why) for path, why in unread))  # NUL: never in a path


PROSE_ONLY_UP_TO = 20  # changed files compared one by one; more and a full run costs little more


def _prose_only(
    root: Path, config: Config, files: list[str], keys: list[bytes], before: Stored | None, load_cache: LoadCache
) -> Stored | None:
    """The earlier result when the only changes since are to prose (see prose.py), else None.

    ``before`` is the newest stored run with the same configuration, day,
    Git state and file list. Each file whose content changed since is loaded
    as it was and as it is: when every one of them differs only in prose
    that no check reads, every diagnostic is what it was.
    """
    if before is None or before.paths != tuple(files):
        return None
    changed = [i for i, (old, new) in enumerate(zip(before.contents, keys)) if old != new]
    if not changed or len(changed) > PROSE_ONLY_UP_TO:
        return None
    from .bulk import load_known
    from .prose import same_load

    for i in changed:
        old = load_known(str(root), files[i], before.contents[i], config.max_file_size, load_cache, reload=False)
        new = load_known(str(root), files[i], keys[i], config.max_file_size, load_cache)
        if old is None or new is None or not same_load(old, new):
            return None  # the full run that follows finds what was loaded here in the cache
    load_cache.flush(compact=False)  # the next full run will not parse these files again
    return before


def _run(estate: Estate, diagnostics: list[Diagnostic]) -> LintResult:
    from .engine import run_rules
    diagnostics.extend(run_rules(estate))
    diagnostics, waived = apply_waivers(estate, diagnostics)
    return LintResult(estate, diagnostics, waived=waived)


def apply_waivers(estate: Estate, diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Drop waived diagnostics and add the waivers' own (W001-W003); returns (kept, waived)."""
    if not estate.waivers:
        return diagnostics, []
    from .engine import stamp
    from .waivers import apply

    applied = apply(diagnostics, estate.waivers, estate.today, _known_codes())
    return applied.kept + stamp(applied.findings, estate.config), applied.waived
