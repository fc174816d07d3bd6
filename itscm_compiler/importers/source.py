"""Read another tool's YAML (a Backstage catalogue, a Compose file) for an importer.

ruamel.yaml's round-trip loader, for the line numbers it keeps on every
mapping, with two changes that matter for files itscm does not control:

* text shaped like a date or time stays text. Backstage (js-yaml) and
  Compose (Go's yaml.v3) read YAML 1.2, which has no timestamps, so an
  entity named ``2026-02-30`` is a name there; ruamel would try to build a
  date and reject the whole file;
* an integer too long for Python to convert stays text, instead of an
  error that advises ``sys.set_int_max_str_digits()``.

A file that cannot be read raises SourceError with the line and column of
the problem when the parser gives one. A source may be a pipe
(``/dev/stdin``), but it is read only up to the repository's
``max_file_size``: a larger file, or an endless device, is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..config import DEFAULT_MAX_FILE_SIZE
from ..readfile import size_text
from ..roundtrip import first_line, yaml_problem


class SourceError(Exception):
    """The source file cannot be read; ``where`` is ``path`` or ``path:line``."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class _Constructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        return self.construct_scalar(node)

    def construct_yaml_int(self, node: Any) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts: the text, as written
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


def read_source(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of the source file at ``path``; raises SourceError (unreadable, or above ``max_size``)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_size + 1)
    except OSError as exc:
        raise SourceError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > max_size:
        raise SourceError(
            str(path), f"larger than the limit of {size_text(max_size)}: split it, or raise max_file_size in .itscm.yaml"
        )
    return raw


def read_yaml(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> list[Any]:
    """Every document of the YAML file at ``path``, with ruamel's line numbers; raises SourceError."""
    raw = read_source(path, max_size)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"{path}:{line}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8"
        ) from None
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        return list(yaml.load_all(text))
    except YAMLError as exc:
        mark = (exc.problem_mark or exc.context_mark) if isinstance(exc, MarkedYAMLError) else None
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise SourceError(where, f"not a readable YAML file: {yaml_problem(exc)}") from None
    except RecursionError:
        raise SourceError(str(path), "not a readable YAML file: nested too deeply") from None
    except (ValueError, OverflowError, TypeError) as exc:  # a value ruamel.yaml resolves but cannot build
        raise SourceError(str(path), f"not a readable YAML file: a value cannot be read ({first_line(exc)})") from None
