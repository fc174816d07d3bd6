"""JSON Schemas generated from the models: one per kind, and one for any document.

Editors validate and autocomplete with them through the YAML language server::

    # yaml-language-server: $schema=../schema/service.schema.json
"""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import write_atomically
from .models import KINDS

BASE_URL = "https://itscm.invalid/schema/"
ANY_FILE = "itscm.schema.json"


def file_name(kind: str) -> str:
    return f"{kind.lower()}.schema.json"


def _kind_schema(kind: str) -> dict[str, object]:
    schema = KINDS[kind].model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = BASE_URL + file_name(kind)
    return schema


def generate() -> dict[str, str]:
    """Every schema file's name and exact text."""
    files = {file_name(kind): _dump(_kind_schema(kind)) for kind in KINDS}
    any_schema: dict[str, object] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE_URL + ANY_FILE,
        "title": "itscm document",
        "description": "Any itscm document; the kind selects the schema.",
        "type": "object",
        "required": ["apiVersion", "kind", "id"],
        "properties": {"kind": {"enum": list(KINDS)}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": file_name(kind)},
            }
            for kind in KINDS
        ],
    }
    files[ANY_FILE] = _dump(any_schema)
    return files


def _dump(schema: dict[str, object]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path) -> list[str]:
    """Write the schemas; return the names of files that changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in generate().items():
        target = directory / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_atomically(target, text)  # a schema is never left half-written (they are committed)
            changed.append(name)
    return changed


def check(directory: Path) -> list[str]:
    """Names of schema files that are missing or out of date, and stale extra files."""
    expected = generate()
    stale = [
        name
        for name, text in expected.items()
        if not (directory / name).is_file() or (directory / name).read_text(encoding="utf-8") != text
    ]
    if directory.is_dir():
        stale += sorted(p.name for p in directory.glob("*.schema.json") if p.name not in expected)
    return stale
