"""``itscm graph``: the dependency graph as Mermaid, Graphviz DOT or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import config_error, root_option


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "json"]),
    default="mermaid",
    show_default=True,
    help="Output format.",
)
@click.option("--around", metavar="ID", help="Only the neighbourhood of this service, component, supplier or site.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True, help="Steps from --around, both directions.")
@root_option
def graph(fmt: str, around: str | None, depth: int, root: Path) -> None:
    """Print the dependency graph, single points of failure marked.

    Exit code 0, or 2 for an unknown --around id or an unreadable repository.
    """
    from ..analysis.export import render
    from ..config import ConfigError
    from ..pipeline import load_estate

    try:
        estate, _ = load_estate(root.resolve())
    except ConfigError as exc:
        config_error(exc)
    if around is not None and around not in estate.analysis.graph.data:
        click.echo(f"itscm graph: {around!r} is not a service, component, supplier or site", err=True)
        sys.exit(2)
    sys.stdout.write(render(estate, fmt, around, depth))
