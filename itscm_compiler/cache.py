"""A content-addressed cache of what each file yields, in ``.itscm-cache/``.

Loading (parse, validate, find references) is a pure function of a file's
path and bytes and of the loading code, so its result is stored under
``hash(salt, path, bytes)``, where the salt covers the itscm version and
source, the Python and pydantic versions and the loading configuration. A
changed file simply has a new key: nothing is ever invalidated in place, and
the cache cannot change a result.

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
import os
import pickle
import sys
from pathlib import Path

from . import __version__
from .config import Config
from .diagnostics import Finding, Location
from .loader import FileLoad, InvalidDoc, SourceDoc

CACHE_DIR = ".itscm-cache"
_MAGIC = b"ITSCMC1\n"
_MAC_SIZE = 32
_SOURCE_SALT: bytes | None = None


def _secret() -> bytes | None:
    """The per-user HMAC key, created on first use; None when it cannot be kept."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "itscm" / "cache-key"
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


def _source_salt() -> bytes:
    """A digest of itscm's own source: a changed loader never reads old entries."""
    global _SOURCE_SALT
    if _SOURCE_SALT is None:
        import pydantic

        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{__version__}|{sys.version}|{pydantic.VERSION}".encode())
        package = Path(__file__).resolve().parent
        for source in sorted(package.rglob("*.py")):
            try:
                digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
            except OSError:
                digest.update(os.urandom(16))  # unreadable source: make the cache useless, not wrong
        _SOURCE_SALT = digest.digest()
    return _SOURCE_SALT


class LoadCache:
    """Verified per-file entries in one folder; every failure means "not cached"."""

    def __init__(self, directory: Path, secret: bytes, salt: bytes) -> None:
        self.directory = directory
        self.secret = secret
        self.salt = salt
        self.used: set[str] = set()
        self.written = 0

    @classmethod
    def open(cls, config: Config) -> LoadCache | None:
        """The cache of ``config.root``, or None when it is turned off or cannot be used."""
        if os.environ.get("ITSCM_NO_CACHE", "").strip() not in ("", "0"):
            return None
        secret = _secret()
        if secret is None:
            return None
        salt = _source_salt() + str(config.max_file_size).encode()
        return cls(config.root / CACHE_DIR / "v1", secret, salt)

    def key(self, rel: str, raw: bytes) -> str:
        digest = hashlib.blake2b(self.salt, digest_size=20)
        digest.update(rel.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def _mac(self, key: str, payload: bytes) -> bytes:
        return hmac.new(self.secret, key.encode() + payload, hashlib.sha256).digest()

    def get(self, key: str) -> bytes | None:
        """The verified payload stored under ``key``, or None."""
        self.used.add(key)
        path = self.directory / key
        try:
            if path.is_symlink():
                return None
            blob = path.read_bytes()
        except OSError:
            return None
        head = len(_MAGIC) + _MAC_SIZE
        if len(blob) < head or not blob.startswith(_MAGIC):
            return None
        payload = blob[head:]
        if not hmac.compare_digest(blob[len(_MAGIC) : head], self._mac(key, payload)):
            return None
        return payload

    def put(self, key: str, payload: bytes) -> None:
        """Store ``payload`` atomically; a cache that cannot be written is no cache."""
        self.used.add(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# itscm's cache: never commit it\n*\n", encoding="utf-8")
            tmp = self.directory / f".{key}.{os.getpid()}.tmp"
            tmp.write_bytes(_MAGIC + self._mac(key, payload) + payload)
            os.replace(tmp, self.directory / key)
            self.written += 1
        except OSError:
            pass

    def prune(self, used: set[str]) -> None:
        """Drop entries no file needs any more, once they clearly outnumber the used ones."""
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        if len(names) <= 2 * len(used) + 64:
            return
        for name in names:
            if name not in used:
                try:
                    os.unlink(self.directory / name)
                except OSError:
                    pass


def encode(loaded: FileLoad) -> bytes:
    """A file's result as a compact pickle of plain values (models pickle themselves)."""
    docs = [(d.index, d.model, d.packed_spans, d.refs) for d in loaded.documents]
    invalid = [(i.kind, i.id, i.location.line, i.location.column) for i in loaded.invalid]
    findings = [(f.location.line, f.location.column, f.message, f.related, f.key, f.code) for f in loaded.findings]
    return pickle.dumps((docs, invalid, findings, loaded.waivers), protocol=pickle.HIGHEST_PROTOCOL)


def decode(payload: bytes, rel: str) -> FileLoad:
    """The inverse of ``encode`` for the file at ``rel``; raises on anything malformed."""
    docs, invalid, findings, waivers = pickle.loads(payload)  # noqa: S301 - HMAC-verified or our own
    result = FileLoad(
        [SourceDoc(rel, index, model, spans, refs) for index, model, spans, refs in docs],
        [InvalidDoc(rel, kind, id_, Location(rel, line, column)) for kind, id_, line, column in invalid],
        [Finding(Location(rel, line, column), message, related, key, code) for line, column, message, related, key, code in findings],
        waivers,
    )
    return result


def decode_or_none(payload: bytes, rel: str) -> FileLoad | None:
    """``decode``, or None when the payload is not a valid entry (never raises)."""
    try:
        return decode(payload, rel)
    except Exception:  # noqa: BLE001 - a bad entry is simply not a cache hit
        return None

