"""The MkDocs configuration a build needs, generated; the repository's mkdocs.yml adds to it.

Settings that keep the site working offline from ``file://`` are not
negotiable: no web fonts (``theme.font: false``), no directory URLs, the
search and offline plugins, a local Worker shim instead of Material's
unpkg.com polyfill, and a navigation of section pages only (with a page per
service, a full navigation repeats every page in every page: quadratic time
and size). The repository's ``mkdocs.yml`` may set the look (site name,
palette, icons, language, copyright, extra values); everything stays plain
MkDocs/Material configuration, which Zensical reads as well.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..readfile import read_settings
from .pages import NAV

FEATURES = ["navigation.prune", "navigation.top", "search.highlight", "content.tooltips"]
USER_KEYS = ("site_name", "site_description", "site_author", "copyright")
THEME_KEYS = ("palette", "icon", "language", "features")
SHIM = "assets/javascripts/iframe-worker-shim.js"  # the name tells Material's offline plugin not to add its own


class SettingsError(Exception):
    """The repository's mkdocs.yml cannot be used."""


def read_user_settings(root: Path) -> dict[str, Any]:
    """The repository's mkdocs.yml (if any), as plain data."""
    try:
        raw = read_settings(root / "mkdocs.yml")
    except (ValueError, OSError) as exc:
        raise SettingsError(f"mkdocs.yml: cannot read it: {exc}") from exc
    if raw is None:
        return {}
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml files often carry !!python/name tags (emoji extensions); we never need those values.
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SettingsError(f"mkdocs.yml: cannot read it: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError("mkdocs.yml: must be a mapping")
    return data


def generate(root: Path, work: Path, docs: Path) -> dict[str, Any]:
    """Write ``work/mkdocs.yml`` for a build of ``docs`` into ``work/site``; return the settings."""
    user = read_user_settings(root)
    found = user.get("theme")
    theme_user: dict[str, Any] = found if isinstance(found, dict) else {}
    theme: dict[str, Any] = {"name": "material", "palette": {"scheme": "default", "primary": "indigo", "accent": "indigo"}}
    theme.update({k: v for k, v in theme_user.items() if k in THEME_KEYS})
    theme["features"] = sorted(set(FEATURES) | {f for f in theme.get("features") or [] if f != "navigation.instant"})
    theme["font"] = False  # Material fetches Google Fonts otherwise
    extra = dict(user.get("extra") or {}) if isinstance(user.get("extra"), dict) else {}
    extra["polyfills"] = [SHIM]
    extra.setdefault("generator", False)
    settings: dict[str, Any] = {
        "site_name": "Continuity runbooks",
        "docs_dir": str(docs),
        "site_dir": str(work / "site"),
        "use_directory_urls": False,
        "theme": theme,
        "plugins": ["search", "offline"],
        "extra": extra,
        "extra_css": ["assets/itscm.css"],
        "markdown_extensions": [
            "tables",
            "attr_list",
            "admonition",
            {"toc": {"permalink": True}},
            {"pymdownx.tasklist": {"custom_checkbox": True, "clickable_checkbox": True}},
        ],
        "nav": [{title: path} for title, path in NAV],
        "not_in_nav": "/services/*.md\n/plans/*.md\n/sites/*.md\n/suppliers/*.md\n",
        "validation": {"nav": {"omitted_files": "ignore"}, "links": {"not_found": "warn", "anchors": "warn"}},
    }
    for key in USER_KEYS:
        if key in user:
            settings[key] = user[key]
    # JSON is YAML: no second serialiser, and the output is byte-for-byte stable.
    (work / "mkdocs.yml").write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return settings
