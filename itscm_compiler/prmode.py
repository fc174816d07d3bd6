"""PR mode: only the diagnostics that the change since a Git ref introduced.

The repository is linted twice with the same ``today`` and configuration:
the working tree as it is, and the tree at the base ref, rebuilt from Git's
objects in a temporary folder (see _BaseTree), with the Git history as it
was at the base for the stale-against-Git check. Diagnostics are matched by
line-independent fingerprints (see fingerprints.py); a file renamed since the
base keeps its findings under its new name. Matching counts occurrences, so
a second copy of an old problem is still new.

Some diagnostics are always reported, because they say what the run could
not see (F011) or that itscm itself failed (X...).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .config import Config, load_config
from .diagnostics import Diagnostic
from .fingerprints import fingerprint
from .gitinfo import GitError, finish_git, run_git, start_git_bytes
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
        run_git(root, "rev-parse", "--show-prefix")
    except GitError as exc:
        raise PRModeError(f"--since needs a Git repository: {exc}") from None
    try:
        base = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").stdout.strip()
    except GitError:
        raise PRModeError(
            f"{ref!r} is not a commit in this repository: check the name, or fetch it first "
            f"(in a shallow CI clone: git fetch origin {ref} or fetch-depth: 0)"
        ) from None
    # Git lists the base while the working tree is checked.
    base_tree = _BaseTree.start(root, base)
    try:
        head = lint(root, today=today, config=config, cache=cache)
        before = _lint_base(root, base_tree, today, config, cache)
    finally:
        base_tree.remove()
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


_LINK, _GITLINK = b"120000", b"160000"


class _BaseTree:
    """The tree at a commit, rebuilt in a scratch folder from Git's objects: no checkout, nothing registered in Git.

    A file the working tree has unchanged since the commit (``git diff``
    does not name it) is hard-linked from the working tree; any other file,
    and every symbolic link, is written from its Git object. Writing
    thousands of files is what made a checkout slow (8 to 10 s of system
    time for 11,343 files on the machine this was measured on, where hard
    links took 0.7 s), and a change touches few files. Only YAML files,
    folders and links are rebuilt (every file when the tree has a link,
    which may point at any): nothing else is read.
    """

    def __init__(self, root: Path, scratch: Path, commit: str, calls: list[subprocess.Popen[bytes] | GitError]) -> None:
        self.root, self.scratch, self.commit, self.calls = root, scratch, commit, calls
        self.tree = scratch / "tree"

    @classmethod
    def start(cls, root: Path, commit: str) -> _BaseTree:
        """Start listing the commit's tree, and what changed since, while the working tree is checked."""
        with deferred():  # a stop that comes now waits until the folder is known, to be removed
            scratch = Path(tempfile.mkdtemp(prefix="itscm-base-"))
            listing = start_git_bytes(root, "ls-tree", "-r", "-z", "--end-of-options", commit, "--", ".")
            changed = start_git_bytes(
                root, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--relative", commit, "--", "."
            )
            # Files Git is told not to look at (assume-unchanged, skip-worktree): diff cannot vouch for them.
            flagged = start_git_bytes(root, "ls-files", "-v", "-z", "--", ".")
            return cls(root, scratch, commit, [listing, changed, flagged])

    def build(self) -> Path | None:
        """The folder holding the tree at the commit; None when the commit has nothing there. PRModeError if Git failed."""
        try:
            listing, changed, flagged = (finish_git(call).stdout for call in self.calls)
        except GitError as exc:
            raise PRModeError(f"cannot read {self.commit[:12]} to compare with: {exc}") from None
        entries = _tree_entries(listing)
        if not entries:
            return None
        unchanged = set(entries) - set(changed.split(b"\0")) - _not_looked_at(flagged)
        try:
            self._rebuild(entries, unchanged)
        except (OSError, ValueError) as exc:  # a name or link this system cannot hold: a checkout would fail too
            raise PRModeError(f"cannot rebuild the tree at {self.commit[:12]} to compare with: {exc}") from None
        return self.tree

    def _rebuild(self, entries: dict[bytes, tuple[bytes, bytes]], unchanged: set[bytes]) -> None:
        every_file = any(mode == _LINK for mode, _ in entries.values())
        root, tree = os.fsencode(self.root), os.fsencode(self.tree)
        folders: set[bytes] = set()
        from_git: dict[bytes, list[bytes]] = {}  # object -> the files to write it to
        links: dict[bytes, list[bytes]] = {}
        linking = True
        for path, (mode, obj) in entries.items():
            target = os.path.join(tree, path)
            folder = os.path.dirname(target)
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            if mode == _GITLINK:
                os.makedirs(target, exist_ok=True)  # a submodule: an empty folder, as in a checkout
            elif mode == _LINK:
                links.setdefault(obj, []).append(target)
            elif every_file or path.lower().endswith((b".yaml", b".yml")):
                if linking and path in unchanged:
                    try:
                        os.link(os.path.join(root, path), target, follow_symlinks=False)
                        continue
                    except OSError as exc:
                        linking = exc.errno != errno.EXDEV  # another file system: no link will work
                from_git.setdefault(obj, []).append(target)
        pointing: list[tuple[bytes, bytes]] = []
        for obj, content in _objects(self.root, list(dict.fromkeys([*from_git, *links]))):  # each object once
            for target in from_git.get(obj, ()):
                with open(target, "wb") as out:
                    out.write(content)
            pointing.extend((content, target) for target in links.get(obj, ()))
        for content, target in pointing:  # last: nothing is ever written through a link
            os.symlink(content, target)

    def remove(self) -> None:
        """Stop Git if it still runs, and delete the folder."""
        for call in self.calls:
            if isinstance(call, subprocess.Popen) and call.poll() is None:
                call.kill()  # stopped before the listing was read
                call.wait()
        with deferred():  # a second Ctrl-C must not leave the folder half removed
            shutil.rmtree(self.scratch, ignore_errors=True)


def _not_looked_at(listing: bytes) -> set[bytes]:
    """The paths ``git ls-files -v -z`` marks assume-unchanged (a lowercase tag) or skip-worktree (``S``)."""
    return {entry[2:] for entry in listing.split(b"\0") if entry[1:2] == b" " and (entry[:1].islower() or entry[:1] == b"S")}


def _tree_entries(listing: bytes) -> dict[bytes, tuple[bytes, bytes]]:
    """Path -> (mode, object) from ``git ls-tree -r -z``, leaving out any path a checkout would refuse."""
    entries: dict[bytes, tuple[bytes, bytes]] = {}
    for record in listing.split(b"\0"):
        head, tab, path = record.partition(b"\t")
        fields = head.split(b" ")
        if not tab or len(fields) != 3:
            continue
        if any(part in (b"", b".", b"..") or part.lower() == b".git" for part in path.split(b"/")):
            continue  # it could write outside the folder
        entries[path] = (fields[0], fields[2])
    return entries


def _objects(root: Path, objects: list[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """(object, content) of each object, read by one ``git cat-file --batch``."""
    if not objects:
        return
    try:
        out = finish_git(start_git_bytes(root, "cat-file", "--batch", feed=b"\n".join(objects) + b"\n")).stdout
    except GitError as exc:
        raise PRModeError(f"cannot read the files to compare with: {exc}") from None
    at = 0
    while at < len(out):
        end = out.index(b"\n", at)
        obj, kind, size = (out[at:end].split(b" ") + [b"", b""])[:3]
        if kind == b"missing" or not size.isdigit():
            raise PRModeError(f"cannot read object {obj.decode('ascii', 'replace')} to compare with: Git does not have it")
        start = end + 1
        yield obj, out[start : start + int(size)]
        at = start + int(size) + 1


def _lint_base(root: Path, base: _BaseTree, today: dt.date, config: Config, cache: bool) -> list[Diagnostic]:
    """Every diagnostic of the tree at the base commit, once it is rebuilt.

    The Git history is the repository's as it was at the commit. With
    ``cache``, through the working tree's caches: the files the change did
    not touch are read, hashed and found in the load cache, not parsed
    again, and the result is stored under the commit, so the next run
    against the same base (the local loop: edit, lint --since) only reads
    and hashes the base's files.
    """
    base_root = base.build()
    if base_root is None:
        return []  # the continuity repository did not exist yet: everything is new
    base_config = dataclasses.replace(config, root=base_root)
    found = lint(base_root, today=today, config=base_config, cache=cache, cache_of=root, history_at=(root, base.commit))
    return found.diagnostics


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
