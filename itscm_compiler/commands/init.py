"""``itscm init``: scaffold a new continuity repository."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--hooks-repo",
    default=None,
    metavar="URL",
    help="Where .pre-commit-config.yaml gets the itscm hooks from (your mirror of itscm).",
)
def init(directory: Path, force: bool, hooks_repo: str | None) -> None:
    """Scaffold a continuity repository in DIRECTORY (default: here).

    Writes a starter policy and scope, one example service with its
    components, BIA, plan and exercise, a team and people, the threat and risk
    catalogues, the JSON Schemas, mkdocs.yml, pre-commit hooks, a GitHub
    Actions workflow and a README. Refuses to overwrite anything unless --force.
    """
    from ..scaffold import DEFAULT_HOOKS_REPO
    from ..scaffold import init as run_init

    if directory.exists() and not directory.is_dir():
        click.echo(f"itscm: {directory} is not a directory", err=True)
        sys.exit(2)
    result = run_init(directory, force=force, hooks_repo=hooks_repo or DEFAULT_HOOKS_REPO)
    if result.refused:
        for rel in result.existing:
            click.echo(f"{directory / rel}: already exists", err=True)
        click.echo(
            f"itscm: nothing written: {len(result.existing)} file(s) already exist; "
            "use --force to overwrite them, or choose an empty directory",
            err=True,
        )
        sys.exit(1)
    click.echo(f"wrote {len(result.written)} files to {directory}")
    click.echo(
        f"next: cd {directory} && git init && git add -A && git commit -m 'Continuity repository' && itscm lint\n"
        "then replace the example service with yours (itscm new, itscm import) and run itscm build"
    )
