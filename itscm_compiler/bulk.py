"""Load every discovered file: through the cache, and in worker processes for large estates.

The main process reads each file, looks its bytes up in the cache and decodes
the hits. The misses are loaded in-process when they are few (the pre-commit
case: starting workers would cost more than it saves) and by a few worker
processes in chunks when there are many (YAML parsing and validation are pure
Python work that threads could not share). Workers return each result as the
cache's own compact pickle, which the main process both decodes and stores.
"""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .cache import LoadCache, decode_or_none, encode, entry_key
from .config import Config
from .diagnostics import Finding
from .gcpause import gc_paused
from .readfile import read_bytes

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


def _chunk_worker(root: str, rels: list[str], max_size: int, salt: bytes | None) -> list[tuple[bytes, bytes | None]]:
    """Run in a worker: (payload, cache key or None) for every file of the chunk."""
    from .loader import FileLoad, load_bytes

    gc.disable()  # many small objects and no cycles: the collector would only cost time
    out: list[tuple[bytes, bytes | None]] = []
    for rel in rels:
        raw, findings = read_bytes(os.path.join(root, rel), rel, max_size)
        if raw is None:
            out.append((encode(FileLoad(findings=findings)), None))  # unreadable now: never cached
        else:
            out.append((encode(load_bytes(raw, rel)), entry_key(salt, rel, raw) if salt is not None else None))
    return out


def _chunks(items: list[str], count: int) -> Iterator[list[str]]:
    size = max(50, -(-len(items) // count))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_parallel(
    root: str, rels: list[str], max_size: int, cache: LoadCache | None, workers: int
) -> list[tuple[FileLoad, bytes | None]] | None:
    """Load ``rels`` with worker processes; None when processes are unavailable."""
    import concurrent.futures
    import multiprocessing

    # fork shares the modules already imported; spawn would import everything again.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin" else None
    results: list[tuple[FileLoad, bytes | None]] = []
    salt = cache.salt if cache else None  # all a worker needs to compute keys
    try:
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
            futures = [pool.submit(_chunk_worker, root, chunk, max_size, salt) for chunk in _chunks(rels, workers * 6)]
            position = 0
            for future in futures:
                for payload, key in future.result():
                    rel = rels[position]
                    position += 1
                    result = decode_or_none(payload, rel)
                    if result is None:  # pragma: no cover - our own payload always decodes
                        return None
                    if key is not None and cache is not None:
                        cache.put(key, payload)
                    results.append((result, key))
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        return None
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


def read_files(root: Path, files: list[str], config: Config, cache: LoadCache) -> Reading:
    """Read and hash every file (what a warm run does before it looks anything up)."""
    base = os.path.join(str(root), "")  # with its separator: pathlib, even os.path.join per file, costs more than reading a small file
    reading = Reading([b""] * len(files), {})
    for i, rel in enumerate(files):
        raw, findings = read_bytes(base + rel, rel, config.max_file_size)
        if raw is None:
            reading.unreadable[i] = findings
            reading.keys[i] = _problem_key(findings)
        else:
            reading.keys[i] = cache.key(rel, raw)
    return reading


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
