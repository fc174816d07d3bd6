"""A content-addressed cache of what each file yields, in ``.itscm-cache/``.

Loading (parse, validate, find references) is a pure function of a file's
path and bytes and of the loading code, so its result is stored under
``hash(salt, path, bytes)``, where the salt covers the itscm version and
source, the Python version, the installed distributions and the loading
configuration. A changed file simply has a new key: nothing is ever
invalidated in place, and the cache cannot change a result.

The entries are pickles, and unpickling runs code, so an entry is trusted only
when its HMAC verifies with a key kept outside the repository
(``$XDG_CACHE_HOME/itscm/cache-key``, mode 0600): a cache file committed to
the repository, truncated, corrupted or written by another user or version is
ignored and rebuilt. Without a usable key there is no cache, never an
unverified one. ``ITSCM_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import pickle
import struct
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from . import __version__
from .atomic import remove_stale_temporaries, replace_file
from .config import Config
from .diagnostics import Finding, Location

if TYPE_CHECKING:
    from .loader import FileLoad

CACHE_DIR = ".itscm-cache"
# A pack: this magic, the digest of the salt it was written under (16
# bytes), the entry count (4 bytes), every key (20 bytes each), every
# payload's size (4 bytes each), then each entry's MAC (32 bytes) and
# payload, in that order. The keys and sizes up front let a run that needs a
# few entries read 24 bytes per entry and then just those entries, not the
# whole pack (47 MB for 10,000 services). Sizes are big-endian. The salt
# lets two itscm versions (a pinned pre-commit hook, a newer CLI) share a
# repository without throwing each other's packs away.
_MAGIC = b"ITSCMP4\n"
_KEY = 20
_MAC_SIZE = 32
_SALT_ID = 16
_COUNT = len(_MAGIC) + _SALT_ID + 4
FOREIGN_KEEP_DAYS = 14  # a pack of another salt, not used for this long, is removed
WHOLE_FROM = 256  # entries read from one pack one by one; more and the whole pack is read at once
_SOURCE_SALT: bytes | None = None
STALE_SLACK = 1 << 20  # stale bytes always tolerated: rewriting a small cache would cost more


def user_cache_dir() -> Path | None:
    """itscm's folder in the user's cache (``$XDG_CACHE_HOME/itscm``): never inside a repository.

    None when there is no such place: a relative ``XDG_CACHE_HOME`` is
    ignored (the XDG specification says so), and a home that is not an
    absolute path (``HOME=`` unset to a relative value in a CI step) would put
    the cache, and its key, in the current folder.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "itscm"


def _secret() -> bytes | None:
    """The per-user HMAC key, created on first use; None when it cannot be kept."""
    folder = user_cache_dir()
    if folder is None:
        return None
    path = folder / "cache-key"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
        data = path.read_bytes()
    except OSError:
        try:  # another process may have created it first
            data = path.read_bytes()
        except OSError:
            return None
    return data if len(data) >= 32 else None


def installed_distributions() -> list[str]:
    """The name and version of every distribution on ``sys.path`` (``ruamel.yaml-0.19.1.dist-info``...).

    Upgrading ruamel.yaml, its C parser, pydantic or pydantic-core can change
    what a file yields; listing the metadata folders costs a millisecond,
    where asking importlib.metadata for versions costs 60.
    """
    names: list[str] = []
    for entry in sys.path:
        try:
            names.extend(f"{entry}/{n}" for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return sorted(names)


def source_salt() -> bytes:
    """A digest of itscm's own source and of what is installed beside it.

    A changed loader, rule or dependency never reads old entries or results.
    """
    global _SOURCE_SALT
    if _SOURCE_SALT is None:
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{__version__}|{sys.version}".encode())
        digest.update("\0".join(installed_distributions()).encode("utf-8", "surrogatepass"))
        package = Path(__file__).resolve().parent
        for source in sorted(package.rglob("*.py")):
            try:
                digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
            except OSError:
                digest.update(os.urandom(16))  # unreadable source: make the cache useless, not wrong
        _SOURCE_SALT = digest.digest()
    return _SOURCE_SALT


def _linked(root: Path, directory: Path) -> bool:
    """Whether a folder of the cache below ``root`` is a symbolic link.

    A repository could commit ``.itscm-cache`` (or a folder inside it) as a
    link to somewhere else: the cache would then write, and prune old
    entries, outside the repository. Such a cache is not used at all.
    """
    current = directory
    while current != root and current.parent != current:
        if current.is_symlink():
            return True
        current = current.parent
    return False


def make_cache_dir(directory: Path) -> None:
    """Create a folder inside ``.itscm-cache/``, which ignores itself for Git (raises OSError)."""
    directory.mkdir(parents=True, exist_ok=True)
    top = directory
    while top.name != CACHE_DIR and top.parent != top:
        top = top.parent
    ignore = top / ".gitignore"
    if top.name == CACHE_DIR and not ignore.exists():
        ignore.write_text("# itscm's cache: never commit it\n*\n", encoding="utf-8")


def entry_key(salt: bytes, rel: str, raw: bytes) -> bytes:
    """The content address of a file: its path and bytes under the salt."""
    digest = hashlib.blake2b(salt, digest_size=_KEY)
    digest.update(rel.encode("utf-8", "surrogatepass") + b"\0" + raw)  # one call: a warm run makes one per file
    return digest.digest()


class _Pack:
    """One pack's keys and where each entry lies; the entries are read when asked for."""

    def __init__(
        self, path: str, size: int, keys: list[bytes], starts: list[int], sizes: tuple[int, ...], salt_id: bytes = b""
    ) -> None:
        self.path = path
        self.size = size
        self.salt_id = salt_id  # empty for a file that is not a pack of this format
        self.keys = keys
        self.starts = starts  # where each entry's MAC begins
        self.sizes = sizes
        self.blob: memoryview | None = None  # the whole pack, once enough entries were asked for
        self.reads = 0

    @classmethod
    def open(cls, path: str, salt_id: bytes) -> _Pack | None:
        """The pack at ``path`` with its table read, or None when it cannot be read (missing, a link).

        A file that is not a pack of this format (an older format, cut short
        in its table, garbage) has no entries and no salt: its bytes count as
        stale, and the next compaction removes it. A pack written under
        another salt (``salt_id`` differs) is not read past its head.
        """
        try:
            fd = open_cache_file(path)
        except OSError:
            return None
        try:
            size = os.fstat(fd).st_size
            head = os.pread(fd, _COUNT, 0)
            written_under = _salt_of(head)
            count = int.from_bytes(head[len(_MAGIC) + _SALT_ID :], "big")
            table = _COUNT + count * (_KEY + 4)
            ours = written_under is not None and table <= size
            mine = ours and written_under == salt_id
            raw = os.pread(fd, table - _COUNT, _COUNT) if mine else b""
        except OSError:
            return None
        finally:
            os.close(fd)
        if not ours or (mine and len(raw) < table - _COUNT):
            return cls(path, size, [], [], ())
        if not mine:
            return cls(path, size, [], [], (), written_under or b"")
        keys = [raw[i : i + _KEY] for i in range(0, count * _KEY, _KEY)]
        sizes = struct.unpack(f">{count}I", raw[count * _KEY :])
        starts = list(itertools.accumulate((_MAC_SIZE + n for n in sizes), initial=table))
        return cls(path, size, keys, starts, sizes, salt_id)

    def entry(self, i: int) -> memoryview | None:
        """Entry ``i`` as its MAC followed by its payload, or None when the pack ends before it."""
        start, length = self.starts[i], _MAC_SIZE + self.sizes[i]
        if start + length > self.size:
            return None  # a truncated pack: its last entries are simply not there
        if self.blob is None:
            self.reads += 1
            if self.reads > WHOLE_FROM:
                self.blob = _read_whole(self.path)
        if self.blob is not None:
            view = self.blob[start : start + length]
        else:
            view = memoryview(_read_at(self.path, start, length))
        return view if len(view) == length else None


def _salt_of(head: bytes) -> bytes | None:
    """The salt id a pack was written under, from its first _COUNT bytes; None for no pack of this format."""
    if len(head) != _COUNT or head[: len(_MAGIC)] != _MAGIC:
        return None
    return head[len(_MAGIC) : len(_MAGIC) + _SALT_ID]


def open_cache_file(path: str | Path) -> int:
    """A file of the cache opened for reading (raises OSError).

    O_NOFOLLOW: a link planted in the cache folder is not read.
    """
    return os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))


def read_cache_file(path: str | Path) -> bytes:
    """The whole of a file of the cache (raises OSError)."""
    with os.fdopen(open_cache_file(path), "rb") as handle:
        return handle.read()


def _read_whole(path: str) -> memoryview:
    try:
        return memoryview(read_cache_file(path))
    except OSError:
        return memoryview(b"")  # gone meanwhile (compacted by another run): every entry is a miss


def _read_at(path: str, start: int, length: int) -> bytes:
    try:
        fd = open_cache_file(path)
    except OSError:
        return b""
    try:
        return os.pread(fd, length, start)
    except OSError:
        return b""
    finally:
        os.close(fd)


class LoadCache:
    """Verified entries kept in a few pack files; every failure means "not cached".

    Creating a file costs far more than reading one, so a run writes all its
    new entries into one new pack. When packs pile up or hold mostly stale
    entries, the used entries are compacted into a single pack.
    """

    def __init__(self, directory: Path, secret: bytes, salt: bytes, guest: bool = False) -> None:
        self.directory = directory
        self.secret = secret
        self.salt = salt
        self.salt_id = hashlib.blake2b(salt, digest_size=_SALT_ID).digest()
        self.entries: dict[bytes, tuple[_Pack, int]] = {}  # key -> (pack, entry), unverified
        self.packs: list[str] = []  # this salt's packs, and files that are no pack of this format
        self.foreign: list[str] = []  # packs of other salts: other itscm versions or dependencies
        self.stored = 0  # bytes in the packs opened
        self.used: dict[bytes, bytes | memoryview] = {}  # key -> verified payload, used by this run
        self.new: dict[bytes, bytes | memoryview] = {}
        self._read = False  # packs are opened on the first lookup: a whole-run hit never needs them
        # A run over another tree (PR mode's base) adds its entries but never
        # compacts: what it did not use is what the working tree needs.
        self.guest = guest
        try:
            self._names = sorted(n for n in os.listdir(self.directory) if n.endswith(".pack"))
        except OSError:
            self._names = []

    @classmethod
    def open(cls, config: Config, guest: bool = False) -> LoadCache | None:
        """The cache of ``config.root``, or None when it is turned off or cannot be used.

        ``guest``: the run reads another tree with this cache (see ``flush``).
        """
        if os.environ.get("ITSCM_NO_CACHE", "").strip() not in ("", "0"):
            return None
        directory = config.root / CACHE_DIR / "v2"
        if _linked(config.root, directory):
            return None
        secret = _secret()
        if secret is None:
            return None
        salt = source_salt() + str(config.max_file_size).encode()
        return cls(directory, secret, salt, guest)

    @property
    def has_packs(self) -> bool:
        """Whether earlier runs left anything (without reading it)."""
        return bool(self._names)

    @property
    def empty(self) -> bool:
        """True when there is nothing to look up (no pack, or none that could be read)."""
        if not self._read and not self._names:
            return True
        self._read_packs()
        return not self.entries

    def mark_used(self) -> None:
        """Mark this salt's packs used without reading them: for a run answered by the result cache.

        Another itscm version removes packs of other salts that no run has
        used for FOREIGN_KEEP_DAYS; a version whose runs are all answered
        from stored results still needs its packs for the next edit. Only
        each pack's head is read, and a pack marked within the last day is
        left as it is.
        """
        if self._read:
            return  # reading the packs marked them
        recent = time.time() - 86400
        for name in self._names:
            path = os.path.join(self.directory, name)
            try:
                fd = open_cache_file(path)
            except OSError:
                continue
            try:
                if _salt_of(os.pread(fd, _COUNT, 0)) == self.salt_id and os.fstat(fd).st_mtime < recent:
                    os.utime(path, follow_symlinks=False)
            except OSError:
                pass
            finally:
                os.close(fd)

    def _read_packs(self) -> None:
        if self._read:
            return
        self._read = True
        for name in self._names:
            path = os.path.join(self.directory, name)
            pack = _Pack.open(path, self.salt_id)
            if pack is None:
                continue
            if pack.salt_id and pack.salt_id != self.salt_id:
                self.foreign.append(name)
                continue
            if pack.salt_id:
                try:  # used now: another version's compaction keeps it (FOREIGN_KEEP_DAYS)
                    os.utime(path, follow_symlinks=False)
                except OSError:
                    pass
            self.packs.append(name)
            self.stored += pack.size
            self.entries.update(zip(pack.keys, ((pack, i) for i in range(len(pack.keys)))))

    def key(self, rel: str, raw: bytes) -> bytes:
        return entry_key(self.salt, rel, raw)

    def _mac(self, key: bytes, payload: bytes | memoryview) -> bytes:
        digest = hmac.new(self.secret, key, hashlib.sha256)
        digest.update(payload)
        return digest.digest()

    def get(self, key: bytes) -> memoryview | None:
        """The verified payload stored under ``key``, or None."""
        self._read_packs()
        found = self.entries.get(key)
        if found is None:
            mine = self.new.get(key)  # written by this run, not yet flushed
            return memoryview(mine) if mine is not None else None
        pack, i = found
        entry = pack.entry(i)
        if entry is None:
            return None
        view = entry[_MAC_SIZE:]
        if not hmac.compare_digest(entry[:_MAC_SIZE], self._mac(key, view)):
            return None
        self.used[key] = view
        return view

    def put(self, key: bytes, payload: bytes | memoryview) -> None:
        """Remember a new entry; ``flush`` writes them."""
        self.used[key] = payload
        if key not in self.entries:
            self.new[key] = payload

    def flush(self, compact: bool = True) -> None:
        """Write this run's new entries as one pack; compact when packs pile up or go stale.

        ``compact=False`` for a run that used only a few entries: what it did
        not use says nothing about what is stale.
        """
        if not self.new:
            return
        if not compact or self.guest:
            if self._write(self.new):
                self.new = {}
            return
        self._read_packs()  # compacting keeps what the packs hold
        self._drop_unused_foreign()
        remove_stale_temporaries(self.directory)  # of runs killed while writing
        live = sum(len(p) for p in self.used.values())
        # Bytes in the packs that this run did not use: old versions of files,
        # or a whole estate written by another itscm or dependency version.
        stale = self.stored - sum(len(p) for k, p in self.used.items() if k not in self.new)
        if len(self.packs) >= 8 or stale > live // 2 + STALE_SLACK:
            if self._write(self.used):
                for name in self.packs:
                    try:
                        os.unlink(os.path.join(self.directory, name))
                    except OSError:
                        pass
        else:
            self._write(self.new)

    def _drop_unused_foreign(self) -> None:
        """Remove the packs of other salts that no run has used for FOREIGN_KEEP_DAYS.

        After an upgrade the old version's packs are never used again; two
        versions in use side by side each keep theirs (a run that reads its
        packs marks them used).
        """
        cutoff = time.time() - FOREIGN_KEEP_DAYS * 86400
        for name in self.foreign:
            path = os.path.join(self.directory, name)
            try:
                if os.lstat(path).st_mtime < cutoff:
                    os.unlink(path)
            except OSError:
                pass

    def _write(self, entries: dict[bytes, bytes | memoryview]) -> bool:
        keys = list(entries)
        payloads = [entries[k] for k in keys]
        name = f"{os.getpid()}-{os.urandom(6).hex()}.pack"

        def write(handle: IO[bytes]) -> None:
            handle.write(_MAGIC + self.salt_id + len(keys).to_bytes(4, "big") + b"".join(keys))
            handle.write(struct.pack(f">{len(keys)}I", *map(len, payloads)))
            for key, payload in zip(keys, payloads):
                handle.write(self._mac(key, payload))
                handle.write(payload)

        try:
            make_cache_dir(self.directory)
            replace_file(self.directory / name, write)  # a failure or a stop leaves no half-written pack
        except (OSError, struct.error):
            return False
        return True


def encode(loaded: FileLoad) -> bytes:
    """A file's result as a compact pickle of plain values (models pickle themselves)."""
    docs = [(d.index, d.model, d.packed_spans, d.refs) for d in loaded.documents]
    invalid = [(i.kind, i.id, i.location.line, i.location.column, i.refs) for i in loaded.invalid]
    findings = [(f.location.line, f.location.column, f.message, f.related, f.key, f.code) for f in loaded.findings]
    return pickle.dumps((docs, invalid, findings, loaded.waivers), protocol=pickle.HIGHEST_PROTOCOL)


def decode(payload: bytes | memoryview, rel: str) -> FileLoad:
    """The inverse of ``encode`` for the file at ``rel``; raises on anything malformed."""
    from .loader import FileLoad, InvalidDoc, SourceDoc  # imported once, then a dictionary lookup

    docs, invalid, findings, waivers = pickle.loads(payload)  # noqa: S301 - HMAC-verified or our own
    result = FileLoad(
        [SourceDoc(rel, index, model, spans, refs) for index, model, spans, refs in docs],
        [InvalidDoc(rel, kind, id_, Location(rel, line, column), refs) for kind, id_, line, column, refs in invalid],
        [Finding(Location(rel, line, column), message, related, key, code) for line, column, message, related, key, code in findings],
        waivers,
    )
    return result


def decode_or_none(payload: bytes | memoryview, rel: str) -> FileLoad | None:
    """``decode``, or None when the payload is not a valid entry (never raises)."""
    try:
        return decode(payload, rel)
    except Exception:  # noqa: BLE001 - a bad entry is simply not a cache hit
        return None

