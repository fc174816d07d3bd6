"""Threat masks: one bit per threat, read back by walking only the set bits."""

from __future__ import annotations

from itscm_compiler.rules.scenarios import _bits


def test_set_bits_come_back_lowest_first() -> None:
    assert list(_bits(0)) == []
    assert list(_bits(0b101001)) == [0, 3, 5]
    mask = (1 << 300) | (1 << 64) | 1
    assert list(_bits(mask)) == [0, 64, 300]
    assert all(list(_bits(1 << i)) == [i] for i in range(130))
