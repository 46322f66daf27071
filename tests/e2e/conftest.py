"""Browser journeys: Playwright drives the system Chromium against a live server on the
real PostgreSQL and Redis. Every page a journey reaches is checked with axe-core.

Without Chromium the journeys skip with the reason, unless E2E_REQUIRE_BROWSER=1 (CI),
which makes a missing browser a failure. E2E_SCREENSHOTS=1 (`make screenshots`) writes the
README screenshots to docs/screenshots/."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _chromium_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture
def browser(monkeypatch):
    # Per test, not per session: while Playwright runs, the test thread has an event loop,
    # and Django refuses ORM calls from such a thread unless told the calls are safe here
    # (they are plain synchronous calls between browser steps). Neither outlives the test.
    missing = _chromium_missing()
    if missing:
        if os.environ.get("E2E_REQUIRE_BROWSER") == "1":
            pytest.fail(f"E2E_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_settings(settings):
    # The live server answers on localhost; mail goes to mail.outbox in this process.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.INTERVENTION_REQUEST_RATE = "1000/h"
    return settings


@pytest.fixture
def site(live_server, browser, e2e_settings):
    """Opens pages as a phone or a desktop visitor; each `open` is a fresh browser
    context (its own cookies), closed at the end of the test."""
    from .browser import Site

    site = Site(browser, live_server.url)
    yield site
    site.close()
