"""A small layer over Playwright: each page a visitor reaches is checked with axe-core
for WCAG 2.2 A/AA violations of serious or critical impact."""

import os
import re

from axe_playwright_python.sync_playwright import Axe

from .conftest import DESKTOP, PHONE, SCREENSHOTS

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}


# Given to a browser context as an init script, axe is in every page it opens, so a walk
# of many pages need not inject it into each (`axe_violations(page, injected=True)`).
AXE_SCRIPT = AXE.axe_script


def axe_violations(page, *, injected: bool = False) -> list[str]:
    if injected:
        response = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    else:
        response = AXE.run(page, options=AXE_OPTIONS).response
    found = []
    for violation in response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def page_width_overflow(page) -> str:
    """Why the page scrolls sideways, or "" when it fits. Held to the viewport's own
    width as well as `innerWidth`: a phone browser zooms out to fit a page that is too
    wide, and `innerWidth` grows with it, so that comparison alone never fails there."""
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    device = page.viewport_size["width"]
    if scroll <= inner and scroll <= device:
        return ""
    # The elements that reach past the screen's edge, innermost first, to say what to fix.
    culprits = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .filter(el => {
                // Inside a scroller (a row of tabs, a wide table) is not past the page's edge.
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) return false;
                }
                return true;
            })
            .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > width + 1))
            .slice(0, 3)
            .map(el => `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} ` +
                       `(${Math.round(el.getBoundingClientRect().right)} px): ` +
                       (el.textContent || '').trim().slice(0, 40))""",
        device,
    )
    return (
        f"{page.url} scrolls sideways: {scroll} px wide on a {device} px screen; "
        f"past the edge: {'; '.join(culprits)}"
    )


def assert_fits(page) -> None:
    problem = page_width_overflow(page)
    assert not problem, problem


class Visitor:
    def __init__(self, context, base_url: str):
        self.context = context
        self.page = context.new_page()
        self.base_url = base_url
        self.audited: list[str] = []

    def audit(self):
        """axe-core on the page as it is now (after a load or an htmx swap)."""
        self.page.wait_for_load_state("load")
        found = axe_violations(self.page)
        assert not found, f"accessibility violations on {self.page.url}:\n" + "\n".join(found)
        self.audited.append(self.page.url)

    def visit(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response.ok, f"{path} answered {response.status}"
        self.audit()
        return response

    def submit(self, name: str | re.Pattern, *, within=None):
        """Click a submit button and audit the page the browser lands on."""
        scope = within if within is not None else self.page
        with self.page.expect_navigation():
            scope.get_by_role("button", name=name).click()
        self.audit()

    def follow(self, name: str | re.Pattern):
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name).first.click()
        self.audit()

    def log_in_as(self, user):
        """Staff journeys start signed in: a session made by Django's test client, handed to
        the browser as its cookie (the sign-in form itself is exercised by journey 1)."""
        from django.conf import settings
        from django.test import Client
        from django_scopes import scope

        client = Client()
        # Signing in happens outside any organization, as it does on the login page.
        with scope(organization=None):
            client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": self.base_url}]
        )

    def screenshot(self, name: str):
        if os.environ.get("E2E_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)

    def tab_to(self, locator):
        """Move the focus to `locator` the way a keyboard user does (Tab from the element
        before it), so the browser's keyboard-focus styles apply."""
        locator.focus()
        self.page.keyboard.press("Shift+Tab")
        self.page.keyboard.press("Tab")
        assert locator.evaluate("el => el === document.activeElement")
        self.assert_focus_visible()

    def assert_focus_visible(self):
        """The focused element shows a focus indicator (outline or box shadow)."""
        style = self.page.evaluate(
            """() => {
                const el = document.activeElement;
                const s = getComputedStyle(el);
                return {tag: el.tagName, outline: s.outlineStyle, width: s.outlineWidth,
                        shadow: s.boxShadow};
            }"""
        )
        visible = (style["outline"] != "none" and style["width"] != "0px") or (
            style["shadow"] not in ("", "none")
        )
        assert visible, f"no visible focus on {style['tag']}: {style}"


class Site:
    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []

    def open(self, *, phone: bool, locale: str = "en-US") -> Visitor:
        context = self.browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale=locale,
            device_scale_factor=2 if phone else 1,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return Visitor(context, self.base_url)

    def close(self):
        for context in self.contexts:
            context.close()
