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
    unlisted: tuple[tuple[str, str], ...] = ()  # (relative folder, why it could not be listed)


def is_yaml_name(name: str) -> bool:
    """Whether a file name says YAML: ``.yaml`` or ``.yml``, in any case (``Plan.YAML`` saved on Windows)."""
    return name.lower().endswith(YAML_SUFFIXES)


def _is_tool_file(name: str) -> bool:
    return name.startswith(".") or name.lower() in TOOL_FILES


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
    unlisted: list[tuple[str, str]] = []
    for start in paths or config.roots:
        # Lexically normalised: `services/../services` and `./services` name the
        # same files as `services` (and under the same names, so they are read
        # once); links are never followed, so `..` never means a link's parent.
        base = (root / os.path.normpath(start)) if not os.path.isabs(start) else Path(start)
        if base.is_symlink():
            links.append((_rel(base, root), _link_reason(base, root)))
            continue
        if base.is_file():
            rel = _rel(base, root)
            if is_yaml_name(base.name) and not config.excluded(rel):
                files.add(rel)
            continue
        if not base.is_dir():
            missing.append(start)
            continue
        _walk(str(base), _rel(base, root), config, files, links, unlisted)
    return Discovered(tuple(sorted(files)), tuple(sorted(set(links))), tuple(missing), tuple(sorted(set(unlisted))))


def _walk(
    top: str, top_rel: str, config: Config, files: set[str], links: list[tuple[str, str]], unlisted: list[tuple[str, str]]
) -> None:
    """Walk ``top`` with plain strings and ``scandir`` (pathlib costs more than the walk itself).

    A folder that cannot be listed goes to ``unlisted`` (Y011): its files
    must not drop out of every check in silence. One removed meanwhile is
    simply gone.
    """
    root = config.root
    excluded = config.excluded if config.exclude else None
    stack = [(top, "" if top_rel == "." else top_rel)]
    while stack:
        folder, rel_folder = stack.pop()
        prefix = rel_folder + "/" if rel_folder else ""
        try:
            with os.scandir(folder) as entries:
                found = sorted(entries, key=lambda e: e.name)
        except FileNotFoundError:
            continue
        except OSError as exc:
            unlisted.append((rel_folder or ".", exc.strerror or str(exc)))
            continue
        for entry in found:
            name = entry.name
            rel = prefix + name
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name.startswith(".") or name in SKIPPED_DIRS:
                    continue
                if excluded and (excluded(rel + "/") or excluded(rel)):
                    continue
                stack.append((entry.path, rel))
                continue
            if is_link:
                if _is_dir_link(entry):
                    if name.startswith(".") or name in SKIPPED_DIRS:
                        continue
                elif not is_yaml_name(name) or _is_tool_file(name) or (excluded and excluded(rel)):
                    continue
                links.append((rel, _link_reason(Path(entry.path), root)))
                continue
            if not is_yaml_name(name) or _is_tool_file(name):
                continue
            if excluded and excluded(rel):
                continue
            files.add(rel)


def _is_dir_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows the link; a broken link or loop is not a folder
    except OSError:
        return False


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
