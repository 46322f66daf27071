"""Signing in with a password, as staff do every morning: the form is typed into and
submitted at a desk and on a phone, and every page on the way passes axe."""

import pytest

from continuum.tenancy.models import Role
from tests.factories import PASSWORD


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_staff_sign_in_with_a_password(site, in_org, members, phone):
    user = members[Role.CASE_MANAGER]
    visitor = site.open(phone=phone)
    visitor.visit("/accounts/login/")
    page = visitor.page
    # A wrong password is refused with the reason announced.
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=False).fill("not the password")
    visitor.submit("Sign in")
    assert page.get_by_role("alert").count() >= 1
    page.get_by_label("Password", exact=False).fill(PASSWORD)
    visitor.submit("Sign in")
    assert "/accounts/login/" not in page.url
