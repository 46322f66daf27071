"""Capacity in the closed loop: a provider's signed, expiring openings link; openings age
out after the organization's number of days."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Role
from referrals.models import DirectorySettings, Listing
from referrals.services import listing_capacity_link
from tests.outbox import drain_outbox
from tests.referrals.factories import ListingFactory

NOW = timezone.make_aware(timezone.datetime(2026, 11, 20, 12, 0))


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def listing(in_org):
    return ListingFactory(
        organization=in_org, name="Doral Detox", kind="detox", accepting_new_clients=None
    )


@pytest.fixture
def token(listing, admin_user):
    return listing_capacity_link(actor=admin_user, listing=listing)


@time_machine.travel(NOW, tick=False)
def test_provider_reports_a_waiting_list_through_the_link(client, org, listing, token):
    page = url("public:listing_capacity", org, capacity_token=token)
    body = client.get(page).content.decode()
    assert "Openings at Doral Detox" in body and "Not known: call to ask" in body
    response = client.post(page, {"state": "waitlist", "waitlist_weeks": "3"})
    assert response.status_code == 200
    assert "Waiting list of about 3 weeks" in response.content.decode()
    with scope(organization=org.pk):
        listing.refresh_from_db()
        assert (listing.accepting_new_clients, listing.waitlist_weeks) == (True, 3)
        assert listing.capacity_updated_at == NOW
        assert AuditEvent.objects.filter(action="listing.capacity_updated").exists()
    # The detail page a family sees says it, with the date.
    detail = client.get(url("public:listing_public", org, listing_id=listing.public_id))
    assert "Waiting list of about 3 weeks" in detail.content.decode()


def test_a_waitlist_without_weeks_is_refused_and_nothing_changes(client, org, listing, token):
    response = client.post(
        url("public:listing_capacity", org, capacity_token=token), {"state": "waitlist"}
    )
    assert response.status_code == 400
    assert "Give the wait in weeks, from 1 to 52." in response.content.decode()
    with scope(organization=org.pk):
        assert Listing.objects.get(pk=listing.pk).capacity_updated_at is None


def test_tampered_replaced_expired_and_other_organizations_links_are_refused(
    client, org, other_org, listing, token, admin_user, settings
):
    assert (
        client.get(url("public:listing_capacity", org, capacity_token=token + "x")).status_code
        == 403
    )
    # Another organization's address with this organization's link: refused too.
    assert (
        client.get(url("public:listing_capacity", other_org, capacity_token=token)).status_code
        == 403
    )
    with scope(organization=org.pk):
        newer = listing_capacity_link(actor=admin_user, listing=listing)
    replaced = client.get(url("public:listing_capacity", org, capacity_token=token))
    assert replaced.status_code == 403 and "newer one" in replaced.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=61)):
        expired = client.get(url("public:listing_capacity", org, capacity_token=newer))
    assert (
        expired.status_code == 403
        and "Ask Harbor Recovery for a new one" in expired.content.decode()
    )


@time_machine.travel(NOW, tick=False)
def test_reported_openings_age_out_after_the_organizations_days(
    client, org, in_org, listing, admin_user
):
    with scope(organization=org.pk):
        Listing.objects.filter(pk=listing.pk).update(
            accepting_new_clients=True, capacity_updated_at=NOW - timedelta(days=20)
        )
    detail = url("public:listing_public", org, listing_id=listing.public_id)
    assert "Not known: call to ask" not in client.get(detail).content.decode()
    client.force_login(admin_user)
    response = client.post(url("staff:directory_settings", org), {"capacity_fresh_days": "14"})
    assert response.status_code == 302
    with scope(organization=org.pk):
        assert DirectorySettings.objects.get().capacity_fresh_days == 14
    client.logout()
    assert "Not known: call to ask" in client.get(detail).content.decode()


def test_settings_refuse_bad_input_other_roles_and_outsiders(client, org, members, outsider):
    page = url("staff:directory_settings", org)
    assert "/accounts/login/" in client.get(page)["Location"]
    client.force_login(members[Role.ORG_ADMIN])
    response = client.post(page, {"capacity_fresh_days": "0"})
    assert response.status_code == 400 and response.context["form"].errors["capacity_fresh_days"]
    with scope(organization=org.pk):
        assert not DirectorySettings.objects.exists()
    client.force_login(members[Role.CASE_MANAGER])
    assert client.get(page).status_code == 403
    client.force_login(outsider)
    assert client.get(page).status_code == 404


def test_admin_creates_the_link_others_cannot(client, org, listing, members, outsider):
    page = url("staff:listing_capacity_link", org, listing_id=listing.public_id)
    client.force_login(members[Role.ORG_ADMIN])
    response = client.post(page)
    body = response.content.decode()
    assert response.status_code == 200 and "/harbor/openings/" in body
    assert client.get(page).status_code == 405
    client.force_login(members[Role.CASE_MANAGER])
    assert client.post(page).status_code == 403
    client.force_login(outsider)
    assert client.post(page).status_code == 404
    client.logout()
    assert "/accounts/login/" in client.post(page)["Location"]


def test_the_link_is_e_mailed_to_the_provider_once_committed(
    client, org, listing, members, mailoutbox, django_capture_on_commit_callbacks
):
    from referrals.tasks import listing_capacity_email_task

    client.force_login(members[Role.ORG_ADMIN])
    page = url("staff:listing_capacity_link_send", org, listing_id=listing.public_id)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page)
    assert "on its way to intake@provider.example.com" in response.content.decode()
    assert len(callbacks) == 1
    with scope(organization=org.pk):
        listing.refresh_from_db()
        nonce = listing.capacity_link_nonce
    listing_capacity_email_task.apply(
        kwargs={"organization_id": org.pk, "listing_id": listing.pk, "nonce": nonce}
    )
    drain_outbox()
    [mail] = mailoutbox
    assert mail.to == ["intake@provider.example.com"]
    link = next(line for line in mail.body.splitlines() if "/openings/" in line)
    path = "/" + link.strip().split("://", 1)[1].split("/", 1)[1]
    assert "Openings at Doral Detox" in client.get(path).content.decode()
    # A link replaced before the worker ran is not sent.
    listing_capacity_email_task.apply(
        kwargs={"organization_id": org.pk, "listing_id": listing.pk, "nonce": "old"}
    )
    # And the same message delivered again (a worker died before acking) sends nothing.
    listing_capacity_email_task.apply(
        kwargs={"organization_id": org.pk, "listing_id": listing.pk, "nonce": nonce}
    )
    drain_outbox()
    assert len(mailoutbox) == 1


def test_e_mailing_needs_an_address_and_says_where_to_add_it(client, org, in_org, members):
    no_mail = ListingFactory(organization=in_org, name="No Mail House", email="")
    client.force_login(members[Role.ORG_ADMIN])
    response = client.post(
        url("staff:listing_capacity_link_send", org, listing_id=no_mail.public_id),
        follow=True,
    )
    assert "No Mail House has no e-mail address: add one, or copy the link." in (
        response.content.decode()
    )
    with scope(organization=org.pk):
        assert Listing.objects.get(pk=no_mail.pk).capacity_link_nonce == ""


def test_the_api_gives_the_capacity_as_pages_show_it(client, org, listing, token, members):
    client.post(
        url("public:listing_capacity", org, capacity_token=token),
        {"state": "waitlist", "waitlist_weeks": "2"},
    )
    client.force_login(members[Role.CASE_MANAGER])
    detail = client.get(
        reverse("api:listing_detail", kwargs={"org": org.slug, "listing_id": listing.public_id})
    ).json()
    assert (detail["capacity"], detail["waitlist_weeks"]) == ("waitlist", 2)
    assert detail["capacity_updated_at"]
