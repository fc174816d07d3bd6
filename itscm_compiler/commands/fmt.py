"""``itscm fmt``: canonical layout for the YAML files, comments kept."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import config_error, root_option, warn_unreported


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Change nothing; exit 1 and list the files that would change.")
@root_option
def fmt(paths: tuple[str, ...], check: bool, root: Path) -> None:
    """Rewrite YAML files in PATHS (default: all) in the canonical layout.

    Comments, key order, quoting and block text are kept exactly; only
    indentation, blank lines, trailing spaces and document separators change.
    Exit code 0 when nothing needs changing (or everything was formatted),
    1 with --check when files would change or when a file cannot be formatted.
    """
    from ..config import ConfigError
    from ..fmt import format_files

    warn_unreported("fmt", root, paths)
    try:
        result = format_files(root, paths, check)
    except ConfigError as exc:
        config_error(exc)
    from ..reporters.printable import printable

    for rel in result.changed:
        click.echo(printable(f"{rel}: {'would reformat' if check else 'reformatted'}"))
    for rel, why in result.problems:
        click.echo(printable(f"{rel}: cannot format: {why}"), err=True)
    verb = "would be reformatted" if check else "reformatted"
    click.echo(f"{len(result.changed)} of {len(result.checked)} file(s) {verb}")
    sys.exit(1 if result.problems or (check and result.changed) else 0)
