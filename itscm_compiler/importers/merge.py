"""Write imported entities into the repository through a ruamel.yaml round trip.

Existing documents are found by id wherever they live under the output
folder (people move documents between files); only the fields the source owns
change, in place, so comments, key order and hand-written fields survive. A
file is rewritten only when one of its documents changed, so a second import
of an unchanged source changes no byte.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from ..atomic import write_atomically
from ..config import DEFAULT_MAX_FILE_SIZE
from ..discovery import is_yaml_name
from ..readfile import read_bytes
from ..roundtrip import EditError, editor, load_all
from .base import Entity, Problem

# The order of keys in new documents, and where a new key goes in an old one.
KEY_ORDER = (
    "apiVersion", "kind", "id", "name", "description", "owner", "tier", "type", "category", "lifecycle",
    "source", "members", "email", "customers", "url", "instances", "supplier", "depends_on",
)
SKIPPED_DIRS = frozenset({"site", "schema", "node_modules", "venv", "build", "dist", "__pycache__"})


@dataclass
class FileState:
    """One YAML file of the repository, loaded for a round trip."""

    path: Path
    text: str
    docs: list[Any]
    new: bool = False

    def dump(self) -> str:
        stream = io.StringIO()
        editor().dump_all(self.docs, stream)
        return stream.getvalue()


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # "Kind id"
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    files_written: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _load_repository(
    out: Path, result: ImportResult, max_size: int
) -> tuple[dict[str, tuple[FileState, int]], dict[Path, FileState]]:
    by_id: dict[str, tuple[FileState, int]] = {}
    files: dict[Path, FileState] = {}
    if not out.is_dir():
        return by_id, files
    for dirpath, dirnames, filenames in os.walk(out):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(filenames):
            if not is_yaml_name(name) or name.startswith("."):
                continue
            path = Path(dirpath) / name
            raw, refused = read_bytes(path, str(path), max_size)  # as lint reads it: no pipe, no huge file
            try:
                if raw is None:
                    raise EditError(refused[0].message)
                text = raw.decode("utf-8")
                docs = load_all(text)
            except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, never fatal
                why = str(exc) if isinstance(exc, EditError) else f"cannot read it ({type(exc).__name__}: {exc})"
                result.problems.append(Problem("warning", str(path), f"{why}; documents in it are not updated"))
                continue
            state = FileState(path, text, docs)
            files[path] = state
            for index, doc in enumerate(docs):
                if isinstance(doc, dict) and isinstance(doc.get("id"), str) and "kind" in doc:
                    by_id.setdefault(doc["id"], (state, index))
    return by_id, files


def _insert(doc: CommentedMap, key: str, value: Any) -> None:
    """Set ``key``, placing a new key after the keys that come before it in KEY_ORDER."""
    if key in doc:
        doc[key] = value
        return
    rank = KEY_ORDER.index(key) if key in KEY_ORDER else len(KEY_ORDER)
    position = 0
    for i, existing in enumerate(doc):
        if (KEY_ORDER.index(existing) if existing in KEY_ORDER else len(KEY_ORDER)) <= rank:
            position = i + 1
    doc.insert(position, key, value)


def _targets(entry: Any) -> set[str]:
    if isinstance(entry, str):
        return {entry}
    if isinstance(entry, dict):
        if "any_of" in entry and isinstance(entry["any_of"], list):
            return {str(item) for item in entry["any_of"]}
        if "id" in entry:
            return {str(entry["id"])}
    return set()


def delete_item(seq: CommentedSeq, index: int) -> None:
    """Delete one entry, keeping the full-line comments that belong to the entry after it."""
    token = seq.ca.items.get(index, [None])[0]
    following = ""
    if isinstance(token, CommentToken) and "\n" in token.value:
        following = token.value.split("\n", 1)[1]
    del seq[index]
    if following.strip() and index > 0:
        previous = seq.ca.items.setdefault(index - 1, [None, None, None, None])
        if isinstance(previous[0], CommentToken):
            previous[0].value = previous[0].value.rstrip("\n") + "\n" + following
        else:
            previous[0] = CommentToken("\n" + following, CommentMark(0), None)


def _merge_dependencies(doc: CommentedMap, wanted: list[str], source_ids: set[str]) -> None:
    existing = doc.get("depends_on")
    if not isinstance(existing, CommentedSeq):  # the round-trip loader reads every list as one
        if wanted:
            _insert(doc, "depends_on", CommentedSeq(wanted))
        return
    present: set[str] = set()
    for index in reversed(range(len(existing))):
        entry = existing[index]
        targets = _targets(entry)
        if isinstance(entry, dict) and "any_of" in entry:
            present |= targets  # redundancy written by hand: the source cannot express it
            continue
        # The source owns dependencies between its own entities; others were written by hand.
        if targets and targets <= source_ids and not targets & set(wanted):
            delete_item(existing, index)
        else:
            present |= targets
    for target in wanted:
        if target not in present:
            existing.append(target)


def _merge_instances(doc: CommentedMap, entity: Entity) -> None:
    count = entity.instances
    assert count is not None
    existing = doc.get("instances")
    if not isinstance(existing, list):
        existing = CommentedSeq()
        _insert(doc, "instances", existing)
    # Sites and zones of the instances that stay were possibly set by hand: keep them.
    while len(existing) < count:
        last_site = existing[-1].get("site") if existing and isinstance(existing[-1], dict) else None
        item = CommentedMap()
        item["name"] = f"{entity.id}-{len(existing) + 1}"
        item["site"] = last_site or entity.site
        existing.append(item)
    while len(existing) > count:
        delete_item(existing, len(existing) - 1)


def _snapshot(doc: Any) -> str:
    stream = io.StringIO()
    editor().dump(doc, stream)
    return stream.getvalue()


def _update(doc: CommentedMap, entity: Entity, source_ids: set[str]) -> bool:
    before = _snapshot(doc)
    for key, value in entity.owned.items():
        if value is not None and doc.get(key) != value:
            _insert(doc, key, value)
    if entity.depends_on is not None:
        _merge_dependencies(doc, entity.depends_on, source_ids)
    if entity.instances is not None:
        _merge_instances(doc, entity)
    return _snapshot(doc) != before


def _create(entity: Entity) -> CommentedMap:
    doc = CommentedMap()
    doc["apiVersion"] = "itscm/v1"
    doc["kind"] = entity.kind
    doc["id"] = entity.id
    for key, value in {**entity.initial, **entity.owned}.items():
        if value is not None:
            _insert(doc, key, value)
    if entity.depends_on:
        _insert(doc, "depends_on", CommentedSeq(entity.depends_on))
    if entity.instances is not None:
        _merge_instances(doc, entity)
    for key, note in entity.notes.items():
        if key in doc:
            doc.yaml_add_eol_comment(note, key)
    return doc


def apply(
    entities: list[Entity], out: Path, root: Path, header: str, max_size: int = DEFAULT_MAX_FILE_SIZE
) -> ImportResult:
    """Create or update one document per entity under ``out``; write changed files."""
    result = ImportResult()
    by_id, files = _load_repository(out, result, max_size)
    source_ids = {e.id for e in entities} | {d for e in entities for d in (e.depends_on or [])}
    dirty: set[Path] = set()
    for entity in entities:
        found = by_id.get(entity.id)
        if found is not None:
            state, index = found
            doc = state.docs[index]
            if doc.get("kind") != entity.kind:
                result.problems.append(
                    Problem(
                        "error",
                        entity.where,
                        f"{entity.label} is not imported: id {entity.id!r} is already used by the "
                        f"{doc.get('kind')} in {state.path}; rename one of them",
                    )
                )
                continue
            if _update(doc, entity, source_ids):
                result.updated.append(entity.label)
                dirty.add(state.path)
            else:
                result.unchanged += 1
            continue
        path = out / entity.folder / f"{entity.file_stem or entity.id}.yaml"
        known = files.get(path)
        if known is None:
            if path.exists():
                result.problems.append(
                    Problem("error", entity.where, f"{entity.label} is not imported: {path} exists but cannot be read")
                )
                continue
            known = files[path] = FileState(path, "", [], new=True)
        state = known
        doc = _create(entity)
        if not state.docs:
            schema = os.path.relpath(root / "schema" / "itscm.schema.json", path.parent)
            doc.yaml_set_start_comment(f"yaml-language-server: $schema={Path(schema).as_posix()}\n{header}")
        state.docs.append(doc)
        by_id[entity.id] = (state, len(state.docs) - 1)
        result.created.append(entity.label)
        dirty.add(path)
    for path in sorted(dirty):
        state = files[path]
        text = state.dump()
        if text == state.text:
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, text)  # a reader never sees half a file; its permissions are kept
        except OSError as exc:
            result.problems.append(Problem("error", str(path), f"cannot write it: {exc.strerror or exc}"))
            continue
        result.files_written.append(str(path))
    return result
