"""The closed referral loop: statuses, consent, the provider's link, follow-up."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from continuum.care.models import Task
from continuum.consent.models import Disclosure
from continuum.consent.services import PART2_NOTICE, ConsentRequired
from referrals import services
from referrals.models import Referral, ReferralStatus
from referrals.tasks import referral_email_task
from tests.consent.factories import ConsentFactory
from tests.outbox import drain_outbox
from tests.people.factories import ClientFactory
from tests.referrals.factories import ListingFactory, ReferralFactory


@pytest.fixture
def setup(in_org, admin_user):
    listing = ListingFactory(organization=in_org, name="Bayside Outpatient Clinic")
    client = ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    return listing, client, admin_user


def test_sending_without_consent_is_refused_and_nothing_is_saved(setup, in_org):
    listing, client, actor = setup
    with pytest.raises(ConsentRequired, match="cannot be shared with Bayside Outpatient Clinic"):
        services.referral_create(actor=actor, organization=in_org, client=client, listing=listing)
    assert not Referral.objects.exists()
    assert not Disclosure.objects.exists()


def test_a_redelivered_packet_task_sends_one_e_mail(setup, in_org):
    listing, client, actor = setup
    ConsentFactory(client=client, information_categories=["contact", "appointments"])
    referral = services.referral_create(
        actor=actor, organization=in_org, client=client, listing=listing
    )
    # The worker died before acking: the broker hands the same message out again.
    referral_email_task(organization_id=in_org.pk, referral_id=referral.pk)
    referral_email_task(organization_id=in_org.pk, referral_id=referral.pk)
    drain_outbox()
    referral_email_task(organization_id=in_org.pk, referral_id=referral.pk)
    drain_outbox()
    [message] = mail.outbox
    assert message.to == [listing.email]
    assert "/referral-response/" in message.body
    assert "part2-notice" in message.alternatives[0][0]


def test_referral_loop_through_every_status(setup, in_org, django_capture_on_commit_callbacks):
    listing, client, actor = setup
    ConsentFactory(client=client, information_categories=["contact", "appointments"])
    with django_capture_on_commit_callbacks(execute=False):
        referral = services.referral_create(
            actor=actor, organization=in_org, client=client, listing=listing
        )
    assert referral.status == ReferralStatus.REQUESTED
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == "Bayside Outpatient Clinic" and disclosure.notice == PART2_NOTICE

    referral_email_task(organization_id=in_org.pk, referral_id=referral.pk)
    drain_outbox()
    [message] = mail.outbox
    assert message.to == [listing.email]
    assert "42 CFR part 2" in message.body
    assert "/referral-response/" in message.body

    steps = [
        (ReferralStatus.RECEIVED, ""),
        (ReferralStatus.ACCEPTED, ""),
        (ReferralStatus.ON_HOLD, "Client in hospital"),
        (ReferralStatus.IN_PROGRESS, ""),
        (ReferralStatus.COMPLETED, ""),
    ]
    for to_status, reason in steps:
        referral = services.referral_set_status(
            actor=actor, referral=referral, to_status=to_status, reason=reason
        )
    assert referral.status == ReferralStatus.COMPLETED and referral.accepted_at is not None
    assert [c.to_status for c in referral.changes.all()] == [
        "draft",
        "requested",
        "received",
        "accepted",
        "on_hold",
        "in_progress",
        "completed",
    ]
    assert referral.changes.get(to_status="on_hold").reason == "Client in hospital"
    with pytest.raises(Exception, match="cannot become"):
        services.referral_set_status(
            actor=actor, referral=referral, to_status=ReferralStatus.ACCEPTED
        )


@pytest.mark.parametrize(
    "end", [ReferralStatus.REJECTED, ReferralStatus.CANCELLED, ReferralStatus.FAILED]
)
def test_ending_statuses_need_a_reason(in_org, admin_user, end):
    referral = ReferralFactory(organization=in_org)
    with pytest.raises(Exception, match="reason"):
        services.referral_set_status(actor=admin_user, referral=referral, to_status=end)
    referral = services.referral_set_status(
        actor=admin_user, referral=referral, to_status=end, reason="No beds"
    )
    assert referral.status == end and not referral.is_open


def _respond_url(org, token):
    return reverse("public:referral_respond", kwargs={"org": org.slug, "response_token": token})


def test_provider_accepts_then_schedules_through_the_link(client, org, in_org):
    referral = ReferralFactory(organization=in_org)
    token = services.referral_link_token(referral)
    response = client.post(_respond_url(org, token), {"action": "accept"})
    assert "now <strong>accepted" in response.content.decode()
    response = client.post(
        _respond_url(org, token), {"action": "scheduled", "scheduled_for": "2030-01-05"}
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.IN_PROGRESS
    assert str(referral.scheduled_for) == "2030-01-05"
    assert referral.changes.last().changed_by_label.startswith("Receiving provider")


def test_declining_needs_a_reason(client, org, in_org):
    referral = ReferralFactory(organization=in_org)
    response = client.post(
        _respond_url(org, services.referral_link_token(referral)), {"action": "decline"}
    )
    assert "tell us why" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED


def test_reused_link_is_refused(client, org, in_org):
    referral = ReferralFactory(organization=in_org)
    token = services.referral_link_token(referral)
    client.post(_respond_url(org, token), {"action": "accept"})
    response = client.post(_respond_url(org, token), {"action": "accept"})
    assert response.status_code == 403
    assert "already been used" in response.content.decode()
    assert referral.changes.filter(to_status="accepted").count() == 1


def test_tampered_link_is_refused(client, org, in_org):
    token = services.referral_link_token(ReferralFactory(organization=in_org))
    response = client.get(_respond_url(org, token[:-2] + "xx"))
    assert response.status_code == 403
    assert "not valid" in response.content.decode()


def test_expired_link_is_refused(client, org, in_org):
    referral = ReferralFactory(organization=in_org)
    with time_machine.travel(timezone.now() - timedelta(days=15)):
        token = services.referral_link_token(referral)
    response = client.post(_respond_url(org, token), {"action": "accept"})
    assert response.status_code == 403
    assert "expired" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED


def test_link_for_another_organization_is_refused(client, org, other_org):
    from django_scopes import scope

    with scope(organization=other_org.pk):
        token = services.referral_link_token(ReferralFactory(organization=other_org))
    assert client.get(_respond_url(org, token)).status_code == 403


def test_stale_referrals_raise_one_task(in_org):
    referral = ReferralFactory(organization=in_org)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        services.referral_scan_stale(organization=in_org)
        services.referral_scan_stale(organization=in_org)
    [task] = Task.objects.all()
    assert "requested for over 3 days" in task.title
    assert referral.listing.name in task.title


def test_family_request_from_public_page(client, org, in_org):
    listing = ListingFactory(organization=in_org, name="Miami Sober Coach")
    url = reverse(
        "public:listing_public", kwargs={"org": org.slug, "listing_id": listing.public_id}
    )
    response = client.post(url, {"requester_name": "", "note": "help"})
    assert (
        "Tell us your name" in response.content.decode()
        or "This field is required" in response.content.decode()
    )
    assert not Referral.objects.exists()
    response = client.post(
        url, {"requester_name": "Ana", "requester_phone": "305-555-0100", "requester_zip": "33139"}
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.DRAFT and referral.requester_name == "Ana"


def test_staff_referral_page_refuses_without_consent(client, org, in_org, admin_user):
    listing = ListingFactory(organization=in_org, name="Bayside Outpatient Clinic")
    patient = ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    client.force_login(admin_user)
    url = reverse("staff:referral_new", kwargs={"org": org.slug, "client_id": patient.public_id})
    response = client.post(
        url, {"listing": str(listing.public_id), "includes_client_information": "on"}
    )
    assert response.status_code == 200
    assert "signed 42 CFR Part 2 consent" in response.content.decode()
    assert not Referral.objects.exists()
    ConsentFactory(client=patient, information_categories=["contact", "appointments"])
    response = client.post(
        url, {"listing": str(listing.public_id), "includes_client_information": "on"}
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and referral.status == ReferralStatus.REQUESTED


def test_reports_show_completion_rate(client, org, in_org, admin_user):
    listing = ListingFactory(organization=in_org, name="Rate Clinic")
    ReferralFactory(organization=in_org, listing=listing, status=ReferralStatus.COMPLETED)
    ReferralFactory(organization=in_org, listing=listing, status=ReferralStatus.REQUESTED)
    client.force_login(admin_user)
    body = client.get(reverse("staff:referral_reports", kwargs={"org": org.slug})).content.decode()
    assert "Rate Clinic" in body and "50%" in body


def test_status_changes_appear_on_the_client_timeline(in_org, admin_user):
    from continuum.care.timeline import client_timeline

    patient = ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    referral = ReferralFactory(organization=in_org, client=patient)
    services.referral_set_status(
        actor=admin_user, referral=referral, to_status=ReferralStatus.ACCEPTED
    )
    page = client_timeline(client=patient, organization=in_org)
    titles = (
        [e.title for e in page.entries] if hasattr(page, "entries") else [e.title for e in page]
    )
    assert f"Referral to {referral.listing.name}: Accepted" in titles
