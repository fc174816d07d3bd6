"""The PATHS a command is limited to, as repository-relative POSIX paths.

``lint``, ``lint --since`` and ``fmt`` take the same PATHS arguments and
select files and diagnostics the same way.
"""

from __future__ import annotations

from pathlib import Path


def relative(root: Path, path: str) -> str:
    """``path`` relative to ``root`` ("" for the root itself), or as given when it lies outside."""
    full = Path(path).resolve()
    try:
        rel = full.relative_to(root).as_posix()
    except ValueError:
        return path
    return "" if rel == "." else rel


def under(path: str, wanted: tuple[str, ...]) -> bool:
    """Whether ``path`` is one of ``wanted`` or inside one of them ("" stands for everything)."""
    return any(not w or path == w or path.startswith(w.rstrip("/") + "/") for w in wanted)
