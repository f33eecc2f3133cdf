"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

They run when Chromium is present (``E2E=1`` makes its absence a failure, ``E2E=0`` skips
them). Screenshots of the key pages at phone width go to ``screenshots/`` (or
``E2E_SCREENSHOTS``) for a reviewer to look at after a run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / "screenshots"))
AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def pytest_collection_modifyitems(config, items):
    wanted = os.environ.get("E2E", "")
    for item in items:
        if "tests/e2e/" not in str(item.fspath).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.e2e)
        if wanted == "0":
            item.add_marker(pytest.mark.skip(reason="E2E=0: browser tests switched off"))
        elif not _chromium_available():
            if wanted == "1":
                raise pytest.UsageError(f"E2E=1 but Chromium is missing at {CHROMIUM}")
            item.add_marker(pytest.mark.skip(reason="Chromium not installed"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server and the
    # test's own ORM calls are ordinary synchronous Django, which is safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(params=["phone", "desktop"])
def viewport(request):
    return request.param


def _open_page(browser, viewport: str, base_url: str, **options):
    size = PHONE if viewport == "phone" else DESKTOP
    context = browser.new_context(
        viewport=size,
        locale="vi-VN",
        base_url=base_url,
        has_touch=viewport == "phone",
        bypass_csp=True,  # lets the test inject axe-core; the page itself keeps its CSP
        **options,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.viewport_name = viewport
    return page


@pytest.fixture
def page(browser, viewport, live_server):
    page = _open_page(browser, viewport, live_server.url)
    yield page
    page.context.close()
    # The test's ORM calls made while Playwright's loop runs use their own connection: close
    # it, or PostgreSQL cannot flush or drop the test database afterwards.
    from django.db import connections

    connections.close_all()


@pytest.fixture
def nojs_page(browser, viewport, live_server):
    """The same page with JavaScript switched off in the browser."""
    page = _open_page(browser, viewport, live_server.url, java_script_enabled=False)
    page.viewport_name = f"{viewport}-nojs"
    page.javascript = False
    yield page
    page.context.close()
    from django.db import connections

    connections.close_all()


def check_page(page, name: str) -> list[dict]:
    """The checks every journey page gets: axe-core (no serious or critical violation), no
    horizontal scrolling, a language set, and a screenshot at phone width."""
    assert page.evaluate("document.documentElement.lang") in {"vi", "en"}
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
    if not getattr(page, "javascript", True):
        # JavaScript is off in the page: axe-core cannot run there (its timers never fire);
        # the same pages are checked with JavaScript on by the other journeys.
        return []
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                           target: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    counts: dict[str, int] = {}
    for violation in result:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with (SCREENSHOTS / "axe-results.txt").open("a") as log:
        log.write(f"{name}\t{getattr(page, 'viewport_name', '')}\t{counts or 'none'}\n")
    serious = [v for v in result if v["impact"] in {"serious", "critical"}]
    assert not serious, f"{name}: axe violations {serious}"
    if getattr(page, "viewport_name", "") == "phone":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return result


def assert_tappable(locator) -> None:
    """Visible, inside the viewport's width and at least 24×24 CSS px (WCAG 2.2 target size)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and locator.is_visible()
    assert box["width"] >= 24 and box["height"] >= 24, box
    width = locator.page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box


# The procedures the journeys need, cut from the bundled catalogue (loading all 300 takes ≈3 s
# per transactional test): household business registration plus a few neighbours for search.
JOURNEY_PROCEDURES = {"1.001612"}
NEIGHBOURS = 12


@pytest.fixture(scope="session")
def small_catalogue_file(tmp_path_factory) -> Path:
    import json

    from procedures.services import BUNDLED_CATALOGUE

    data = json.loads(Path(BUNDLED_CATALOGUE).read_text())
    wanted = [p for p in data["procedures"] if p["code"] in JOURNEY_PROCEDURES]
    wanted += [p for p in data["procedures"] if p["code"] not in JOURNEY_PROCEDURES][:NEIGHBOURS]
    data["procedures"] = wanted
    path = tmp_path_factory.mktemp("catalogue") / "journey-catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


@pytest.fixture
def catalogue(transactional_db, small_catalogue_file):
    """The journey catalogue and the demo accounts (citizen, official of the agency that
    receives 1.001612, administrator), made before the browser opens a page."""
    from procedures.assistant.index import forget_index
    from procedures.services import catalogue_import

    report = catalogue_import(file=small_catalogue_file, fmt="json")
    forget_index()
    from portal.demo import ensure_demo_accounts

    ensure_demo_accounts()
    return report


CITIZEN = {"email": "congdan@example.vn", "password": "demo-congdan-2026"}


def sign_in(page, *, email: str = CITIZEN["email"], password: str = CITIZEN["password"], check: str | None = None):
    """Sign in through the ordinary login page (allauth)."""
    page.goto("/tai-khoan/login/")
    if check:
        check_page(page, check)
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
