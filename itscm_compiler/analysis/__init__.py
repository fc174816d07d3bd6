"""Graph analysis of the estate: dependency graph, cycles, single points of failure, recovery chains.

networkx is imported only inside this package, and the package only when a
graph rule or command runs. Everything is computed at most once per estate and
cached on it (``estate.analysis``).

Library API (used by the rules, the commands and the runbook site):

* :func:`itscm_compiler.analysis.graph.dependency_graph` -> ``DependencyGraph``
* :func:`itscm_compiler.analysis.spof.single_points` -> service id -> ``[Point]``
* :func:`itscm_compiler.analysis.impact.impact` -> ``ImpactReport``
* :func:`itscm_compiler.analysis.export.mermaid` -> Mermaid text, whole or around one id
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from ..estate import Estate
    from .chains import Chains, Needs
    from .cycles import Cycle
    from .graph import DependencyGraph
    from .spof import Point


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic collector: the analyses allocate many small acyclic objects
    (sets, tuples, paths) over a large heap, and generation-2 collections would
    otherwise take most of the time on a big estate (measured: over half)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Analysis:
    """Lazily computed, cached analyses of one estate."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate

    @cached_property
    def graph(self) -> DependencyGraph:
        from .graph import build_graph

        with _no_gc():
            return build_graph(self.estate)

    @cached_property
    def cycles(self) -> list[Cycle]:
        from .cycles import find_cycles

        with _no_gc():
            return find_cycles(self.graph)

    @cached_property
    def kill(self) -> dict[str, frozenset[str]]:
        """Per node, the elements whose single failure takes it down."""
        from .spof import kill_sets

        with _no_gc():
            return kill_sets(self.graph)

    @cached_property
    def single_points(self) -> dict[str, list[Point]]:
        from .spof import compute_single_points

        with _no_gc():
            return compute_single_points(self.estate, self.graph, self.kill)

    @cached_property
    def chains(self) -> Chains:
        from .chains import recovery_chains

        with _no_gc():
            return recovery_chains(self.graph)

    @cached_property
    def needs(self) -> Needs:
        from .chains import needs_from_above

        with _no_gc():
            return needs_from_above(self.estate, self.graph)


__all__ = ["Analysis"]
