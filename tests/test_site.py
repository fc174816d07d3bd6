"""``itscm build``: real MkDocs builds of small estates (the browser tests are in test_site_browser.py)."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from itscm_compiler.site import escape

from .conftest import ROOT, run_itscm
from .site_helpers import HOSTILE, fixture_repo, git, make_hostile

pytestmark = pytest.mark.slow


DRAWING = "data:image/svg+xml;base64,"


def diagram_of(page: Path) -> str:
    """The SVG of the dependency diagram on a built page (a data: URL in an <img>)."""
    found = re.search(r'<img class="itscm-diagram" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page.read_text())
    assert found, page
    return base64.b64decode(found.group(1)).decode("utf-8")


def build(repo: Path, out: Path, *extra: str) -> "object":
    return run_itscm("build", "--root", str(repo), "--out", str(out), *extra, timeout=300)


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("site")
    repo = fixture_repo(base)
    out = base / "out"
    done = build(repo, out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MkDocs:" not in done.stderr  # no broken link or anchor, no other MkDocs warning
    return repo, out


def test_pages_alert_index_and_stamp(built: tuple[Path, Path]) -> None:
    repo, out = built
    for page in (
        "index.html",
        "services/index.html",
        "services/web-shop.html",
        "services/orders-api.html",
        "plans/orders-recovery.html",
        "sites/dc-north.html",
        "suppliers/psp-primary.html",
        "risks.html",
        "contacts.html",
        "exercises.html",
        "rules.html",
        "search/search_index.js",
    ):
        assert (out / page).is_file(), page
    commit = git(repo, "rev-parse", "HEAD")
    alerts = json.loads((out / "alerts.json").read_text())
    assert alerts["commit"] == commit
    assert alerts["alerts"]["OrdersApiDown"] == {
        "url": "plans/orders-recovery.html",
        "plans": ["plans/orders-recovery.html"],
        "services": ["services/orders-api.html", "services/web-shop.html"],
    }
    assert alerts["services"]["web-shop"] == "services/web-shop.html"
    for page in out.rglob("*.html"):
        if page.name != "404.html":
            assert f"Built from commit {commit[:12]} of 2026-11-20 10:00 UTC" in page.read_text(), page


def test_runbook_page_content(built: tuple[Path, Path]) -> None:
    _, out = built
    html = unescape((out / "services" / "web-shop.html").read_text())
    assert '<a href="tel:+447700900004">+44 7700 900004</a>' in html  # the on-call, tappable
    assert "Carol Singh" in html and "Bob Okafor" in html  # escalation and plan backups
    svg = diagram_of(out / "services" / "web-shop.html")
    assert not list(out.rglob("*.svg"))  # diagrams live in their pages: no extra files to write and copy
    assert svg.count('class="node ') >= 5 and ">Orders API<" in svg and "<a " not in svg  # links in an image are inert
    # the image map makes the nodes clickable: one area per node with a page, over the node as drawn
    assert '<img class="itscm-diagram"' in html and 'usemap="#itscm-map-web-shop"' in html
    areas = re.findall(r'<area shape="rect" coords="(\d+),(\d+),(\d+),(\d+)" href="([^"]+)" alt="([^"]+)"', html)
    assert ("orders-api.html", "Orders API (Service)") in [(a[4], a[5]) for a in areas]
    rects = {(round(float(x)), round(float(y))) for x, y in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)"', svg)}
    width, height = (int(v) for v in re.search(r'<svg[^>]* width="(\d+)" height="(\d+)"', svg).groups())
    for left, top, right, bottom, _, _ in areas:
        assert (int(left), int(top)) in rects and 0 <= int(left) < int(right) <= width and int(bottom) <= height
    assert "Customers can place orders" in html  # MBCO
    assert 'type="checkbox"' in html  # steps are a checklist
    assert "2h" in html and "15m" in html and "8h" in html
    text = " ".join(re.sub("<[^>]+>", " ", html).split())
    # from analysis.spof: orders-db runs in one site only
    assert "Data centre North site Web Shop → Orders API → Orders database → Data centre North" in text
    rules = (out / "rules.html").read_text()
    assert 'id="r001"' in rules


def test_components_are_shown_on_the_pages_of_the_services_running_on_them(built: tuple[Path, Path]) -> None:
    _, out = built
    assert not (out / "components").exists()  # no page per component: they are thin, and a third of the pages
    api = unescape((out / "services" / "orders-api.html").read_text())
    recs = unescape((out / "services" / "recommendations.html").read_text())
    # the full entry is on the first service in the list running on it (tier 1 Orders API), with anchors
    assert '<h3 id="orders-db">Orders database' in api and '<h3 id="web-cluster">Web cluster' in api
    text = " ".join(re.sub("<[^>]+>", " ", api).split())
    assert "primary in Data centre North" in text and "Backup every 15m" in text and "last restore test: 2026-09-01" in text
    assert "Needed by: Orders API , Recommendations" in text
    # elsewhere a copy, kept out of search, pointing to the full entry
    assert '<h3 data-search-exclude id="web-cluster">Web cluster' in recs
    assert '<a href="orders-api.html#web-cluster">see its full entry</a>' in recs
    assert '<li><a href="#web-cluster">Web cluster</a> (component)</li>' in recs  # "Needs" links on the page
    svg = diagram_of(out / "services" / "recommendations.html")
    assert ">Web cluster<" in svg
    # the map's link goes to the entry on this very page
    assert '<map name="itscm-map-recommendations"><area' in recs and 'href="recommendations.html#web-cluster"' in recs
    found = [d["location"] for d in json.loads((out / "search" / "search_index.json").read_text())["docs"]
             if d["title"] == "Web cluster"]
    assert found == ["services/orders-api.html#web-cluster"]
    # other pages link to the full entry
    risks = (out / "risks.html").read_text()
    assert 'href="services/orders-api.html#orders-db"' in risks


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value and not value.startswith(("tel:", "mailto:", "http:", "https:", "data:")):
                self.links.append(value)


def test_every_link_in_the_site_goes_to_a_page_and_anchor_that_exist(built: tuple[Path, Path]) -> None:
    _, out = built
    parsed: dict[Path, _Links] = {}

    def parse(path: Path) -> _Links:
        if path not in parsed:
            parsed[path] = _Links()
            parsed[path].feed(path.read_text())
        return parsed[path]

    checked = 0
    for page in out.rglob("*.html"):
        if page.name == "404.html":
            continue
        links = parse(page).links  # the diagrams' image maps included
        for link in links:
            target, _, fragment = link.partition("#")
            file = (page.parent / target).resolve() if target else page
            assert file.is_file(), (page.relative_to(out), link)
            if fragment and file.suffix == ".html":
                assert fragment in parse(file).ids, (page.relative_to(out), link)
            checked += 1
    assert checked > 500
    alerts = json.loads((out / "alerts.json").read_text())
    for url in [*alerts["services"].values(), *(u for a in alerts["alerts"].values() for u in [a["url"], *a["plans"], *a["services"]])]:
        assert (out / url).is_file(), url


def test_site_page_says_what_its_loss_takes_down_and_the_recovery_order(built: tuple[Path, Path]) -> None:
    _, out = built
    text = " ".join(unescape(re.sub("<[^>]+>", " ", (out / "sites" / "dc-north.html").read_text())).split())
    # from analysis.impact: the orders database runs only there; the web cluster survives in dc-south
    assert "2 service(s) go down" in text
    assert "Web Shop 1 1h45m 2h meets Web Shop ← Orders API ← Orders database ← Data centre North" in text
    order = text[text.index("Recovery order") :]
    assert order.index("1 Orders database") < order.index("2 Orders API") < order.index("3 Web Shop")
    south = " ".join(unescape(re.sub("<[^>]+>", " ", (out / "sites" / "dc-south.html").read_text())).split())
    assert "No service goes down" in south


def test_offline_no_external_resources(built: tuple[Path, Path]) -> None:
    _, out = built
    external = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)
    for page in out.rglob("*.html"):
        text = page.read_text()
        assert not external.search(text), (page, external.search(text))
        assert "fonts.googleapis" not in text and "unpkg.com" not in text


def test_two_builds_of_one_commit_are_identical(built: tuple[Path, Path], tmp_path: Path) -> None:
    repo, out = built
    again = tmp_path / "again"
    done = build(repo, again)
    assert done.returncode == 0, done.stderr
    first, second = tree(out), tree(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_failed_build_leaves_the_previous_site(built: tuple[Path, Path], tmp_path: Path) -> None:
    repo, out = built
    site = tmp_path / "site"
    assert build(repo, site).returncode == 0
    before = tree(site)
    (repo / "templates").mkdir()
    (repo / "templates" / "service.md.j2").write_text("# {{ service.label }}\n{{ no_such_thing.field }}\n")
    try:
        done = build(repo, site)
    finally:
        (repo / "templates" / "service.md.j2").unlink()
        (repo / "templates").rmdir()
    assert done.returncode == 2
    assert "no_such_thing" in done.stderr and "Traceback" not in done.stderr
    assert tree(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".itscm-build-")] == []


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_a_stopped_build_leaves_the_previous_site(built: tuple[Path, Path], tmp_path: Path, stop: int, code: int) -> None:
    repo, out = built
    site, scratch = tmp_path / "site", tmp_path / "tmp"
    scratch.mkdir()
    assert build(repo, site).returncode == 0
    before = tree(site)
    env = dict(os.environ, PYTHONPATH=str(ROOT), ITSCM_NO_CACHE="1", TMPDIR=str(scratch))
    stopped = 0
    for delay in (0.6, 1.2, 1.8):  # while loading, rendering, and in MkDocs (in this process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "itscm_compiler", "build", "--root", str(repo), "--out", str(site)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
        )
        time.sleep(delay)
        try:
            os.killpg(proc.pid, stop)
        except ProcessLookupError:
            pass
        _, stderr = proc.communicate(timeout=300)
        assert "Traceback" not in stderr, stderr
        if proc.returncode == 0:
            continue  # done before the signal
        assert proc.returncode == code, stderr
        stopped += 1
        assert tree(site) == before
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".itscm-build-")] == []
        assert list(scratch.iterdir()) == []
    assert stopped, "no build was stopped"


def test_lint_errors_stop_the_build_unless_allowed(tmp_path: Path) -> None:
    repo = fixture_repo(tmp_path)
    plan = repo / "plans" / "orders-recovery.yaml"
    plan.write_text(plan.read_text().replace("services: [web-shop, orders-api]", "services: [web-shop, orders-apx]"))
    out = tmp_path / "out"
    refused = build(repo, out)
    assert refused.returncode == 1
    assert "R001" in refused.stdout and "--allow-errors" in refused.stderr
    assert not out.exists()
    allowed = build(repo, out, "--allow-errors")
    assert allowed.returncode == 0, allowed.stderr
    plan_page = (out / "plans" / "orders-recovery.html").read_text()
    assert "Built from files with errors" in plan_page and "R001" in plan_page
    assert "with uncommitted changes" in plan_page
    assert "Built from files with errors" in (out / "services" / "web-shop.html").read_text()
    assert "Built from files with errors" not in (out / "contacts.html").read_text()


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    repo = fixture_repo(tmp_path)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    done = build(repo, precious)
    assert done.returncode == 2 and "not an itscm site" in done.stderr
    assert (precious / "thesis.txt").read_text() == "years of work"
    assert build(repo, repo / "plans").returncode == 2


def test_outside_git_and_template_override(tmp_path: Path) -> None:
    repo = fixture_repo(tmp_path, commit=False)
    (repo / "templates").mkdir()
    (repo / "templates" / "site_notice.md.j2").write_text(
        "Service desk: {{ '+44 800 000 000'|phone }} (page {{ page_path }})\n"
    )
    out = tmp_path / "out"
    done = build(repo, out, "--today", "2026-11-24")
    assert done.returncode == 0, done.stderr
    page = unescape((out / "services" / "web-shop.html").read_text())
    assert "Not built from a Git commit (no commit or date recorded)" in page and "Built from not" not in page
    assert f"pages written to {out}, not built from a Git commit (no commit or date recorded)" in done.stdout
    assert 'Service desk: <a href="tel:+44800000000">' in page
    # an overridden notice may say something about its page: it is rendered for each page
    assert "(page services/web-shop.md)" in page
    assert "(page services/orders-api.md)" in (out / "services" / "orders-api.html").read_text()


class _Inventory(HTMLParser):
    """Elements and attributes of the page's content area."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.hrefs: list[str] = []
        self.drawings: list[str] = []  # our diagrams' SVG: checked like the page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
        if not self.depth:
            return
        src = dict(attrs).get("src") or ""
        ours = tag == "img" and dict(attrs).get("class") == "itscm-diagram" and src.startswith(DRAWING)
        if ours:
            self.drawings.append(base64.b64decode(src[len(DRAWING) :]).decode("utf-8"))
        if tag in ("script", "img", "iframe", "object", "embed") and not ours:
            self.scripts.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if name in ("href", "src") and value and value.replace(" ", "").lower().startswith(("javascript:", "data:")):
                if not (ours and name == "src"):
                    self.hrefs.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1


def test_hostile_text_is_escaped_in_every_page(tmp_path: Path) -> None:
    repo = fixture_repo(tmp_path)
    make_hostile(repo)
    git(repo, "commit", "-qam", "hostile")
    out = tmp_path / "out"
    done = build(repo, out, "--allow-errors")
    assert done.returncode == 0, done.stderr
    for page in out.rglob("*.html"):
        inventory = _Inventory()
        inventory.feed(page.read_text())
        assert (inventory.scripts, inventory.handlers, inventory.hrefs) == ([], [], []), page
        for svg in inventory.drawings:
            drawing = _Inventory()
            drawing.depth = 1
            drawing.feed(svg)
            assert (drawing.scripts, drawing.handlers, drawing.hrefs, drawing.drawings) == ([], [], [], []), page
            assert "__pwned" not in svg or "&lt;" in svg, page
        head = page.read_text().split("<body", 1)[0]
        assert "__pwned" not in head or "&lt;" in head, page
    # Material shows search results as HTML: the index must be inert too.
    for doc in json.loads((out / "search" / "search_index.json").read_text())["docs"]:
        inventory = _Inventory()
        inventory.depth = 1
        inventory.feed(doc["title"] + " " + doc["text"])
        assert (inventory.scripts, inventory.handlers, inventory.hrefs) == ([], [], []), doc["location"]
    alerts = json.loads((out / "alerts.json").read_text())
    assert HOSTILE["svg"] in alerts["alerts"]  # data, JSON-encoded: consumers get the name as written


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<script>x</script>", "&#60;script&#62;x&#60;/script&#62;"),
        ("[a](javascript:x)", "&#91;a&#93;(javascript&#58;x)"),
        ("# not a heading", "&#35; not a heading"),
        ("1. not a list", "1&#46; not a list"),
        ("- not a list", "&#45; not a list"),
        ("    not code", "&#32;&#32;&#32;&#32;not code"),
        ("two\nlines", "two<br>lines"),
        ("a_b*c`d", "a&#95;b&#42;c&#96;d"),
        ("{: .x }", "&#123;&#58; .x &#125;"),
        ("plain text, fine.", "plain text, fine."),
    ],
)
def test_escape_text(raw: str, expected: str) -> None:
    assert str(escape.text(raw)) == expected


def test_only_harmless_urls_become_links() -> None:
    assert escape.safe_url("https://status.example.com") == "https://status.example.com"
    for bad in ("javascript:alert(1)", "JaVa\nScRiPt:alert(1)", "data:text/html,x", "https://x\" onmouseover=\"y"):
        assert escape.safe_url(bad) is None
    assert str(escape.link("x", "javascript:alert(1)")) == "x (javascript&#58;alert(1))"
    assert str(escape.phone('+44 1"><b>')) == '<a href="tel:+441">&#43;44 1&#34;&#62;&#60;b&#62;</a>'


def test_site_benchmark_prints_its_table_and_the_growth(tmp_path: Path) -> None:
    import subprocess
    import sys

    from .conftest import ROOT

    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "site_bench.py"), "--services", "30", "60"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split() == ["services", "pages", "lint", "s", "ours", "s", "MkDocs", "s", "total", "s", "ours", "%", "wall", "s", "MB", "files", "ours", "in", "kernel", "s"]
    rows = [line.split() for line in lines[2:4]]
    assert [r[0] for r in rows] == ["30", "60"]
    for r in rows:
        lint, ours, mkdocs, total = map(float, r[2:6])
        assert abs(lint + ours + mkdocs - total) < 0.02 and float(r[6].rstrip("%")) == pytest.approx(100 * ours / total, abs=1.0)
    assert any(line.startswith("growth 30 -> 60 services (x2.00): pages x") for line in lines)


def test_the_estate_is_frozen_out_of_garbage_collection_while_the_site_is_built() -> None:
    import gc

    from itscm_compiler.gcpause import gc_frozen

    assert gc.get_freeze_count() == 0
    kept = [object() for _ in range(100)]
    with gc_frozen():
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)
        with gc_frozen():  # nested: no change, and leaving it does not unfreeze the outer block
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
        assert gc.isenabled()  # what the build creates is still collected
    assert gc.get_freeze_count() == 0


def test_markdown_option_writes_the_pages_mkdocs_was_given(tmp_path: Path) -> None:
    repo = fixture_repo(tmp_path, commit=False)
    markdown = tmp_path / "markdown"
    done = build(repo, tmp_path / "out", "--today", "2026-11-24", "--markdown", str(markdown))
    assert done.returncode == 0, done.stderr
    pages = sorted(p.relative_to(markdown).as_posix() for p in markdown.rglob("*.md"))
    built = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.html"))
    assert "services/web-shop.md" in pages
    # every Markdown page became an HTML page (MkDocs adds only its 404 page)
    assert {p[: -len(".md")] for p in pages} <= {h[: -len(".html")] for h in built}
    text = (markdown / "services" / "web-shop.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: ")  # plain Markdown with front matter
