"""Models pickle through their own compact reduce (the cache and worker processes rely on it)."""

from __future__ import annotations

import pickle

import pydantic
import pytest

from itscm_compiler.loader import load_bytes

from .conftest import ROOT


def test_every_example_document_survives_a_pickle_round_trip() -> None:
    files = sorted(p for root in ("services", "plans", "threats", "risks") for p in (ROOT / root).rglob("*.yaml"))
    models = [d.model for f in files for d in load_bytes(f.read_bytes(), f.name).documents]
    assert len(models) > 100
    for model in models:
        back = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(model)
        assert back == model
        assert back.model_fields_set == model.model_fields_set
        assert back.model_dump(mode="json", exclude_unset=True) == model.model_dump(mode="json", exclude_unset=True)
        with pytest.raises(pydantic.ValidationError):  # still frozen
            setattr(back, "id", "changed")
