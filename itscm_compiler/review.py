"""``itscm review``: record that a plan was reviewed, in its own file, keeping every comment.

The plan is found through the estate (any file under the roots may define
it); its ``review`` block gets ``last_reviewed`` and ``by`` (the block is
created when missing). The file is written through ruamel.yaml round-trip in
the canonical layout of ``itscm fmt``, and only when the resulting data
differs from the original exactly in those two values.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import ScalarString

from .atomic import write_atomically
from .loader import read_text
from .models import Person, Plan
from .roundtrip import EditError, comments, dump_all, line_break, load_all
from .yamlread import read_documents


@dataclass(frozen=True)
class Recorded:
    """Where the review was written."""

    path: str
    plan: str
    by: str
    on: dt.date
    changed: bool


def record_review(root: Path, plan_id: str, by: str, on: dt.date) -> Recorded:
    """Set ``review.last_reviewed`` and ``review.by`` of plan ``plan_id``; raises EditError."""
    from .pipeline import load_estate

    root = root.resolve()
    estate, _ = load_estate(root)
    doc = estate.get(plan_id)
    if doc is None or not isinstance(doc.model, Plan):
        what = f"{plan_id!r} is a {doc.kind}, not a plan" if doc else f"no plan {plan_id!r}"
        raise EditError(what + _hint(plan_id, [d.id for d in estate.docs(Plan)]))
    if estate.model(by, Person) is None:
        raise EditError(f"no person {by!r}" + _hint(by, [d.id for d in estate.docs(Person)]))
    full = root / doc.path
    text, problems = read_text(full, doc.path, estate.config.max_file_size)
    if text is None:
        raise EditError(problems[0].message if problems else "cannot read the file")
    documents = load_all(text)
    target = _find(documents, doc.index, plan_id)
    _set_review(target, by, on)
    result = dump_all(documents, line_break(text))
    _check(text, result, doc.index, by, on)
    changed = result != text
    if changed:
        write_atomically(full, result)
    return Recorded(doc.path, plan_id, by, on, changed)


def _hint(wanted: str, names: list[str]) -> str:
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    return f": did you mean {close[0]!r}?" if close else ""


def _find(documents: list[Any], index: int, plan_id: str) -> CommentedMap:
    candidates = [documents[index]] if index < len(documents) else []
    candidates += documents
    for candidate in candidates:
        if isinstance(candidate, CommentedMap) and candidate.get("id") == plan_id:
            return candidate
    raise EditError(f"plan {plan_id!r} not found in its file any more: run the command again")


def _like(old: Any, value: str) -> Any:
    """The new value, quoted the way the old one was (plain dates stay plain)."""
    if isinstance(old, ScalarString):
        return type(old)(value)
    return value


def _set_review(plan: CommentedMap, by: str, on: dt.date) -> None:
    review = plan.get("review")
    if not isinstance(review, CommentedMap):
        review = CommentedMap()
        plan["review"] = review
    old = review.get("last_reviewed")
    review["last_reviewed"] = _like(old, on.isoformat()) if isinstance(old, ScalarString) else on  # date: plain
    review["by"] = _like(review.get("by"), by)


def _check(original: str, result: str, index: int, by: str, on: dt.date) -> None:
    """Only the review values may change; every comment stays."""
    if comments(original) != comments(result):
        raise EditError("recording the review would change or lose comments: file left unchanged (please report this)")
    before = [copy.deepcopy(d.data) for d in read_documents(original)[0]]
    after, problems = read_documents(result)
    expected = before[index]
    if isinstance(expected, dict):
        found = expected.get("review")
        review: dict[str, Any] = found if isinstance(found, dict) else {}
        expected["review"] = {**review, "last_reviewed": on.isoformat(), "by": by}
    if problems or [d.data for d in after] != before:
        raise EditError("recording the review would change other data: file left unchanged (please report this)")
