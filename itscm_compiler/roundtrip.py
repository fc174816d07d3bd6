"""Comment-preserving YAML edits (ruamel.yaml round-trip), for ``itscm fmt`` and ``itscm review``.

Never used on the lint read path: round-trip loading is far slower than the
fast loader in yamlread.py. Every write is checked: the data and the comments
of the result must equal those of the original, or nothing is written.

The canonical layout:

* 2-space indentation for mappings; list dashes indented 2 under their key;
* documents separated by a ``---`` line, none before the first document;
* at most one blank line in a row, none at the start or end of a document;
* no trailing whitespace; one newline at the end of the file;
* the file's own line ends (CRLF stays CRLF);
* a standalone comment is indented like the lines around it;
* key order, quoting, flow collections and block scalars as written.
"""

from __future__ import annotations

import io
import re
from typing import Any, Iterable, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.representer import RoundTripRepresenter

from .waivers import comment_start as _comment_start
from .yamlread import read_documents


class EditError(Exception):
    """The file cannot be edited safely; the message says why and what to do."""


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class LooseTimestamp(str):
    """A plain scalar shaped like a timestamp that is not a real one (``2026-02-30``), kept as its text.

    ruamel.yaml resolves such scalars as timestamps and then fails to build
    the date. itscm reads YAML 1.2, where they are strings (a date field
    reports them as bad dates), so the file must still format: the text is
    kept and written back plain, exactly as it was.
    """


class _Constructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):
            return LooseTimestamp(node.value)


class _Representer(RoundTripRepresenter):
    pass


_Constructor.add_constructor(_TIMESTAMP, _Constructor.construct_yaml_timestamp)
# Under the timestamp tag, which the text resolves to again, so it is written plain.
_Representer.add_representer(LooseTimestamp, lambda rep, data: rep.represent_scalar(_TIMESTAMP, str(data)))


def editor() -> YAML:
    """A round-trip YAML instance with itscm's layout, which keeps text that only looks like a date."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines: the layout is the author's
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _split_preamble(text: str) -> tuple[str, int]:
    """Drop a ``---`` that only follows leading comments (ruamel would drop those comments).

    Returns the text and the 0-based line the marker was on (-1: none
    dropped), so positions in the result can be mapped back.
    """
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped == "---":
            return "".join(lines[:number] + lines[number + 1 :]), number
        return text, -1
    return text, -1


def load_all(text: str) -> list[Any]:
    """Every document of ``text`` as round-trip data (comments attached)."""
    body, dropped = _split_preamble(text)
    try:
        return list(editor().load_all(body))
    except YAMLError as exc:
        raise EditError(f"not valid YAML ({yaml_problem(exc, dropped)}): fix it first (itscm lint shows it too)") from exc
    except RecursionError as exc:
        raise EditError("nested too deeply to edit: fix what itscm lint reports first") from exc
    except (ValueError, OverflowError) as exc:  # a value ruamel.yaml resolves but cannot build
        if "digits" in str(exc):
            raise EditError("an integer has more digits than Python reads: fix what itscm lint reports (Y003) first") from exc
        raise EditError(f"ruamel.yaml cannot read a value ({first_line(exc)}): file left unchanged") from exc


def yaml_problem(exc: YAMLError, dropped: int = -1) -> str:
    """ruamel.yaml's error in one line: the problem and its 1-based line and column, where it says them.

    ``dropped`` is a line taken out of the text before parsing (see
    _split_preamble): positions after it are one line further down.
    """
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if mark is not None:
            line = mark.line + (1 if 0 <= dropped <= mark.line else 0)
            return f"{problem} at line {line + 1}, column {mark.column + 1}"
        return problem
    return first_line(exc)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def line_break(text: str) -> str:
    """The file's own line break: CRLF when its first line ends with one (as black decides), else LF.

    A file written on Windows keeps its line ends through ``fmt`` and
    ``review``: converting them would change every line of it in a diff.
    """
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def dump_all(documents: list[Any], newline: str = "\n") -> str:
    """The documents in canonical layout, lines ended with ``newline``."""
    out = io.StringIO()
    try:
        editor().dump_all(documents, out)
        result = layout(out.getvalue())
        return result if newline == "\n" else result.replace("\n", newline)
    except (YAMLError, RecursionError) as exc:
        # ruamel.yaml could not write back what it read (exotic anchors, deep nesting): leave the file.
        raise EditError(f"cannot be written back safely ({type(exc).__name__}): file left unchanged") from exc


def _nodes(text: str) -> Iterator[Node]:
    """Every node of ``text``, each once: libyaml's composer, or ruamel.yaml's own where libyaml refuses.

    libyaml reads YAML 1.1 and refuses some YAML 1.2 text that ruamel.yaml
    and itscm read, such as a plain ``a:b`` in a flow list.
    """
    try:
        from ruamel.yaml.cyaml import CBaseLoader
    except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
        return _walk_nodes(YAML(typ="base", pure=True).compose_all(text))
    loader = CBaseLoader(text)
    try:
        return iter(list(_walk_nodes(_composed(loader))))
    except YAMLError:
        return _walk_nodes(YAML(typ="base", pure=True).compose_all(text))
    finally:
        loader.dispose()


def _composed(loader: Any) -> Iterator[Node]:
    while loader.check_node():
        yield loader.get_node()


def _walk_nodes(documents: Iterable[Node]) -> Iterator[Node]:
    for document in documents:
        stack = [document]
        seen: set[int] = set()  # aliases share nodes: visit each once (an alias bomb stays small)
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            if isinstance(node, SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, MappingNode):
                for key, value in node.value:
                    stack.extend((key, value))


def scalar_lines(text: str) -> frozenset[int]:
    """0-based numbers of the lines that continue a multi-line scalar (their text is data)."""
    protected: set[int] = set()
    for node in _nodes(text):
        if isinstance(node, ScalarNode) and node.end_mark.line > node.start_mark.line:
            end = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
            protected.update(range(node.start_mark.line + 1, end))
    return frozenset(protected)


def comments(text: str) -> list[str]:
    """Every comment of ``text``, from ``#`` to the end of its line, in order."""
    protected = scalar_lines(text)
    found = []
    for number, line in enumerate(text.splitlines()):
        if number in protected:
            continue
        start = _comment_start(line)
        if start >= 0:
            found.append(line[start:].rstrip())
    return found


_INDENT_RE = re.compile(r" *")


def _indent(line: str) -> int:
    return len(_INDENT_RE.match(line).group())  # type: ignore[union-attr]


def layout(text: str) -> str:
    """Apply the blank-line, whitespace and comment-indentation policy outside scalars."""
    protected = scalar_lines(text)
    lines = text.splitlines()
    out: list[str] = []
    for number, line in enumerate(lines):
        if number in protected:
            out.append(line)
            continue
        line = line.rstrip()
        if not line:
            if out and out[-1] != "" and out[-1] != "---":
                out.append("")
            continue
        if line == "---":
            while out and out[-1] == "":
                out.pop()
            if not out:
                continue  # no separator before the first document
        elif line.lstrip().startswith("#"):
            line = " " * _comment_indent(lines, number, protected, _indent(line)) + line.lstrip()
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def _comment_indent(lines: list[str], number: int, protected: frozenset[int], column: int) -> int:
    """Indent a standalone comment like its neighbours, keeping where it belongs when they differ."""

    def content(step: int) -> int:
        index = number + step
        while 0 <= index < len(lines):
            text = lines[index]
            if index in protected or (text.strip() and not text.lstrip().startswith("#")):
                return 0 if text.strip() == "---" else _indent(text)
            index += step
        return 0

    before, after = content(-1), content(1)
    if after >= before:
        return after
    return min(max(column, after), before)


def check_same(original: str, result: str) -> None:
    """Refuse a result whose data or comments differ from the original's."""
    if comments(original) != comments(result):
        raise EditError("the edit would change or lose comments: file left unchanged (please report this)")
    before, problems = read_documents(original)
    if problems or any(d.problems for d in before):
        raise EditError("itscm lint reports YAML problems in this file: fix them first")
    after, later = read_documents(result)
    if later or [d.data for d in before] != [d.data for d in after]:
        raise EditError("the edit would change the data: file left unchanged (please report this)")
