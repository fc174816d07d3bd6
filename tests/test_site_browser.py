"""The built site in a real headless Chromium, from file://, with the network cut off.

Any request that is not file:// fails the test. Screenshots of the dashboard
and a runbook page go to tests/_output/ for people to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from itscm_compiler.models import Component, Person, Service, Team
from itscm_compiler.pipeline import load_estate
from itscm_compiler.site.views import Views

from .conftest import ROOT, run_itscm
from .site_helpers import HOSTILE, fixture_repo, git, make_hostile

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(__file__).parent / "_output"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is needed: apt-get install -y chromium (.ci/run installs it)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Offline:
    """A browser context with no network: every request must be a file:// URL."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: (self.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


def search(page: Any, words: str) -> Any:
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(words, delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    return results


def example_service() -> Service:
    """The most critical service of the example estate whose on-call person has a phone (one with a plan first)."""
    estate, _ = load_estate(ROOT)
    candidates = []
    for service in sorted(estate.models(Service), key=lambda s: (s.tier, s.id)):
        team = estate.model(service.owner, Team)
        person = estate.model(team.on_call, Person) if team and team.on_call else None
        if person and person.phones:
            candidates.append((not estate.plans_of.get(service.id), service.tier, service.id, service))
    if not candidates:
        pytest.fail("the example estate has no service whose owner team has an on-call person with a phone")
    return min(candidates, key=lambda c: c[:3])[3]


def test_example_estate_offline_search_runbook_and_screenshots(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "site"
    done = run_itscm("build", "--out", str(out), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    service = example_service()
    session = Offline(browser)
    page = session.page
    try:
        page.goto((out / "index.html").as_uri())
        assert page.locator("h1").inner_text().rstrip("¶") == "Continuity dashboard"
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)

        results = search(page, service.label)
        target = page.locator(f'.md-search-result__link[href*="services/{service.id}.html"]').first
        assert target.count() == 1, results.all_inner_texts()
        target.click()
        page.wait_for_url(f"**/services/{service.id}.html*")
        assert page.url.startswith("file://")
        assert page.locator("h1").inner_text().rstrip("¶") == service.label

        diagram = page.locator("img.itscm-diagram")
        assert diagram.is_visible()
        # drawn: the browser loaded and decoded the SVG (an image that fails has no natural size)
        assert diagram.evaluate("img => img.complete && img.naturalWidth > 100 && img.naturalHeight > 40")
        box = diagram.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 40
        assert diagram.evaluate("img => atob(img.src.split(',')[1])").count('class="node ') >= 2

        calls = page.locator("#who-to-call ~ .itscm-contacts table").first
        assert calls.locator('a[href^="tel:"]').count() >= 1
        assert calls.is_visible()
        # it fits: nothing cut off on the right at 1280 px (long e-mail addresses wrap)
        article = page.locator("article").bounding_box()
        table = calls.bounding_box()
        assert article and table and table["x"] + table["width"] <= article["x"] + article["width"] + 1
        assert calls.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
        page.screenshot(path=str(OUTPUT / "runbook.png"), full_page=True)

        # a drawn node is a link (the image map): a real click where a node is drawn opens what it names
        areas = page.locator('map[name="itscm-map-%s"] area' % service.id)
        assert areas.count() >= 1
        area = areas.first
        expected = area.evaluate("a => a.href")
        left, top, right, bottom = (int(v) for v in (area.get_attribute("coords") or "").split(","))
        diagram.scroll_into_view_if_needed()
        box = diagram.bounding_box()
        assert box is not None and abs(box["width"] - diagram.evaluate("img => img.naturalWidth")) < 1  # not scaled
        page.mouse.click(box["x"] + (left + right) / 2, box["y"] + (top + bottom) / 2)
        page.wait_for_url(expected)
        page.goto((out / "services" / f"{service.id}.html").as_uri())

        plans = page.locator('article a[href^="../plans/"]')
        if plans.count():
            plans.first.click()
            page.wait_for_load_state()
            assert "/plans/" in page.url and page.locator("#steps").count() == 1
        # a component has no page: search finds its full entry on the first service running on it
        estate, _ = load_estate(ROOT)
        views = Views(estate)
        component = next(c for c in sorted(estate.models(Component), key=lambda c: c.id) if c.id in views.component_home)
        home = views.component_home[component.id]
        page.goto((out / "index.html").as_uri())
        search(page, component.label)
        # (search.highlight puts ?h=... between the page and the anchor)
        hit = page.locator(f'.md-search-result__link[href*="services/{home}.html"][href$="#{component.id}"]').first
        assert hit.count() == 1, page.locator(".md-search-result__link").evaluate_all("xs => xs.map(x => x.href)")
        assert page.locator(f'.md-search-result__link[href$="#{component.id}"]').count() == 1  # copies are not indexed
        hit.click()
        page.wait_for_url(f"**/services/{home}.html*#{component.id}")
        assert page.locator(f"h3#{component.id}").is_visible()
        page.emulate_media(media="print")
        assert not page.locator(".md-sidebar--primary").is_visible()
        page.emulate_media(media="screen")
    finally:
        session.close()
    assert session.outside == []
    assert session.errors == []


def test_hostile_estate_runs_no_script(browser: Any, tmp_path: Path) -> None:
    repo = fixture_repo(tmp_path)
    make_hostile(repo)
    git(repo, "commit", "-qam", "hostile")
    out = tmp_path / "site"
    done = run_itscm("build", "--root", str(repo), "--out", str(out), "--allow-errors", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    session = Offline(browser)
    page = session.page
    try:
        for name in ("services/web-shop.html", "plans/orders-recovery.html", "contacts.html", "index.html"):
            page.goto((out / name).as_uri())
            # fire what injected handlers would wait for
            page.evaluate(
                "document.querySelectorAll('article *').forEach(e => ['mouseover', 'focus', 'load']"
                ".forEach(t => e.dispatchEvent(new Event(t, {bubbles: true}))))"
            )
            assert page.evaluate("window.__pwned") is None, name
            assert page.locator("article script, article img:not(.itscm-diagram), article iframe").count() == 0, name
            assert page.locator('article a[href^="javascript"], article area[href^="javascript"]').count() == 0, name
        page.goto((out / "services" / "web-shop.html").as_uri())
        text = page.locator("article").inner_text()
        assert HOSTILE["script"] in text  # shown as text, exactly as written
        assert HOSTILE["img"] in text
        page.goto((out / "plans" / "orders-recovery.html").as_uri())
        text = page.locator("article").inner_text()
        assert HOSTILE["js_link"] in text and HOSTILE["attr_list"] in text
        search(page, "Shop")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        assert page.locator(".md-search-result script, .md-search-result img").count() == 0
    finally:
        session.close()
    assert session.outside == []
    assert session.errors == []


def test_output_folder_is_ignored_by_git() -> None:
    assert "tests/_output/" in (ROOT / ".gitignore").read_text().split()
    assert shutil.which("git")
