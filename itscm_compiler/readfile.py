"""Read one file's bytes within the size limit: the first step of every load.

Kept apart from the loader so that a run answered from the result cache
reads and hashes files without importing the models.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .diagnostics import Finding, Location


# O_NONBLOCK: opening a named pipe waits for a writer, forever if none comes;
# with it, the open returns and the file is refused as not a regular file.
# (Reading a regular file is not affected.)
_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_at_most(fd: int, limit: int, stat_size: int) -> tuple[bytes, int]:
    """Up to ``limit`` bytes from ``fd``, and how many were read.

    The size from fstat (``stat_size``) only sizes the first read, which
    asks for one byte more: a file that grew after the stat is read on, and
    the limit is checked on what was read. (A file that grows after that
    first read is a race no further read could close.)
    """
    want = min(stat_size + 1, limit)
    parts: list[bytes] = []
    total = 0
    while total < limit:
        chunk = os.read(fd, want - total)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        if total >= want:
            want = limit  # larger than its stat said: read on, up to the limit
        elif total == stat_size:
            break  # all its stat said, and not a byte more: no read just to meet the end
    return (parts[0] if len(parts) == 1 else b"".join(parts)), total


def size_text(size: int) -> str:
    """A size as people write it: ``8.0 MB``, ``1 KB``, ``12 bytes``."""
    if size >= 1048576:
        return f"{size / 1048576:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def _finding(code: str, path: str, message: str) -> Finding:
    return Finding(Location(path, 1, 1), message, code=code)


def read_bytes(full: Path | str, rel: str, max_size: int) -> tuple[bytes | None, list[Finding]]:
    """Read a file's bytes, refusing files above ``max_size``; problems become findings."""
    # Plain system calls: a buffered file object cost twice as much per
    # small file, and a warm run reads every file of the estate.
    try:
        fd = os.open(full, _FLAGS)
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(info.st_mode):
                return None, [_finding("Y005", rel, "not a regular file (a named pipe, socket or device): remove it")]
            raw, size = _read_at_most(fd, max_size + 1, info.st_size)
            if size > max_size:
                try:
                    size = max(size, os.lseek(fd, 0, os.SEEK_END))
                except OSError:
                    pass
        finally:
            os.close(fd)
    except FileNotFoundError:
        return None, [_finding("Y005", rel, "file disappeared while it was being read: run the check again")]
    except IsADirectoryError:
        return None, [_finding("Y005", rel, "a folder with a YAML name: rename it")]
    except OSError as exc:
        return None, [_finding("Y005", rel, f"cannot read the file: {exc.strerror or exc}")]
    if size > max_size:
        return None, [
            _finding(
                "Y006",
                rel,
                f"file is {size_text(size)}, above the limit of {size_text(max_size)}: "
                "split it, or raise max_file_size in .itscm.yaml",
            )
        ]
    return raw, []


def read_settings(path: Path) -> bytes | None:
    """A settings file (``.itscm.yaml``, ``mkdocs.yml``) read as the estate's files are; None when there is none.

    A folder, pipe or device, a link to nothing, or a file past the default
    ``max_file_size`` raises ValueError saying which: never a wait, and
    never the defaults in silence.
    """
    if not os.path.lexists(path):
        return None
    if not path.exists():
        raise ValueError(f"a link to {os.readlink(path)}, which does not exist")
    from .config import DEFAULT_MAX_FILE_SIZE  # config reads its own file through this module

    raw, refused = read_bytes(path, path.name, DEFAULT_MAX_FILE_SIZE)
    if raw is None:
        too_large = refused[0].code == "Y006"
        why = f"larger than {size_text(DEFAULT_MAX_FILE_SIZE)}, where a configuration takes a few lines"
        raise ValueError(why if too_large else refused[0].message)
    return raw

