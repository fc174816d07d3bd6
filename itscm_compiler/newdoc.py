"""``itscm new``: a new document of one kind, from a template with every required field.

Templates live in ``data/new/<kind>.yaml``. The first line of the written file
points the YAML language server at the kind's JSON Schema, relative to the
repository root, so editors complete and check the document as it is filled in.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from .models import KINDS
from .models.types import SLUG_PATTERN

# Folders are conventions, not rules: documents are found by kind anywhere.
FOLDERS: dict[str, str] = {
    "Policy": "plans",
    "Scope": "plans",
    "Service": "services",
    "Component": "services/components",
    "Supplier": "services/suppliers",
    "Site": "services/sites",
    "Team": "plans/teams",
    "Person": "plans/people",
    "BIA": "plans/bias",
    "ThreatCategory": "threats",
    "Threat": "threats",
    "RiskCategory": "risks",
    "Risk": "risks",
    "Plan": "plans",
    "Exercise": "plans/exercises",
}


class NewError(Exception):
    """The document cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class Written:
    path: Path
    kind: str


def resolve_kind(text: str) -> str:
    """The kind named by ``text``, case-insensitively; a NewError with a suggestion otherwise."""
    by_lower = {kind.lower(): kind for kind in KINDS}
    wanted = text.strip().lower().replace("-", "").replace("_", "")
    if wanted in by_lower:
        return by_lower[wanted]
    close = difflib.get_close_matches(wanted, list(by_lower), n=1, cutoff=0.6)
    hint = f": did you mean {by_lower[close[0]]!r}?" if close else ""
    raise NewError(f"unknown kind {text!r}{hint} (kinds: {', '.join(KINDS)})")


def check_id(id_: str) -> None:
    if not re.match(SLUG_PATTERN, id_):
        suggestion = re.sub(r"[^a-z0-9]+", "-", id_.lower()).strip("-")[:80].strip("-")
        hint = f": try {suggestion!r}" if suggestion and re.match(SLUG_PATTERN, suggestion) else ""
        raise NewError(
            f"{id_!r} is not a valid id: use lower-case letters, digits and hyphens, "
            f"starting and ending with a letter or digit{hint}"
        )


def _title(id_: str) -> str:
    words = id_.replace("-", " ")
    return words[:1].upper() + words[1:]


def render(kind: str, id_: str, schema_path: str, today: dt.date | None = None) -> str:
    """The text of a new ``kind`` document called ``id_``."""
    today = today or dt.date.today()
    template = (resources.files("itscm_compiler") / "data" / "new" / f"{kind.lower()}.yaml").read_text(encoding="utf-8")
    body = Template(template).safe_substitute(
        id=id_,
        name=_title(id_),
        today=today.isoformat(),
        next_year=(today + dt.timedelta(days=365)).isoformat(),
    )
    return f"# yaml-language-server: $schema={schema_path}\n{body}"


def new_document(kind_text: str, id_: str, root: Path, directory: Path | None = None, today: dt.date | None = None) -> Written:
    """Write ``<dir>/<id>.yaml``; never overwrite an existing file."""
    kind = resolve_kind(kind_text)
    check_id(id_)
    folder = directory if directory is not None else root / FOLDERS[kind]
    target = folder / f"{id_}.yaml"
    if target.exists():
        raise NewError(f"{target} already exists: choose another id, or edit that file")
    from .schemas import file_name

    schema = Path(os.path.relpath(root / "schema" / file_name(kind), folder)).as_posix()
    text = render(kind, id_, schema, today)
    created = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:  # "x": a file created meanwhile is not clobbered
            created = True
            handle.write(text)
    except FileExistsError:
        if target.exists():
            raise NewError(f"{target} already exists: choose another id, or edit that file") from None
        raise NewError(f"cannot write {target}: {folder} or a folder above it is a file; choose another --dir") from None
    except OSError as exc:
        if created:  # cut short (a full disk): no half a document left to be mistaken for one
            target.unlink(missing_ok=True)
        raise NewError(f"cannot write {target}: {exc.strerror or exc}; choose another --dir") from None
    return Written(target, kind)
