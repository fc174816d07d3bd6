"""Pydantic validation errors -> findings at the exact position of the offending value."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

from .diagnostics import Finding, Location
from .models import Document
from .schemacache import validator
from .yamlread import Path as DataPath
from .yamlread import Pos, YamlDocument

_CODE_BY_TYPE = {"duration": "S006", "iso_date": "S007", "extra_forbidden": "S003", "missing": "S004"}


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through lists, unions and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return models_in(typing.get_args(annotation)[0])
    found: list[type[BaseModel]] = []
    if origin in (list, tuple, set, dict, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found.extend(models_in(arg))
    return found


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names (with aliases) of the model found by following ``loc`` from ``model``."""
    candidates = [model]
    for part in loc:
        if not isinstance(part, str):
            continue
        following: list[type[BaseModel]] = []
        for candidate in candidates:
            info = candidate.model_fields.get(part)
            if info is not None:
                following.extend(models_in(info.annotation))
        if following:
            candidates = following
    names: list[str] = []
    for candidate in candidates:
        for name, info in candidate.model_fields.items():
            names.append(info.alias or name)
    return names


def _data_path(loc: tuple[Any, ...], positions: Mapping[DataPath, object]) -> DataPath:
    """Follow a pydantic ``loc`` through the data, skipping union tags it adds."""
    path: DataPath = ()
    for part in loc:
        candidate = (*path, part)
        if candidate in positions:
            path = candidate
    return path


def _shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters: a message quotes what was written, not a whole page of it."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _message(error: Any, model: type[Document], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    field = ".".join(str(p) for p in loc)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        options = [n for n in _fields_at(model, loc[:-1]) if n not in ("kind", "apiVersion")]
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "known fields: " + ", ".join(sorted(set(options)))
        return f"unknown field {_shown(name)} in {model.__name__}: {hint}"
    if kind == "missing":
        return f"missing required field {str(loc[-1])!r} in {model.__name__}: add it"
    if kind in ("duration", "iso_date", "slug"):
        return f"{field}: {error['msg']}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        got = error.get("input")
        options = [o.strip(" '") for o in str(expected).replace(" or ", ", ").split(",")]
        close = difflib.get_close_matches(str(got), options, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{field}: {_shown(got)} is not allowed{hint}: use {expected}"
    text = error["msg"]
    if kind.endswith("_type") or kind.endswith("_parsing"):
        got = error.get("input")
        shown = _shown(got) if not isinstance(got, (dict, list)) else type(got).__name__
        text = text.replace("Input should be", "expected")
        if kind == "bool_type" and isinstance(got, str):
            text += " (YAML 1.2: only true and false are booleans)"
        return f"{field}: {text}, got {shown}"
    return f"{field}: {text}"


def validate_document(model: type[Document], doc: YamlDocument, path: str) -> tuple[Document | None, list[Finding]]:
    """Validate one document's data; map every error to ``path:line:col``."""
    try:
        return validator(model)(doc.data), []
    except ValidationError as exc:
        findings = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            kind = error["type"]
            data_path = _data_path(loc, doc.spans)
            pos = doc.pos(data_path) or doc.pos(()) or Pos(doc.line, 1)
            if kind in ("extra_forbidden", "missing") and pos.key_line:
                line, column = pos.key_line, pos.key_column
            else:
                line, column = pos.line, pos.column
            code = _CODE_BY_TYPE.get(kind, "S005")
            if kind == "slug" and loc == ("id",):
                code = "S008"
            clean_loc = (*data_path, loc[-1]) if kind == "missing" and loc else data_path
            findings.append(Finding(Location(path, line, column), _message(error, model, clean_loc), code=code))
        return None, findings
