"""A threat catalogue in CSV -> threat categories and threats.

The columns are mapped by name: ``id``, ``name``, ``category`` and
``description`` by default; ``--map id=value --map name=expanded`` reads the
ENISA taxonomy as MISP publishes it (``category,value,expanded``). Ids that
are not valid slugs (spaces, capitals, brackets, more than 80 characters) are
turned into slugs and reported; a threat listed twice keeps its first row and
the others are reported, since a threat has one category.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ..config import DEFAULT_MAX_FILE_SIZE
from .base import MAX_ID, Entity, Extracted, humanise, is_slug, slugify
from .source import SourceError, read_source

FIELDS = ("id", "name", "category", "description", "category_name")
REQUIRED = ("id", "category")


class MappingError(ValueError):
    """The column mapping does not fit the file."""


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("id=value", "name=expanded")`` -> field -> column."""
    mapping = {name: name for name in FIELDS}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field = field.strip().lower()
        if not sep or field not in FIELDS or not column.strip():
            raise MappingError(f"--map {pair!r}: write FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}")
        mapping[field] = column.strip()
    return mapping


def read(
    path: Path, mapping: dict[str, str], catalogue: str | None = None, max_size: int = DEFAULT_MAX_FILE_SIZE
) -> Extracted:
    """Read one CSV catalogue; ``catalogue`` names it in each threat's ``source``."""
    out = Extracted()
    source_name = catalogue or path.stem
    try:
        text = read_source(path, max_size).decode("utf-8-sig")
    except SourceError as exc:
        out.error(exc.where, f"cannot read the catalogue: {exc.message}")
        return out
    except UnicodeDecodeError as exc:
        out.error(str(path), f"cannot read the catalogue: {exc}")
        return out
    try:
        reader = csv.DictReader(text.splitlines())
        header = list(reader.fieldnames or [])
        rows = list(reader)
    except csv.Error as exc:  # NUL bytes, a field above the size limit
        out.error(f"{path}:{reader.line_num or 1}", f"not a readable CSV file: {exc}")
        return out
    missing = [f"{field} (column {mapping[field]!r})" for field in REQUIRED if mapping[field] not in header]
    if missing:
        out.error(
            f"{path}:1",
            f"the header has no column for {', '.join(missing)}; the columns are {', '.join(header) or 'none'}: "
            "map them with --map FIELD=COLUMN",
        )
        return out
    category_ids = {slugify(row.get(mapping["category"]) or "") for row in rows if None not in row}
    categories: dict[str, Entity] = {}
    threats: dict[str, tuple[int, str, Entity]] = {}
    for line, row in enumerate(rows, 2):
        where = f"{path}:{line}"
        if None in row:
            out.error(where, f"the row has more fields than the header ({len(header)}): skipped")
            continue
        raw_id = (row.get(mapping["id"]) or "").strip()
        raw_category = (row.get(mapping["category"]) or "").strip()
        if not raw_id or not raw_category:
            out.error(where, f"the row has no {'id' if not raw_id else 'category'}: skipped")
            continue
        category = _slug(raw_category, "category", where, out)
        threat = _slug(raw_id, "threat id", where, out)
        if not category or not threat:
            continue
        if category not in categories:
            name = (row.get(mapping["category_name"]) or "").strip() or humanise(category)
            categories[category] = Entity(
                "ThreatCategory", category, where, "threats", owned={"name": name}, file_stem=category
            )
        if threat in threats:
            first_line, first_raw, first = threats[threat]
            first_category = first.owned["category"]
            same = f"threat {raw_id!r} is listed again" if first_raw == raw_id else (
                f"threat {raw_id!r} has the same id {threat!r} as {first_raw!r}"
            )
            what = f"{same} (line {first_line}, category {first_category!r})"
            if first_category != category:
                what += f"; this row puts it in {category!r}"
            out.warning(where, f"{what}: a threat has one id and one category, so this row is skipped")
            continue
        if threat in category_ids:
            # Ids are unique across kinds: the ENISA "disaster" threat sits in the "disaster" category.
            out.warning(where, f"threat id {threat!r} is also a category id (ids are unique across kinds): imported as {threat}-threat")
            threat = f"{threat}-threat"
        name = (row.get(mapping["name"]) or "").strip() or humanise(threat)
        description = (row.get(mapping["description"]) or "").strip() or None
        entity = Entity(
            "Threat",
            threat,
            where,
            "threats",
            owned={"name": name, "description": description, "category": category, "source": source_name},
            file_stem=category,
        )
        threats[threat] = (line, raw_id, entity)
    if not threats:
        out.error(str(path), "no threats found")
    # Each category file holds the category, then its threats in catalogue order.
    for group in categories.values():
        out.entities.append(group)
        out.entities.extend(e for _, _, e in threats.values() if e.owned["category"] == group.id)
    return out


def _slug(raw: str, what: str, where: str, out: Extracted) -> str:
    if is_slug(raw):
        return raw
    slug = slugify(raw)
    if not slug:
        out.error(where, f"{what} {raw!r} has no letters or digits to make an id from: skipped")
        return ""
    reasons = []
    if raw != raw.strip() or " " in raw:
        reasons.append("spaces")
    if raw.lower() != raw:
        reasons.append("capitals")
    if len(re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")) > MAX_ID:
        reasons.append(f"longer than {MAX_ID} characters")
    other = set(raw.lower()) - set("abcdefghijklmnopqrstuvwxyz0123456789- ")
    if other:
        reasons.append(f"characters {''.join(sorted(other))!r}")
    out.warning(where, f"{what} {raw!r} is not a valid id ({', '.join(reasons) or 'format'}): imported as {slug!r}")
    return slug
