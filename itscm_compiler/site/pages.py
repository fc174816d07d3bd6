"""The list of pages of the site, each with its template and context."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Iterator

from markupsafe import Markup

from ..models import Exercise, Person, Plan, Risk, Site, Supplier, Team, Threat
from .diagram import Diagram, draw
from . import escape
from .render import Page
from .views import Views

NAV = (
    ("Dashboard", "index.md"),
    ("Services", "services/index.md"),
    ("Plans", "plans/index.md"),
    ("Sites and suppliers", "sites/index.md"),
    ("Risks and threats", "risks.md"),
    ("Contacts", "contacts.md"),
    ("Exercises", "exercises.md"),
    ("Rule reference", "rules.md"),
)


@dataclass(frozen=True)
class Figure:
    """A diagram shown with <img>, the SVG inside the page as a data: URL.

    Not inline SVG: MkDocs and its search plugin would parse every element of
    every drawing (a quarter of the build). Not a file next to the page either:
    a thousand more files to write and for MkDocs to copy, the slowest part of
    a build on a busy disk. An image cannot run script, and every label in it
    is escaped anyway.

    Links inside an image are inert, so an HTML image map over the drawing
    makes each node with a page clickable (and reachable with the keyboard):
    plain HTML, no script, and it works from ``file://``. Its coordinates are
    those of the drawing, so the stylesheet never scales the image on screen:
    a wide drawing scrolls sideways instead, and its labels stay readable.
    """

    diagram: Diagram
    alt: str
    name: str  # unique on the page: names the image map

    @property
    def truncated(self) -> int:
        return self.diagram.truncated

    @property
    def img(self) -> Markup:
        data = base64.b64encode(self.diagram.svg.encode("utf-8")).decode("ascii")
        areas = self.diagram.areas
        name = escape.attr(f"itscm-map-{self.name}")
        usemap = f' usemap="#{name}"' if areas else ""
        image = (
            f'<img class="itscm-diagram" src="data:image/svg+xml;base64,{data}" width="{self.diagram.width}" '
            f'height="{self.diagram.height}" alt="{escape.attr(self.alt)}"{usemap}>'
        )
        if not areas:
            return Markup(image)
        links = "".join(
            f'<area shape="rect" coords="{a.left},{a.top},{a.right},{a.bottom}" href="{escape.attr(a.href)}" '
            f'alt="{escape.attr(a.title)}" title="{escape.attr(a.title)}">'
            for a in areas
        )
        return Markup(f'{image}<map name="{name}">{links}</map>')


def figure(views: Views, node_id: str, page_path: str, here: Any = ()) -> Figure:
    """The dependency diagram of ``node_id`` for the page at ``page_path``."""
    drawn = diagram(views, node_id, page_path, here)
    return Figure(drawn, f"Dependency diagram of {views.label(node_id)}", node_id)


def diagram(views: Views, node_id: str, page_path: str, here: Any = ()) -> Diagram:
    """The dependency diagram of one node, with links relative to ``page_path`` (``#id`` for ids in ``here``)."""
    from .render import html_url, target_of

    def label_of(id_: str) -> tuple[str, str]:
        return views.label(id_), views.kind(id_)

    page_url = html_url(page_path.rsplit("/", 1)[-1])

    def href_of(id_: str) -> str | None:
        if id_ in here:  # "#id" alone would point into the drawing
            return f"{page_url}#{id_}"
        target = target_of(views, page_path, id_)
        return None if target is None else html_url(target)

    return draw(views.graph, node_id, label_of, href_of)


def pages(views: Views, extra: dict[str, object]) -> Iterator[Page]:
    """Every page of the site; ``extra`` is merged into the dashboard's context."""
    estate = views.estate
    yield Page("index.md", "dashboard.md.j2", "Dashboard", dict(extra), views.errors_for([]))
    services = views.services_sorted()
    orphans = views.orphan_components()
    yield Page("services/index.md", "services.md.j2", "Services", {"services": services, "orphans": orphans,
               "here": frozenset(c.id for c in orphans)}, views.errors_for([c.id for c in orphans]))
    for service in services:
        path = f"services/{service.id}.md"
        context = views.service_context(service)
        context["here"] = here = frozenset(c.id for c in context["components"])
        page = Page(path, "service.md.j2", service.label, context, context["errors"])
        context["diagram"] = figure(views, service.id, path, here)
        yield page
    plans = sorted(estate.models(Plan), key=lambda p: p.id)
    yield Page("plans/index.md", "plans.md.j2", "Plans", {"plans": plans})
    for plan in plans:
        context = {"plan": plan, "roles": views.roles_for([plan]), "exercises": estate.exercises_of.get(plan.id, [])}
        yield Page(f"plans/{plan.id}.md", "plan.md.j2", plan.label, context, views.errors_for([plan.id]))
    sites = sorted(estate.models(Site), key=lambda s: s.id)
    suppliers = sorted(estate.models(Supplier), key=lambda s: s.id)
    yield Page("sites/index.md", "sites.md.j2", "Sites and suppliers", {"sites": sites, "suppliers": suppliers})
    for site in sites:
        context = {"site": site, "hosted": views.graph.hosted(site.id), "threats": views.exposed_to(site.id),
                   "impact": views.impact([site.id])}
        yield Page(f"sites/{site.id}.md", "site.md.j2", site.label, context, views.errors_for([site.id]))
    for supplier in suppliers:
        path = f"suppliers/{supplier.id}.md"
        context = {"supplier": supplier, "dependants": views.graph.dependants(supplier.id),
                   "threats": views.exposed_to(supplier.id), "impact": views.impact([supplier.id])}
        page = Page(path, "supplier.md.j2", supplier.label, context, views.errors_for([supplier.id]))
        context["diagram"] = figure(views, supplier.id, path)
        yield page
    risks = sorted(estate.models(Risk), key=lambda r: (-r.residual_score, -r.score, r.id))
    threats = sorted(estate.models(Threat), key=lambda t: (t.category, t.id))
    yield Page("risks.md", "risks.md.j2", "Risks and threats", {"risks": risks, "threats": threats},
               views.errors_for([r.id for r in risks] + [t.id for t in threats]))
    people = sorted(estate.models(Person), key=lambda p: (p.name.lower(), p.id))
    teams = sorted(estate.models(Team), key=lambda t: (t.label.lower(), t.id))
    yield Page("contacts.md", "contacts.md.j2", "Contacts", {"people": people, "teams": teams},
               views.errors_for([p.id for p in people] + [t.id for t in teams]))
    exercises = sorted(estate.models(Exercise), key=lambda e: (e.date, e.id), reverse=True)
    yield Page("exercises.md", "exercises.md.j2", "Exercises", {"exercises": exercises},
               views.errors_for([e.id for e in exercises]))
    from ..rules import RULES

    yield Page("rules.md", "rules.md.j2", "Rule reference", {"rules": RULES})
