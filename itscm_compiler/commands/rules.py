"""``itscm rules`` and ``itscm explain``: the rule catalogue, from the rules' own docstrings."""

from __future__ import annotations

import sys

import click


@click.command()
def rules() -> None:
    """List every rule: code, default severity, name and summary."""
    from ..rules import RULES

    for rule in RULES:
        click.echo(f"{rule.code}  {str(rule.severity):7}  {rule.name:32}  {rule.summary}")


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a rule by CODE (R001) or name (dangling-reference)."""
    from ..rules import find

    rule = find(code)
    if rule is None:
        click.echo(f"itscm: no rule {code!r}: run `itscm rules` for the list", err=True)
        sys.exit(2)
    click.echo(f"{rule.code} {rule.name} ({rule.severity}, {rule.family})\n")
    click.echo(rule.doc)
