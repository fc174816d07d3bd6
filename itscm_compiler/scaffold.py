"""``itscm init``: write a new continuity repository from the files shipped in the package.

The scaffold lives in ``data/scaffold/``. Files whose name starts with
``dot-`` become dot files (``dot-gitignore`` -> ``.gitignore``): package data
globs skip hidden files. ``${name}`` placeholders are filled in with today's
date, the repository's title, the itscm version and the hooks repository.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

DEFAULT_HOOKS_REPO = "https://github.com/itscm/itscm"


@dataclass
class InitResult:
    """What ``init`` wrote, and what it refused to overwrite."""

    root: Path
    written: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)  # refused: already there and no --force

    @property
    def refused(self) -> bool:
        return bool(self.existing)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("itscm-compiler")
    except PackageNotFoundError:
        from . import __version__

        return __version__


def _title(root: Path) -> str:
    name = root.resolve().name.replace("-", " ").replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else "Our"


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__":
            continue
        name = "." + child.name[4:] if child.name.startswith("dot-") else child.name
        rel = f"{prefix}{name}"
        if child.is_dir():
            found.extend(_walk(child, rel + "/"))
        else:
            found.append((rel, child))
    return found


def scaffold_files(root: Path, today: dt.date | None = None, hooks_repo: str = DEFAULT_HOOKS_REPO) -> dict[str, str]:
    """Every file of a new repository at ``root``: relative path -> text."""
    from . import schemas

    today = today or dt.date.today()
    values = {
        "today": today.isoformat(),
        "next_year": (today + dt.timedelta(days=365)).isoformat(),
        "next_half_year": (today + dt.timedelta(days=182)).isoformat(),
        "title": _title(root),
        "version": _version(),
        "hooks_repo": hooks_repo,
    }
    base = resources.files("itscm_compiler") / "data" / "scaffold"
    files = {rel: Template(item.read_text(encoding="utf-8")).safe_substitute(values) for rel, item in _walk(base)}
    # The schemas come from the installed models, so editors check documents
    # against exactly the itscm that lints them.
    for name, text in schemas.generate().items():
        files[f"schema/{name}"] = text
    return files


def init(root: Path, force: bool = False, today: dt.date | None = None, hooks_repo: str = DEFAULT_HOOKS_REPO) -> InitResult:
    """Write a new continuity repository under ``root``.

    Nothing is written when any file already exists, unless ``force``: a
    half-scaffolded repository mixed with someone's files helps nobody.
    """
    files = scaffold_files(root, today, hooks_repo)
    result = InitResult(root)
    result.existing = [rel for rel in files if (root / rel).exists()]
    if result.existing and not force:
        return result
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result.written.append(rel)
    result.existing = []
    return result
