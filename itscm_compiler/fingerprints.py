"""Stable fingerprints of diagnostics: the same problem keeps its fingerprint when lines move.

PR mode compares the fingerprints of two runs to report only new problems,
and the SARIF reporter publishes them as ``partialFingerprints`` so that code
scanning tracks an alert across commits. A fingerprint is built from the
code, the repository-relative file path and the finding's ``key`` (rules set
a key that names the documents and fields involved; it defaults to the
message). Line and column numbers are deliberately left out.
"""

from __future__ import annotations

import hashlib

from .diagnostics import Diagnostic

VERSION = "1"  # bump when the recipe changes, so old fingerprints never match new ones by accident


def fingerprint(diagnostic: Diagnostic, path: str | None = None) -> str:
    """A short hex digest that identifies ``diagnostic`` independently of line numbers.

    Args:
        diagnostic: the diagnostic to identify.
        path: the file path to use instead of ``diagnostic.location.path``
            (PR mode passes the new name of a file renamed since the base).
    """
    key = diagnostic.key or diagnostic.message
    text = "\0".join((VERSION, diagnostic.code, path or diagnostic.location.path, " ".join(key.split())))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]  # a path need not be UTF-8
