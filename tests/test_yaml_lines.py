"""The line reader (yamllines.py), wherever it answers, reads YAML exactly as the event reader does."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itscm_compiler.yamllines import read_lines
from itscm_compiler.yamlnodes import read_composed
from itscm_compiler.yamlread import read_documents, read_events

from .conftest import ROOT, SHARED
from .test_yaml_events import _DATA, _dump, _same, _texts, _yaml_files

EXAMPLES = int(os.environ.get("ITSCM_HYPOTHESIS_EXAMPLES", "40"))


def _agree(text: str) -> bool:
    """Whether the line reader answered; where it did, its documents are the event reader's, value for value."""
    mine = read_lines(text)
    if mine is None:
        return False
    theirs = read_events(text)
    assert theirs is not None, "the line reader read what the event reader leaves to the general path"
    general, problems = read_composed(text)
    assert problems == []
    assert len(mine) == len(theirs) == len(general)
    for a, b, c in zip(mine, theirs, general):
        assert _same(a.data, b.data) and _same(a.data, c.data), (a.data, b.data)
        assert a.spans == b.spans == c.spans
        assert list(a.spans) == list(b.spans)  # in the same order, too
        assert (a.index, a.line, a.problems) == (b.index, b.line, b.problems)
    assert read_documents(text) == (mine, [])
    return True


def test_the_example_estate_is_read_line_by_line() -> None:
    texts = _texts(_yaml_files(*(ROOT / d for d in ("services", "plans", "threats", "risks"))))
    answered = [_agree(text) for text in texts]
    assert len(texts) > 40 and all(answered)


def test_tests_and_test_data_agree_where_answered() -> None:
    texts = _texts(_yaml_files(ROOT / "tests", SHARED))
    answered = sum(_agree(text) for text in texts)
    assert 0 < answered < len(texts)  # it answers for many, and leaves the odd ones to the event reader


def test_a_generated_estate_is_read_line_by_line(generated_estate: Path) -> None:
    texts = _texts(_yaml_files(generated_estate))
    assert sum(_agree(text) for text in texts) >= len(texts) - 5


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb:\n  c: x\n  d:\n  - 1\n  - 2\ne: [p, 'q''s', \"r s\", 3]\nf: {g: 1, h: \"i\"}\n",
        "s:\n- id: a\n  w: [x]\n- {id: b, n: 2}\nt: ok\n",
        "---\na: 1\n--- # second\nb: 2\n",
        "a: |\n  line 1\n    indented\n\n  line 3\nb: >-\n  folded\n  text\n\n  para\n\n\nc: 1\n",
        "a: >\n  x\n  # not a comment\nb: |-\n  y\n# a comment\n",
        "a: |\n  end of file\n",
        "a: no\nb: on\nc: 1:30\nd: 0x1F\ne: 017\nf: ~\ng: null\nh: .inf\ni: -.5e3\nj: 2026-03-31\nk: True\n",
        "a: x # comment\nb: 'y' # comment\nc: \"z\"   \nd: a#b\ne: [a, b]  # c\n",
        "true: 1\nnull: 2\nx1: é ü 中文\n",
        "# only a comment\n",
        "",
        "a:\n  - x\n  -   y\nb:    z\n",
    ],
)
def test_answered_cases_agree(text: str) -> None:
    assert _agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "a:\nb: 1\n",  # a null value
        "a: |+\n  kept\n\n",  # keep chomping
        "a: |2\n    explicit\n",  # an explicit indentation
        "a: |\n  no final break",  # a last line without a line break
        "a: |\n\n  leading empty line\n",
        "a: >\n  x\n    more indented\n",
        "a:\tb\n",
        "\ufeffa: 1\n",
        "a: plain\n  continued\n",
        "a: 1\na: 2\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "---\n",
        "a: 1\n...\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: [b, [c]]\n",
        "a: [b,]\n",
        "a: b: c\n",
        "- a\n",
        "  a: 1\n",
        "a:\n  b: 1\n c: 2\n",
        "a: \"esc\\n\"\n",
        "a: {b}\n",
    ],
)
def test_unusual_or_wrong_yaml_is_left_to_the_event_reader(text: str) -> None:
    assert read_lines(text) is None
    assert read_documents(text) == (
        (read_events(text), []) if read_events(text) is not None else read_composed(text)
    )


# Hypothesis: block-style dumps of itscm-shaped data, and lines put together
# from the pieces the reader knows (and some it must refuse).

@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_DATA, min_size=1, max_size=3))
def test_block_dumps_agree(documents: list[Any]) -> None:
    _agree(_dump(documents, False))


_WORDS = ["x", "svc-a", "1", "no", "1:30", "2026-03-31", "a b", "é ü", "0x1F", "~", "null", "true", ".5", "-1", "it's",
          "a#b", "a #b", "(x)", "...", "+1", "@a", "-", "a: b", "[x]", "x,y", "{y}", "'", '"', "", " pad ", "5m", "a\\b"]
_NAMES = ["a", "id", "kind", "true", "null", "x-y", "x_1", "depends_on", "b"]
_TREE = st.recursive(
    st.one_of(st.sampled_from(_WORDS), st.lists(st.sampled_from(["line", "more text", "", "  indented", "# hash"]),
                                                 min_size=1, max_size=4).map(lambda ls: tuple(ls))),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4),
        st.dictionaries(st.sampled_from(_NAMES), inner, min_size=1, max_size=4),
    ),
    max_leaves=20,
)


@st.composite
def _rendered(draw: st.DrawFn) -> str:
    """A document of _TREE written as a person might: styles, indents, comments and quotes vary."""
    step = draw(st.sampled_from([2, 2, 4, 1]))

    def scalar(word: str) -> str:
        style = draw(st.sampled_from(["plain", "plain", "double", "single"]))
        if style == "double":
            return f'"{word}"'
        if style == "single":
            return "'" + word.replace("'", "''") + "'"
        return word

    def block(lines: tuple[str, ...], at: int) -> list[str]:
        head = draw(st.sampled_from(["|", "|-", ">", ">-"]))
        return [head] + [(" " * at + text) if text else "" for text in lines]

    def flat(node: Any) -> bool:
        return all(isinstance(v, str) for v in (node.values() if isinstance(node, dict) else node))

    def value(node: Any, at: int) -> tuple[str, list[str]]:  # what follows "key: " or "- ", and the lines after
        if isinstance(node, str):
            return scalar(node), []
        if isinstance(node, tuple):
            first, *rest = block(node, at + step)
            return first, rest
        if flat(node) and draw(st.booleans()):
            if isinstance(node, dict):
                return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in node.items()) + "}", []
            return "[" + ", ".join(scalar(v) for v in node) + "]", []
        return "", lines(node, at + step)

    def lines(node: Any, at: int) -> list[str]:
        out: list[str] = []
        pad = " " * at
        if isinstance(node, dict):
            for key, item in node.items():
                head, rest = value(item, at)
                out.append(f"{pad}{key}:" + (f" {head}" if head else ""))
                out.extend(rest)
        else:
            for item in node:
                if isinstance(item, dict) and not flat(item):
                    inner = lines(item, at + 2)
                    out.append(pad + "- " + inner[0][at + 2 :])
                    out.extend(inner[1:])
                    continue
                head, rest = value(item, at)
                out.append(f"{pad}- {head}".rstrip())
                out.extend(rest)
        return out

    tree = draw(st.dictionaries(st.sampled_from(_NAMES), _TREE, min_size=1, max_size=5))
    out = lines(tree, 0)
    for _ in range(draw(st.integers(0, 3))):  # comments, blank lines and a few breakages
        at = draw(st.integers(0, len(out)))
        what = draw(st.sampled_from(["# note", "", "   # indented note", "dup", "shift", "drop", "---"]))
        if what == "dup" and out:
            out.insert(at, out[min(at, len(out) - 1)])
        elif what == "shift" and at < len(out):
            out[at] = " " + out[at]
        elif what == "drop" and at < len(out):
            del out[at]
        elif what not in ("dup", "shift", "drop"):
            out.insert(at, what)
    return "\n".join(out) + ("\n" if draw(st.booleans()) else "")


@settings(max_examples=EXAMPLES * 5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rendered(), st.booleans())
def test_written_documents_agree(text: str, crlf: bool) -> None:
    _agree(text.replace("\n", "\r\n") if crlf else text)


def test_windows_line_ends_are_read_line_by_line() -> None:
    texts = _texts(_yaml_files(*(ROOT / d for d in ("services", "plans"))))
    assert all(_agree(text.replace("\n", "\r\n")) for text in texts)
    assert not _agree("a: 1\rb: 2\n") and not _agree("a: 1\r\nb: x\ry\r\n")  # a lone CR is a break of its own


_INDENT = st.sampled_from(["", "", "  ", "    ", " ", "      "])
_HEAD = st.sampled_from(["", "- ", "-  ", "a: ", "b: ", "- c: ", "id: ", "true: ", "x-y_z: ", "a:", "- "])
_VALUE = st.sampled_from([
    "", "x", "1", "no", "1:30", "a b", "a: b", "a #c", "a#b", "'q'", "'it''s'", '"d"', '"e f"', '"g', "[a, b]", "[]",
    "[a, 'b', \"c\"]", "{k: v}", "{k: v, l: \"w\"}", "{}", "|", "|-", ">", ">-", "|+", "&a x", "*a", "!t x", "~", "-1",
    "- x", "# c", "[a, [b]]", "é", ".5", "...", "---",
])
_LINES = st.lists(st.tuples(_INDENT, _HEAD, _VALUE), min_size=1, max_size=12)


@settings(max_examples=EXAMPLES * 5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_LINES, st.booleans())
def test_yaml_shaped_lines_agree(lines: list[tuple[str, str, str]], final_break: bool) -> None:
    text = "\n".join(indent + head + value for indent, head, value in lines) + ("\n" if final_break else "")
    _agree(text)
