"""``itscm import``: turn the catalogues people already have into itscm documents."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import config_error, root_option

if TYPE_CHECKING:
    from ..importers.base import Extracted

SOURCES = click.Path(exists=True, dir_okay=False, path_type=Path)
OUT_HELP = "Folder the documents go under (default: the repository root); existing documents are found anywhere below it."


def _max_size(root: Path) -> int:
    """The repository's file size limit (``max_file_size``): sources are read within it too."""
    from ..config import ConfigError, load_config

    try:
        return load_config(root).max_file_size
    except ConfigError as exc:
        config_error(exc)


def _finish(extracted: Extracted, out: Path | None, root: Path, header: str, max_size: int) -> None:
    """Write what was extracted, print every problem and a summary, exit with a code."""
    from ..importers.merge import apply

    result = apply(extracted.entities, out or root, root, header, max_size)
    problems = extracted.problems + result.problems
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(
        f"{len(result.created)} created, {len(result.updated)} updated, {result.unchanged} unchanged; "
        f"{len(result.files_written)} file(s) written"
    )
    if result.created:
        click.echo("next: decide the tiers marked 'imported default', then run `itscm lint`")
    if not extracted.entities and any(p.level == "error" for p in problems):
        sys.exit(2)
    sys.exit(1 if any(p.level == "error" for p in problems) else 0)


@click.group(name="import")
def import_() -> None:
    """Import services, components, teams or threats from another catalogue.

    Run it again whenever the source changes: it updates what the source owns
    (names, owners, dependencies, instance counts) and never what you wrote by
    hand (tiers, recovery targets, comments). Exit code 0 when everything was
    imported (read the warnings), 1 when some entities or rows could not be,
    2 when nothing could be read.
    """


@import_.command()
@click.argument("files", nargs=-1, required=True, type=SOURCES)
@click.option("--owner", metavar="TEAM", help="Team id that owns containers without an itscm.owner label.")
@click.option("--site", default="docker-host", show_default=True, metavar="ID", help="Site the containers run in.")
@click.option("--tier", default=3, show_default=True, type=click.IntRange(1, 9), help="Tier of new services.")
@click.option("--prefix", default="", metavar="TEXT", help="Prefix for ids, e.g. 'shop-' (ids are repository-wide).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)
@root_option
def compose(files: tuple[Path, ...], owner: str | None, site: str, tier: int, prefix: str, out: Path | None, root: Path) -> None:
    """Docker Compose FILES: containers become services and components."""
    from ..importers import compose as source

    max_size = _max_size(root)
    extracted = source.read(list(files), owner, site, tier, prefix, max_size)
    _finish(extracted, out, root, f"Imported from {', '.join(f.name for f in files)} by `itscm import compose`.", max_size)


@import_.command()
@click.argument("files", nargs=-1, required=True, type=SOURCES)
@click.option("--tier", default=3, show_default=True, type=click.IntRange(1, 9), help="Tier of new services.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)
@root_option
def backstage(files: tuple[Path, ...], tier: int, out: Path | None, root: Path) -> None:
    """Backstage catalogue FILES (catalog-info.yaml): groups, systems, components and resources."""
    from ..importers import backstage as source

    max_size = _max_size(root)
    extracted = source.read(list(files), tier, max_size)
    _finish(extracted, out, root, f"Imported from {', '.join(f.name for f in files)} by `itscm import backstage`.", max_size)


@import_.command()
@click.argument("file", type=SOURCES)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read FIELD (id, name, category, description, category_name) from COLUMN; repeatable.",
)
@click.option("--catalogue", metavar="NAME", help="Name of the catalogue in each threat's source (default: file name).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)
@root_option
def threats(file: Path, pairs: tuple[str, ...], catalogue: str | None, out: Path | None, root: Path) -> None:
    """A threat catalogue FILE in CSV: one threat per row, with its category.

    The ENISA threat taxonomy (category,value,expanded):
    itscm import threats enisa.csv --map id=value --map name=expanded --catalogue ENISA
    """
    from ..importers import threats as source

    try:
        mapping = source.parse_mapping(pairs)
    except source.MappingError as exc:
        raise click.UsageError(str(exc)) from None
    max_size = _max_size(root)
    extracted = source.read(file, mapping, catalogue, max_size)
    _finish(extracted, out, root, f"Imported from {file.name} by `itscm import threats`.", max_size)
