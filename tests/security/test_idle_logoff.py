"""Automatic logoff: staff after the organization's idle minutes, portal users later."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from continuum.tenancy.models import Role

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _staff_home(org):
    return reverse("staff:dashboard", kwargs={"org": org.slug})


def _portal_home(org):
    return reverse("portal:home", kwargs={"org": org.slug})


def _signed_out(response) -> bool:
    return response.status_code == 302 and reverse("account_login") in response["Location"]


def test_staff_are_signed_out_after_the_default_15_idle_minutes(client, org, members):
    with time_machine.travel(START, tick=False):
        client.force_login(members[Role.CASE_MANAGER])
        page = client.get(_staff_home(org))
        assert page.status_code == 200
        # The warning script is told the limit, and nothing inline is needed for it.
        assert 'src="/static/js/idle.js" data-timeout="900"' in page.content.decode()
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        assert client.get(_staff_home(org)).status_code == 200  # activity renews the session
    with time_machine.travel(START + dt.timedelta(minutes=28, seconds=59), tick=False):
        assert client.get(_staff_home(org)).status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=44), tick=False):
        response = client.get(_staff_home(org))
        assert _signed_out(response)
        # Signed out for good, not just for this request.
        assert _signed_out(client.get(_staff_home(org)))


def test_the_organization_sets_the_staff_limit(client, org, members):
    org.staff_idle_timeout_minutes = 5
    org.save(update_fields=["staff_idle_timeout_minutes"])
    with time_machine.travel(START, tick=False):
        client.force_login(members[Role.SOBER_COACH])
        client.get(_staff_home(org))
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        assert _signed_out(client.get(_staff_home(org)))


def test_portal_users_get_the_longer_limit(client, org, members):
    with time_machine.travel(START, tick=False):
        client.force_login(members[Role.FAMILY_MEMBER])
        assert client.get(_portal_home(org)).status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=59), tick=False):
        assert client.get(_portal_home(org)).status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=119), tick=False):
        assert _signed_out(client.get(_portal_home(org)))


def test_keep_alive_extends_the_session(client, org, members):
    with time_machine.travel(START, tick=False):
        client.force_login(members[Role.CASE_MANAGER])
        client.get(_staff_home(org))
    with time_machine.travel(START + dt.timedelta(minutes=13), tick=False):
        response = client.post(reverse("session_keep_alive"))
        assert response.status_code == 200
        assert response.json() == {"timeout": 900}
    with time_machine.travel(START + dt.timedelta(minutes=27), tick=False):
        assert client.get(_staff_home(org)).status_code == 200


def test_keep_alive_after_the_limit_does_not_revive_the_session(client, org, members):
    with time_machine.travel(START, tick=False):
        client.force_login(members[Role.CASE_MANAGER])
        client.get(_staff_home(org))
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        assert client.post(reverse("session_keep_alive")).status_code == 401
        assert _signed_out(client.get(_staff_home(org)))


def test_keep_alive_needs_post_and_a_session(client):
    assert client.get(reverse("session_keep_alive")).status_code == 405
    assert client.post(reverse("session_keep_alive")).status_code == 401
