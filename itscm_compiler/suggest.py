""""Did you mean" suggestions that stay fast when there are tens of thousands of candidates.

``difflib.get_close_matches`` compares the word with every candidate; over
20,000 ids that takes about half a second per word. Candidates that share no
three-letter run with the word almost never come close, so for long lists only
the candidates sharing the most trigrams go to difflib. Short lists are
compared in full, exactly as before.
"""

from __future__ import annotations

import difflib
import heapq
from collections import Counter, defaultdict
from typing import Sequence

FULL_UP_TO = 500  # candidates compared one by one, as difflib does
SHORTLIST = 200


def _trigrams(text: str) -> frozenset[str]:
    padded = f"  {text} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


class Suggester:
    """The closest candidate to a word, or None; answers are memoised per word."""

    def __init__(self, candidates: Sequence[str], cutoff: float = 0.6) -> None:
        self.candidates = list(candidates)
        self.cutoff = cutoff
        self._postings: dict[str, list[int]] | None = None  # trigram -> candidates that have it
        self._memo: dict[str, str | None] = {}

    def _shortlist(self, word: str) -> list[str]:
        """The candidates sharing the most trigrams with ``word``, in their original order."""
        if self._postings is None:
            postings: dict[str, list[int]] = defaultdict(list)
            for i, candidate in enumerate(self.candidates):
                for gram in _trigrams(candidate):
                    postings[gram].append(i)
            self._postings = postings
        shared: Counter[int] = Counter()
        for gram in _trigrams(word):
            shared.update(self._postings.get(gram, ()))
        best = heapq.nlargest(SHORTLIST, shared, key=lambda i: (shared[i], -i))
        return [self.candidates[i] for i in sorted(best)]  # difflib breaks ties by order

    def closest(self, word: str) -> str | None:
        if word in self._memo:
            return self._memo[word]
        pool = self.candidates
        if len(pool) > FULL_UP_TO:
            pool = self._shortlist(word)
        close = difflib.get_close_matches(word, pool, n=1, cutoff=self.cutoff)
        answer = close[0] if close else None
        self._memo[word] = answer
        return answer
