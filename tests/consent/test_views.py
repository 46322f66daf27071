from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from continuum.audit.models import AuditEvent
from continuum.consent.models import Consent
from continuum.consent.services import PART2_NOTICE, disclosure_record
from continuum.tenancy.models import Membership, Role
from tests.consent.factories import ConsentFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"


def _portal(name, org, **kwargs):
    return reverse(f"portal:{name}", kwargs={"org": org.slug, **kwargs})


def _staff(name, org, client, **kwargs):
    return reverse(
        f"staff:{name}", kwargs={"org": org.slug, "client_id": client.public_id, **kwargs}
    )


def _form(**overrides):
    data = {
        "disclosing_program": "Harbor Recovery",
        "information_categories": ["attendance", "progress"],
        "recipient_kind": "named_organization",
        "recipient_name": "Bayside Outpatient Clinic",
        "purposes": ["treatment"],
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- portal ------------------------------------------------------------------------------


def test_client_gives_reviews_and_signs_a_consent(client, org, members, person):
    client.force_login(members["client"])
    response = client.post(_portal("consent_new", org), _form())
    consent = Consent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _portal("consent_detail", org, consent_id=consent.public_id)
    page = client.get(response["Location"]).content.decode()
    assert "Bayside Outpatient Clinic" in page and "Awaiting signature" in page
    response = client.post(
        response["Location"],
        {"signed_name": "Jordan Reyes", "revocation_acknowledged": "on"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == "active"
    assert consent.signed_ip == "192.0.2.44"
    listing = client.get(_portal("consent_list", org)).content.decode()
    assert "Active" in listing and "Revoke" in listing


def test_incomplete_consent_is_refused_field_by_field(client, org, members, person):
    client.force_login(members["client"])
    response = client.post(
        _portal("consent_new", org), _form(purposes=None, expires_on=None, recipient_name="")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["purposes"] == ["Choose the purpose of the disclosure."]
    assert errors["expires_on"] == ["Give a date or an event on which this consent expires."]
    assert errors["recipient_name"] == ["Name the person or organization who may receive it."]
    assert not Consent.objects.exists()


def test_signing_without_acknowledging_the_right_to_revoke_is_refused(client, org, members, person):
    client.force_login(members["client"])
    client.post(_portal("consent_new", org), _form())
    consent = Consent.objects.get()
    response = client.post(
        _portal("consent_detail", org, consent_id=consent.public_id),
        {"signed_name": "Jordan Reyes"},
    )
    assert response.status_code == 400
    assert "revocation_acknowledged" in response.context["form"].errors
    consent.refresh_from_db()
    assert consent.signed_at is None


def test_client_revokes_from_the_portal(client, org, members, person):
    consent = ConsentFactory(client=person)
    client.force_login(members["client"])
    response = client.post(
        _portal("consent_revoke", org, consent_id=consent.public_id), follow=True
    )
    assert "Nothing more will be shared under it" in response.content.decode()
    consent.refresh_from_db()
    assert consent.status == "revoked"


def test_client_cannot_reach_another_clients_consent(client, org, members, person):
    other = ConsentFactory(
        client=ClientFactory(organization=org, first_name="Sam", last_name="Reyes")
    )
    client.force_login(members["client"])
    assert client.get(_portal("consent_detail", org, consent_id=other.public_id)).status_code == 404
    assert (
        client.post(_portal("consent_revoke", org, consent_id=other.public_id)).status_code == 404
    )
    other.refresh_from_db()
    assert other.revoked_at is None


def test_client_sees_the_accounting_of_disclosures_with_the_notice(client, org, members, person):
    consent = ConsentFactory(client=person)
    disclosure_record(
        actor=members["case_manager"],
        consent=consent,
        recipient="Bayside Outpatient Clinic",
        description="Attendance for March",
        purpose="treatment",
    )
    client.force_login(members["client"])
    page = client.get(_portal("disclosure_list", org)).content.decode()
    assert "Attendance for March" in page and "Bayside Outpatient Clinic" in page
    assert "42 CFR part 2" in page and PART2_NOTICE.splitlines()[0][:60] in page
    assert AuditEvent.objects.filter(action="disclosure.viewed", actor=members["client"]).exists()


def test_portal_consent_list_query_count_is_constant(client, org, members, person):
    client.force_login(members["client"])
    ConsentFactory(client=person)
    url = _portal("consent_list", org)
    # 1 session, 2 membership with organization and user (middleware), 3 the client record,
    # 4 consents, 5 audit reads (one INSERT), 6 the header's organization switcher.
    with assert_queries(6, label="portal consents"):
        client.get(url)
    for n in range(5):
        ConsentFactory(client=person, recipient_name=f"Clinic {n}")
    with assert_queries(6, label="portal consents, more rows"):
        assert client.get(url).content.decode().count("Clinic ") >= 5


# --- staff -------------------------------------------------------------------------------


def test_staff_page_lists_consents_and_disclosures_and_audits_the_read(
    client, org, admin_user, person
):
    consent = ConsentFactory(client=person)
    disclosure_record(
        actor=admin_user,
        consent=consent,
        recipient="Bayside",
        description="Attendance",
        purpose="treatment",
    )
    client.force_login(admin_user)
    page = client.get(_staff("client_consents", org, person)).content.decode()
    assert "Consents of Jordan Reyes" in page
    assert "Bayside Outpatient Clinic" in page and "Attendance" in page
    assert AuditEvent.objects.filter(
        action="client.viewed", client_id=person.public_id, actor=admin_user
    ).exists()


def test_staff_page_query_count_is_constant(client, org, admin_user, person):
    client.force_login(admin_user)
    consent = ConsentFactory(client=person)
    url = _staff("client_consents", org, person)
    # 1 session, 2 membership with organization and user (middleware), 3 the visible client,
    # 4 consents, 5 disclosures with consent and actor, 6 audit reads (one INSERT),
    # 7 the header's organization switcher.
    with assert_queries(7, label="staff consents"):
        client.get(url)
    for n in range(4):
        other = ConsentFactory(client=person, recipient_name=f"Clinic {n}")
        disclosure_record(
            actor=admin_user,
            consent=other,
            recipient=f"Clinic {n}",
            description="d",
            purpose="treatment",
        )
    disclosure_record(
        actor=admin_user, consent=consent, recipient="B", description="d", purpose="treatment"
    )
    with assert_queries(7, label="staff consents, more rows"):
        client.get(url)


def test_staff_off_the_care_team_cannot_see_the_clients_consents(client, org, members, person):
    client.force_login(members["sober_coach"])
    assert client.get(_staff("client_consents", org, person)).status_code == 404
    coach = Membership.objects.get(user=members["sober_coach"])
    CareTeamMemberFactory(organization=org, client=person, membership=coach, role=Role.SOBER_COACH)
    assert client.get(_staff("client_consents", org, person)).status_code == 200


def test_staff_records_a_paper_consent_and_downloads_its_scan(client, org, admin_user, person):
    client.force_login(admin_user)
    data = _form(
        signed_name="Jordan Reyes",
        signed_on=timezone.localdate().isoformat(),
        revocation_acknowledged="on",
        scan=SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf"),
    )
    response = client.post(_staff("client_consent_new", org, person), data)
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.signature_method, consent.status) == ("paper", "active")
    scan = client.get(_staff("client_consent_scan", org, person, consent_id=consent.public_id))
    assert scan.status_code == 200
    assert scan["Content-Type"] == "application/pdf"
    assert scan["Cache-Control"] == "private, no-store"
    assert b"".join(scan.streaming_content) == PDF
    assert AuditEvent.objects.filter(
        action="consent.viewed", object_id=str(consent.public_id)
    ).exists()


def test_paper_consent_with_a_disguised_file_is_refused(client, org, admin_user, person, _media):
    client.force_login(admin_user)
    data = _form(
        signed_name="Jordan Reyes",
        signed_on=timezone.localdate().isoformat(),
        revocation_acknowledged="on",
        scan=SimpleUploadedFile(
            "paper.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
        ),
    )
    response = client.post(_staff("client_consent_new", org, person), data)
    assert response.status_code == 400
    assert response.context["form"].errors["scan"] == [
        "Upload the scan as a PDF, PNG or JPEG file."
    ]
    assert not Consent.objects.exists()
    assert not _media.exists() or not any(_media.rglob("*.*"))


def test_scan_is_not_served_for_another_clients_url(client, org, admin_user, person):
    client.force_login(admin_user)
    consent = ConsentFactory(
        client=ClientFactory(organization=org, first_name="Sam", last_name="Reyes")
    )
    url = _staff("client_consent_scan", org, person, consent_id=consent.public_id)
    assert client.get(url).status_code == 404


def test_staff_revokes_effective_immediately(client, org, admin_user, person):
    consent = ConsentFactory(client=person)
    client.force_login(admin_user)
    response = client.post(
        _staff("client_consent_revoke", org, person, consent_id=consent.public_id)
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == "revoked" and consent.revoked_by == admin_user
