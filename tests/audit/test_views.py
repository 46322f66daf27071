import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from continuum.audit.models import AuditEvent
from continuum.audit.services import audit_record
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db

CLIENT_A = uuid.UUID("11111111-1111-4111-8111-111111111111")
CLIENT_B = uuid.UUID("22222222-2222-4222-8222-222222222222")


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def trail(org, other_org, members, outsider):
    """Events on three days, by two people, about two clients, plus one in another org."""
    with time_machine.travel(datetime(2026, 3, 1, 10, tzinfo=UTC), tick=False):
        audit_record(
            actor=members["case_manager"],
            organization=org,
            action="client.viewed",
            client_id=CLIENT_A,
        )
    with time_machine.travel(datetime(2026, 3, 2, 23, 59, tzinfo=UTC), tick=False):
        audit_record(
            actor=members["sober_coach"],
            organization=org,
            action="consent.revoked",
            client_id=CLIENT_A,
        )
    with time_machine.travel(datetime(2026, 3, 3, 0, 1, tzinfo=UTC), tick=False):
        audit_record(
            actor=members["case_manager"],
            organization=org,
            action="consent.signed",
            client_id=CLIENT_B,
        )
    audit_record(actor=outsider, organization=other_org, action="client.viewed", client_id=CLIENT_A)


def _rows(body: str) -> int:
    return body.count("<tr>") - 1  # minus the header row


def test_admin_sees_the_whole_trail_of_their_organization_only(
    client, org, admin_user, trail, audit_url
):
    client.force_login(admin_user)
    response = client.get(audit_url)
    body = response.content.decode()
    assert response.status_code == 200
    assert _rows(body) == 3
    assert "outsider@lear.example.com" not in body
    assert "sober_coach@harbor.example.com" in body


@pytest.mark.parametrize(
    ("params", "expected_actions"),
    [
        ({"client": str(CLIENT_A)}, {"client.viewed", "consent.revoked"}),
        ({"action": "consent."}, {"consent.revoked", "consent.signed"}),
        ({"action": "consent.signed"}, {"consent.signed"}),
        ({"date_from": "2026-03-02", "date_to": "2026-03-02"}, {"consent.revoked"}),
        ({"date_from": "2026-03-02"}, {"consent.revoked", "consent.signed"}),
    ],
)
def test_filters_narrow_the_trail(
    client, org, admin_user, trail, audit_url, params, expected_actions
):
    client.force_login(admin_user)
    response = client.get(audit_url, params)
    assert response.status_code == 200
    shown = {e.action for e in response.context["page"].object_list}
    assert shown == expected_actions


def test_filter_by_user(client, org, members, admin_user, trail, audit_url):
    client.force_login(admin_user)
    coach = members["sober_coach"]
    response = client.get(audit_url, {"user": str(coach.public_id)})
    assert [e.action for e in response.context["page"].object_list] == ["consent.revoked"]


def test_bad_filters_show_field_errors_and_no_events(client, admin_user, trail, audit_url):
    client.force_login(admin_user)
    response = client.get(
        audit_url, {"client": "not-a-uuid", "date_from": "2026-03-05", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "client" in form.errors
    assert form.errors["date_to"] == ["The end date is before the start date."]
    assert response.context["page"] is None


def test_audit_list_query_count_does_not_grow_with_events(client, org, admin_user, audit_url):
    client.force_login(admin_user)
    audit_record(actor=admin_user, organization=org, action="thing.done")
    # 1 session, 2 membership with organization and user (middleware), 3 members for the user
    # filter, 4 count of events, 5 the header's organization switcher, 6 the page of events
    # with their actors.
    with assert_queries(6, label="audit list"):
        assert client.get(audit_url).status_code == 200
    for n in range(30):
        audit_record(actor=admin_user, organization=org, action=f"thing.done{n}")
    with assert_queries(6, label="audit list with more events"):
        response = client.get(audit_url)
    assert response.context["page"].paginator.count == 31


def test_audit_list_is_paginated(client, org, admin_user, audit_url):
    for n in range(55):
        audit_record(actor=admin_user, organization=org, action=f"thing.done{n}")
    client.force_login(admin_user)
    first = client.get(audit_url, {"action": ""}).content.decode()
    assert _rows(first) == 50
    assert "Page 1 of 2" in first
    second = client.get(audit_url, {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_audit_pages_are_for_org_admins_only(client, members, audit_url, export_url):
    client.force_login(members["case_manager"])
    assert client.get(audit_url).status_code == 403
    assert client.get(export_url).status_code == 403


def test_export_streams_the_filtered_trail_and_is_itself_audited(
    client, org, admin_user, trail, export_url, in_org
):
    client.force_login(admin_user)
    response = client.get(export_url, {"action": "consent."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert sorted(r["action"] for r in rows) == ["consent.revoked", "consent.signed"]
    assert {r["client_id"] for r in rows} == {str(CLIENT_A), str(CLIENT_B)}
    export = AuditEvent.objects.get(action="audit.exported")
    assert export.actor == admin_user
    assert export.detail == {"action": "consent."}


def test_export_escapes_spreadsheet_formulas(client, org, admin_user, export_url):
    for email in ('=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "plain@example.com"):
        audit_record(actor=None, organization=org, action="auth.login_failed", actor_email=email)
    client.force_login(admin_user)
    rows = _csv(client.get(export_url, {"action": "auth.login_failed"}))
    assert sorted(r["actor_email"] for r in rows) == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1+1", "'-2", "'@SUM(A1)", "plain@example.com"]
    )


def test_bad_export_filters_are_refused_without_an_export(client, admin_user, export_url, in_org):
    client.force_login(admin_user)
    response = client.get(export_url, {"date_from": "yesterday"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


# --- refused access ----------------------------------------------------------------------


def test_a_403_in_the_staff_area_is_recorded(client, org, members, audit_url, in_org):
    client.force_login(members["sober_coach"])
    assert client.get(audit_url).status_code == 403
    event = AuditEvent.objects.get(action="access.forbidden")
    assert event.actor == members["sober_coach"]
    assert event.detail == {"method": "GET", "path": audit_url}
    assert event.request_id


def test_a_404_for_an_object_outside_the_organization_is_recorded(client, org, admin_user, in_org):
    client.force_login(admin_user)
    url = reverse("staff:team_member", kwargs={"org": org.slug, "member_id": uuid.uuid4()})
    assert client.get(url).status_code == 404
    event = AuditEvent.objects.get(action="access.not_found")
    assert (event.actor, event.detail["path"]) == (admin_user, url)


def test_a_refused_api_request_is_recorded(client, org, members, in_org):
    client.force_login(members["case_manager"])
    url = reverse("api:audit_event_list", kwargs={"org": org.slug})
    assert client.get(url).status_code == 403
    assert AuditEvent.objects.filter(
        action="access.forbidden", actor=members["case_manager"]
    ).exists()


def test_public_pages_and_successful_requests_are_not_recorded_as_refusals(
    client, org, admin_user, audit_url, in_org
):
    client.force_login(admin_user)
    assert client.get(audit_url).status_code == 200
    assert client.get(f"/{org.slug}/no-such-page/").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="access.").exists()


def test_refusals_at_the_door_are_recorded(client, org, members, outsider, in_org):
    """Another organization's member and a family member in the staff area are turned
    away by the tenant middleware itself; both refusals are on the trail."""
    url = reverse("staff:dashboard", kwargs={"org": org.slug})
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(members["family_member"])
    assert client.get(url).status_code == 403
    assert AuditEvent.objects.filter(action="access.not_found", actor=outsider).exists()
    assert AuditEvent.objects.filter(
        action="access.forbidden", actor=members["family_member"]
    ).exists()
