"""The fastest path: plain block YAML read line by line, with no parser events at all.

Most itscm files are block mappings and sequences of one-line scalars: a key,
a colon, a plain or quoted value, sometimes a one-line flow list or mapping or
a ``|``/``>`` block scalar. For such a file one regular expression per line
gives every key, value and column. On a 10,000-service estate that takes 1.2
to 1.4 s where making libyaml's 1.7 million event objects (each with two mark
objects) and building the data from them took 1.9 to 2.3 s.

This reader is deliberately narrow: it answers only for files whose every
line it fully understands, and returns None for anything else (a multi-line
plain or quoted scalar, a nested flow collection, an empty value, keep
chomping, an anchor, a tag, a tab, a lone carriage return, a directive, a
duplicate key, odd indentation...), which then goes to the event reader
(yamlread.py) and from there, if needed, to the general one. A test reads
every file of the example, the test data, generated estates and
hypothesis-made YAML each way and demands identical data and positions.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from .yamlread import _FAST_DEPTH, NumberTooLong, Path, Span, YamlDocument, resolve_plain

# Everything libyaml refuses or treats specially outside a scalar's text: a
# tab, a carriage return, other control characters, NEL and the Unicode line
# and paragraph separators, surrogates, a byte order mark, non-characters.
# (Listed, not negated: a negated class over all of Unicode takes 6 ms to compile.)
_ODD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")

# indent, "- " (a sequence entry), then a key and its colon, or a value alone.
_LINE = re.compile(r"( *)(-(?: +|\Z))?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: +|\Z))?(.*)")
# A value: double-quoted without escapes, single-quoted, or plain starting
# with a character no indicator could be; then at most a comment.
_DOUBLE = re.compile(r'"([^"\\]*)"(?: +#.*| *)\Z')
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?: +#.*| *)\Z")
# A one-line flow sequence of plain words ([a, b, 1]), and a block scalar's header.
_EMPTY_FLOW = re.compile(r"\[ *\](?: +#.*| *)\Z")
_SCALAR = r"""(?:"([^"\\]*)"|'((?:[^']|'')*)'|([^\s,\[\]{}#&*!|>'"%@`?:-][^,\[\]{}:]*?))"""
_FLOW_ITEM = re.compile(r" *" + _SCALAR + r" *([,\]])")
_EMPTY_FLOW_MAP = re.compile(r"\{ *\}(?: +#.*| *)\Z")
_FLOW_PAIR = re.compile(r" *([A-Za-z_][A-Za-z0-9_-]*): +" + _SCALAR + r" *([,}])")
_TAIL = re.compile(r"(?: +#.*| *)\Z")  # what may follow a value: spaces, then a comment after a space
_BLOCK = re.compile(r"([|>])(-?)(?: +#.*| *)\Z")
_PLAIN_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./~+(")


class _Unusual(Exception):
    """Something this reader leaves to the event reader."""


def read_lines(text: str) -> list[YamlDocument] | None:
    """Every document of ``text`` when it is plain block YAML this reader fully understands, else None."""
    if "\r" in text:  # Windows line ends (a checkout with core.autocrlf): one break each, as for libyaml
        if text.count("\r") != text.count("\r\n"):
            return None  # a carriage return alone is a line break of its own: left to the event reader
        text = text.replace("\r\n", "\n")
    if _ODD.search(text) is not None:
        return None
    try:
        return _read(text.split("\n"))
    except (_Unusual, NumberTooLong):  # the general reader reports a number too long
        return None


# Values and keys recur across an estate (tiers, durations, levels, ids that
# are referenced): each text is resolved once. Only scalars are kept, which
# are immutable, and the memo is bounded.
_MEMO: dict[str, Any] = {}
_MEMO_MAX = 1 << 16


def _value(rest: str) -> Any:
    """A one-line scalar value; raises _Unusual for anything else."""
    try:
        return _MEMO[rest]
    except KeyError:
        pass
    value = _resolve(rest)
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[rest] = value
    return value


_KEYS: dict[str, Any] = {}


def _key(text: str) -> Any:
    """A plain key resolved (remembered); the line loop's usual case inlines this lookup."""
    resolved = _KEYS.get(text, _KEYS)
    return _new_key(text) if resolved is _KEYS else resolved


def _new_key(text: str) -> Any:
    """A plain key as the event reader resolves it (a null or float key keeps its text), remembered."""
    resolved = resolve_plain(text)
    if resolved is None or not isinstance(resolved, (str, int)):
        resolved = text
    if len(_KEYS) >= _MEMO_MAX:
        _KEYS.clear()
    _KEYS[text] = resolved
    return resolved


def _resolve(rest: str) -> Any:
    first = rest[0]
    if first == '"':
        match = _DOUBLE.match(rest)
        if match is None:
            raise _Unusual
        return match.group(1)
    if first == "'":
        match = _SINGLE.match(rest)
        if match is None:
            raise _Unusual
        return match.group(1).replace("''", "'")
    if first not in _PLAIN_START and first < "\x80" and not (first == "-" and len(rest) > 1 and rest[1] in "0123456789."):
        raise _Unusual
    cut = rest.find(" #")
    if cut >= 0:
        rest = rest[:cut]
    rest = rest.rstrip(" ")
    if ": " in rest or rest.endswith(":"):
        raise _Unusual  # a mapping where a scalar was expected: an error the event reader reports
    return resolve_plain(rest)


def _read(lines: list[str]) -> list[YamlDocument]:
    documents: list[YamlDocument] = []
    spans: dict[Path, Span] = {}
    # Open collections, innermost last: (indent, container, is mapping, path, next index).
    stack: list[list[Any]] = []
    root: dict[str, Any] | None = None
    first_line = 0
    pending: tuple[dict[Any, Any], Any, Path, int, int] | None = None  # a key waiting for its nested value
    started = False  # a "---" opened a document not yet seen to have content

    def finish() -> None:
        nonlocal root, spans, stack, started
        if pending is not None:
            raise _Unusual  # a key with no value: null, left to the event reader
        if root is None:
            if started:
                raise _Unusual  # an empty document
            return
        documents.append(YamlDocument(len(documents), root, spans, first_line))
        root, spans, stack, started = None, {}, [], False

    block: _Block | None = None  # a block scalar being read
    for number, line in enumerate(lines, 1):
        if block is not None:
            if block.take(line):
                continue
            block.end()
            block = None
        if not line or line[0] == "#":
            continue
        if line[0] == "-" and line.startswith("---") and (len(line) == 3 or line[3] == " "):  # a document's start
            if line[3:].strip(" ") and not line[3:].lstrip(" ").startswith("#"):
                raise _Unusual  # content on the marker line
            finish()
            started = True
            continue
        if line[0] in "%." and (line[0] == "%" or line.startswith("...")):
            raise _Unusual  # a directive or a document end marker
        match = _LINE.match(line)
        assert match is not None  # every group is optional
        indent_text, dash, key, rest = match.groups()
        if rest and stack and pending is None and rest[0] not in "#[{|>":  # the usual lines, in short
            top = stack[-1]
            if top[0] == len(indent_text):
                if key is not None and top[2] and not dash:  # the next key of the open mapping
                    mapping = top[1]
                    resolved = _KEYS.get(key, _KEYS)
                    if resolved is _KEYS:
                        resolved = _new_key(key)
                    if resolved in mapping:
                        raise _Unusual
                    value = _MEMO.get(rest, _MEMO)
                    mapping[resolved] = _value(rest) if value is _MEMO else value
                    spans[(*top[3], resolved)] = (number, len(line) - len(rest) + 1, number, len(indent_text) + 1)
                    continue
                if key is None and dash and not top[2]:  # the next scalar of the open sequence
                    index = top[4]
                    top[4] = index + 1
                    value = _MEMO.get(rest, _MEMO)
                    top[1].append(_value(rest) if value is _MEMO else value)
                    spans[(*top[3], index)] = (number, len(line) - len(rest) + 1, 0, 0)
                    continue
        if not dash and key is None and (not rest or rest[0] == "#"):
            continue  # blank or a comment
        indent = len(indent_text)
        if rest and rest[0] == "#":
            rest = ""
        if root is None:  # a document's first line: a key at the margin
            if indent or dash or key is None:
                raise _Unusual
            root = {}
            first_line = number
            spans[()] = (number, 1, 0, 0)
            stack = [[0, root, True, (), 0]]
        elif pending is not None:
            parent, pkey, ppath, kline, kcol = pending
            pending = None
            top = stack[-1]
            if indent > top[0] and (dash or key is not None):
                node: Any = [] if dash else {}
            elif indent == top[0] and dash:  # a sequence at its key's indent
                node = []
            else:
                raise _Unusual  # a null value, or lines that continue a scalar
            if len(stack) >= _FAST_DEPTH:
                raise _Unusual
            spans[ppath] = (number, indent + 1, kline, kcol)
            parent[pkey] = node
            stack.append([indent, node, not dash, ppath, 0])
        else:
            while stack and stack[-1][0] > indent:
                stack.pop()
            if not stack:
                raise _Unusual
            top = stack[-1]
            if top[0] == indent and not top[2] and not dash:  # the end of a sequence at its key's indent
                stack.pop()
                if not stack:
                    raise _Unusual
                top = stack[-1]
            if top[0] != indent or top[2] != (not dash):
                raise _Unusual  # indentation no collection started
        top = stack[-1]
        column = indent + 1
        if dash:
            seq: list[Any] = top[1]
            index = top[4]
            top[4] = index + 1
            column += len(dash)
            if key is None:
                if not rest:
                    raise _Unusual  # an empty or nested entry
                if rest[0] == "{":  # the collection's span first, then its items', as the event reader records them
                    spans[(*top[3], index)] = (number, len(line) - len(rest) + 1, 0, 0)
                    seq.append(_flow_map(rest, number, len(line) - len(rest), (*top[3], index), spans))
                    continue
                value = _value(rest)
                spans[(*top[3], index)] = (number, len(line) - len(rest) + 1, 0, 0)
                seq.append(value)
                continue
            if len(stack) >= _FAST_DEPTH:
                raise _Unusual
            mapping = {}
            item_path: Path = (*top[3], index)
            spans[item_path] = (number, column, 0, 0)
            seq.append(mapping)
            stack.append([column - 1, mapping, True, item_path, 0])
            top = stack[-1]
        elif key is None:
            raise _Unusual  # a line that is neither an entry nor a key: a scalar's continuation
        mapping = top[1]
        resolved = _key(key)
        if resolved in mapping:
            raise _Unusual  # duplicate keys are reported by the general path
        path: Path = (*top[3], resolved)
        if not rest:
            mapping[resolved] = None
            pending = (mapping, resolved, path, number, column)
            continue
        first = rest[0]
        if first == "[" or first == "{":
            reader = _flow if first == "[" else _flow_map
            spans[path] = (number, len(line) - len(rest) + 1, number, column)
            mapping[resolved] = reader(rest, number, len(line) - len(rest), path, spans)
            continue
        if first == "|" or first == ">":
            header = _BLOCK.match(rest)
            if header is None:
                raise _Unusual  # keep (+) chomping or an explicit indentation
            mapping[resolved] = None
            block = _Block(mapping, resolved, first == ">", header.group(2) == "-", top[0])
            spans[path] = (number, len(line) - len(rest) + 1, number, column)
            continue
        value = _value(rest)
        mapping[resolved] = value
        spans[path] = (number, len(line) - len(rest) + 1, number, column)
    if block is not None:
        if lines[-1]:
            raise _Unusual  # the last line has no line break for the scalar to keep
        block.end()
    finish()
    return documents


def _flow_scalar(match: re.Match[str], first: int) -> tuple[Any, int]:
    """The scalar of a flow item or pair (its double-quoted, single-quoted and plain groups from ``first``) and its offset."""
    double, single, plain = match.group(first, first + 1, first + 2)
    if double is not None:
        return double, match.start(first) - 1
    if single is not None:
        return single.replace("''", "'"), match.start(first + 1) - 1
    if " #" in plain:
        raise _Unusual  # a comment inside the collection: it never closes on this line
    return resolve_plain(plain), match.start(first + 2)


def _flow_entries(rest: str, entry: re.Pattern[str], close: str) -> Iterator[re.Match[str]]:
    """Each entry of a one-line flow collection (``rest`` starts at its bracket), then its tail checked."""
    at = 1
    while True:
        found = entry.match(rest, at)
        if found is None:
            raise _Unusual  # a nested collection, an empty entry, a key, an odd character
        yield found
        at = found.end()
        if found.group(found.re.groups) == close:  # the last group: what follows the entry
            break
    if _TAIL.match(rest, at) is None:
        raise _Unusual


def _flow(rest: str, line: int, offset: int, path: Path, spans: dict[Path, Span]) -> list[Any]:
    """A one-line flow sequence of scalars, its items' spans recorded; ``offset`` is where ``[`` is."""
    items: list[Any] = []
    if _EMPTY_FLOW.match(rest) is not None:
        return items
    for item in _flow_entries(rest, _FLOW_ITEM, "]"):
        value, start = _flow_scalar(item, 1)
        spans[(*path, len(items))] = (line, offset + start + 1, 0, 0)
        items.append(value)
    return items


def _flow_map(rest: str, line: int, offset: int, path: Path, spans: dict[Path, Span]) -> dict[Any, Any]:
    """A one-line flow mapping of plain keys and scalars, with its spans; ``offset`` is where ``{`` is."""
    mapping: dict[Any, Any] = {}
    if _EMPTY_FLOW_MAP.match(rest) is not None:
        return mapping
    for pair in _flow_entries(rest, _FLOW_PAIR, "}"):
        key = _key(pair.group(1))
        if key in mapping:
            raise _Unusual
        mapping[key], start = _flow_scalar(pair, 2)
        spans[(*path, key)] = (line, offset + start + 1, line, offset + pair.start(1) + 1)
    return mapping


class _Block:
    """A literal (``|``) or folded (``>``) block scalar, clipped or stripped, taken line by line."""

    def __init__(self, mapping: dict[Any, Any], key: Any, folded: bool, strip: bool, parent_indent: int) -> None:
        self.mapping, self.key, self.folded, self.strip = mapping, key, folded, strip
        self.parent_indent = parent_indent
        self.indent = -1  # found on the first line with content
        self.lines: list[str] = []

    def take(self, line: str) -> bool:
        """Whether ``line`` belongs to the scalar (else it ends it)."""
        text = line.lstrip(" ")
        indent = len(line) - len(text)
        if not text:
            if self.indent < 0 or indent > self.indent:
                raise _Unusual  # empty lines before the content, or spaces that would be content
            self.lines.append("")
            return True
        if self.indent < 0:
            if indent <= self.parent_indent:
                raise _Unusual  # an empty scalar
            self.indent = indent
        if indent < self.indent:
            return False
        if self.folded and indent > self.indent:
            raise _Unusual  # more-indented lines are not folded
        self.lines.append(line[self.indent :])
        return True

    def end(self) -> None:
        lines = self.lines
        while lines and not lines[-1]:
            lines.pop()  # trailing empty lines: clipped or stripped
        if not lines:
            raise _Unusual
        if self.folded:
            parts = [lines[0]]
            empty = 0
            for text in lines[1:]:
                if not text:
                    empty += 1
                    continue
                parts.append("\n" * empty if empty else " ")
                parts.append(text)
                empty = 0
            value = "".join(parts)
        else:
            value = "\n".join(lines)
        self.mapping[self.key] = value if self.strip else value + "\n"
