"""Fast YAML 1.2 reading with a position for every key and value.

Plain block YAML, most of any estate, is read line by line (yamllines.py).
Otherwise the fast path builds plain Python data straight from libyaml's
parser events (PyYAML's C binding), with no node tree in between: composing
nodes and walking them made two Python objects per value and cost a third
more.
Plain scalars are resolved with the YAML 1.2 core schema here, so ``no``,
``on`` and ``1:30`` stay strings and dates stay strings until a model parses
them.

The fast path reads what itscm documents are made of: mappings with plain
keys, sequences, untagged scalars. Anything else (anchors and aliases, tags,
complex or duplicate keys, deep nesting, a syntax error) sends the whole file
to the general path (yamlnodes.py: libyaml's composer and a walker), which has
the alias-bomb budget and every message; so does a missing C binding. Both
paths give the same data and positions (a test compares them on every file of
the example, the test data and generated estates). Here and in yamlnodes.py
the parser's 0-based marks become our 1-based positions.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

# PyYAML's binding of libyaml (the parser's events straight from C), imported
# when a file first needs it: the line reader reads most estates without it,
# and importing PyYAML costs 15 ms of every pre-commit run. None: not there.
_UNLOADED: Any = object()
_libyaml: Any = _UNLOADED
_EventError: Any = None
DocumentEndEvent = MappingEndEvent = MappingStartEvent = ScalarEvent = _UNLOADED
SequenceEndEvent = SequenceStartEvent = StreamEndEvent = _UNLOADED


def _binding() -> Any:
    """PyYAML's C binding, imported on first use; None without it."""
    global _libyaml, _EventError, DocumentEndEvent, MappingEndEvent, MappingStartEvent, ScalarEvent
    global SequenceEndEvent, SequenceStartEvent, StreamEndEvent
    if _libyaml is _UNLOADED:
        try:
            from yaml import _yaml
            from yaml import events
            from yaml.error import YAMLError
        except ImportError:  # pragma: no cover - exercised only without PyYAML's C extension
            _libyaml = None
            return None
        DocumentEndEvent, MappingEndEvent, MappingStartEvent = events.DocumentEndEvent, events.MappingEndEvent, events.MappingStartEvent
        ScalarEvent, SequenceEndEvent = events.ScalarEvent, events.SequenceEndEvent
        SequenceStartEvent, StreamEndEvent = events.SequenceStartEvent, events.StreamEndEvent
        _EventError, _libyaml = YAMLError, _yaml
    return _libyaml


Path = tuple[str | int, ...]
# (line, column, key line, key column), 1-based; plain tuples because a large
# estate has millions of them and they cross process and cache boundaries.
Span = tuple[int, int, int, int]

MAX_DEPTH = 200
MAX_ALIAS_VALUES = 100_000
# Decimal integers with more digits are refused (Y003): converting digits to
# an integer takes time quadratic in their number, which is why Python itself
# stops at 4,300 by default; an 8 MB file of digits would take minutes.
MAX_INT_DIGITS = 4300


class NumberTooLong(ValueError):
    """A plain decimal integer longer than MAX_INT_DIGITS; the general reader reports it."""

    def __init__(self, text: str) -> None:
        digits = len(text.lstrip("+-"))
        super().__init__(
            f"an integer of {digits:,} digits: itscm reads at most {MAX_INT_DIGITS:,}; "
            "quote it if it is meant as text"
        )

_STR = "tag:yaml.org,2002:str"
_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_OCT_RE = re.compile(r"0o[0-7]+\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INF = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}
_NINF = {"-.inf", "-.Inf", "-.INF"}
_NAN = {".nan", ".NaN", ".NAN"}


@dataclass(frozen=True, slots=True)
class Pos:
    """1-based line and column of a value, and of its key when it has one."""

    line: int
    column: int
    key_line: int = 0
    key_column: int = 0


@dataclass(slots=True)
class YamlProblem:
    """Something wrong in the YAML itself: the caller turns it into a diagnostic."""

    kind: str  # "syntax", "duplicate-key", "tag", "depth", "alias-bomb", "key", "number"
    message: str
    line: int
    column: int
    other_line: int = 0
    other_column: int = 0


@dataclass(slots=True)
class YamlDocument:
    """One document of a file: its data and where every value came from."""

    index: int
    data: Any
    spans: dict[Path, Span]
    line: int
    problems: list[YamlProblem] = field(default_factory=list)

    @property
    def positions(self) -> dict[Path, Pos]:
        """The spans as ``Pos`` values (built on demand: error paths and small files only)."""
        return {path: Pos(*span) for path, span in self.spans.items()}

    def pos(self, path: Path, default: Pos | None = None) -> Pos | None:
        """The position of one value, or ``default``."""
        span = self.spans.get(path)
        return Pos(*span) if span is not None else default


def int_of(text: str, base: int = 10) -> int:
    """``int(text, base)``, or NumberTooLong for more digits than itscm or the interpreter reads.

    Python refuses more digits than PYTHONINTMAXSTRDIGITS (at least 640),
    which may be set below MAX_INT_DIGITS; other ValueErrors (not a number
    at all) pass through.
    """
    if len(text) > MAX_INT_DIGITS:
        raise NumberTooLong(text)
    try:
        return int(text, base)
    except ValueError:
        limit = sys.get_int_max_str_digits()
        if limit and len(text) > limit:
            raise NumberTooLong(text) from None
        raise


def resolve_plain(text: str) -> Any:
    """Resolve a plain scalar with the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    first = text[0]
    if first in "tTfF":  # many keys and ids start so (tier, type, team-...): no pattern to try
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return text
    if first in "0123456789+-.":  # every number, .inf and .nan starts so
        if _INT_RE.match(text):
            return int_of(text)
        if _OCT_RE.match(text):
            return int(text[2:], 8)
        if _HEX_RE.match(text):
            return int(text[2:], 16)
        if _FLOAT_RE.match(text):
            return float(text)
        if text in _INF:
            return math.inf
        if text in _NINF:
            return -math.inf
        if text in _NAN:
            return math.nan
    return text


def read_documents(text: str) -> tuple[list[YamlDocument], list[YamlProblem]]:
    """Parse every document of ``text``.

    Returns the documents that could be read and the problems that stopped
    reading (a syntax error ends the file: later documents cannot be trusted).
    """
    from .yamllines import read_lines

    plain = read_lines(text)
    if plain is not None:
        return plain, []
    if _binding() is not None:
        fast = read_events(text)
        if fast is not None:
            return fast, []
    from .yamlnodes import read_composed

    return read_composed(text)


class _Unusual(Exception):
    """Something the fast path leaves to the general one."""


_NO_KEY: Any = object()  # a mapping waiting for its next key
_FAST_DEPTH = MAX_DEPTH - 2  # deeper files take the general path, which reports the limit


def read_events(text: str) -> list[YamlDocument] | None:
    """Every document of ``text`` built from the parser's events, or None to take the general path."""
    binding = _binding()
    assert binding is not None
    parser = binding.CParser(text)
    try:
        parser.get_event()  # the stream's start
        documents: list[YamlDocument] = []
        while type(parser.get_event()) is not StreamEndEvent:  # else a document's start
            data, spans, line = _document(parser.get_event)
            documents.append(YamlDocument(len(documents), data, spans, line))
        return documents
    except (_Unusual, _EventError, RecursionError, NumberTooLong):
        return None
    finally:
        parser.dispose()


def _document(get: Any) -> tuple[Any, dict[Path, Span], int]:
    """One document's data, spans and first line, from its first node event to its end.

    One loop with an explicit stack: a value is placed in its parent as it
    completes, and its span is recorded where it starts (its key's position
    with it, as yamlnodes' walker does).
    """
    spans: dict[Path, Span] = {}
    stack: list[tuple[Any, bool, Path, Any, int, int, int]] = []
    parent: Any = None  # the open mapping or sequence, None at the top
    is_map = False
    path: Path = ()
    key: Any = _NO_KEY
    key_line = key_column = index = 0
    root: Any = None
    event = get()
    line = event.start_mark.line + 1
    while True:
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            mark = event.start_mark
            raw = event.value
            if is_map and key is _NO_KEY:
                if event.style:
                    key = raw
                else:
                    key = resolve_plain(raw)
                    if key is None or not isinstance(key, (str, int)):
                        key = raw  # a null or float key keeps its text
                if key in parent:
                    raise _Unusual  # duplicate keys are reported by the general path
                key_line, key_column = mark.line + 1, mark.column + 1
                event = get()
                continue
            value = raw if event.style else resolve_plain(raw)
            if is_map:
                spans[(*path, key)] = (mark.line + 1, mark.column + 1, key_line, key_column)
                parent[key] = value
                key = _NO_KEY
            elif parent is not None:
                spans[(*path, index)] = (mark.line + 1, mark.column + 1, 0, 0)
                parent.append(value)
                index += 1
            else:
                spans[()] = (mark.line + 1, mark.column + 1, 0, 0)
                root = value
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or (is_map and key is _NO_KEY):
                raise _Unusual  # an anchor, a tag, or a complex key
            if len(stack) >= _FAST_DEPTH:
                raise _Unusual
            mark = event.start_mark
            if is_map:
                inner: Path = (*path, key)
                spans[inner] = (mark.line + 1, mark.column + 1, key_line, key_column)
            elif parent is not None:
                inner = (*path, index)
                spans[inner] = (mark.line + 1, mark.column + 1, 0, 0)
            else:
                inner = ()
                spans[inner] = (mark.line + 1, mark.column + 1, 0, 0)
            stack.append((parent, is_map, path, key, key_line, key_column, index))
            is_map = kind is MappingStartEvent
            parent = {} if is_map else []
            path, key, index = inner, _NO_KEY, 0
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = parent
            parent, is_map, path, key, key_line, key_column, index = stack.pop()
            if is_map:
                parent[key] = value
                key = _NO_KEY
            elif parent is not None:
                parent.append(value)
                index += 1
            else:
                root = value
        elif kind is DocumentEndEvent:
            return root, spans, line
        else:
            raise _Unusual  # an alias
        event = get()
