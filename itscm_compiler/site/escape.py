"""Make untrusted YAML text inert in Markdown AND in HTML.

Every value a template prints goes through :func:`text` (the environment's
``finalize``), so a plan step can never inject markup: characters that either
Markdown or HTML could read as syntax become numeric character references,
which Markdown leaves alone and the browser shows as the character itself.
Newlines become ``<br>`` so a value always stays on its one line (a table
cell, a list item) and can never start a heading, list or code block.

Deliberate markup (links, phone links, diagrams) is built here from validated
parts and returned as :class:`markupsafe.Markup`.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup

# Markdown inline syntax (emphasis, code, links, attr_list braces, tables,
# extensions' marks) and HTML syntax. Parentheses only matter after "]", which
# is encoded, so they stay readable.
_SPECIAL = frozenset("\\`*_{}[]<>&#|~=^$:!\"'")
# At the start of a line these open blocks: lists, quotes, headings, rules.
_LEADING = frozenset("-+*>#=|:!?/.")
_ORDERED = re.compile(r"(\d+)([.)])")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Most values (names, ids, dates) need nothing: one regex search decides.
_NEEDS_WORK = re.compile(r"[\\`*_{}\[\]<>&#|~=^$:!\"'\n\r\t]|^[ \-+*>#=|:!?/.]|^\d+[.)]")


def _encode(char: str) -> str:
    return f"&#{ord(char)};"


def text(value: Any) -> Markup:
    """``value`` as inert inline text: safe in a paragraph, table cell or list item."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    if type(value) is str:
        # Names, titles and separators repeat on thousands of pages: encode each once.
        found = _SEEN.get(value)
        if found is None:
            if len(_SEEN) > 100_000:
                _SEEN.clear()
            found = _SEEN[value] = _text(value)
        return found
    return _text(value)


_SEEN: dict[str, Markup] = {}


def _text(value: Any) -> Markup:
    if not _NEEDS_WORK.search(raw := str(value)):
        return Markup(raw)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if "\n" in raw:
        raw = raw.strip()
    lines = raw.split("\n")
    out = []
    for number, line in enumerate(lines):
        if number:
            line = line.strip()
        if not line:
            out.append("")
            continue
        # Leading spaces could open an indented code block: make them inert.
        indent = len(line) - len(line.lstrip(" "))
        if indent:
            out.append("&#32;" * indent + str(_text(line[indent:])))
            continue
        encoded = "".join(_encode(c) if c in _SPECIAL else c for c in line)
        first = line[0]
        match = _ORDERED.match(line)
        if match:
            # "1. x" would start an ordered list: encode the dot or bracket
            digits = match.group(1)
            encoded = digits + _encode(match.group(2)) + encoded[len(digits) + 1 :]
        elif first in _LEADING and first not in _SPECIAL:
            encoded = _encode(first) + encoded[1:]
        out.append(encoded)
    return Markup("<br>".join(out))


def attr(value: Any) -> str:
    """A value for an HTML attribute (title, aria-label): HTML-escaped, one line."""
    return html.escape(" ".join(str(value).split()), quote=True)


def safe_url(url: str) -> str | None:
    """The URL when its scheme is harmless to link to (http, https, mailto), else None."""
    candidate = url.strip()
    lowered = "".join(candidate.split()).lower()  # "java\nscript:" tricks
    if lowered.startswith(_SAFE_SCHEMES) and not any(c in candidate for c in "<>\"'` \n\t"):
        return candidate
    return None


def link(title: Any, url: str | None) -> Markup:
    """An external link when the URL is safe; otherwise the title and URL as plain text."""
    label = text(title if title else url)
    target = safe_url(url) if url else None
    if target is None:
        return label if not url or title in (None, url) else Markup(f"{label} ({text(url)})")
    return Markup(f'<a href="{html.escape(target, quote=True)}" rel="noopener">{label}</a>')


_PHONE_KEEP = re.compile(r"[^0-9+]")


def phone(number: Any) -> Markup:
    """A phone number as a ``tel:`` link (a responder taps it), shown as written."""
    shown = text(number)
    dial = _PHONE_KEEP.sub("", str(number))
    if len(dial.lstrip("+")) < 3:
        return shown
    return Markup(f'<a href="tel:{dial}">{shown}</a>')


def email(address: Any) -> Markup:
    """An e-mail address as a ``mailto:`` link when it looks like one."""
    value = str(address).strip()
    if re.fullmatch(r"[^\s@<>\"'`]+@[^\s@<>\"'`]+", value):
        # <wbr>: a narrow table cell breaks the address before the "@", not mid-word
        shown = str(text(value)).replace("@", "<wbr>@", 1)
        return Markup(f'<a href="mailto:{html.escape(value, quote=True)}">{shown}</a>')
    return text(value)


def title(value: Any) -> str:
    """A page title for front matter: HTML-escaped (MkDocs prints it raw in <title>)."""
    return html.escape(" ".join(str(value).split()), quote=True)
