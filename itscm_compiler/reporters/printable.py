"""Text for a terminal or a CI log: control and direction characters shown as escapes, never sent raw.

File names and YAML text reach the line formats (text, github): a file named
with an escape sequence (Git stores any byte but ``/`` and NUL) could colour,
hide or overwrite lines of a developer's terminal or a CI log, and a newline
in a name would split a ``path:line:col`` line in two. Such characters are
written as Python writes them in a string (``\\x1b``, ``\\n``, ``\\u202e``),
as messages already quote YAML values. JSON and SARIF escape them by their own rules.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the bidirectional marks, embeddings, overrides and
# isolates that reorder what a line seems to say, and the bytes 0x80-0x9f of a
# name that is not UTF-8 (kept as surrogates; written raw, a terminal that
# reads Latin-1 takes 0x9b for the start of an escape sequence).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\udc80-\udc9f]")


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


def printable(text: str) -> str:
    """``text`` with every control or direction character written as its escape."""
    return _UNSAFE.sub(_escaped, text)


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _all_safe(text: str) -> bool:
    """Whether ``text`` holds nothing to escape.

    ASCII text (the usual report) is checked by deleting its printable bytes
    in C: twice as fast as the pattern's scan, which a large report (5 MB
    for a 10,000-service estate) felt.
    """
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return _UNSAFE.search(text) is None


def printable_lines(lines: list[str]) -> str:
    """The lines joined with newlines, each made printable; one scan when none needs it (the usual case)."""
    if _all_safe("".join(lines)):
        return "\n".join(lines) + "\n"
    return "\n".join(printable(line) for line in lines) + "\n"
