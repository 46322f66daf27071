"""Emergency (break-glass) access: a staff member off the care team opens a record with a
reason, for a limited time; it is audited and every org admin is told."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.notifications.models import Notification
from continuum.people.models import BreakGlassGrant
from continuum.people.selectors import client_get_for
from continuum.tenancy.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory
from tests.people.factories import ClientFactory
from tests.queries import assert_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_timeline_only")]

START = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
REASON = "Client called the crisis line, coach unreachable, need medication list now."


@pytest.fixture
def care_timeline_only():
    from continuum.care import timeline

    with timeline.PROVIDERS.only(timeline.transitions_provider, timeline.tasks_provider):
        yield


@pytest.fixture
def sam(org):
    return ClientFactory(
        organization=org, first_name="Sam", last_name="Rivera", date_of_birth=dt.date(1991, 5, 4)
    )


def _url(org, name="break_glass"):
    return reverse(f"staff:{name}", kwargs={"org": org.slug})


def _detail(org, client):
    return reverse("staff:client_detail", kwargs={"org": org.slug, "client_id": client.public_id})


def _by_name(**extra):
    return {
        "first_name": "sam",
        "last_name": "RIVERA",
        "date_of_birth": "1991-05-04",
        "reason": REASON,
        "confirm": "on",
        **extra,
    }


def test_off_team_staff_get_404_then_open_the_record_for_the_window_only(client, org, members, sam):
    coach = members[Role.SOBER_COACH]
    client.force_login(coach)
    with time_machine.travel(START, tick=False):
        assert client.get(_detail(org, sam)).status_code == 404
        response = client.post(_url(org), _by_name())
        assert response.status_code == 302
        assert response["Location"] == _detail(org, sam)
        page = client.get(_detail(org, sam))
        assert page.status_code == 200
        assert "Emergency access granted until" in page.content.decode()
    with time_machine.travel(START + dt.timedelta(minutes=59), tick=False):
        assert client.get(_detail(org, sam)).status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=60), tick=False):
        assert client.get(_detail(org, sam)).status_code == 404


def test_the_window_is_the_organization_setting(client, org, members, sam):
    org.break_glass_minutes = 10
    org.save(update_fields=["break_glass_minutes"])
    client.force_login(members[Role.CASE_MANAGER])
    with time_machine.travel(START, tick=False):
        client.post(_url(org), {"client_id": str(sam.public_id), "reason": REASON, "confirm": "on"})
    with time_machine.travel(START + dt.timedelta(minutes=11), tick=False):
        assert client.get(_detail(org, sam)).status_code == 404
    with scope(organization=org.pk):
        grant = BreakGlassGrant.objects.get()
    assert grant.expires_at == START + dt.timedelta(minutes=10)


def test_grant_is_audited_and_every_admin_is_notified(client, org, members, sam):
    with scope(organization=org.pk):
        second_admin = MembershipFactory(
            organization=org,
            user=UserFactory(email="boss2@harbor.example.com"),
            roles=[Role.ORG_ADMIN],
        )
    client.force_login(members[Role.INTERVENTIONIST])
    with time_machine.travel(START, tick=False):
        client.post(_url(org), _by_name())
    with scope(organization=org.pk):
        event = AuditEvent.objects.get(action="client.break_glass")
        assert event.actor == members[Role.INTERVENTIONIST]
        assert event.client_id == sam.public_id
        assert REASON not in str(event.detail)  # the reason lives on the grant, not the trail
        notified = set(
            Notification.objects.filter(template="break_glass").values_list("recipient", flat=True)
        )
        assert notified == {members[Role.ORG_ADMIN].pk, second_admin.user_id}
        note = Notification.objects.filter(template="break_glass").first()
        assert note.urgent
        assert "Rivera" not in str(note.context)  # no client name in a message


def test_admin_sees_the_log_with_reasons(client, org, members, sam):
    client.force_login(members[Role.SOBER_COACH])
    with time_machine.travel(START, tick=False):
        client.post(_url(org), _by_name())
    client.force_login(members[Role.ORG_ADMIN])
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        page = client.get(_url(org, "break_glass_log")).content.decode()
    assert REASON in page
    assert "Sam Rivera" in page and "Active until" in page
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        assert "Ended" in client.get(_url(org, "break_glass_log")).content.decode()


def test_log_query_count_does_not_grow_with_grants(client, org, members):
    client.force_login(members[Role.ORG_ADMIN])
    with scope(organization=org.pk):
        coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])

    def grant():
        with scope(organization=org.pk):
            BreakGlassGrant.objects.create(
                organization=org,
                membership=coach,
                client=ClientFactory(organization=org),
                reason=REASON,
                expires_at=START,
            )

    grant()
    url = _url(org, "break_glass_log")
    client.get(url)  # warm the session
    # session, membership with organization and user (middleware); memberships for the switcher;
    # the grants with staff and client (one join)
    with assert_queries(4, label="one grant"):
        assert client.get(url).status_code == 200
    for _ in range(4):
        grant()
    with assert_queries(4, label="five grants"):
        assert client.get(url).status_code == 200


def test_only_admins_see_the_log(client, org, members):
    client.force_login(members[Role.SOBER_COACH])
    assert client.get(_url(org, "break_glass_log")).status_code == 403


def test_a_miss_says_nothing_about_why_and_is_audited(client, org, members, sam):
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(_url(org), _by_name(date_of_birth="1991-05-05"))
    assert response.status_code == 400
    assert "No single client matches these details exactly" in response.content.decode()
    # A partial name is not enough: no prefix or fuzzy matching.
    response = client.post(_url(org), _by_name(first_name="Sa"))
    assert "No single client matches" in response.content.decode()
    with scope(organization=org.pk):
        assert not BreakGlassGrant.objects.exists()
        assert AuditEvent.objects.filter(action="client.break_glass_no_match").count() == 2


def test_bad_input_needs_identifier_reason_and_confirmation(client, org, members, sam):
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(_url(org), {"last_name": "Rivera", "reason": "urgent"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "confirm" in form.errors
    assert "record number" in str(form.non_field_errors())
    response = client.post(_url(org), _by_name(reason="urgent"))
    assert "at least 20 characters" in str(response.context["form"].errors["reason"])
    with scope(organization=org.pk):
        assert not BreakGlassGrant.objects.exists()


def test_attempts_are_rate_limited_per_user(client, org, members, sam, settings):
    settings.BREAK_GLASS_RATE = "3/h"
    client.force_login(members[Role.SOBER_COACH])
    for _ in range(3):
        assert client.post(_url(org), _by_name(last_name="Nobody")).status_code == 400
    assert client.post(_url(org), _by_name()).status_code == 429
    with scope(organization=org.pk):
        assert not BreakGlassGrant.objects.exists()


def test_another_organizations_client_is_never_found(client, org, other_org, members):
    with scope(organization=other_org.pk):
        theirs = ClientFactory(organization=other_org)
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(
        _url(org), {"client_id": str(theirs.public_id), "reason": REASON, "confirm": "on"}
    )
    assert response.status_code == 400
    with scope(organization=org.pk):
        assert not BreakGlassGrant.objects.exists()


def test_selector_query_count_is_unchanged_by_grants(org, members, sam):
    with scope(organization=org.pk):
        coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
        BreakGlassGrant.objects.create(
            organization=org,
            membership=coach,
            client=sam,
            reason=REASON,
            expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
        )
        # The grant is a subquery of the one visibility query.
        with assert_queries(1):
            assert client_get_for(membership=coach, client_id=sam.public_id) == sam
