"""Find the YAML files under the configured roots.

Hidden folders and files, tool files (``mkdocs.yml``, ``.pre-commit-*.yaml``,
CI workflows) and build outputs are not documents. Symbolic links are never
followed: a link is reported, so nothing outside the repository is read and a
link loop cannot hang discovery.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .config import Config

YAML_SUFFIXES = (".yaml", ".yml")
TOOL_FILES = frozenset({"mkdocs.yml", "mkdocs.yaml", "docker-compose.yml", "docker-compose.yaml"})
SKIPPED_DIRS = frozenset({"site", "node_modules", "venv", "build", "dist", "__pycache__", "schema"})


@dataclass(frozen=True)
class Discovered:
    """The files to read, and the paths that were seen but not read."""

    files: tuple[str, ...]  # repository-relative POSIX paths, sorted
    links: tuple[tuple[str, str], ...]  # (relative path, why it was not followed)
    missing_roots: tuple[str, ...]


def _is_tool_file(name: str) -> bool:
    return name.startswith(".") or name in TOOL_FILES


def _link_reason(path: Path, root: Path) -> str:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a broken symbolic link or a link loop"
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return "a symbolic link that points outside the repository"
    return "a symbolic link (links are not followed: list the target's folder in roots instead)"


def discover(config: Config, paths: tuple[str, ...] = ()) -> Discovered:
    """List the YAML files under ``paths`` (or the configured roots)."""
    root = config.root
    files: set[str] = set()
    links: list[tuple[str, str]] = []
    missing: list[str] = []
    for start in paths or config.roots:
        base = (root / start) if not os.path.isabs(start) else Path(start)
        if base.is_symlink():
            links.append((_rel(base, root), _link_reason(base, root)))
            continue
        if base.is_file():
            rel = _rel(base, root)
            if base.suffix in YAML_SUFFIXES and not config.excluded(rel):
                files.add(rel)
            continue
        if not base.is_dir():
            missing.append(start)
            continue
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            current = Path(dirpath)
            kept = []
            for name in sorted(dirnames):
                full = current / name
                if name.startswith(".") or name in SKIPPED_DIRS:
                    continue
                if full.is_symlink():
                    links.append((_rel(full, root), _link_reason(full, root)))
                    continue
                if config.excluded(_rel(full, root) + "/") or config.excluded(_rel(full, root)):
                    continue
                kept.append(name)
            dirnames[:] = kept
            for name in filenames:
                if not name.endswith(YAML_SUFFIXES) or _is_tool_file(name):
                    continue
                full = current / name
                rel = _rel(full, root)
                if config.excluded(rel):
                    continue
                if full.is_symlink():
                    links.append((rel, _link_reason(full, root)))
                    continue
                files.add(rel)
    return Discovered(tuple(sorted(files)), tuple(sorted(set(links))), tuple(missing))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
