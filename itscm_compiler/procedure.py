"""A plan's procedure as a small graph of steps: cycles and the critical path.

Steps wait for other steps (``waits_for``); steps that wait for nothing in
common run in parallel. Everything here is iterative, so a hostile plan with
thousands of chained steps cannot exhaust the recursion limit, and linear in
the number of steps and waits.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Sequence

from .models.plan import Step
from .models.types import Duration
from .scc import tarjan


@dataclass(frozen=True)
class StepGraph:
    """Steps by id (first occurrence wins) and, for each, the known steps it waits for."""

    order: tuple[str, ...]
    steps: dict[str, Step]
    waits: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, steps: Sequence[Step]) -> StepGraph:
        by_id: dict[str, Step] = {}
        for step in steps:
            by_id.setdefault(step.id, step)
        # Unknown step ids are reported by their own rule; here they are ignored.
        waits = {
            sid: tuple(dict.fromkeys(w for w in step.waits_for if w in by_id)) for sid, step in by_id.items()
        }
        return cls(tuple(by_id), by_id, waits)

    def components(self) -> list[list[str]]:
        """Strongly connected components (Tarjan, iterative), members in document order."""
        position = {sid: i for i, sid in enumerate(self.order)}
        # The usual procedure only waits for steps written above it: no cycle
        # is possible, every step is its own component and Tarjan can be
        # skipped (it was a tenth of all checks on a 10,000-service estate).
        if all(position[w] < position[sid] for sid, ws in self.waits.items() for w in ws):
            return [[sid] for sid in self.order]
        return [sorted(members, key=position.__getitem__) for members in tarjan(self.waits)]

    def cycles(self) -> list[list[str]]:
        """One shortest cycle per group of steps that wait for each other, as step ids.

        The cycle starts at the group's first step in document order and lists
        each step followed by the one it waits for; the start is not repeated.
        """
        found = []
        for members in self.components():
            start = members[0]
            if len(members) == 1 and start not in self.waits[start]:
                continue
            inside = set(members)
            parent: dict[str, str] = {}
            queue = deque([start])
            end = None
            while queue and end is None:
                node = queue.popleft()
                for nxt in self.waits[node]:
                    if nxt == start:
                        end = node
                        break
                    if nxt in inside and nxt not in parent:
                        parent[nxt] = node
                        queue.append(nxt)
            assert end is not None  # a strongly connected group always leads back
            path = [end]
            while path[-1] != start:
                path.append(parent[path[-1]])
            found.append(path[::-1])
        return found

    def critical_path(self) -> tuple[Duration, list[str]]:
        """The longest chain of waiting steps, summing estimates, in execution order.

        Steps without an estimate count as zero and waits inside a cycle are
        ignored (both are reported by their own rules). Ties go to the chain
        that ends first in document order.
        """
        group = {sid: n for n, members in enumerate(self.components()) for sid in members}
        waits = {sid: tuple(w for w in ws if group[w] != group[sid]) for sid, ws in self.waits.items()}
        pending = {sid: len(ws) for sid, ws in waits.items()}
        followers: dict[str, list[str]] = {sid: [] for sid in self.order}
        for sid, ws in waits.items():
            for w in ws:
                followers[w].append(sid)
        finish: dict[str, int] = {}
        best: dict[str, str | None] = {}
        ready = deque(sid for sid in self.order if not pending[sid])
        while ready:
            sid = ready.popleft()
            before = max(waits[sid], key=lambda w: finish[w], default=None)
            estimate = self.steps[sid].estimate
            finish[sid] = (finish[before] if before else 0) + (estimate.seconds if estimate else 0)
            best[sid] = before
            for nxt in followers[sid]:
                pending[nxt] -= 1
                if not pending[nxt]:
                    ready.append(nxt)
        if not finish:
            return Duration(0), []
        last: str | None = max((sid for sid in self.order if sid in finish), key=lambda s: finish[s])
        total = finish[last]  # type: ignore[index]
        chain = []
        while last is not None:
            chain.append(last)
            last = best[last]
        return Duration(total), chain[::-1]

    def describe(self, chain: Sequence[str]) -> str:
        """``isolate (30m) -> restore-db (3h)``: a chain with each step's estimate."""
        parts = []
        for sid in chain:
            estimate = self.steps[sid].estimate
            parts.append(f"{sid} ({estimate})" if estimate else f"{sid} (no estimate)")
        return " -> ".join(parts)
