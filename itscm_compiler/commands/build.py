"""``itscm build`` and ``itscm serve``: the offline runbook site."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .options import config_error, root_option, today_option


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: site/ in the repository). Replaced only when the build succeeds.",
)
@click.option("--allow-errors", is_flag=True, help="Publish despite lint errors; affected pages carry a warning.")
@click.option(
    "--markdown",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the generated Markdown pages into this folder (MkDocs gets them in memory).",
)
@root_option
@today_option
def build(out: Path | None, allow_errors: bool, markdown: Path | None, root: Path, today: dt.date | None) -> None:
    """Render the runbook site (Markdown through Jinja2, then MkDocs Material).

    The site works offline from file://. Figures are computed as of the
    commit date (or --today). Exit code 0 when published, 1 when lint errors
    stop it, 2 on usage or internal errors.
    """
    from ..config import ConfigError
    from ..reporters import text
    from ..site.build import BuildError, build_site
    from ..site.mkdocs_config import SettingsError

    try:
        result = build_site(root, out, allow_errors=allow_errors, today=today, markdown=markdown)
    except ConfigError as exc:
        config_error(exc)
    except SettingsError as exc:
        click.echo(f"itscm: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # writing the new site failed (a full disk): the old one was never touched
        where = f" ({exc.filename})" if exc.filename else ""
        target = out if out is not None else root / "site"
        click.echo(
            f"itscm build: cannot write the site: {exc.strerror or exc}{where}; {target} is left as it was", err=True
        )
        sys.exit(2)
    except BuildError as exc:
        if exc.lint_result is not None:
            sys.stdout.write(text.render(exc.lint_result.diagnostics, exc.lint_result.files))
        click.echo(f"itscm build: {exc}", err=True)
        sys.exit(exc.code)
    for message in result.warnings:
        click.echo(f"itscm build: MkDocs: {message}", err=True)
    errors = result.lint.has_errors
    click.echo(
        f"{result.pages} pages written to {result.out}, {result.stamp.built()}"
        f"{' (with lint errors: affected pages carry a warning)' if errors else ''}; "
        f"lint {result.lint_seconds:.1f}s, rendering {result.render_seconds:.1f}s, MkDocs {result.mkdocs_seconds:.1f}s"
    )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@root_option
@today_option
def serve(host: str, port: int, root: Path, today: dt.date | None) -> None:
    """Live preview for authors: serve the site and rebuild it when a file changes.

    Lint errors never stop the preview: affected pages show them.
    """
    from ..site.serve import serve as run

    sys.exit(run(root, host, port, today))
