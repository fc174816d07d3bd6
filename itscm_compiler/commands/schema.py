"""``itscm schema``: write or verify the JSON Schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.option("--check", is_flag=True, help="Fail (exit 1) when the files are missing or out of date.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default="schema",
    show_default=True,
    help="Where the schemas live.",
)
def schema(check: bool, directory: Path) -> None:
    """Write one JSON Schema per kind, plus itscm.schema.json for any document."""
    from .. import schemas

    if check:
        stale = schemas.check(directory)
        for name in stale:
            click.echo(f"{directory / name}: out of date: run `itscm schema` and commit the result")
        sys.exit(1 if stale else 0)
    changed = schemas.write(directory)
    click.echo(f"{len(changed)} schema file(s) written to {directory}" if changed else "schemas are up to date")
