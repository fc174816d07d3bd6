"""Load every discovered file: through the cache, and in worker processes for large estates.

The main process reads each file, looks its bytes up in the cache and decodes
the hits. The misses are loaded in-process when they are few (the pre-commit
case: starting workers would cost more than it saves) and, when there are
many, in chunks by a few worker processes and the main process together
(YAML parsing and validation are pure Python work that threads could not
share). Workers return each result as the cache's own compact pickle, which
the main process both decodes and stores.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import LoadCache, decode_or_none, encode, entry_key
from .config import Config
from .diagnostics import Finding
from .forked import Forked, can_fork
from .gcpause import gc_paused
from .readfile import read_bytes
from .signals import deferred, plain_signals

if TYPE_CHECKING:
    from .loader import FileLoad, Loaded

# The loader (and with it the models and pydantic) is imported where a file
# is actually loaded: a run answered from the result cache never needs it.

PARALLEL_FROM = 1500  # files to load; below this, starting workers costs more than it saves
MAX_WORKERS = 4


def requested_workers() -> int | None:
    """The process count ``ITSCM_WORKERS`` asks for (loading and checks alike), or None."""
    wanted = os.environ.get("ITSCM_WORKERS", "").strip()
    return int(wanted) if wanted.isdigit() and int(wanted) > 0 else None


def cpu_count() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(files: int) -> int:
    """How many processes to load ``files`` files with (``ITSCM_WORKERS`` overrides)."""
    wanted = requested_workers()
    if wanted is not None:
        return wanted
    if files < PARALLEL_FROM:
        return 1
    return max(1, min(cpu_count(), MAX_WORKERS))


def _chunk_worker(root: str, rels: list[str], max_size: int, salt: bytes | None, spill: str) -> int:
    """Run in a worker: every file of the chunk loaded, encoded, and written to the file ``spill``.

    After the payloads comes a trailer, each payload's size and cache key
    (None: unreadable now, never cached); the return value is the trailer's
    length. Everything goes through the file: a pipe holds 64 KiB, and a
    worker writing a chunk's megabytes into one waited, idle, until the busy
    main process read them. And the pool's own pipe then carries only a
    small integer, written in one piece: a worker killed by a stop can never
    leave half a message there, for which the pool's thread would wait
    forever.
    """
    from .loader import FileLoad, load_bytes

    gc.disable()  # many small objects and no cycles: the collector would only cost time
    sizes: list[int] = []
    keys: list[bytes | None] = []
    with open(spill, "wb") as out:
        for rel in rels:
            raw, findings = read_bytes(os.path.join(root, rel), rel, max_size)
            if raw is None:
                payload, key = encode(FileLoad(findings=findings)), None
            else:
                payload, key = encode(load_bytes(raw, rel)), entry_key(salt, rel, raw) if salt is not None else None
            out.write(payload)
            sizes.append(len(payload))
            keys.append(key)
        trailer = pickle.dumps((sizes, keys), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(trailer)
    return len(trailer)


def _chunks(items: list[str], count: int) -> list[list[str]]:
    size = max(50, -(-len(items) // count))
    return [items[start : start + size] for start in range(0, len(items), size)]


CHUNKS_PER_PROCESS = 50  # small: a worker holds two chunks ahead, and the two ends meet with little waiting


def _load_parallel(
    root: str, rels: list[str], max_size: int, cache: LoadCache | None, workers: int
) -> list[tuple[FileLoad, bytes | None]] | None:
    """Load ``rels`` with ``workers`` processes, this one among them; None when processes are unavailable.

    The worker processes take chunks from the front and this process takes
    them from the back, until the two meet: a worker ships each result as a
    pickle that costs this process a third of loading the file itself, so
    this process decodes what has arrived and loads the rest alone instead of
    waiting (a 10,000-service estate loaded in 1.3 s instead of 1.9 s on two
    cores). A chunk is taken back from the pool only while no worker has
    started it, so no file is loaded twice.
    """
    import concurrent.futures
    import multiprocessing
    import tempfile

    # fork shares the modules already imported; spawn would import everything again.
    method = "fork" if can_fork() else None
    if method == "fork":
        from .schemacache import prepare

        prepare()  # built once here, not once in every worker
    chunks = _chunks(rels, workers * CHUNKS_PER_PROCESS)
    done: list[list[tuple[FileLoad, bytes | None]]] = [[] for _ in chunks]
    salt = cache.salt if cache else None  # all a worker needs to compute keys
    spill: str | None = None
    try:
        with deferred():  # a stop that comes now waits until the folder is known, to be removed
            spill = tempfile.mkdtemp(prefix="itscm-load-")
        with concurrent.futures.ProcessPoolExecutor(
            workers - 1, mp_context=multiprocessing.get_context(method), initializer=plain_signals
        ) as pool:
            spills = [os.path.join(spill, str(i)) for i in range(len(chunks))]
            # Every call on the pool or a future takes a lock of its own; a stop
            # raised just after one is taken leaves it taken (Python's `with`
            # cannot guard that moment), and the pool's thread then waits for
            # it forever. So a stop waits out these calls: they are short.
            with deferred():
                futures = [pool.submit(_chunk_worker, root, chunk, max_size, salt, spills[i]) for i, chunk in enumerate(chunks)]
            front, back = 0, len(chunks)
            while front < back:
                with deferred():
                    take_back = not futures[front].done() and futures[back - 1].cancel()
                if take_back:
                    back -= 1
                    done[back] = [_load_here(root, rel, max_size, cache) for rel in chunks[back]]
                    continue
                with deferred():  # at most one chunk's loading, or the pool found broken
                    trailer = futures[front].result()
                shipped = _decoded(_read_spill(spills[front]), trailer, chunks[front], cache)
                if shipped is None:  # pragma: no cover - our own payload always decodes
                    return None
                done[front] = shipped
                front += 1
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        return None
    finally:
        if spill is not None:
            with deferred():  # a Ctrl-C arriving now must not leave the spill files behind
                shutil.rmtree(spill, ignore_errors=True)
    return [result for chunk in done for result in chunk]


def _read_spill(path: str) -> memoryview:
    with open(path, "rb") as handle:
        return memoryview(handle.read())


def _decoded(
    spilled: memoryview, trailer: int, rels: list[str], cache: LoadCache | None
) -> list[tuple[FileLoad, bytes | None]] | None:
    """A worker's chunk as results, each stored in the cache as shipped; None if one does not decode."""
    end = len(spilled) - trailer
    try:
        sizes, keys = pickle.loads(spilled[end:]) if end >= 0 else ((), ())  # noqa: S301 - our own worker's file
    except Exception:  # noqa: BLE001  # pragma: no cover - our own trailer always decodes
        return None
    if len(sizes) != len(rels):  # pragma: no cover - as above
        return None
    spilled = spilled[:end]
    results: list[tuple[FileLoad, bytes | None]] = []
    start = 0
    for rel, size, key in zip(rels, sizes, keys):
        payload = spilled[start : start + size]
        start += size
        result = decode_or_none(payload, rel)
        if result is None:
            return None
        if key is not None and cache is not None:
            cache.put(key, payload)
        results.append((result, key))
    return results


def _load_here(root: str, rel: str, max_size: int, cache: LoadCache | None) -> tuple[FileLoad, bytes | None]:
    from .loader import FileLoad, load_bytes

    raw, findings = read_bytes(os.path.join(root, rel), rel, max_size)
    if raw is None:
        return FileLoad(findings=findings), None
    result = load_bytes(raw, rel)
    key = None
    if cache is not None:
        key = cache.key(rel, raw)
        cache.put(key, encode(result))
    return result, key


def load_known(base: str, rel: str, key: bytes, max_size: int, cache: LoadCache, reload: bool = True) -> FileLoad | None:
    """What ``rel`` yields when its content key is ``key``: from the cache, or (``reload``) by loading it.

    None when neither gives it: not cached, or the file no longer has that
    content (it was edited again meanwhile, or cannot be read).
    """
    payload = cache.get(key)
    if payload is not None:
        hit = decode_or_none(payload, rel)
        if hit is not None:
            return hit
    if not reload:
        return None
    result, actual = _load_here(base, rel, max_size, cache)
    return result if actual == key else None


@dataclass
class Reading:
    """Every file read and hashed once in this process, or why it could not be read.

    The bytes are not kept: a hit needs only the key, and the few misses are
    read again (their keys then come from the bytes actually loaded, so a
    file edited meanwhile can never be cached under its old key).
    """

    keys: list[bytes]  # the cache key, or b"!" and the problem for a file that could not be read
    unreadable: dict[int, list[Finding]]  # why each file that could not be read was not


READ_PARALLEL_FROM = 4000  # files to read and hash; below this, forking costs about what it saves


def read_files(root: Path, files: list[str], config: Config, cache: LoadCache) -> Reading:
    """Read and hash every file (what a warm run does before it looks anything up).

    From READ_PARALLEL_FROM files, a forked process (forked.py) reads and
    hashes the second half while this one reads the first: 56,667 files
    took 0.40 instead of 0.70 s. Only the keys come back (a few bytes per
    file).
    """
    base = os.path.join(str(root), "")  # with its separator: pathlib, even os.path.join per file, costs more than reading a small file
    salt, limit = cache.salt, config.max_file_size
    reading = Reading([b""] * len(files), {})
    child = None
    if len(files) >= READ_PARALLEL_FROM and worker_count(len(files)) > 1:
        child = Forked.start(lambda: _read_part(base, files[len(files) // 2 :], salt, limit))
    split = len(files) // 2 if child is not None else len(files)
    shipped = None
    try:
        _read_into(reading, 0, base, files[:split], salt, limit)
        if child is not None:
            shipped = child.result()
    finally:
        if child is not None:
            child.stop()
    if shipped is not None and len(shipped[0]) == len(files) - split:
        keys, unreadable = shipped
        reading.keys[split:] = keys
        reading.unreadable.update((split + i, why) for i, why in unreadable.items())
    elif split < len(files):  # the reader died or was killed: read its half here
        _read_into(reading, split, base, files[split:], salt, limit)
    return reading


def _read_part(base: str, rels: list[str], salt: bytes, limit: int) -> tuple[list[bytes], dict[int, list[Finding]]]:
    """Run in a forked reader: the keys of ``rels``, and why each unreadable one is (a few bytes per file)."""
    part = Reading([b""] * len(rels), {})
    _read_into(part, 0, base, rels, salt, limit)
    return part.keys, part.unreadable


def _read_into(reading: Reading, start: int, base: str, rels: list[str], salt: bytes, limit: int) -> None:
    keys, unreadable = reading.keys, reading.unreadable
    for i, rel in enumerate(rels, start):
        raw, findings = read_bytes(base + rel, rel, limit)
        if raw is None:
            unreadable[i] = findings
            keys[i] = _problem_key(findings)
        else:
            keys[i] = entry_key(salt, rel, raw)


def _problem_key(findings: list[Finding]) -> bytes:
    return b"!" + "\n".join(f.message for f in findings).encode("utf-8", "surrogatepass")


def load_all(
    root: Path,
    files: list[str],
    config: Config,
    use_cache: bool = True,
    cache: LoadCache | None = None,
    reading: Reading | None = None,
) -> Loaded:
    """Every file's documents, invalid documents, findings and waivers, in the order given.

    ``cache`` is the load cache to use (opened here when None and
    ``use_cache``); ``reading`` the files already read by :func:`read_files`.
    ``Loaded.keys`` gets every file's content key when there is a cache.
    """
    from .loader import FileLoad, Loaded

    if cache is None and use_cache:
        cache = LoadCache.open(config)
    base = str(root)
    max_size = config.max_file_size
    results: list[FileLoad | None] = [None] * len(files)  # every slot is filled below
    keys: list[bytes] = [b""] * len(files)
    misses: list[int] = []
    with gc_paused():
        if reading is None and cache is not None and not cache.empty:
            reading = read_files(root, files, config, cache)
        if reading is None:
            misses = list(range(len(files)))
        else:
            assert cache is not None  # files are read ahead only to look them up
            keys = list(reading.keys)
            for i, rel in enumerate(files):
                if i in reading.unreadable:
                    results[i] = FileLoad(findings=reading.unreadable[i])
                    continue
                payload = cache.get(keys[i])
                hit = decode_or_none(payload, rel) if payload is not None else None
                if hit is None:
                    misses.append(i)
                else:
                    results[i] = hit
        workers = worker_count(len(misses))
        loaded = None
        if workers > 1:
            loaded = _load_parallel(base, [files[i] for i in misses], max_size, cache, workers)
        if loaded is None:
            loaded = [_load_here(base, files[i], max_size, cache) for i in misses]
        for i, (result, key) in zip(misses, loaded):
            results[i] = result
            keys[i] = key if key is not None else _problem_key(result.findings)
    if cache is not None:
        cache.flush()
    out = Loaded(files=list(files))
    for rel, done in zip(files, results):
        assert done is not None  # every file is a hit, a miss loaded, or unreadable
        out.add(rel, done)
    if cache is not None:
        out.keys = keys
    return out
