"""The bad inputs found by hand that gave a 500, each answered now with what to do next
(the corpus run in test_bad_input.py covers the rest)."""

import pytest
from django.urls import reverse
from django_scopes import scope

from coaching.models import Alert
from continuum.audit.models import AuditEvent
from tests.coaching.factories import AlertFactory
from tests.referrals.factories import ListingFactory

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


def _url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.slug, **kwargs})


def test_a_huge_page_number_on_the_public_directory_shows_the_last_page(client, org):
    with scope(organization=org.pk):
        ListingFactory(organization=org)
    response = client.get(_url("public:find", org), {"zip_code": "33139", "page": HUGE})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert "Harbor Coaching" in response.content.decode()


def test_a_huge_page_number_on_the_api_is_not_found_not_a_failure(client, org, members):
    with scope(organization=org.pk):
        ListingFactory(organization=org)
    client.force_login(members["intake_coordinator"])
    response = client.get(_url("api:listing_list", org), {"page": HUGE})
    assert response.status_code == 404
    assert response.json()["detail"]
    first = client.get(_url("api:listing_list", org), {"page": "-1"})
    assert first.status_code == 200 and first.json()["count"] == 1


def test_a_nul_byte_in_staff_search_names_the_field_to_fix(client, org, members):
    client.force_login(members["org_admin"])
    response = client.get(_url("staff:client_list", org), {"q": "Ro\x00bin"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<strong>q</strong>" in body
    assert f'href="{_url("staff:client_list", org)}"' in body


def test_a_nul_byte_in_a_filter_is_refused_in_the_apis_own_form(client, org, members):
    client.force_login(members["org_admin"])
    response = client.get(_url("staff:referral_list", org), {"status": "\x00"})
    assert response.status_code == 400
    response = client.get(_url("api:intervention_request_list", org), {"status": "\x00"})
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_a_nul_byte_in_a_form_saves_nothing(client, org, members):
    with scope(organization=org.pk):
        alert = AlertFactory(organization=org)
    client.force_login(members["org_admin"])
    url = _url("staff:coaching_alert_resolve", org, coaching_alert_id=alert.public_id)
    response = client.post(url, {"note": "called\x00 back"})
    assert response.status_code == 400
    assert "<strong>note</strong>" in response.content.decode()
    with scope(organization=org.pk):
        assert Alert.objects.get(pk=alert.pk).status == "open"


def test_a_nul_fhir_id_is_not_found_and_the_refusal_is_audited(client, org, members):
    client.force_login(members["org_admin"])
    response = client.get("/fhir/r4/harbor/Patient/%00")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"
    with scope(organization=org.pk):
        refusal = AuditEvent.objects.get(action="access.not_found")
    assert refusal.detail["path"] == "/fhir/r4/harbor/Patient/\ufffd"


def test_the_audit_export_without_filters_is_the_whole_trail(client, org, members):
    client.force_login(members["org_admin"])
    response = client.get(_url("staff:audit_export", org))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    b"".join(response.streaming_content)
    with scope(organization=org.pk):
        assert AuditEvent.objects.filter(action="audit.exported").count() == 1


def test_a_malformed_client_id_in_a_link_is_not_found(client, org, members):
    client.force_login(members["org_admin"])
    response = client.get(_url("staff:coaching_engagement_new", org), {"client": "not-a-uuid"})
    assert response.status_code == 404


def test_acknowledging_an_alert_follows_only_a_path_on_this_site(client, org, members):
    with scope(organization=org.pk):
        alert = AlertFactory(organization=org)
    client.force_login(members["org_admin"])
    url = _url("staff:coaching_alert_acknowledge", org, coaching_alert_id=alert.public_id)
    engagement = _url("staff:coaching_engagement", org, engagement_id=alert.engagement.public_id)
    for bad in ("https://elsewhere.example/", "not-a-page", HUGE):
        response = client.post(url, {"next": bad})
        assert response.status_code == 302
        assert response["Location"] == engagement, bad
    response = client.post(url, {"next": _url("staff:dashboard", org)})
    assert response["Location"] == _url("staff:dashboard", org)


def test_the_api_asks_for_credentials_before_judging_the_input(client, org):
    response = client.get(_url("api:intervention_request_list", org), {"status": "\x00"})
    assert response.status_code == 401
