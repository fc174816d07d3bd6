"""``itscm review``: record a plan review without losing comments or layout."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .options import _parse_date, root_option


@click.command()
@click.argument("plan")
@click.option("--by", "by", required=True, metavar="PERSON", help="Id of the Person who reviewed the plan.")
@click.option("--date", "on", callback=_parse_date, metavar="YYYY-MM-DD", help="Review date (default: today).")
@root_option
def review(plan: str, by: str, on: dt.date | None, root: Path) -> None:
    """Record that PLAN was reviewed: sets review.last_reviewed and review.by in its file."""
    from ..config import ConfigError
    from ..review import record_review
    from ..roundtrip import EditError

    try:
        done = record_review(root, plan, by, on or dt.date.today())
    except (EditError, ConfigError) as exc:
        click.echo(f"itscm review: {exc}", err=True)
        sys.exit(2)
    state = "recorded" if done.changed else "already recorded"
    click.echo(f"{done.path}: review of {done.plan} {state}: {done.on} by {done.by}")
