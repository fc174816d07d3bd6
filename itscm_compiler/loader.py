"""Files -> documents with a source map; every problem becomes a finding.

One bad file never stops the others: reading, parsing and validation problems
are findings with the exact position, never exceptions.
"""

from __future__ import annotations

import difflib
import marshal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config
from .diagnostics import Finding, Location, Related
from .models import API_VERSION, KINDS, Document
from .readfile import read_bytes
from .waivers import MARKER, Waiver
from .waivers import scan as scan_waivers
from .yamlread import Path as DataPath
from .yamlread import Pos, Span, YamlDocument, read_documents


Ref = tuple[DataPath, str, tuple[str, ...]]  # (data path, id written, kinds it may name)


class SourceDoc:
    """One validated document and where each of its values came from.

    ``spans`` maps data paths to plain ``(line, column, key_line, key_column)``
    tuples. A cached document keeps them marshalled until a rule first asks
    for a location: most documents never need theirs. ``refs`` holds the
    references inside the model, computed once while loading (None: not
    computed, the estate then walks the model itself).
    """

    __slots__ = ("path", "index", "model", "_spans", "refs")

    def __init__(
        self,
        path: str,
        index: int,
        model: Document,
        spans: dict[DataPath, Span] | bytes,
        refs: tuple[Ref, ...] | None = None,
    ) -> None:
        self.path = path
        self.index = index
        self.model = model
        self._spans = spans
        self.refs = refs

    def __repr__(self) -> str:
        return f"SourceDoc({self.path!r}, {self.index}, {self.kind} {self.id!r})"

    @property
    def spans(self) -> dict[DataPath, Span]:
        spans = self._spans
        if isinstance(spans, bytes):
            spans = self._spans = marshal.loads(spans)
        return spans  # type: ignore[return-value]

    @property
    def packed_spans(self) -> bytes:
        """The spans marshalled, for the cache and worker processes."""
        spans = self._spans
        return spans if isinstance(spans, bytes) else marshal.dumps(spans)

    @property
    def kind(self) -> str:
        return type(self.model).__name__

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def positions(self) -> dict[DataPath, Pos]:
        """Every value's position as ``Pos`` (built on demand)."""
        return {path: Pos(*span) for path, span in self.spans.items()}

    def location(self, *data_path: str | int, key: bool = False) -> Location:
        """The position of the value at ``data_path`` (or of its key), or the nearest parent."""
        path: tuple[str | int, ...] = tuple(data_path)
        spans = self.spans
        while path not in spans and path:
            path = path[:-1]
            key = False
        span = spans.get(path)
        if span is None:
            return Location(self.path)
        if key and span[2]:
            return Location(self.path, span[2], span[3])
        return Location(self.path, span[0], span[1])


@dataclass(slots=True)
class InvalidDoc:
    """A document with a kind and id that failed validation: its id still exists."""

    path: str
    kind: str
    id: str
    location: Location
    # References found in the raw data (for R001/R002), each with where it is written.
    refs: tuple[tuple[DataPath, str, tuple[str, ...], int, int], ...] = ()

    def at(self, data_path: DataPath) -> Location:
        """Where the reference at ``data_path`` is written."""
        for path, _, _, line, column in self.refs:
            if path == data_path:
                return Location(self.path, line, column)
        return self.location


@dataclass(slots=True)
class Loaded:
    """Everything the loader read: valid documents, invalid ones, and the findings."""

    files: list[str] = field(default_factory=list)
    documents: list[SourceDoc] = field(default_factory=list)
    invalid: list[InvalidDoc] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    waivers: dict[str, tuple[Waiver, ...]] = field(default_factory=dict)  # by path, only files that have some
    keys: list[bytes] | None = None  # each file's content key, when loaded through the cache

    def add(self, rel: str, loaded: FileLoad) -> None:
        """Take in what one file yielded."""
        self.documents.extend(loaded.documents)
        self.invalid.extend(loaded.invalid)
        self.findings.extend(loaded.findings)
        if loaded.waivers:
            self.waivers[rel] = loaded.waivers


def _finding(code: str, path: str, line: int, column: int, message: str, *related: Related) -> Finding:
    return Finding(Location(path, line, column), message, tuple(related), code=code)


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Finding]]:
    """The file's bytes as UTF-8 text, or why they are not."""
    if b"\x00" in raw[:8192]:
        other = _other_encoding(raw[:4])
        if other:  # an editor's "Unicode" (UTF-16) save: text, but not the UTF-8 every tool here reads
            return None, [_finding("Y005", rel, 1, 1, f"encoded as {other}, not UTF-8: save the file as UTF-8")]
        return None, [_finding("Y005", rel, 1, 1, "binary file with a YAML name: remove it or rename it")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            _finding(
                "Y005",
                rel,
                line,
                column,
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8",
            )
        ]
    return text, []


def _other_encoding(head: bytes) -> str:
    """UTF-16 or UTF-32 told from a file's first four bytes, or "" for anything else.

    As YAML 1.2 detects them (section 5.2): a byte order mark, or where the
    zero bytes fall around a first ASCII character.
    """
    for mark, name in _MARKS:
        if head.startswith(mark):
            return name
    if len(head) == 4:
        zero = tuple(b == 0 for b in head)
        if zero == (True, True, True, False):
            return "UTF-32 (big-endian)"
        if zero == (False, True, True, True):
            return "UTF-32 (little-endian)"
        if zero[:2] == (True, False):
            return "UTF-16 (big-endian)"
        if zero[:2] == (False, True):
            return "UTF-16 (little-endian)"
    return ""


# Longest first: the UTF-32 little-endian mark begins with UTF-16's.
_MARKS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)


def read_text(full: Path, rel: str, max_size: int) -> tuple[str | None, list[Finding]]:
    """Read a file as UTF-8 text, or explain why it cannot be read."""
    raw, findings = read_bytes(full, rel, max_size)
    if raw is None:
        return None, findings
    return decode(raw, rel)


def _inside(text: str, line: int, column: int) -> tuple[int, int]:
    """Keep a parser position inside the file.

    At the end of a file without a final newline the parser reports the line
    after the last one; editors and CI annotations need a line that exists.
    """
    lines = text.count("\n") + 1
    if line <= lines:
        return line, column
    return lines, len(text) - (text.rfind("\n") + 1) + 1


def _check_envelope(doc: YamlDocument, rel: str) -> tuple[type[Document] | None, list[Finding]]:
    data = doc.data
    start = doc.pos(()) or Pos(doc.line, 1)
    if not isinstance(data, dict) or ("kind" not in data and "apiVersion" not in data):
        return None, [
            _finding(
                "Y007",
                rel,
                start.line,
                start.column,
                "not an itscm document (no apiVersion and kind): add `apiVersion: itscm/v1` and a kind, "
                "or exclude this path in .itscm.yaml",
            )
        ]
    findings: list[Finding] = []
    api = data.get("apiVersion")
    if api != API_VERSION:
        pos = doc.pos(("apiVersion",), start) or start
        what = "missing apiVersion" if api is None else f"apiVersion {api!r} is not supported"
        findings.append(_finding("S002", rel, pos.line, pos.column, f"{what}: write `apiVersion: {API_VERSION}`"))
    kind = data.get("kind")
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        pos = doc.pos(("kind",), start) or start
        if kind is None:
            message = "missing kind: add `kind:` with one of " + ", ".join(KINDS)
        else:
            close = difflib.get_close_matches(str(kind), list(KINDS), n=1, cutoff=0.6) or [
                k for k in KINDS if k.lower() == str(kind).lower()
            ]
            hint = f": did you mean {close[0]!r}?" if close else ": use one of " + ", ".join(KINDS)
            message = f"unknown kind {kind!r}{hint}"
        findings.append(_finding("S001", rel, pos.line, pos.column, message))
    return model, findings


@dataclass(slots=True)
class FileLoad:
    """What one file yields. A pure function of its path and bytes, so it can be cached."""

    documents: list[SourceDoc] = field(default_factory=list)
    invalid: list[InvalidDoc] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    waivers: tuple[Waiver, ...] = ()


def load_bytes(raw: bytes, rel: str) -> FileLoad:
    """Decode, parse and validate one file's bytes; every problem becomes a finding."""
    from .estate import iter_refs
    from .validate import validate_document

    result = FileLoad()
    text, findings = decode(raw, rel)
    result.findings.extend(findings)
    if text is None:
        return result
    if MARKER in text:  # waivers live in comments, which the fast parser drops
        result.waivers = scan_waivers(text)
    documents, problems = read_documents(text)
    for problem in problems:
        code = {"syntax": "Y001", "alias-bomb": "Y004", "depth": "Y004"}.get(problem.kind, "Y001")
        line, column = _inside(text, problem.line, problem.column)
        result.findings.append(_finding(code, rel, line, column, problem.message))
    if not problems and all(d.data is None for d in documents):
        if not text.strip():
            what = "is empty"
        elif not documents:
            what = "holds only comments"
        else:  # `---` separators, `null` or `~`: documents with nothing in them
            what = "holds only empty documents"
        result.findings.append(_finding("Y008", rel, 1, 1, f"file {what}: add an itscm document or delete the file"))
        return result
    for doc in documents:
        if doc.data is None:
            continue
        for problem in doc.problems:
            code = {"duplicate-key": "Y002", "tag": "Y003", "key": "Y003", "number": "Y003"}.get(problem.kind, "Y001")
            related: tuple[Related, ...] = ()
            if problem.other_line:
                related = (Related(Location(rel, problem.other_line, problem.other_column), "first defined here"),)
            result.findings.append(_finding(code, rel, problem.line, problem.column, problem.message, *related))
        model_cls, envelope = _check_envelope(doc, rel)
        result.findings.extend(envelope)
        if model_cls is None or envelope:
            _remember_invalid(doc, rel, result)
            continue
        model, errors = validate_document(model_cls, doc, rel)
        result.findings.extend(errors)
        if model is None:
            _remember_invalid(doc, rel, result, model_cls)
        else:
            refs = tuple(iter_refs(model))
            result.documents.append(SourceDoc(rel, doc.index, model, doc.spans, refs))
    return result


def load_file(full: Path, rel: str, config: Config, result: Loaded) -> None:
    """Read one file into ``result``: documents, invalid documents and findings."""
    raw, findings = read_bytes(full, rel, config.max_file_size)
    result.findings.extend(findings)
    if raw is not None:
        result.add(rel, load_bytes(raw, rel))


def _remember_invalid(doc: YamlDocument, rel: str, result: FileLoad, model_cls: type[Document] | None = None) -> None:
    data: Any = doc.data
    if isinstance(data, dict) and isinstance(data.get("id"), str) and isinstance(data.get("kind"), str):
        pos = doc.pos(("id",)) or Pos(doc.line, 1)
        refs: list[tuple[DataPath, str, tuple[str, ...], int, int]] = []
        if model_cls is not None:
            from .estate import raw_refs

            for path, target, kinds in raw_refs(model_cls, data):
                where = doc.pos(path) or pos
                refs.append((path, target, kinds, where.line, where.column))
        location = Location(rel, pos.line, pos.column)
        result.invalid.append(InvalidDoc(rel, data["kind"], data["id"], location, tuple(refs)))
