"""The risk heat map: likelihood (rows, 5 at the top) by impact (columns), as an HTML table."""

from __future__ import annotations

from markupsafe import Markup

_LEVELS = ((15, "critical"), (10, "high"), (5, "medium"), (0, "low"))


def _level(score: int) -> str:
    return next(name for floor, name in _LEVELS if score >= floor)


def table(grid: list[list[int]], caption: str, appetite: int | None) -> Markup:
    """One 5x5 table; cells above the risk appetite are outlined."""
    rows = [f'<table class="itscm-heatmap"><caption>{caption}</caption>']
    for likelihood in range(5, 0, -1):
        cells = [f'<th scope="row">{"likelihood " if likelihood == 5 else ""}{likelihood}</th>']
        for impact in range(1, 6):
            count = grid[likelihood - 1][impact - 1]
            score = likelihood * impact
            over = " over" if appetite is not None and score > appetite else ""
            title = f"likelihood {likelihood} x impact {impact} = {score}: {count} risk(s)"
            cells.append(f'<td class="{_level(score)}{over}" title="{title}">{count or ""}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append('<tr><th></th>' + "".join(f'<th scope="col">{"impact " if i == 1 else ""}{i}</th>' for i in range(1, 6)))
    rows.append("</tr></table>")
    return Markup("".join(rows))


def heat_maps(inherent: list[list[int]], residual: list[list[int]], appetite: int | None) -> Markup:
    return Markup(table(inherent, "Inherent risk", appetite) + table(residual, "Residual risk", appetite))
