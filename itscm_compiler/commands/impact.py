"""``itscm impact``: what losing a component, site, supplier or threat takes down."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import config_error, root_option


@click.command()
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
@root_option
def impact(ids: tuple[str, ...], fmt: str, root: Path) -> None:
    """Lose IDS together (components, sites, suppliers, services, threats): what goes down.

    Lists the services that go down, which of them miss their RTO with the
    recovery chain as estimated, and the order to recover everything in.
    Exit code 0 when every service down is back within its RTO, 1 when some
    miss it, 2 for an unknown id or an unreadable repository.
    """
    from ..analysis.impact import ImpactError
    from ..analysis.impact import impact as compute
    from ..config import ConfigError
    from ..pipeline import load_estate
    from ..reporters.impact import render_text, to_json

    try:
        estate, _ = load_estate(root.resolve())
        report = compute(estate, list(ids))
    except ConfigError as exc:
        config_error(exc)
    except ImpactError as exc:
        click.echo(f"itscm impact: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        sys.stdout.write(json.dumps(to_json(report), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(report, estate.analysis.graph))
    sys.exit(1 if report.missed else 0)
