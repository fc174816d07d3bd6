"""``itscm metrics``: the dashboard figures on the command line, for CI trend tracking."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from .options import config_error, root_option, today_option


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@root_option
@today_option
def metrics(fmt: str, root: Path, today: dt.date | None) -> None:
    """Plan coverage, currency, exercise completion, RTO achievement, findings, overdue items.

    The same computation as the site's dashboard. Exit code 0, or 2 when the
    repository cannot be read.
    """
    from .. import metrics as compute_metrics
    from ..config import ConfigError
    from ..pipeline import lint

    try:
        result = lint(root, today=today)
    except ConfigError as exc:
        config_error(exc)
    figures = compute_metrics.compute(result.estate, result.diagnostics)
    if fmt == "json":
        sys.stdout.write(json.dumps(figures.to_json(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(compute_metrics.render_text(figures))
