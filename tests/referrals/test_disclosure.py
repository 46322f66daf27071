"""A referral about a client is a disclosure to someone outside the organization: it
needs the client's consent naming the provider whatever boxes are ticked, is accounted
with the 42 CFR 2.32 notice, and a referral that names nobody carries no free text."""

import pytest
from django.core import mail
from django.urls import reverse

from continuum.audit.models import AuditEvent
from continuum.consent.models import Disclosure
from continuum.consent.services import PART2_NOTICE, ConsentRequired
from referrals import services
from referrals.models import Referral, ReferralStatus
from referrals.tasks import referral_email_task
from tests.consent.factories import ConsentFactory
from tests.outbox import drain_outbox
from tests.people.factories import ClientFactory
from tests.referrals.factories import ListingFactory, ReferralFactory

NOTE = "Jordan Reyes, born 1990-04-02, opioid use disorder, phone 305-555-0142."


@pytest.fixture
def listing(in_org):
    return ListingFactory(organization=in_org, name="Bayside Outpatient Clinic")


@pytest.fixture
def patient(in_org):
    return ClientFactory(
        organization=in_org, phone="305-555-0142", first_name="Jordan", last_name="Reyes"
    )


def test_a_note_without_the_contact_box_still_needs_a_consent_naming_the_provider(
    in_org, admin_user, listing, patient
):
    with pytest.raises(ConsentRequired, match="cannot be shared with Bayside Outpatient Clinic"):
        services.referral_create(
            actor=admin_user,
            organization=in_org,
            client=patient,
            listing=listing,
            note=NOTE,
            includes_client_information=False,
        )
    assert not Referral.objects.exists()
    assert not Disclosure.objects.exists()
    assert mail.outbox == []


def test_a_consent_for_someone_else_does_not_open_the_door(in_org, admin_user, listing, patient):
    ConsentFactory(
        client=patient,
        recipient_name="Another Clinic",
        information_categories=["contact", "appointments"],
    )
    with pytest.raises(ConsentRequired, match="no signed consent naming this recipient"):
        services.referral_create(
            actor=admin_user,
            organization=in_org,
            client=patient,
            listing=listing,
            note=NOTE,
            includes_client_information=False,
        )
    assert not Referral.objects.exists()


def test_with_consent_the_note_goes_out_accounted_and_with_the_notice(
    in_org, admin_user, listing, patient, django_capture_on_commit_callbacks
):
    consent = ConsentFactory(client=patient, information_categories=["appointments"])
    with django_capture_on_commit_callbacks(execute=False):
        referral = services.referral_create(
            actor=admin_user,
            organization=in_org,
            client=patient,
            listing=listing,
            note=NOTE,
            includes_client_information=False,
        )
    disclosure = Disclosure.objects.get()
    assert disclosure.consent == consent and disclosure.notice == PART2_NOTICE
    assert "the referral note" in disclosure.description
    assert "contact details" not in disclosure.description
    assert AuditEvent.objects.filter(action="disclosure.recorded").count() == 1
    referral_email_task(organization_id=in_org.pk, referral_id=referral.pk)
    drain_outbox()
    [message] = mail.outbox
    assert NOTE in message.body and "42 CFR part 2" in message.body
    html = message.alternatives[0][0]
    assert "part2-notice" in html and "opioid use disorder" in html


def test_a_family_request_naming_nobody_goes_without_its_note(in_org, admin_user):
    referral = ReferralFactory(
        organization=in_org,
        status=ReferralStatus.DRAFT,
        note="My son Jordan, 34, uses heroin daily.",
    )
    services.referral_send(actor=admin_user, referral=referral)
    referral_email_task(organization_id=in_org.pk, referral_id=referral.pk)
    drain_outbox()
    [message] = mail.outbox
    assert "heroin" not in message.body and "heroin" not in message.alternatives[0][0]
    assert "Pat Family" in message.alternatives[0][0]
    assert not Disclosure.objects.exists()


def test_staff_cannot_write_a_note_into_a_referral_that_names_no_client(
    in_org, admin_user, listing
):
    with pytest.raises(Exception, match="names no client goes without a note"):
        services.referral_create(
            actor=admin_user, organization=in_org, client=None, listing=listing, note=NOTE
        )
    assert not Referral.objects.exists()


def test_the_staff_refusal_links_to_recording_the_missing_consent(
    client, org, in_org, admin_user, listing, patient
):
    client.force_login(admin_user)
    url = reverse("staff:referral_new", kwargs={"org": org.slug, "client_id": patient.public_id})
    response = client.post(url, {"listing": str(listing.public_id), "note": NOTE})
    page = response.content.decode()
    assert "cannot be shared with Bayside Outpatient Clinic" in page
    assert not Referral.objects.exists()
    link = response.context["consent_refusal_url"]
    assert link.startswith(f"/harbor/staff/clients/{patient.public_id}/consents/new/?")
    assert "Record the consent naming Bayside Outpatient Clinic" in page
    form = client.get(link).context["form"]
    assert form.initial["recipient_name"] == "Bayside Outpatient Clinic"
    assert form.initial["recipient_kind"] == "named_organization"
    assert form.initial["purposes"] == ["care_coordination"]
    assert form.initial["information_categories"] == ["appointments"]
