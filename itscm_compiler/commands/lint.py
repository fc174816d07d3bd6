"""``itscm lint``: every check, reported in the chosen format."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .options import config_error, nonempty_ref, root_option, today_option, warn_unreported


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="Output format: text for people, json (stable, versioned), sarif for code scanning, "
    "github for workflow annotations.",
)
@click.option(
    "--since",
    metavar="REF",
    callback=nonempty_ref,
    help="PR mode: report only the diagnostics that the change since REF (a branch, tag or commit) "
    "introduced; exit 1 only on new errors.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read every file afresh instead of using .itscm-cache/ (the cache never changes a result).",
)
@root_option
@today_option
def lint(
    paths: tuple[str, ...], fmt: str, since: str | None, no_cache: bool, root: Path, today: dt.date | None
) -> None:
    """Run every check; report diagnostics in PATHS (default: all).

    The whole estate is always loaded, so cross-file checks see everything;
    PATHS only limits what is reported. Exit code 0 when there are no errors,
    1 when there are, 2 on usage or internal errors.
    """
    from ..config import ConfigError
    from ..pipeline import lint as run_lint
    from ..reporters import Report, render, repository_prefix

    warn_unreported("lint", root, paths)
    left_out = 0
    try:
        if since:
            from ..prmode import PRModeError, lint_since

            try:
                pr = lint_since(root, since, paths, today, cache=not no_cache)
            except PRModeError as exc:
                click.echo(f"itscm lint --since: {exc}", err=True)
                sys.exit(2)
            result, left_out = pr.result, len(pr.left_out)
        else:
            result = run_lint(root, paths, today, cache=not no_cache)
    except ConfigError as exc:
        config_error(exc)
    report = Report(
        result.diagnostics,
        result.files,
        waived=len(result.waived),
        notes=result.notes,
        # Code scanning and annotations want paths relative to the Git repository.
        prefix=repository_prefix(root) if fmt in ("sarif", "github") else "",
        severities=result.config.severities,
        since=since or "",
        left_out=left_out,
    )
    sys.stdout.write(render(fmt, report))
    if result.has_internal_errors:
        sys.exit(2)
    sys.exit(1 if result.has_errors else 0)
