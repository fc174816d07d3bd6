"""Read one file's bytes within the size limit: the first step of every load.

Kept apart from the loader so that a run answered from the result cache
reads and hashes files without importing the models.
"""

from __future__ import annotations

import os
from pathlib import Path

from .diagnostics import Finding, Location


def _finding(code: str, path: str, message: str) -> Finding:
    return Finding(Location(path, 1, 1), message, code=code)


def read_bytes(full: Path | str, rel: str, max_size: int) -> tuple[bytes | None, list[Finding]]:
    """Read a file's bytes, refusing files above ``max_size``; problems become findings."""
    try:
        with open(full, "rb") as handle:
            # Read one byte more than allowed: the size is checked on what was
            # read, so a file that grows after a stat() cannot slip through.
            # The stat only sizes the buffer: read(n) allocates n bytes first,
            # and 8 MB per small file cost more than the reading itself.
            try:
                hint = os.fstat(handle.fileno()).st_size + 1
            except OSError:
                hint = max_size + 1
            raw = handle.read(min(hint, max_size + 1))
            if len(raw) == hint and hint <= max_size:  # it grew since the stat: read the rest
                raw += handle.read(max_size + 1 - hint)
            size = len(raw)
            if size > max_size:
                try:
                    size = max(size, handle.seek(0, 2))
                except OSError:
                    pass
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
                f"file is {size / 1048576:.1f} MB, above the limit of {max_size / 1048576:.1f} MB: "
                "split it, or raise max_file_size in .itscm.yaml",
            )
        ]
    return raw, []
