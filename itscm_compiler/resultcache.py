"""Whole-run results for an estate that has not changed, in ``.itscm-cache/``.

Every diagnostic of a run is a pure function of the bytes of the discovered
files (with their paths and the links discovery refused), the configuration,
the day, the Git state the freshness rules read (the commit checked out,
whether the clone is shallow, and the uncommitted changes) and itscm's own
code. The cache key is a digest of all of them, so running again on the same
inputs (a second ``itscm lint``, ``itscm build`` after a lint, the hook again
after a commit it stopped) reads the files, hashes them and prints the stored
result without building the estate. Anything changed gives a new key: nothing is invalidated in place.
A stored run also records its files' content keys, so a later run with the
same other inputs can find which files changed since; when those changed
only in prose that no check reads (prose.py), the stored diagnostics stand.

Entries are verified with the same per-user HMAC key as the load cache
(cache.py) before they are unpickled, and only the few used last are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .atomic import remove_stale_temporaries, replace_file
from .cache import CACHE_DIR, LoadCache, make_cache_dir, read_cache_file
from .config import Config
from .diagnostics import Diagnostic

_MAGIC = b"ITSCMR2\n"
_MAC_SIZE = 32
KEEP = 4  # results kept: the last runs of a few branches or days


@dataclass(frozen=True)
class Stored:
    """What a run of the checks produced, minus the estate (rebuilt only when asked for).

    ``outcome`` is the diagnostics and the waived ones, pickled on their own
    and kept as bytes: a result found again for new file contents (a prose
    edit) is stored under them without pickling thousands of diagnostics
    again, and a run that only compares file contents never unpickles them.
    ``inputs`` is the digest of every input but the files, and ``paths`` and
    ``contents`` the files with their content keys: what a later run
    compares against to find the few files that changed.
    """

    outcome: bytes
    files: int
    inputs: bytes = b""
    paths: tuple[str, ...] = ()
    contents: tuple[bytes, ...] = ()

    @classmethod
    def of(
        cls,
        diagnostics: list[Diagnostic],
        waived: list[Diagnostic],
        files: int,
        inputs: bytes,
        paths: tuple[str, ...],
        contents: tuple[bytes, ...],
    ) -> Stored:
        return cls(pickle.dumps((diagnostics, waived), protocol=pickle.HIGHEST_PROTOCOL), files, inputs, paths, contents)

    def again(self, inputs: bytes, paths: tuple[str, ...], contents: tuple[bytes, ...]) -> Stored:
        """The same outcome for other file contents."""
        return Stored(self.outcome, self.files, inputs, paths, contents)

    def diagnostics(self) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """The diagnostics and the waived ones (HMAC-verified with the entry that holds them)."""
        kept, waived = pickle.loads(self.outcome)  # noqa: S301 - inside a verified entry
        return kept, waived


def start_git_state(root: Path, revision: str | None = None) -> Callable[[], bytes]:
    """Start reading what the Git-based checks can see; the returned function waits for it.

    That is HEAD (commits are immutable, so the history behind it is fixed by
    its id), whether the clone is shallow and where its history is cut (a
    deeper fetch shows more of it), the commits replaced by ``git replace``
    or grafted (they change the history Git shows without moving HEAD),
    and ``git status`` (uncommitted changes count as changed today).
    Outside a repository, or without Git, the state is the error, which is
    just as stable. Started early, Git runs while the files are read. With
    ``revision``, the state of a tree as it was at that commit: the commit
    and the cut, and no uncommitted changes.
    """
    from .gitinfo import GitError, finish_git, start_git

    replaced = os.environ.get("GIT_REPLACE_REF_BASE") or "refs/replace/"
    facts = start_git(
        root, "rev-parse", revision or "HEAD", "--show-prefix", "--is-shallow-repository",
        "--git-path", "shallow", "--git-path", "info/grafts",
        # Each replacement, then each replaced commit (the refs' names).
        f"--glob={replaced}*", "--symbolic-full-name", f"--glob={replaced}*",
    )
    if revision is not None:
        calls = [facts]
    else:
        # Not the cache itself: a run writes it while this status is read, and
        # until its .gitignore is written its files would show as untracked.
        status = ("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", ".", f":(exclude){CACHE_DIR}")
        calls = [facts, start_git(root, *status)]

    answer: list[bytes] = []  # asked for before and after the checks: Git is waited for once

    def finish() -> bytes:
        if not answer:
            answer.append(_digest())
        return answer[0]

    def _digest() -> bytes:
        digest = hashlib.blake2b(digest_size=20)
        for call in calls:
            if isinstance(call, GitError):  # no git command: as stable as any answer
                digest.update(f"{call}\0".encode("utf-8", "surrogatepass"))
                continue
            try:
                done = finish_git(call, check=False)
            except GitError:  # Git did not answer in time: a key no run will meet again
                return os.urandom(20)
            digest.update(f"{done.returncode}\0{done.stdout}\0{done.stderr}\0".encode("utf-8", "surrogatepass"))
            if call is facts:
                digest.update(_history_files(root, done.stdout))
        return digest.digest()

    return finish


def _history_files(root: Path, facts: str) -> bytes:
    """Where the history is cut (Git's ``shallow`` file, in a shallow clone) and the grafts, from ``rev-parse``'s answer."""
    lines = facts.splitlines()
    if len(lines) < 5:
        return b""
    cut = _read_or_why(root / lines[3].strip()) if lines[2].strip() == "true" else b""
    return cut + b"\0" + _read_or_why(root / lines[4].strip())


def _read_or_why(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        return str(exc).encode("utf-8", "surrogatepass")


class ResultCache:
    """Results stored one per file under ``results/``; every failure means "not cached"."""

    def __init__(self, directory: Path, secret: bytes, salt: bytes) -> None:
        self.directory = directory
        self.secret = secret
        self.salt = salt

    @classmethod
    def beside(cls, cache: LoadCache) -> ResultCache:
        """The result cache kept with ``cache``, under its key and salt."""
        return cls(cache.directory / "results", cache.secret, cache.salt)

    def inputs(self, config: Config, today: str, links: Iterable[tuple[str, str]], git: bytes) -> bytes:
        """The digest of every input of a run but the files' contents."""
        digest = hashlib.blake2b(self.salt, digest_size=20)
        digest.update(f"{config!r}\0{today}\0".encode("utf-8", "surrogatepass"))
        digest.update(git)
        for rel, why in links:
            digest.update(b"\2" + f"{rel}\0{why}".encode("utf-8", "surrogatepass"))
        return digest.digest()

    def key(self, inputs: bytes, files: Iterable[tuple[str, bytes]]) -> bytes:
        """The digest of every input of a run; ``files`` are (path, content key or problem)."""
        digest = hashlib.blake2b(inputs, digest_size=20)
        for rel, content in files:
            digest.update(b"\1" + rel.encode("utf-8", "surrogatepass") + b"\0" + content)
        return digest.digest()

    def _path(self, inputs: bytes, key: bytes) -> Path:
        # Named by both digests: a run looks for the results of the same other
        # inputs by name, without opening every entry.
        return self.directory / f"{inputs[:8].hex()}-{key.hex()}.res"

    def _mac(self, key: bytes, payload: bytes) -> bytes:
        digest = hmac.new(self.secret, b"result" + key, hashlib.sha256)
        digest.update(payload)
        return digest.digest()

    def get(self, inputs: bytes, key: bytes) -> Stored | None:
        """The result stored under ``key`` if it verifies, else None (never raises).

        A hit marks the entry as used: after an edit and its undo, the next
        prose edit is compared with the state it was made on, not with the
        edit that was undone.
        """
        path = self._path(inputs, key)
        stored = self._read(path, key)
        if stored is None or stored.inputs != inputs:
            return None
        try:  # used now: the newest for latest() (the state a next edit starts from), the last pruned
            os.utime(path, follow_symlinks=False)
        except OSError:
            pass
        return stored

    def latest(self, inputs: bytes) -> Stored | None:
        """The newest result of a run with the same ``inputs`` (other file contents), or None."""
        prefix = inputs[:8].hex() + "-"
        try:
            names = [n for n in os.listdir(self.directory) if n.startswith(prefix) and n.endswith(".res")]
            entries = sorted(names, key=lambda n: os.stat(self.directory / n).st_mtime_ns, reverse=True)
        except OSError:
            return None
        for name in entries:
            try:
                key = bytes.fromhex(name[len(prefix) : -len(".res")])
            except ValueError:
                continue
            stored = self._read(self.directory / name, key)
            if stored is not None and stored.inputs == inputs:
                return stored
        return None

    def _read(self, path: Path, key: bytes) -> Stored | None:
        try:
            blob = read_cache_file(path)
        except OSError:
            return None
        head = len(_MAGIC) + _MAC_SIZE
        if blob[: len(_MAGIC)] != _MAGIC or len(blob) < head:
            return None
        payload = blob[head:]
        if not hmac.compare_digest(blob[len(_MAGIC) : head], self._mac(key, payload)):
            return None
        try:
            stored = pickle.loads(payload)  # noqa: S301 - HMAC-verified: written by this user's itscm
        except Exception:  # noqa: BLE001 - a bad entry is simply not a hit
            return None
        return stored if isinstance(stored, Stored) else None

    def put(self, key: bytes, stored: Stored) -> None:
        """Store a result, keeping only the few used last; a failure to write is not an error."""
        if self.directory.is_symlink():  # a link planted in the repository: never write through it
            return
        try:
            payload = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
            make_cache_dir(self.directory)
            data = _MAGIC + self._mac(key, payload) + payload
            replace_file(self._path(stored.inputs, key), lambda handle: handle.write(data))
            entries = sorted(self.directory.glob("*.res"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in entries[KEEP:]:
                old.unlink()
            remove_stale_temporaries(self.directory)  # of runs killed while writing
        except (OSError, pickle.PicklingError):
            pass
