"""The fast reader (C compose + walker) reads what ruamel's round-trip loader reads, and keeps YAML 1.2."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

from itscm_compiler.config import load_config
from itscm_compiler.discovery import discover
from itscm_compiler.yamlread import Path as DataPath
from itscm_compiler.yamlread import Span, read_documents

from .conftest import ROOT


def _plain(value: Any) -> Any:
    """Round-trip data as plain Python; dates as the text they were written as (the fast path keeps text)."""
    if isinstance(value, TaggedScalar):  # !!str: the text as written
        return str(value.value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value


def _rt_positions(value: Any, path: DataPath, out: dict[DataPath, tuple[int, int, int, int]]) -> None:
    """Positions of every mapping value and sequence item, from ruamel's line/column records."""
    if isinstance(value, CommentedMap):
        for key, item in value.items():
            kline, kcol, vline, vcol = value.lc.data[key]
            out[(*path, _plain(key))] = (vline + 1, vcol + 1, kline + 1, kcol + 1)
            _rt_positions(item, (*path, _plain(key)), out)
    elif isinstance(value, CommentedSeq):
        for index, item in enumerate(value):
            line, col = value.lc.data[index]
            out[(*path, index)] = (line + 1, col + 1, 0, 0)
            _rt_positions(item, (*path, index), out)


def _example_files() -> list[str]:
    return list(discover(load_config(ROOT)).files)


def test_the_example_estate_has_documents() -> None:
    assert len(_example_files()) >= 10


@pytest.mark.parametrize("rel", _example_files())
def test_fast_path_reads_the_example_estate_like_the_round_trip_loader(rel: str) -> None:
    text = (ROOT / rel).read_text(encoding="utf-8")
    fast, problems = read_documents(text)
    assert problems == []
    yaml = YAML()  # round-trip
    slow = list(yaml.load_all(text))
    assert [d.data for d in fast] == [_plain(d) for d in slow]
    for doc, rt in zip(fast, slow):
        expected: dict[DataPath, tuple[int, int, int, int]] = {}
        _rt_positions(rt, (), expected)
        for path, span in expected.items():
            got: Span = doc.spans[path]
            # ruamel records where a block sequence item's dash is for nested
            # collections; both agree on scalars, which is what diagnostics point at.
            if not isinstance(_lookup(doc.data, path), (dict, list)):
                assert got == span, (rel, path)


def _lookup(data: Any, path: DataPath) -> Any:
    for part in path:
        data = data[part]
    return data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("y", "y"),
        ("1:30", "1:30"),
        ("2026-03-31", "2026-03-31"),
        ("0o17", 15),
        ("0x1F", 31),
        ("017", 17),
        ("1.5", 1.5),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("fAlse", "fAlse"),
        ("t", "t"),
        ("team-7", "team-7"),
        ("+12", 12),
        ("-.inf", float("-inf")),
        (".5e3", 500.0),
        ("null-island", "null-island"),
        ("~", None),
        ("null", None),
        ("'no'", "no"),
        ('"1:30"', "1:30"),
    ],
)
def test_yaml_1_2_core_schema(text: str, expected: object) -> None:
    docs, problems = read_documents(f"value: {text}\n")
    assert problems == []
    value = docs[0].data["value"]
    assert value == expected and type(value) is type(expected)


TRICKY = """\
apiVersion: itscm/v1
kind: Service
"id": web-shop
'quoted key': 'no'
tagged: !!str 1:30
plain: [on, 017, 0x1F, ~, 'x', {a: b, "c": 2026-03-31}]
base: &base
  depends_on: [db, {id: cache, mode: soft}]
  note: |
    two
    lines
copy: *base
list:
  - - nested
    - 1.5
  - key: value
    other: !!str yes
---
second: document
"""


def test_fast_path_reads_anchors_tags_quotes_and_flow_like_the_round_trip_loader() -> None:
    fast, problems = read_documents(TRICKY)
    assert problems == []
    slow = list(YAML().load_all(TRICKY))
    assert [d.data for d in fast] == [_plain(d) for d in slow]
    assert fast[0].data["tagged"] == "1:30" and fast[0].data["plain"][:4] == ["on", 17, 31, None]
    assert fast[0].data["copy"] == fast[0].data["base"]
    for doc, rt in zip(fast, slow):
        expected: dict[DataPath, tuple[int, int, int, int]] = {}
        _rt_positions(rt, (), expected)
        for path, span in expected.items():
            if not isinstance(_lookup(doc.data, path), (dict, list)) and path[0] != "copy":
                assert doc.spans[path] == span, path  # (an alias's values sit where the anchor wrote them)
