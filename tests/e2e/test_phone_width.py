"""Phone first: every page of the public site and of the portals, as its visitor sees it
(the family member, the client, or anyone), fits a 390 px screen without scrolling
sideways, in English and in Spanish. The pages and their visitors are the Spanish page
list's (tests/i18n/test_pages.py), so a new page is walked here as soon as it is listed
there."""

import pytest
from django.conf import settings

from tests.i18n.conftest import world  # noqa: F401  (the fixture: one family, one client)
from tests.i18n.test_pages import PAGES, _url

from .browser import page_width_overflow

GET_PAGES = sorted(name for name, (_who, _kw, method, _text) in PAGES.items() if method == "get")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_public_or_portal_page_scrolls_sideways_on_a_phone(
    site,
    in_org,
    members,
    world,  # noqa: F811  (the fixture imported above)
    lang,
):
    org = in_org
    visitors = {}
    too_wide = []
    for name in GET_PAGES:
        who, keywords, _method, _text = PAGES[name]
        if who not in visitors:
            visitor = site.open(phone=True)
            visitor.context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": site.base_url}]
            )
            if who is not None:
                visitor.log_in_as(members[who])
            visitors[who] = visitor
        page = visitors[who].page
        response = page.goto(site.base_url + _url(name, keywords, world, org))
        assert response.ok, f"{name} answered {response.status}"
        assert page.locator("html").get_attribute("lang") == lang, name
        problem = page_width_overflow(page)
        if problem:
            too_wide.append(f"{name}: {problem}")
    assert not too_wide, "pages that scroll sideways at 390 px:\n" + "\n".join(too_wide)
