"""Prose no check reads: proven by watching the rules, by editing it, and by the result cache's use of it."""

from __future__ import annotations

import collections
import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from itscm_compiler.models import KINDS
from itscm_compiler.models.base import Model
from itscm_compiler.pipeline import _run, lint, load_estate
from itscm_compiler.prose import PROSE, prose_fields, same_for_checks

from .conftest import ROOT
from .test_result_cache import _seen

TODAY = dt.date(2026, 11, 24)


def _reads(root: Path, monkeypatch: pytest.MonkeyPatch) -> collections.Counter[tuple[str, str]]:
    """Every (model class, attribute) the estate and the rules read, in this process."""
    monkeypatch.setenv("ITSCM_WORKERS", "1")  # no forked worker: its reads would not be seen here
    estate, diagnostics = load_estate(root, today=TODAY, cache=False)
    reads: collections.Counter[tuple[str, str]] = collections.Counter()
    plain = object.__getattribute__

    def watched(self: Model, name: str) -> Any:
        reads[(type(self).__name__, name)] += 1
        return plain(self, name)

    monkeypatch.setattr(Model, "__getattribute__", watched, raising=False)
    try:
        _run(estate, diagnostics)
    finally:
        monkeypatch.delattr(Model, "__getattribute__")
    return reads


def _all_models() -> Iterator[type[Model]]:
    todo: list[type[Model]] = [Model]
    while todo:
        cls = todo.pop()
        yield cls
        todo.extend(cls.__subclasses__())


@pytest.mark.parametrize("estate", ["example", "generated"])
def test_no_check_reads_prose(estate: str, generated_estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = ROOT if estate == "example" else generated_estate
    reads = _reads(root, monkeypatch)
    # The watch sees what the checks do read (else this test could not fail)...
    assert reads[("Service", "depends_on")] and reads[("Plan", "procedure")] and reads[("Step", "waits_for")]
    # ...and none of the prose, nor the whole of a model at once.
    prose = {(cls.__name__, name) for cls in _all_models() for name in prose_fields(cls)}
    assert not prose & set(reads)
    assert not {name for _, name in reads} & {"__dict__", "model_dump", "model_dump_json", "__getstate__"}


def test_prose_names_real_fields() -> None:
    for cls, names in PROSE.items():
        assert names <= set(cls.model_fields), cls.__name__


def _edit_prose(model: Model, data: Any, done: collections.Counter[str]) -> None:
    """Append text to every prose string of ``data`` (the raw form of ``model``), counting them in ``done``."""
    skip = prose_fields(type(model))
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        if not isinstance(data, dict) or key not in data:
            continue
        value = getattr(model, name)
        if name in skip:
            done[f"{type(model).__name__}.{name}"] += _append(data, key)
        elif isinstance(value, Model):
            _edit_prose(value, data[key], done)
        elif isinstance(value, list):
            for item, raw in zip(value, data[key]):
                if isinstance(item, Model):
                    _edit_prose(item, raw, done)


def _append(holder: Any, key: Any) -> int:
    value = holder[key]
    if isinstance(value, str) and "\n" not in value:
        holder[key] = type(value)(value + " (edited)") if type(value) is not str else value + " (edited)"
        return 1
    if isinstance(value, list):
        return sum(_append(value, i) for i in range(len(value)))
    if isinstance(value, dict):
        return sum(_append(value, k) for k in list(value))
    return 0


def _rewrite(root: Path, edit: bool) -> collections.Counter[str]:
    """Round-trip every document of the estate, editing its prose when ``edit``; counts the prose edited."""
    estate, _ = load_estate(root, today=TODAY, cache=False)
    by_file: dict[str, dict[int, Model]] = collections.defaultdict(dict)
    for doc in estate.documents:
        by_file[doc.path][doc.index] = doc.model
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # nothing is wrapped: every value stays on its line
    edited: collections.Counter[str] = collections.Counter()
    for rel, models in by_file.items():
        path = root / rel
        try:
            documents = list(yaml.load_all(path.read_text(encoding="utf-8")))
        except Exception:  # noqa: BLE001 - the deliberately broken files stay as they are
            continue
        if edit:
            for i in models:
                _edit_prose(models[i], documents[i], edited)
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump_all(documents, handle)
    return edited


def test_editing_every_prose_value_changes_no_diagnostic(generated_estate: Path, tmp_path: Path) -> None:
    plain = shutil.copytree(generated_estate, tmp_path / "plain")
    edited = shutil.copytree(generated_estate, tmp_path / "edited")
    _rewrite(plain, edit=False)
    done = _rewrite(edited, edit=True)
    kinds = {"Service.description", "Plan.name", "Step.title", "Step.instructions", "Communication.template", "Role.name"}
    assert sum(done.values()) > 300 and {k for k, n in done.items() if n} >= kinds, done
    before = lint(plain, today=TODAY, cache=False)
    after = lint(edited, today=TODAY, cache=False)
    assert before.diagnostics and _seen(after) == _seen(before)
    assert (plain / "services").is_dir() and any(
        a != b
        for a, b in zip(
            sorted(p.read_text() for p in plain.rglob("*.yaml")), sorted(p.read_text() for p in edited.rglob("*.yaml"))
        )
    )


def test_same_for_checks_tells_prose_from_the_rest() -> None:
    service = KINDS["Service"].model_validate(
        {"apiVersion": "itscm/v1", "kind": "Service", "id": "pay", "tier": 1, "owner": "ops",
         "description": "Takes payments", "depends_on": [{"id": "db", "mode": "soft", "note": "reads"}]}
    )
    assert same_for_checks(service, service.model_copy(update={"description": "Takes money", "name": "Payments"}))
    soft = service.depends_on[0]
    assert same_for_checks(service, service.model_copy(update={"depends_on": [soft.model_copy(update={"note": "x"})]}))
    assert not same_for_checks(service, service.model_copy(update={"tier": 2}))
    assert not same_for_checks(service, service.model_copy(update={"depends_on": [soft.model_copy(update={"mode": "hard"})]}))
    assert not same_for_checks(service, service.model_copy(update={"depends_on": []}))
    assert not same_for_checks(1, True) and not same_for_checks([1], (1,))




def _service(root: Path) -> Path:
    return sorted(root.glob("services/*/svc-*.yaml"))[0]


@pytest.mark.usefixtures("own_cache_key")
@pytest.mark.parametrize(
    "edit, shortcut",
    [
        ("description", True),  # prose on its line: the stored diagnostics stand
        ("description-longer-line", True),
        ("tier", False),  # a value the checks read
        ("description-new-line", True),  # the last value: nothing after it moves
        ("name-new-line", False),  # every later value moves
        ("description-wrong-type", False),  # the file's own findings change
        ("comment", False),  # a comment may waive: not compared, so not shortcut
    ],
)
def test_a_prose_edit_is_answered_without_the_checks(edit: str, shortcut: bool, generated_estate: Path, tmp_path: Path) -> None:
    root = shutil.copytree(generated_estate, tmp_path / "repo")
    lint(root, today=TODAY)
    path = _service(root)
    text = path.read_text(encoding="utf-8")
    assert 'description: "' in text and "tier: " in text and text.rstrip().splitlines()[-1].startswith("description:")
    changed = {
        "description": text.replace('description: "', 'description: "Edited: ', 1),
        "description-longer-line": text.replace('description: "', 'description: "' + "much longer " * 20, 1),
        "tier": text.replace("tier: ", "tier: 9", 1),
        "description-new-line": text.replace('description: "', 'description: >-\n  "', 1),
        "name-new-line": text.replace('name: "', 'name: >-\n  "', 1),
        "description-wrong-type": text.replace('description: "', 'description: 12\nx_description: "', 1),
        "comment": "# itscm: ignore[G101] reason: test until: 2030-01-01\n" + text,
    }[edit]
    path.write_text(changed, encoding="utf-8")
    result = lint(root, today=TODAY)
    assert result.cached is shortcut
    fresh = lint(root, today=TODAY, cache=False)
    assert _seen(result) == _seen(fresh) and result.waived == fresh.waived
    # The answer is stored for these contents: the next run is a plain hit.
    assert lint(root, today=TODAY).cached


@pytest.mark.usefixtures("own_cache_key")
def test_prose_edits_in_turn_and_an_edit_back_stay_right(generated_estate: Path, tmp_path: Path) -> None:
    root = shutil.copytree(generated_estate, tmp_path / "repo")
    lint(root, today=TODAY)
    files = sorted(root.glob("services/*/svc-*.yaml"))[:3]
    originals = [p.read_text(encoding="utf-8") for p in files]
    for round_ in range(3):
        for path, text in zip(files, originals):
            path.write_text(text.replace('description: "', f'description: "round {round_}: ', 1), encoding="utf-8")
        result = lint(root, today=TODAY)
        assert result.cached
        assert _seen(result) == _seen(lint(root, today=TODAY, cache=False))
    files[0].write_text(originals[0].replace("tier: ", "tier: 9", 1), encoding="utf-8")
    result = lint(root, today=TODAY)
    assert not result.cached and _seen(result) == _seen(lint(root, today=TODAY, cache=False))


# Sequences of edits, at random: after each, the cached run (plain hit, prose
# shortcut or full run) must print exactly what an uncached run prints.

_EDITS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # which service file
        st.sampled_from(["prose", "prose-longer", "name", "tier", "new-line", "comment-line", "waiver", "undo"]),
        st.integers(min_value=0, max_value=999),
    ),
    min_size=1,
    max_size=6,
)


def _edited(text: str, edit: str, n: int) -> str:
    if edit == "prose":
        return text.replace('description: "', f'description: "{n} ', 1)
    if edit == "prose-longer":
        return text.replace('description: "', 'description: "' + "more words " * (n % 40), 1)
    if edit == "name":
        return text.replace('name: "', f'name: "{n} ', 1)
    if edit == "tier":
        return text.replace("tier: ", f"tier: {n % 4}", 1)
    if edit == "new-line":
        return text.replace("depends_on:", "depends_on:\n", 1)
    if edit == "comment-line":
        return text.replace("\ndescription:", f"\n# note {n}\ndescription:", 1)
    if edit == "waiver":
        return text.replace("tier: ", "tier: ", 1).replace(
            "\ntier:", "\n# itscm: ignore[T002] reason: test, until: 2030-01-01\ntier:", 1
        )
    return text


@pytest.mark.usefixtures("own_cache_key")
@settings(max_examples=int(os.environ.get("ITSCM_HYPOTHESIS_EXAMPLES", "8")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=_EDITS)
def test_cached_runs_match_uncached_after_any_sequence_of_edits(
    edits: list[tuple[int, str, int]], generated_estate: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = shutil.copytree(generated_estate, tmp_path_factory.mktemp("edits") / "repo")
    files = sorted(root.glob("services/*/svc-*.yaml"))[:4]
    originals = [p.read_text(encoding="utf-8") for p in files]
    lint(root, today=TODAY)
    for which, edit, n in edits:
        path = files[which]
        path.write_text(
            originals[which] if edit == "undo" else _edited(path.read_text(encoding="utf-8"), edit, n), encoding="utf-8"
        )
        cached = lint(root, today=TODAY)
        fresh = lint(root, today=TODAY, cache=False)
        assert _seen(cached) == _seen(fresh) and cached.waived == fresh.waived, (edit, n)
        rel = path.relative_to(root).as_posix()
        clean = not any(d.location.path == rel and d.code[0] in "SY" for d in fresh.diagnostics)
        if edit in ("prose", "name") and clean:  # only prose moved on from the stored run: never a full run
            assert cached.cached, (edit, n)


@pytest.mark.usefixtures("own_cache_key")
def test_a_prose_edit_after_an_undone_value_edit_takes_the_shortcut(generated_estate: Path, tmp_path: Path) -> None:
    # Found by the sequence test: the undo is a plain hit, and the run after
    # it must start from that state, not from the newer stored value edit.
    root = shutil.copytree(generated_estate, tmp_path / "repo")
    path = sorted(root.glob("services/*/svc-*.yaml"))[0]
    original = path.read_text(encoding="utf-8")
    assert lint(root, today=TODAY).cached is False
    path.write_text(_edited(original, "tier", 1), encoding="utf-8")
    assert lint(root, today=TODAY).cached is False
    path.write_text(original, encoding="utf-8")
    assert lint(root, today=TODAY).cached
    path.write_text(_edited(original, "prose", 0), encoding="utf-8")
    result = lint(root, today=TODAY)
    assert result.cached
    assert _seen(result) == _seen(lint(root, today=TODAY, cache=False))
