"""Celery tasks: thin, idempotent, take ids."""

from celery import shared_task

from continuum.notifications.services import letter_send
from continuum.tenancy.tasks import TenantTask, beat_fan_out

from . import letters
from .models import Listing, Referral
from .services import import_job_run, referral_scan_stale


@shared_task(name="referrals.import_job_run", base=TenantTask, bind=True, max_retries=3)
def import_job_run_task(self, *, organization, job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@shared_task(name="referrals.referral_email", base=TenantTask, ignore_result=True)
def referral_email_task(*, organization, referral_id: int) -> None:
    """E-mail the referral packet and the response link to the listing's contact, once
    per link however often the task runs: the outbox's key is the link's nonce."""
    referral = Referral.objects.select_related("listing").get(pk=referral_id)
    if not referral.link_nonce or not referral.listing.email:
        return
    letter_send(
        organization=organization,
        to_address=referral.listing.email,
        kind=letters.REFERRAL_PACKET,
        context={"referral_id": referral.pk, "nonce": referral.link_nonce},
        dedup_key=f"referral:{referral.public_id}:packet:{referral.link_nonce}",
    )


@shared_task(name="referrals.listing_capacity_email", base=TenantTask, ignore_result=True)
def listing_capacity_email_task(*, organization, listing_id: int, nonce: str) -> None:
    """E-mail the openings link to the listing, once per link. A link replaced since is
    not sent."""
    listing = Listing.objects.get(pk=listing_id)
    if listing.capacity_link_nonce != nonce or not listing.email:
        return
    letter_send(
        organization=organization,
        to_address=listing.email,
        kind=letters.LISTING_CAPACITY,
        context={"listing_id": listing.pk, "nonce": nonce},
        dedup_key=f"listing:{listing.public_id}:capacity:{nonce}",
    )


@shared_task(name="referrals.referral_alert_staff", base=TenantTask, bind=True, max_retries=3)
def referral_alert_staff_task(self, *, organization, referral_id: int) -> None:
    """A family asked to be put in touch: intake reviews drafts on the referrals page."""
    from continuum.care.services import task_create
    from continuum.tenancy.models import Role

    referral = Referral.objects.select_related("listing", "organization").get(pk=referral_id)
    task_create(
        actor=None,
        organization=referral.organization,
        title=f"Family request: put in touch with {referral.listing.name}",
        queue_role=Role.INTAKE_COORDINATOR,
        source="referrals.family_request",
        dedup_key=f"referral:{referral.public_id}:family_request",
    )


@shared_task(name="referrals.scan_stale_organization", base=TenantTask, ignore_result=True)
def referral_scan_stale_organization(*, organization) -> int:
    return referral_scan_stale(organization=organization)


referral_scan_stale_all = beat_fan_out(
    referral_scan_stale_organization,
    name="referrals.scan_stale",
    reason="beat scan of every organization's referrals",
)
