"""PR mode: only the diagnostics that the change since a Git ref introduced.

The repository is linted twice with the same ``today`` and configuration:
the working tree as it is, and the tree at the base ref, checked out in a
temporary ``git worktree`` (a real checkout, so the stale-against-Git check
sees history as it was at the base). Diagnostics are matched by
line-independent fingerprints (see fingerprints.py); a file renamed since the
base keeps its findings under its new name. Matching counts occurrences, so
a second copy of an old problem is still new.

Some diagnostics are always reported, because they say what the run could
not see (F011) or that itscm itself failed (X...).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, load_config
from .diagnostics import Diagnostic
from .fingerprints import fingerprint
from .gitinfo import GitError, finish_git, run_git, start_git
from .paths import relative, under
from .pipeline import LintResult, lint
from .signals import deferred

ALWAYS_REPORTED = ("F011", "X")  # code prefixes reported even when the base had them too


class PRModeError(Exception):
    """PR mode cannot run (no Git repository, unknown ref); the message says what to do."""


@dataclass
class PRResult:
    """The working tree's lint result, reduced to new diagnostics, and what was left out."""

    result: LintResult
    ref: str
    base: str  # the commit the ref names
    left_out: list[Diagnostic] = field(default_factory=list)


def lint_since(
    root: Path,
    ref: str,
    paths: tuple[str, ...] = (),
    today: dt.date | None = None,
    config: Config | None = None,
    cache: bool = True,
) -> PRResult:
    """Lint ``root`` and report only what is new compared with ``ref`` (``cache``: see pipeline.lint)."""
    root = root.resolve()
    config = config or load_config(root)
    today = today or dt.date.today()
    try:
        prefix = run_git(root, "rev-parse", "--show-prefix").stdout.strip()
    except GitError as exc:
        raise PRModeError(f"--since needs a Git repository: {exc}") from None
    try:
        base = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").stdout.strip()
    except GitError:
        raise PRModeError(
            f"{ref!r} is not a commit in this repository: check the name, or fetch it first "
            f"(in a shallow CI clone: git fetch origin {ref} or fetch-depth: 0)"
        ) from None
    # The base is checked out while the working tree is checked: writing
    # thousands of files is the system's work, the checks are Python's.
    checkout = _Checkout.start(root, base)
    try:
        head = lint(root, today=today, config=config, cache=cache)
        before = _lint_base(root, checkout, prefix, today, config, cache)
    finally:
        checkout.remove()
    renames = _renames(root, base)
    new, left_out = compare(before, head.diagnostics, renames)
    if paths:
        wanted = tuple(relative(root, p) for p in paths)
        new = [d for d in new if under(d.location.path, wanted)]
        left_out = [d for d in left_out if under(d.location.path, wanted)]
    head.diagnostics = new
    return PRResult(head, ref, base, left_out)


def compare(
    before: list[Diagnostic], after: list[Diagnostic], renames: dict[str, str] | None = None
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Split ``after`` into (new, already present in ``before``) by fingerprint, counting repeats."""
    renames = renames or {}
    seen = Counter(fingerprint(d, renames.get(d.location.path)) for d in before)
    new: list[Diagnostic] = []
    old: list[Diagnostic] = []
    for diagnostic in after:
        mark = fingerprint(diagnostic)
        if seen[mark] > 0 and not diagnostic.code.startswith(ALWAYS_REPORTED):
            seen[mark] -= 1
            old.append(diagnostic)
        else:
            new.append(diagnostic)
    return new, old


class _Checkout:
    """The tree at a commit, being checked out into a temporary ``git worktree``."""

    def __init__(self, root: Path, scratch: Path, commit: str, started: subprocess.Popen[str] | GitError) -> None:
        self.root, self.scratch, self.commit, self.started = root, scratch, commit, started
        self.tree = scratch / "tree"

    @classmethod
    def start(cls, root: Path, commit: str) -> _Checkout:
        with deferred():  # a stop that comes now waits until the checkout is known, to be removed
            scratch = Path(tempfile.mkdtemp(prefix="itscm-base-"))
            # No hooks: a post-checkout hook of the user's must not run for our scratch checkout.
            started = start_git(
                root, "-c", "core.hooksPath=/dev/null", "worktree", "add", "--detach", "--force", str(scratch / "tree"), commit
            )
            return cls(root, scratch, commit, started)

    def wait(self) -> Path:
        """The checked-out tree, once Git is done; PRModeError if it failed."""
        try:
            finish_git(self.started)
        except GitError as exc:
            raise PRModeError(f"cannot check out {self.commit[:12]} to compare with: {exc}") from None
        return self.tree

    def remove(self) -> None:
        """Unregister and delete the checkout, whatever state it was left in."""
        if not isinstance(self.started, GitError) and self.started.poll() is None:
            self.started.kill()  # stopped before the checkout was done
            self.started.wait()
        with deferred():  # a second Ctrl-C must not leave the checkout half removed
            try:
                # A checkout interrupted while Git was creating it stays locked
                # ("initializing"): unlocked, then removed even so (--force twice).
                run_git(self.root, "worktree", "unlock", str(self.tree), check=False)
                run_git(self.root, "worktree", "remove", "--force", "--force", str(self.tree), check=False)
                run_git(self.root, "worktree", "prune", check=False)
            except GitError:
                pass
            shutil.rmtree(self.scratch, ignore_errors=True)


def _lint_base(
    root: Path, checkout: _Checkout, prefix: str, today: dt.date, config: Config, cache: bool
) -> list[Diagnostic]:
    """Every diagnostic of the tree at the base commit, once it is checked out."""
    base_root = checkout.wait() / prefix
    if not base_root.is_dir():
        return []  # the continuity repository did not exist yet: everything is new
    base_config = dataclasses.replace(config, root=base_root)
    if not cache:
        return lint(base_root, today=today, config=base_config, cache=False).diagnostics
    # Through the working tree's load cache: the files the change did not
    # touch are read, hashed and found there, not parsed again.
    return lint(base_root, today=today, config=base_config, cache_of=root).diagnostics


def _renames(root: Path, commit: str) -> dict[str, str]:
    """Old path -> new path (relative to ``root``) for files renamed between ``commit`` and the working tree."""
    try:
        done = run_git(root, "diff", "--name-status", "-M", "-z", "--relative", commit, "--", ".")
    except GitError:
        return {}
    tokens = done.stdout.split("\0")
    renames: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        status = tokens[i]
        if status.startswith(("R", "C")) and i + 2 < len(tokens):
            if status.startswith("R"):
                renames[tokens[i + 1]] = tokens[i + 2]
            i += 3
        else:
            i += 2
    return renames
