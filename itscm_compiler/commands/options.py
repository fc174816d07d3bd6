"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn

import click

if TYPE_CHECKING:
    from ..config import ConfigError

F = Callable[..., Any]


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD") from None


def root_option(func: F) -> F:
    return click.option(
        "--root",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        default=".",
        show_default=True,
        help="The continuity repository (where .itscm.yaml lives).",
    )(func)


def today_option(func: F) -> F:
    return click.option(
        "--today",
        callback=_parse_date,
        metavar="YYYY-MM-DD",
        help="Check freshness as of this date (default: the real today).",
    )(func)


def config_error(exc: ConfigError) -> NoReturn:
    """Report an unusable ``.itscm.yaml`` the same way in every command (every problem), and exit 2."""
    for location, message in exc.problems:
        click.echo(f"{location}: error {message}", err=True)
    sys.exit(2)


def warn_unreported(command: str, root: Path, paths: tuple[str, ...]) -> None:
    """Say which PATHS can report nothing: a mistyped path would otherwise look like a clean result.

    That is a path that does not exist, or one outside the repository at
    ``root`` (another checkout, a wrong ``--root``). A path may also be
    written relative to ``root``. Only a warning: a list of changed files
    (``git diff --name-only``) names deleted files too, and nothing is
    wrong with those.
    """
    root = root.resolve()
    for path in paths:
        written = [Path(path)] if os.path.isabs(path) else [Path(path), root / path]
        found = [p.resolve() for p in written if os.path.lexists(p)]
        if not found:
            click.echo(f"itscm {command}: {path}: no such file or folder; nothing is reported for it", err=True)
        elif not any(p == root or root in p.parents for p in found):
            click.echo(
                f"itscm {command}: {path}: outside the repository at {root} (see --root); nothing is reported for it",
                err=True,
            )


def nonempty_ref(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("is empty: name a branch, tag or commit (in CI, is the base ref variable set?)")
    return value
