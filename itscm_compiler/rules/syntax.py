"""YAML and schema problems: found by the loader, documented here."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding, Related, Severity
from ..estate import Estate
from .base import loader_rule, rule

E, W = Severity.ERROR, Severity.WARNING

YAML_RULES = (
    loader_rule("Y001", "yaml-syntax", E, """
        The file is not valid YAML.

        Nothing after a syntax error can be trusted, so the rest of the file is
        not checked until it is fixed. Tabs used for indentation are the usual
        cause: YAML indents with spaces only.

        Fails: ``services:\\n\\t- payments``. Fix: indent with spaces.
    """),
    loader_rule("Y002", "duplicate-key", E, """
        A mapping has the same key twice.

        YAML parsers silently keep one of the two values, so half of what was
        written is ignored: a second ``depends_on`` that replaces the first hides
        a dependency from every check. The related location shows the first key.

        Fix: merge the two entries into one key.
    """),
    loader_rule("Y003", "unsupported-yaml", E, """
        A YAML feature itscm documents do not use: custom tags, complex keys,
        or an integer of more than 4,300 digits.

        Documents are plain data that every editor, reviewer and tool reads the
        same way. (Reading an integer's digits takes time that grows with the
        square of their number, which is why Python stops at 4,300 too.) Fix:
        write the value plainly, without ``!tag`` and with a simple key; quote
        a long number that is meant as text.
    """),
    loader_rule("Y004", "yaml-too-complex", E, """
        The YAML expands to too many values (an alias bomb) or nests too deeply.

        A few lines of aliases can expand to billions of values and exhaust any
        tool that reads them; itscm stops once aliases expand to 100,000
        values, and at 200 levels of nesting. Fix: write the data out plainly.
    """),
    loader_rule("Y005", "unreadable-file", E, """
        The file cannot be read as text: binary content, bytes that are not
        UTF-8 (a file saved as UTF-16 or UTF-32, as some editors save
        "Unicode", is named so), a file that vanished while it was being
        read, or not a file at all (a named pipe, socket or device with a YAML
        name, which is refused without waiting on it).

        Fix: save the file as UTF-8, or remove a binary file or a pipe that has a YAML name.
    """),
    loader_rule("Y006", "file-too-large", E, """
        The file is larger than the configured limit (8 MB by default).

        Continuity documents are small; a huge file is usually a data dump or an
        accident and would slow every check. Fix: split the file, or raise
        ``max_file_size`` in ``.itscm.yaml``.
    """),
    loader_rule("Y007", "not-a-document", E, """
        A YAML file under the roots that is not an itscm document.

        Every YAML file under the roots is read, so that a document with a
        mangled header is never silently skipped. Fix: add ``apiVersion:
        itscm/v1`` and a ``kind``, or list the path under ``exclude`` in
        ``.itscm.yaml``.
    """),
    loader_rule("Y008", "empty-file", E, """
        The file is empty, or holds only comments or empty documents (a bare
        ``---``, ``null``).

        An empty document is usually a plan that was never written or a file
        whose content was lost. Fix: add the document, or delete the file.
    """),
    loader_rule("Y009", "symlink-not-followed", W, """
        A symbolic link under the roots was not followed.

        Links can point outside the repository or loop forever; itscm reads
        only the repository's own files. Fix: replace the link with the file,
        or add the real folder to ``roots``.
    """),
    loader_rule("Y010", "unknown-rule-code", E, """
        ``rules`` in ``.itscm.yaml`` names a code that no rule has.

        A mistyped code changes nothing, so the severity you meant to set (or
        the rule you meant to turn off) silently stays as it was. Fix: use a
        code from ``itscm rules``; codes are a capital letter and three digits.
    """),
    loader_rule("Y011", "unreadable-folder", E, """
        A folder under the roots cannot be listed, so none of its files is checked.

        Permissions that keep the checking user out, a path longer than the
        system allows (``File name too long``), or a disk error: whatever is
        in the folder would otherwise be missing from every check in
        silence. Fix: make the folder readable, shorten the path, or list
        the folder under ``exclude`` in ``.itscm.yaml`` if it is meant to be
        left out.
    """),
    loader_rule("Y012", "root-not-found", E, """
        A folder listed under ``roots`` in ``.itscm.yaml`` does not exist.

        A misspelt root (``plan`` for ``plans``) or a folder that was moved
        takes every document in it out of every check, and the run still
        comes back clean. Fix: correct the path, or remove it from ``roots``.
    """),
    loader_rule("S001", "unknown-kind", E, """
        The ``kind`` is missing or is not one of the itscm kinds.

        Fails: ``kind: Servcie``. Fix: use the suggested kind.
    """),
    loader_rule("S002", "bad-api-version", E, """
        ``apiVersion`` is missing or is not ``itscm/v1``.

        The version says which format the document follows, so that a future
        format can be told apart. Fix: write ``apiVersion: itscm/v1``.
    """),
    loader_rule("S003", "unknown-field", E, """
        A field that the kind does not have.

        Unknown fields are almost always typos (``rto`` written ``rt0``,
        ``depends_on`` written ``dependson``), and a typo silently drops the
        value from every check. The message suggests the closest field.
    """),
    loader_rule("S004", "missing-field", E, """
        A required field is missing.

        Fix: add the field; ``itscm new KIND ID`` writes a document with every
        required field.
    """),
    loader_rule("S005", "invalid-value", E, """
        A value has the wrong type or is out of range: a number where a list is
        expected, a tier of 0, an unknown strategy.

        YAML 1.2 rules apply: ``no``, ``on`` and ``off`` are strings, not
        booleans, so write ``active: false``. The message names what is allowed.
    """),
    loader_rule("S006", "bad-duration", E, """
        A duration that cannot be read.

        Durations are written ``30m``, ``4h``, ``2d``, ``1w``, combined like
        ``1d12h``, or in ISO 8601 like ``PT4H``. A bare number has no unit and
        is refused: ``rto: 4`` could mean minutes or hours.
    """),
    loader_rule("S007", "bad-date", E, """
        A date that is not an ISO date ``YYYY-MM-DD`` or does not exist.

        Fails: ``last_reviewed: 31/03/2026`` or ``2026-02-30``.
    """),
    loader_rule("S008", "bad-id", E, """
        An id that is not a lower-case slug.

        Ids are used in references, file names and URLs of the runbook site, so
        they are lower-case letters, digits and hyphens (at most 80
        characters). Fix: ``Payments API`` becomes ``payments-api``.
    """),
)


@rule("S009", "duplicate-id", E)
def duplicate_id(estate: Estate) -> Iterator[Finding]:
    """Two documents share one id.

    Ids are unique across the repository, all kinds together: a reference to
    ``payments`` must name exactly one thing. The second document is reported,
    with the first as the related location. Fix: rename one of them.
    """
    for first, second in estate.duplicates:
        yield Finding(
            second.location("id"),
            f"id {second.id!r} is already used by the {first.kind} in {first.path}: ids must be unique",
            (Related(first.location("id"), "first defined here"),),
        )
