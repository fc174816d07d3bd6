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

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..estate import Estate
    from .chains import Chains, Needs
    from .cycles import Cycle
    from .graph import DependencyGraph
    from .spof import Point


class Analysis:
    """Lazily computed, cached analyses of one estate."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate

    @cached_property
    def graph(self) -> DependencyGraph:
        from .graph import build_graph

        return build_graph(self.estate)

    @cached_property
    def cycles(self) -> list[Cycle]:
        from .cycles import find_cycles

        return find_cycles(self.graph)

    @cached_property
    def kill(self) -> dict[str, frozenset[str]]:
        """Per node, the elements whose single failure takes it down."""
        from .spof import kill_sets

        return kill_sets(self.graph)

    @cached_property
    def single_points(self) -> dict[str, list[Point]]:
        from .spof import compute_single_points

        return compute_single_points(self.estate, self.graph, self.kill)

    @cached_property
    def chains(self) -> Chains:
        from .chains import recovery_chains

        return recovery_chains(self.graph)

    @cached_property
    def needs(self) -> Needs:
        from .chains import needs_from_above

        return needs_from_above(self.estate, self.graph)


__all__ = ["Analysis"]
