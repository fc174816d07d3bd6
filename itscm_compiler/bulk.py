"""Load every discovered file: through the cache, and in worker processes for large estates.

Files are independent until the estate is built, so a large estate is read by
a few worker processes in chunks (YAML parsing and validation are pure Python
work that threads could not share). Each worker returns compact pickles (the
cache's own entry format), so a cache hit crosses the process boundary without
being unpickled and pickled again. Small estates, the pre-commit case, are read
in-process: starting workers would cost more than it saves.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Iterator

from .cache import LoadCache, decode_or_none, encode
from .config import Config
from .loader import FileLoad, Loaded, load_bytes, read_bytes

PARALLEL_FROM = 1500  # files; below this, starting workers costs more than it saves
MAX_WORKERS = 4


def worker_count(files: int) -> int:
    """How many processes to load ``files`` files with (``ITSCM_WORKERS`` overrides)."""
    wanted = os.environ.get("ITSCM_WORKERS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    if files < PARALLEL_FROM:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def _load_one(root: Path, rel: str, max_size: int, cache: LoadCache | None) -> tuple[FileLoad | None, bytes | None]:
    """One file's result, either as an object or (from the cache) as a payload to decode."""
    raw, findings = read_bytes(root / rel, rel, max_size)
    if raw is None:
        return FileLoad(findings=findings), None  # unreadable now: never cached
    if cache is None:
        return load_bytes(raw, rel), None
    key = cache.key(rel, raw)
    payload = cache.get(key)
    if payload is not None:
        return None, payload
    result = load_bytes(raw, rel)
    cache.put(key, encode(result))
    return result, None


def _chunk_worker(root: Path, rels: list[str], max_size: int, cache: LoadCache | None) -> tuple[list[bytes], set[str], int]:
    """Run in a worker: every file of the chunk as a payload, plus the cache keys used."""
    gc.disable()  # many small objects and no cycles: the collector would only cost time
    payloads = []
    for rel in rels:
        result, payload = _load_one(root, rel, max_size, cache)
        payloads.append(payload if payload is not None else encode(result))  # type: ignore[arg-type]
    return payloads, (cache.used if cache else set()), (cache.written if cache else 0)


def _chunks(items: list[str], count: int) -> Iterator[list[str]]:
    size = max(50, -(-len(items) // count))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_parallel(
    root: Path, files: list[str], config: Config, cache: LoadCache | None, workers: int, loaded: Loaded
) -> bool:
    """Load with worker processes; False when processes are unavailable (then load in-process)."""
    import concurrent.futures
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # fork shares the already imported modules; spawn would import everything again.
    context = multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)
    try:
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = [
                pool.submit(_chunk_worker, root, chunk, config.max_file_size, cache)
                for chunk in _chunks(files, workers * 6)
            ]
            start = 0
            for future in futures:
                payloads, used, written = future.result()
                for payload in payloads:
                    rel = files[start]
                    start += 1
                    result = decode_or_none(payload, rel)
                    if result is None:  # verified yet unreadable (another pickle format): rebuild
                        result, _ = _load_one(root, rel, config.max_file_size, None)
                    loaded.add(rel, result)  # type: ignore[arg-type]
                if cache is not None:
                    cache.used |= used
                    cache.written += written
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        return False
    return True


def load_all(root: Path, files: list[str], config: Config, use_cache: bool = True) -> Loaded:
    """Every file's documents, invalid documents, findings and waivers, in the order given."""
    loaded = Loaded(files=list(files))
    cache = LoadCache.open(config) if use_cache else None
    workers = worker_count(len(files))
    # Building many small objects: the cyclic collector finds nothing to free
    # here and would otherwise run hundreds of times (measured: half the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        done = workers > 1 and _load_parallel(root, list(files), config, cache, workers, loaded)
        if not done:
            loaded = Loaded(files=list(files))
            for rel in files:
                result, payload = _load_one(root, rel, config.max_file_size, cache)
                if payload is not None:
                    result = decode_or_none(payload, rel)
                    if result is None:  # verified yet unreadable (another pickle format): rebuild
                        result, _ = _load_one(root, rel, config.max_file_size, None)
                loaded.add(rel, result)  # type: ignore[arg-type]
    finally:
        if was_enabled:
            gc.enable()
    if cache is not None and cache.written:
        cache.prune(cache.used)
    return loaded
