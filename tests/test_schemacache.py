"""Validators built from the kept core schemas validate exactly as pydantic's own (schemacache.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from pydantic import ValidationError

from itscm_compiler import schemacache
from itscm_compiler.discovery import discover
from itscm_compiler.config import load_config
from itscm_compiler.models import KINDS
from itscm_compiler.yamlread import read_documents

from .conftest import ROOT, write_tree


def _documents(root: Path) -> Iterator[dict[str, Any]]:
    config = load_config(root)
    for rel in discover(config).files:
        documents, _ = read_documents((root / rel).read_text(encoding="utf-8"))
        for doc in documents:
            if isinstance(doc.data, dict) and doc.data.get("kind") in KINDS:
                yield doc.data


def _broken(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The document, then variants with each field deleted, mistyped or misspelt, and nested entries damaged."""
    yield data
    yield {**data, "colour": "blue"}
    for key, value in data.items():
        if key in ("kind", "apiVersion"):
            continue
        yield {k: v for k, v in data.items() if k != key}
        for wrong in (12345, "not-a-date", [], {"x": 1}, None, True, "30 minutes"):
            yield {**data, key: wrong}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            first = value[0]
            for inner in first:
                yield {**data, key: [{k: v for k, v in first.items() if k != inner}, *value[1:]]}
                yield {**data, key: [{**first, inner: ["x"]}, *value[1:]]}


def _outcome(validate: Callable[[Any], Any], data: dict[str, Any]) -> tuple[str, Any]:
    try:
        model = validate(data)
    except ValidationError as exc:
        return "error", json.dumps(exc.errors(include_url=False), default=repr, sort_keys=True)
    return "model", (model, type(model), sorted(model.__pydantic_fields_set__))


def compare(roots: list[str]) -> str:
    """Run in a fresh process: the kept validators, built while every kind is still deferred, against pydantic's.

    In-process, pydantic-core would reuse a model's validator once pydantic
    has built it (its "prebuilt" shortcut), and the comparison would be of
    pydantic with itself.
    """
    from pydantic_core import SchemaValidator

    path, secret = schemacache._place()
    assert path is not None and secret is not None
    assert not any(isinstance(m.__dict__.get("__pydantic_validator__"), SchemaValidator) for m in KINDS.values())
    kept = schemacache._from_file(path, secret, KINDS)
    assert kept is not None, "no file from the earlier run"
    compared = errors = 0
    for root in roots:
        for data in _documents(Path(root)):
            model = KINDS[data["kind"]]
            for variant in _broken(data):
                ours, theirs = _outcome(kept[model], variant), _outcome(model.model_validate, variant)
                assert ours == theirs, (data.get("id"), variant, ours, theirs)
                compared += 1
                errors += ours[0] == "error"
    return f"{compared} {errors}"


def _fresh(code: str, xdg: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(xdg), "ITSCM_NO_CACHE": "", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_kept_validators_validate_as_pydantic_does(tmp_path: Path, generated_estate: Path) -> None:
    write = (
        "from itscm_compiler import schemacache; from itscm_compiler.models import KINDS\n"
        "path, secret = schemacache._place(); schemacache._from_pydantic(KINDS); schemacache._write(path, secret, KINDS)\n"
    )
    _fresh(write, tmp_path / "xdg")
    roots = [str(ROOT), str(generated_estate)]
    compared, errors = map(int, _fresh(f"from tests.test_schemacache import compare; print(compare({roots!r}))", tmp_path / "xdg").split())
    assert compared > 20_000 and errors > compared // 2  # both outcomes, in numbers


@pytest.mark.parametrize("damage", ["cut", "flipped", "other key", "other kinds", "not a schema", "a link", "huge"])
def test_a_damaged_file_is_ignored_and_written_again(damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ITSCM_NO_CACHE", raising=False)
    path, secret = schemacache._place()
    assert path is not None and secret is not None
    schemacache._from_pydantic(KINDS)
    schemacache._write(path, secret, KINDS)
    good = Path(path).read_bytes()
    if damage == "cut":
        Path(path).write_bytes(good[:-100])
    elif damage == "a link":  # to a good copy: still not read, as the load cache's files are not
        Path(path).rename(tmp_path / "elsewhere")
        Path(path).symlink_to(tmp_path / "elsewhere")
    elif damage == "huge":
        Path(path).write_bytes(good + b"\0" * schemacache.MAX_SIZE)
    elif damage == "flipped":
        Path(path).write_bytes(good[:-50] + bytes([good[-50] ^ 1]) + good[-49:])
    else:
        import hashlib
        import hmac
        import pickle

        key = b"k" * 32 if damage == "other key" else secret
        payload = pickle.dumps({"Service": {}} if damage == "other kinds" else {name: {"type": "nope"} for name in KINDS})
        Path(path).write_bytes(hmac.new(key, payload, hashlib.sha256).digest() + payload)
    assert schemacache._from_file(path, secret, KINDS) is None
    built = schemacache._build()  # pydantic's own, and the file is good again
    assert set(built) == set(KINDS.values())
    assert schemacache._from_file(path, secret, KINDS) is not None


OPTIONAL_PARTS = {  # documents without the parts whose defaults are models (Threat.strikes, ...)
    "extra/threat.yaml": "apiVersion: itscm/v1\nkind: Threat\nid: flood-x\ncategory: natural\n",
    "extra/risk.yaml": (
        "apiVersion: itscm/v1\nkind: Risk\nid: risk-x\ncategory: natural\nthreats: [flood-x]\n"
        "likelihood: 2\nimpact: 2\ntreatment: accept\nowner: anna\n"
    ),
}


def test_a_run_after_the_first_builds_no_schema(tmp_path: Path) -> None:
    # The first run builds the kinds' validators and writes the file; in the
    # next, pydantic builds no validator at all (every model keeps its
    # deferred placeholder, defaults included), and the result is the same.
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "services", repo / "services")
    shutil.copytree(ROOT / "plans", repo / "plans")
    write_tree(repo, OPTIONAL_PARTS)
    probe = (
        "from itscm_compiler.cli import main; from itscm_compiler.models.base import Model\n"
        "from pydantic_core import SchemaValidator\n"
        "def every(cls):\n    for sub in cls.__subclasses__():\n        yield sub\n        yield from every(sub)\n"
        "try:\n    main(['lint', '--no-cache', '--root', %r])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print(code, sorted({m.__name__ for m in every(Model) if isinstance(m.__dict__.get('__pydantic_validator__'), SchemaValidator)}))\n"
    ) % str(repo)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "ITSCM_NO_CACHE": "", "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
        for _ in range(2)
    ]
    first, second = (run.stdout.splitlines()[-1] for run in runs)
    assert first.split(" ", 1)[1] == repr(sorted(KINDS)), first
    assert second.split(" ", 1)[1] == "[]", runs[1].stdout[-300:] + runs[1].stderr
    assert len(list((tmp_path / "xdg" / "itscm").glob("schemas-*.pickle"))) == 1
    assert runs[0].stdout.rsplit("\n", 2)[0] == runs[1].stdout.rsplit("\n", 2)[0]
    assert "extra/threat.yaml" in runs[1].stdout  # the documents were read (a threat no risk... is named)
