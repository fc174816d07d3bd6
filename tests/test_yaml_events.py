"""The fast path (parser events) and the general path (ruamel's composer and a walker) read YAML alike."""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from itscm_compiler import yamlread
from itscm_compiler.yamlnodes import read_composed
from itscm_compiler.yamlread import MAX_DEPTH, read_documents, read_events

from .conftest import ROOT, SHARED

EXAMPLES = int(os.environ.get("ITSCM_HYPOTHESIS_EXAMPLES", "40"))


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types, all the way down (1 is not True, nan is nan)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def _agree(text: str) -> bool:
    """Whether the fast path, where it answers, reads ``text`` exactly as the general path; True if it answered."""
    fast = read_events(text)
    general, problems = read_composed(text)
    if fast is None:
        assert read_documents(text) == (general, problems)
        return False
    assert problems == [], problems
    assert len(fast) == len(general)
    for mine, theirs in zip(fast, general):
        assert _same(mine.data, theirs.data), (mine.data, theirs.data)
        assert mine.spans == theirs.spans
        assert (mine.index, mine.line, mine.problems) == (theirs.index, theirs.line, theirs.problems)
    return True


def _yaml_files(*roots: Path) -> list[Path]:
    return sorted(
        p for root in roots for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file() and ".git" not in p.parts
    )


def _texts(paths: list[Path]) -> list[str]:
    texts = []
    for path in paths:
        try:
            texts.append(path.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError:
            continue  # the loader reports those before any YAML is read
    return texts


def test_both_paths_read_the_example_tests_and_test_data_alike() -> None:
    roots = [ROOT / d for d in ("services", "plans", "threats", "risks", "tests")] + [SHARED]
    texts = _texts(_yaml_files(*roots))
    fast = [_agree(text) for text in texts]
    assert len(texts) > 60
    # The fast path answers for almost everything (else this test compares nothing)...
    assert sum(fast) > 0.9 * len(texts)
    # ...and leaves the unusual files to the general path.
    assert not all(fast)


def test_both_paths_read_a_generated_estate_alike(generated_estate: Path) -> None:
    texts = _texts(_yaml_files(generated_estate))
    assert sum(_agree(text) for text in texts) >= len(texts) - 5


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\n",  # anchors and aliases: the general path counts them against the alias budget
        "a: !!str 123\n",  # tags
        "a: !custom x\n",
        "? [a, b]\n: c\n",  # a complex key
        "a: 1\na: 2\n",  # a duplicate key
        "a: [1, 2\n",  # a syntax error
        "a:\n  b: 1\n c: 2\n",
        "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n",  # nesting beyond the limit
        "x: \x07\n",  # a control character
        "---\na: 1\n---\n- *nowhere\n",  # an undefined alias in a later document
    ],
)
def test_the_unusual_takes_the_general_path(text: str) -> None:
    assert read_events(text) is None
    assert read_documents(text) == read_composed(text)


@pytest.mark.parametrize("anchor", ["", "&a "])
def test_a_colon_in_a_flow_plain_scalar_is_yaml_1_2(anchor: str) -> None:
    # The libyaml inside ruamel.yaml.clib refused these; both paths read them, as ruamel's round trip does.
    text = f"links: {anchor}[https://status.example.com]\nat: {{opens: 09:30}}\nmark: [0?]\n"
    docs, problems = read_documents(text)
    assert problems == []
    assert docs[0].data == {"links": ["https://status.example.com"], "at": {"opens": "09:30"}, "mark": ["0?"]}
    assert docs[0].data == dict(YAML().load(text))


def test_explicit_str_tag_keeps_the_text() -> None:
    docs, problems = read_documents("a: !!str 123\nb: !!str true\nc: !!str\n")
    assert problems == [] and docs[0].data == {"a": "123", "b": "true", "c": ""}


def test_without_the_c_binding_the_general_path_reads_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts(_yaml_files(ROOT / "services", ROOT / "plans"))
    fast = [read_documents(text) for text in texts]
    monkeypatch.setattr(yamlread, "_libyaml", None)
    general = [read_documents(text) for text in texts]
    for (a, pa), (b, pb) in zip(fast, general):
        assert pa == pb and [(d.data, d.spans, d.line) for d in a] == [(d.data, d.spans, d.line) for d in b]


# Hypothesis: data of the shapes itscm documents have, and of tricky scalars,
# written out by ruamel in block and flow style, then read both ways.

_SCALARS = st.one_of(
    st.sampled_from(["no", "on", "1:30", "0x1F", "017", "~", "", "null", "true", "False", ".inf", "-.5e3", "2026-03-31",
                     "a: b", "# not a comment", "- x", "'", '"', "@at", "%pct", "x\ny", "  padded  ", "é ü 中文"]),
    st.text(max_size=12),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
_KEYS = st.one_of(st.text(min_size=0, max_size=8), st.sampled_from(["1", "true", "~", "1.5", "no", "id", "kind"]), st.integers(0, 99))
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=25,
)


def _dump(documents: list[Any], flow: bool | None) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump_all(documents, out)
    return out.getvalue()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_DATA, min_size=1, max_size=3), st.sampled_from([False, True, None]))
def test_both_paths_agree_on_generated_yaml(documents: list[Any], flow: bool | None) -> None:
    _agree(_dump(documents, flow))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{},'\"#&*!? \n\t|>~01.")), max_size=60))
def test_both_paths_agree_on_yaml_shaped_noise(text: str) -> None:
    _agree(text)
