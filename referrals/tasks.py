"""Celery tasks: thin, idempotent, take ids."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from continuum.consent.services import PART2_NOTICE
from continuum.tenancy.tasks import TenantTask, beat_fan_out

from .models import Listing, Referral
from .services import capacity_token, import_job_run, referral_link_token, referral_scan_stale


@shared_task(name="referrals.import_job_run", base=TenantTask, bind=True, max_retries=3)
def import_job_run_task(self, *, organization, job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@shared_task(
    name="referrals.referral_email",
    base=TenantTask,
    bind=True,
    max_retries=5,
    default_retry_delay=60,
)
def referral_email_task(self, *, organization, referral_id: int) -> None:
    """E-mail the referral packet and the response link to the listing's contact."""
    referral = Referral.objects.select_related("listing", "client", "organization").get(
        pk=referral_id
    )
    if not referral.link_nonce or not referral.listing.email:
        return
    org = referral.organization
    link = settings.SITE_URL + reverse(
        "public:referral_respond",
        kwargs={"org": org.slug, "response_token": referral_link_token(referral)},
    )
    context = {"referral": referral, "organization": org, "link": link, "notice": PART2_NOTICE}
    try:
        send_mail(
            subject=f"Referral from {org.name}",
            message=render_to_string("referrals/email_referral.txt", context),
            from_email=None,
            recipient_list=[referral.listing.email],
            html_message=render_to_string("referrals/packet_body.html", context),
        )
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(
    name="referrals.listing_capacity_email",
    base=TenantTask,
    bind=True,
    max_retries=5,
    default_retry_delay=60,
)
def listing_capacity_email_task(self, *, organization, listing_id: int, nonce: str) -> None:
    """E-mail the openings link to the listing. A link replaced since is not sent."""
    listing = Listing.objects.select_related("organization").get(pk=listing_id)
    if listing.capacity_link_nonce != nonce or not listing.email:
        return
    org = listing.organization
    link = settings.SITE_URL + reverse(
        "public:listing_capacity",
        kwargs={"org": org.slug, "capacity_token": capacity_token(listing)},
    )
    context = {"listing": listing, "organization": org, "link": link}
    try:
        send_mail(
            subject=f"Your openings, for {org.name}'s referrals",
            message=render_to_string("referrals/email_capacity.txt", context),
            from_email=None,
            recipient_list=[listing.email],
        )
    except OSError as exc:
        raise self.retry(exc=exc) from exc


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
