"""Jinja2 -> Markdown: the template environment, link helpers and page writing.

Templates are looked up first in the repository's own ``templates/`` folder
(users override any file by copying it there), then in the package's
``itscm_compiler/data/templates`` (the single source of the defaults).

Every ``{{ value }}`` is escaped for Markdown and HTML by ``finalize``
(see :mod:`.escape`); helpers that build deliberate markup return ``Markup``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import jinja2
from markupsafe import Markup

from ..models.types import Duration
from . import escape
from .stamp import Stamp
from .views import Views

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"


@dataclass
class Page:
    """One Markdown page to write: where, from which template, with what."""

    path: str  # docs-relative, e.g. services/web-shop.md
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    errors: list[Any] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # docs-relative path -> text (diagrams)


def environment(override: Path | None) -> jinja2.Environment:
    """The Jinja2 environment: overrides first, then the packaged defaults."""
    loaders: list[jinja2.BaseLoader] = []
    if override is not None and override.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        finalize=escape.text,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build, thousands of renders: no stat() per template lookup
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(
        md=escape.text,
        phone=escape.phone,
        email=escape.email,
        attr=escape.attr,
        dur=lambda d: str(d) if isinstance(d, Duration) else "",
        secs=lambda n: str(Duration(int(n))) if isinstance(n, (int, float)) else "",
        percent=lambda ratio: "n/a" if ratio.percent is None else f"{ratio.percent:g}%",
    )
    env.globals.update(ref=_ref, aref=_aref, href=_href, once=_once, link=escape.link, anchor=_anchor)
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache: compiling costs 0.15 s per build (every
    rebuild of ``itscm serve``). Jinja checks each entry against its template's source; the
    folder is per itscm source, because the environment's options shape the compiled code too.
    Never in the repository: loading compiled code from files others can write would run it.
    """
    if os.environ.get("ITSCM_NO_CACHE", "").strip() not in ("", "0"):
        return None
    from ..cache import source_salt, user_cache_dir

    base = user_cache_dir()
    if base is None:
        return None
    folder = base / f"templates-{source_salt().hex()[:16]}"
    try:
        new = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if folder.stat().st_uid != os.getuid():  # someone else's folder: do not load from it
            return None
        os.utime(folder)  # "last used", for the pruning below
    except (OSError, AttributeError):
        return None
    if new:  # a new itscm version or source: the right moment to drop what old ones left
        prune_template_caches(folder)
    return jinja2.FileSystemBytecodeCache(str(folder))


TEMPLATE_CACHE_DAYS = 30


def prune_template_caches(keep: Path, days: int = TEMPLATE_CACHE_DAYS) -> list[Path]:
    """Remove the compiled templates of other itscm versions unused for ``days`` days.

    Every itscm source gets its own folder, so upgrades would otherwise pile
    them up. A version still in use (another virtual environment, a
    pre-commit hook pinned to an older release) touches its folder on every
    build and keeps it; one that comes back later simply compiles again.
    Only the user's own folders are removed. Returns what was removed.
    """
    import shutil
    import time

    cutoff = time.time() - days * 86400
    removed = []
    for other in keep.parent.glob("templates-*"):
        try:
            info = other.lstat()
            if other == keep or not other.is_dir() or other.is_symlink() or info.st_uid != os.getuid():
                continue
            if info.st_mtime < cutoff:
                shutil.rmtree(other)
                removed.append(other)
        except OSError:
            continue
    return removed


def relative(current: str, target: str) -> str:
    """``target`` relative to the folder of ``current`` (both docs-relative POSIX paths, no '..')."""
    path, _, fragment = target.partition("#")
    here = current.split("/")[:-1]
    there = path.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    rel = "/".join([".."] * (len(here) - common) + there[common:])
    return rel + (f"#{fragment}" if fragment else "")


_relative = relative


def target_of(views: Views, page_path: str, id_: str, here: Any = ()) -> str | None:
    """Where a link to ``id_`` from ``page_path`` goes: ``#id`` when this page shows it (``here``), else its page."""
    if id_ in here:
        return f"#{id_}"
    target = views.page_of(id_)
    if target is None:
        return None
    folder = page_path.rpartition("/")[0]
    key = (folder, target)
    found = _RELATIVE.get(key)
    if found is None:  # the same few thousand targets, from a handful of folders
        if len(_RELATIVE) > 100_000:
            _RELATIVE.clear()
        found = _RELATIVE[key] = _relative(page_path, target)
    return found


_RELATIVE: dict[tuple[str, str], str] = {}


def _link(context: jinja2.runtime.Context, id_: str, label: Any, local: bool) -> tuple[Markup, str | None]:
    """The escaped text of a link to ``id_`` and its relative Markdown target (None: no page shows it)."""
    views: Views = context["views"]
    text = escape.text(label if label is not None else views.label(id_))
    return text, target_of(views, context["page_path"], id_, context.get("here", ()) if local else ())


@jinja2.pass_context
def _ref(context: jinja2.runtime.Context, id_: str | None, label: Any = None, local: bool = True) -> Markup:
    """A Markdown link to the page showing ``id_``; plain text when it has no page.

    Ids this page shows itself (``here``) link to their section here, unless ``local`` is false.
    """
    if not id_:
        return Markup("")
    text, target = _link(context, id_, label, local)
    return text if target is None else Markup(f"[{text}]({target})")


@jinja2.pass_context
def _href(context: jinja2.runtime.Context, id_: str) -> str | None:
    """The relative URL of the built HTML page showing ``id_`` (for raw HTML such as diagrams)."""
    target = target_of(context["views"], context["page_path"], id_, context.get("here", ()))
    return None if target is None else html_url(target)


@jinja2.pass_context
def _aref(context: jinja2.runtime.Context, id_: str | None, label: Any = None, local: bool = True) -> Markup:
    """Like ``ref`` but an HTML ``<a>`` element, for raw HTML blocks (which Markdown leaves alone)."""
    if not id_:
        return Markup("")
    text, target = _link(context, id_, label, local)
    return text if target is None else Markup(f'<a href="{escape.attr(html_url(target))}">{text}</a>')


def html_url(target: str) -> str:
    """A relative Markdown link target (``x.md#a``) as the URL of the built page (``x.html#a``)."""
    path, _, fragment = target.partition("#")
    if path.endswith(".md"):
        path = path[:-3] + ".html"
    return path + (f"#{fragment}" if fragment else "")


@jinja2.pass_context
def _once(context: jinja2.runtime.Context, key: Any, macro: Any, *args: Any) -> Any:
    """``macro(*args)``, rendered once per folder for ``key`` and reused (a plan's steps on every
    runbook page it covers). ``key`` (any hashable value) must stand for everything the output
    depends on; links are relative, hence one copy per folder."""
    cache: dict[tuple[str, Any], Any] = context["once_cache"]
    folder = context["page_path"].rpartition("/")[0]
    found = cache.get((folder, key))
    if found is None:
        found = cache[(folder, key)] = macro(*args)
    return found


def _anchor(id_: str, search: bool = True) -> Markup:
    """An explicit heading id (attr_list) for a validated id, so links can point at it.

    ``search=False`` keeps the section out of the search index: for a copy of an
    entry whose full version is elsewhere (a component shown on several pages).
    """
    return Markup("{#" + id_ + ("}" if search else " data-search-exclude}"))


def render_pages(env: jinja2.Environment, pages: Iterable[Page], common: dict[str, Any]) -> dict[str, str]:
    """Every page's Markdown (front matter, the stamp header, then the body), by docs-relative path.

    The text is handed to MkDocs in memory (see build.py): writing a file per
    page, which MkDocs would read straight back, cost the kernel 0.05 to 0.9 s
    per 1,000 pages depending on the disk. ``write_pages`` puts them on disk.
    """
    header = env.get_template("_header.md.j2")
    common = {"once_cache": {}, **common}
    heads: dict[tuple[str, tuple[int, ...]], str] = {}
    shared_header = all(
        Path(env.get_template(name).filename or "").parent == PACKAGE_TEMPLATES
        for name in ("_header.md.j2", "site_notice.md.j2")
    )
    texts: dict[str, str] = {}
    for page in pages:
        context = {**common, **page.context, "page_path": page.path, "errors": page.errors}
        body = env.get_template(page.template).render(context)
        # The default header (stamp, notice, lint errors) is the same on most pages of a folder;
        # an overridden one may show anything about its page.
        key = (page.path.rpartition("/")[0], tuple(map(id, page.errors))) if shared_header else None
        head = heads.get(key) if key else None
        if head is None:
            head = header.render(context)
            if key:
                heads[key] = head
        front = "---\ntitle: " + json.dumps(escape.title(page.title)) + "\n---\n\n"
        if body.startswith("# "):  # the stamp and warnings go right under the page's title
            first, _, rest = body.partition("\n")
            text = f"{first}\n\n{head}{rest}"
        else:
            text = head + body
        texts[page.path] = front + text
        texts.update(page.files)
    return texts


def write_pages(docs: Path, texts: dict[str, str]) -> None:
    """Write rendered pages under ``docs`` (to read or keep the Markdown itself)."""
    made: set[Path] = set()
    for path, text in texts.items():
        target = docs / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(text, encoding="utf-8")


def stamp_context(stamp: Stamp) -> dict[str, Any]:
    return {"stamp": stamp}
