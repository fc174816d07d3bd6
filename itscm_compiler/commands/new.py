"""``itscm new KIND ID``: write a new document from a template."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import root_option


@click.command()
@click.argument("kind")
@click.argument("id_", metavar="ID")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into (default: the usual folder for the kind, e.g. services/).",
)
@root_option
def new(kind: str, id_: str, directory: Path | None, root: Path) -> None:
    """Write a new KIND document called ID, with every required field.

    KIND is case-insensitive (service, bia, threatcategory). The file starts
    with the editor schema line; placeholders like `your-team` are for you to
    replace, and `itscm lint` points at any that are left.
    """
    from ..newdoc import NewError, new_document

    try:
        written = new_document(kind, id_, root, directory)
    except NewError as exc:
        click.echo(f"itscm: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {written.path} ({written.kind} {id_}): fill in the placeholders, then run `itscm lint`")
