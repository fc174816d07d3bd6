"""The general path of yamlread: libyaml composes the nodes, a walker makes the data.

It reads every YAML file the same way the fast path does, and also what the
fast path leaves to it: anchors and aliases (with the alias-bomb budget),
explicit tags, complex keys, duplicate keys, deep nesting and syntax errors,
each with its message and position. The composer is PyYAML's binding of
libyaml, the same parser the fast path reads events from, so both paths
accept exactly the same YAML. This is where the composer's 0-based marks
become our 1-based positions on this path.
"""

from __future__ import annotations

from typing import Any

from yaml.error import MarkedYAMLError, YAMLError
from yaml.events import MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .yamlread import (
    _FALSE,
    _STR,
    _TRUE,
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    NumberTooLong,
    Path,
    Span,
    YamlDocument,
    YamlProblem,
    int_of,
    resolve_plain,
)

# The tag the composer gives a scalar written without one, so that a plain
# ``123`` (resolved with YAML 1.2 by the walker) is told from ``!!str 123``
# (a string, whatever it looks like).
_IMPLICIT = "tag:itscm.invalid,2026:implicit"
_DEFAULT_TAGS: dict[type[Node], str] = {
    ScalarNode: _IMPLICIT,
    SequenceNode: "tag:yaml.org,2002:seq",
    MappingNode: "tag:yaml.org,2002:map",
}


class _Resolving:
    """Answers the composer's one question (the tag of an untagged node) without a resolver.

    PyYAML's base resolver has no implicit resolvers and would always
    answer the default tag of the node's kind; answering directly skips it.
    """

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, parent: Any, index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


try:  # the C binding; PyYAML's pure parser keeps things working without it
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - exercised only without PyYAML's C extension
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, _Resolving):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

else:

    class _Loader(_Resolving, _CParser):  # type: ignore[no-redef]
        """libyaml's parser and composer, with the resolver answered directly."""


_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels: itscm documents are never this deep"


class _Abort(Exception):
    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _untagged(node: ScalarNode) -> bool:
    """Whether a scalar carries the tag the composer gives an untagged value (``_IMPLICIT``)."""
    return node.tag is _IMPLICIT or node.tag == _IMPLICIT


class _Walker:
    def __init__(self) -> None:
        self.spans: dict[Path, Span] = {}
        self.problems: list[YamlProblem] = []
        self.budget = MAX_ALIAS_VALUES
        self.visited: set[int] = set()
        self.aliased = 0  # > 0 while walking a collection for the second time (an alias)

    def scalar(self, node: ScalarNode) -> Any:
        value = node.value
        if _untagged(node):  # almost every scalar
            return self.plain(value, node.start_mark) if not node.style else value
        tag = node.tag or _STR  # the composer always resolves one; None would mean a plain string
        if tag == _STR:  # written out (!!str 123): a string whatever it looks like
            return value
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        try:
            if tag.endswith(":int"):
                return int_of(value, 0)
            if tag.endswith(":float"):
                return float(value)
            if tag.endswith(":bool"):
                if value in _TRUE or value in _FALSE:
                    return value in _TRUE
                raise ValueError(value)
            if tag.endswith(":null"):
                return None
        except NumberTooLong as exc:
            self.problems.append(YamlProblem("number", str(exc), line, col))
            return value
        except ValueError:
            self.problems.append(YamlProblem("tag", f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", line, col))
            return value
        self.problems.append(
            YamlProblem("tag", f"unsupported tag {tag!r}: itscm documents use plain YAML values", line, col)
        )
        return value

    def plain(self, text: str, mark: Any) -> Any:
        """A plain scalar resolved; a number too long to read is reported and kept as its text."""
        try:
            return resolve_plain(text)
        except NumberTooLong as exc:
            self.problems.append(YamlProblem("number", str(exc), mark.line + 1, mark.column + 1))
            return text

    def walk(self, node: Node, path: Path, depth: int, key_pos: tuple[int, int]) -> Any:
        mark = node.start_mark
        if self.aliased:
            # Only values reached again through aliases count: a big plain
            # document is fine, a few lines of nested aliases are not.
            self.budget -= 1
            if self.budget < 0:
                raise _Abort(
                    YamlProblem(
                        "alias-bomb",
                        f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (an alias bomb?): "
                        "write the data out instead of repeating aliases",
                        mark.line + 1,
                        mark.column + 1,
                    )
                )
        if not isinstance(node, ScalarNode):
            ident = id(node)
            if ident in self.visited:
                self.aliased += 1
                try:
                    return self._value(node, path, depth, key_pos, mark)
                finally:
                    self.aliased -= 1
            self.visited.add(ident)
        return self._value(node, path, depth, key_pos, mark)

    def _value(self, node: Node, path: Path, depth: int, key_pos: tuple[int, int], mark: Any) -> Any:
        if depth > MAX_DEPTH:
            raise _Abort(
                YamlProblem(
                    "depth",
                    _TOO_DEEP,
                    mark.line + 1,
                    mark.column + 1,
                )
            )
        spans = self.spans
        spans[path] = (mark.line + 1, mark.column + 1, key_pos[0], key_pos[1])
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        # Most values are untagged scalars: those are read right here, without
        # the calls through walk() and scalar() (the walker cost as much as
        # composing). Anything else, and everything reached through an alias
        # (which counts against the alias budget), takes the general path.
        inline = not self.aliased and depth < MAX_DEPTH
        if isinstance(node, SequenceNode):
            items: list[Any] = []
            for i, item in enumerate(node.value):
                if inline and type(item) is ScalarNode and _untagged(item):
                    start = item.start_mark
                    spans[(*path, i)] = (start.line + 1, start.column + 1, 0, 0)
                    items.append(item.value if item.style else self.plain(item.value, start))
                else:
                    items.append(self.walk(item, (*path, i), depth + 1, (0, 0)))
            return items
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            seen: dict[Any, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                if not isinstance(key_node, ScalarNode):
                    self.problems.append(YamlProblem("key", "a mapping key must be a plain value", kline, kcol))
                    continue
                if _untagged(key_node) and not key_node.style:
                    key = self.plain(key_node.value, key_node.start_mark)
                else:
                    key = self.scalar(key_node)
                if not isinstance(key, (str, int, bool)) and key is not None:
                    key = key_node.value
                if key is None:
                    key = key_node.value
                if key in seen:
                    first = seen[key]
                    self.problems.append(
                        YamlProblem(
                            "duplicate-key",
                            f"duplicate key {key!r} (first at line {first[0]}): remove one of them",
                            kline,
                            kcol,
                            first[0],
                            first[1],
                        )
                    )
                    continue
                seen[key] = (kline, kcol)
                if inline and type(value_node) is ScalarNode and _untagged(value_node):
                    start = value_node.start_mark
                    spans[(*path, key)] = (start.line + 1, start.column + 1, kline, kcol)
                    value = value_node.value
                    result[key] = value if value_node.style else self.plain(value, start)
                else:
                    result[key] = self.walk(value_node, (*path, key), depth + 1, (kline, kcol))
            return result
        return None  # pragma: no cover - ruamel only builds the three node types


def _problem_from_error(exc: YAMLError) -> YamlProblem:
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        text = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        if "exceeded maximum nesting depth" in text:  # libyaml's own limit (1,000 levels), met while scanning ahead
            return YamlProblem("depth", _TOO_DEEP, line, column)
        return YamlProblem("syntax", f"YAML syntax error: {text}", line, column)
    return YamlProblem("syntax", f"YAML error: {exc}", 1, 1)


def _too_deep(text: str) -> YamlProblem | None:
    """Find flow nesting deeper than MAX_DEPTH from the event stream.

    The C composer recurses once per level and crashes the interpreter on
    about 100,000 nested brackets, so deep flow nesting is refused before
    composing. Block nesting needs a deeper indent per level, which the file
    size limit already bounds.
    """
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return YamlProblem(
                        "depth",
                        _TOO_DEEP,
                        mark.line + 1,
                        mark.column + 1,
                    )
            elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                depth -= 1
    except YAMLError as exc:
        return _before_libyaml_limit(text, exc)  # else composing reports the syntax error with its position
    finally:
        loader.dispose()
    return None


def _before_libyaml_limit(text: str, exc: YAMLError) -> YamlProblem | None:
    """Where nesting passes our limit, when libyaml's own limit (1,000 levels) stopped it first.

    libyaml's scanner reads ahead, so its limit can stop it before the level
    past ours comes out as an event; that level lies in the text before the
    point it stopped at, where its limit cannot be met again. None when
    ``exc`` is another error.
    """
    mark = getattr(exc, "problem_mark", None)
    if mark is None or "exceeded maximum nesting depth" not in str(exc) or not 0 < mark.index < len(text):
        return None
    return _too_deep(text[: mark.index])


def read_composed(text: str) -> tuple[list[YamlDocument], list[YamlProblem]]:
    """Parse every document of ``text``.

    Returns the documents that could be read and the problems that stopped
    reading (a syntax error ends the file: later documents cannot be trusted).
    """
    documents: list[YamlDocument] = []
    if text.count("[") + text.count("{") > MAX_DEPTH:
        problem = _too_deep(text)
        if problem is not None:
            return documents, [problem]
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            walker = _Walker()
            try:
                data = walker.walk(node, (), 0, (0, 0))
            except _Abort as abort:
                problem = abort.problem
                if problem.kind == "alias-bomb":  # where the budget ran out means nothing
                    problem.line, problem.column = node.start_mark.line + 1, node.start_mark.column + 1
                return documents, [problem]
            documents.append(
                YamlDocument(index, data, walker.spans, node.start_mark.line + 1, walker.problems)
            )
            index += 1
    except YAMLError as exc:
        return documents, [_before_libyaml_limit(text, exc) or _problem_from_error(exc)]
    except RecursionError:
        return documents, [YamlProblem("depth", "nesting too deep to parse: flatten the document", 1, 1)]
    finally:
        try:
            loader.dispose()
        except Exception:  # noqa: BLE001 - disposal never matters for the result
            pass
    return documents, []
