"""Writing a file in one step: a reader, or a stop, never meets half of it, and nothing is left behind.

Every file itscm writes in place (``fmt``, ``review``, ``import``, the caches)
goes through :func:`replace_file`: a temporary file beside the target, then a
rename. A failure while writing (a full disk, a file size limit, Ctrl-C)
removes the temporary file; one left by a process that was killed outright is
swept later by :func:`remove_stale_temporaries`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import IO, Callable

_SUFFIX = ".tmp"
STALE_AFTER = 3600.0  # seconds: a temporary file this old belongs to no running write


def replace_file(path: Path | str, write: Callable[[IO[bytes]], object], mode: int | None = None) -> None:
    """Write ``path`` anew through ``write``, in one step (raises OSError, as ``write`` may).

    The temporary file is created exclusively (never through a link planted
    under its name) with the permissions the umask gives, or ``mode``.
    """
    directory, name = os.path.split(os.fspath(path))
    tmp = os.path.join(directory, f".{name}.{os.getpid()}-{os.urandom(4).hex()}{_SUFFIX}")
    try:
        with open(tmp, "xb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            write(handle)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = os.fspath(path)  # "File too large" alone would not say which file
        raise


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one step; a file that exists keeps its permissions."""
    try:
        mode: int | None = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None  # a new file: what the umask gives
    data = text.encode("utf-8")
    replace_file(path, lambda handle: handle.write(data), mode)


def remove_stale_temporaries(directory: Path | str, older_than: float = STALE_AFTER) -> None:
    """Remove what :func:`replace_file` left in ``directory`` when its process was killed outright."""
    cutoff = time.time() - older_than
    try:
        names = [n for n in os.listdir(directory) if n.startswith(".") and n.endswith(_SUFFIX)]
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        try:
            if os.lstat(path).st_mtime < cutoff:
                os.unlink(path)
        except OSError:
            pass
