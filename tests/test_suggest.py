"""Suggestions over many candidates match difflib's, and come fast."""

from __future__ import annotations

import difflib
import random
import time

from itscm_compiler.suggest import Suggester


def test_small_lists_are_exactly_difflib() -> None:
    names = ["payments-api", "payments-db", "ledger", "orders"]
    for word in ("paymnts-api", "ledgr", "zzz", "orders"):
        expected = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
        assert Suggester(names).closest(word) == (expected[0] if expected else None)


def test_large_lists_agree_with_difflib_and_are_fast() -> None:
    rng = random.Random(5)
    words = ["payments", "ledger", "orders", "billing", "search", "identity", "mail", "crm"]
    names = [f"svc-{rng.choice(words)}-{i:05d}" for i in range(20_000)]
    suggester = Suggester(names)
    typos = [n[:6] + n[7:] for n in rng.sample(names, 5)] + ["svc-paymnts-01234", "nothing-like-it"]
    start = time.perf_counter()
    got = [suggester.closest(t) for t in typos]
    elapsed = time.perf_counter() - start
    for typo, answer in zip(typos, got):
        expected = difflib.get_close_matches(typo, names, n=1, cutoff=0.6)
        assert answer == (expected[0] if expected else None), typo
    assert elapsed < 5  # difflib over every candidate takes several times longer
