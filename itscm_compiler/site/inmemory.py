"""Hand the rendered pages to MkDocs in memory instead of through files it would read back.

The pages stay plain Markdown; ``render.write_pages`` writes them out for
anyone who wants the files (another static-site engine reads the same text).
"""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, file_sort_key


class InMemoryPages(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Adds every rendered page to MkDocs' files, as ``mkdocs.structure.files.File.generated``."""

    def __init__(self, texts: dict[str, str]) -> None:
        super().__init__()
        self.texts = texts

    def on_files(self, files: Files, /, *, config: Any) -> Files:
        generated = [File.generated(config, path, content=text) for path, text in self.texts.items()]
        # MkDocs lists files in this order when it reads a folder; the navigation and the
        # search index follow it, so two builds of one commit stay identical.
        for file in sorted(generated, key=file_sort_key):
            files.append(file)
        return files
