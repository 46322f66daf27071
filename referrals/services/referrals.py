"""Referrals: a family's request, drafted, sent with its disclosure, moved through their statuses, and followed up when they wait too long."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import SYSTEM_ACTOR, audit_change, audit_record, client_id_of
from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.services import consent_require, disclosure_record

from ..models import (
    ALLOWED_TRANSITIONS,
    STALE_AFTER_DAYS,
    Listing,
    Referral,
    ReferralSource,
    ReferralStatus,
    ReferralStatusChange,
)


def _change(
    referral: Referral, *, to_status: str, actor=None, label: str = "", reason: str = ""
) -> None:
    from_status = referral.status
    now = timezone.now()
    referral.status, referral.status_changed_at = to_status, now
    fields = ["status", "status_changed_at"]
    if to_status == ReferralStatus.ACCEPTED and referral.accepted_at is None:
        referral.accepted_at = now
        fields.append("accepted_at")
    if to_status == ReferralStatus.COMPLETED:
        referral.completed_at = now
        fields.append("completed_at")
    if referral.pk:
        referral.save(update_fields=fields)
    ReferralStatusChange.objects.create(
        organization_id=referral.organization_id,
        referral=referral,
        from_status=from_status if from_status != to_status else "",
        to_status=to_status,
        reason=reason,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        changed_by_label=label,
    )


@transaction.atomic
def referral_request_family(
    *,
    organization,
    listing: Listing,
    requester_name: str,
    requester_email: str = "",
    requester_phone: str = "",
    requester_zip: str = "",
    note: str = "",
    actor=None,
) -> Referral:
    """A family member asks to be put in touch with a listing. Staff review it before
    anything is sent, so it starts as a draft."""
    errors = {}
    if not requester_name.strip():
        errors["requester_name"] = _("Tell us your name.")
    if not requester_email.strip() and not requester_phone.strip():
        errors["requester_email"] = _(
            "Give an e-mail address or a phone number so we can reach you."
        )
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        organization=organization,
        listing=listing,
        source=ReferralSource.FAMILY,
        status=ReferralStatus.DRAFT,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        requester_name=requester_name.strip()[:200],
        requester_email=requester_email.strip(),
        requester_phone=requester_phone.strip()[:40],
        requester_zip=requester_zip.strip()[:10],
        note=note.strip(),
    )
    referral.full_clean(exclude=["client", "consent", "listing"])
    referral.save()
    _change(
        referral,
        to_status=ReferralStatus.DRAFT,
        actor=actor,
        label="" if actor else "Family request",
    )
    audit_record(
        actor=actor,
        actor_email="" if getattr(actor, "is_authenticated", False) else "public",
        organization=organization,
        action="referral.requested_by_family",
        obj=referral,
    )
    from ..tasks import referral_alert_staff_task

    transaction.on_commit(
        lambda: referral_alert_staff_task.delay(
            organization_id=organization.pk, referral_id=referral.pk
        )
    )
    return referral


@transaction.atomic
def referral_create(
    *,
    actor,
    organization,
    client,
    listing: Listing,
    note: str = "",
    includes_client_information: bool = True,
    send: bool = True,
) -> Referral:
    """Staff refer a client to a listing. Sending it passes the consent gate."""
    if client is None and note.strip():
        raise ValidationError(
            {
                "note": "A referral that names no client goes without a note: the provider "
                "would read it with no consent behind it. Choose the client to refer, or "
                "leave the note empty."
            }
        )
    referral = Referral.objects.create(
        organization=organization,
        listing=listing,
        client=client,
        source=ReferralSource.STAFF,
        created_by=actor,
        note=note.strip(),
        includes_client_information=includes_client_information,
    )
    _change(referral, to_status=ReferralStatus.DRAFT, actor=actor)
    audit_change(
        actor, organization, "referral.created", referral, client.public_id if client else None
    )
    if send:
        referral = referral_send(actor=actor, referral=referral)
    return referral


def _packet_description(referral: Referral) -> str:
    parts = ["that the client is referred"]
    if referral.includes_client_information:
        parts.append("name and contact details")
    if referral.note:
        parts.append("the referral note")
    return f"Referral packet to {referral.listing.name}: {', '.join(parts)}."


def referral_packet_information(referral: Referral) -> list[str]:
    """The consent categories a referral about a client discloses. The referral itself
    tells the provider that this person is being referred for care, and the free-text
    note can say anything about them, so both need consent whatever boxes are ticked."""
    categories = [InformationCategory.APPOINTMENTS]
    if referral.includes_client_information:
        categories.append(InformationCategory.CONTACT)
    return categories


@transaction.atomic
def referral_send(*, actor, referral: Referral) -> Referral:
    """Send the referral to the listing's contact. A referral about a client is a
    disclosure to someone outside the organization: it needs a consent naming the
    listing, and it is accounted with the 42 CFR 2.32 notice. A referral that names no
    client (a family's request) goes without its free-text note."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("listing", "client")
        .get(pk=referral.pk)
    )
    if referral.status != ReferralStatus.DRAFT:
        raise ValidationError({"status": "Only a draft referral can be sent."})
    if not referral.listing.email:
        raise ValidationError(
            {"listing": f"{referral.listing.name} has no e-mail address to send the referral to."}
        )
    if referral.client_id:
        consent = consent_require(
            organization=referral.organization,
            client=referral.client,
            recipient_kind=RecipientKind.NAMED_ORGANIZATION,
            recipient_name=referral.listing.name,
            purpose=Purpose.CARE_COORDINATION,
            information=referral_packet_information(referral),
        )
        disclosure_record(
            actor=actor,
            consent=consent,
            recipient=referral.listing.name,
            description=_packet_description(referral),
            purpose=Purpose.CARE_COORDINATION,
        )
        referral.consent = consent
    referral.sent_at = timezone.now()
    referral.link_nonce = secrets.token_hex(8)
    referral.save(update_fields=["consent", "sent_at", "link_nonce"])
    _change(referral, to_status=ReferralStatus.REQUESTED, actor=actor)
    audit_change(actor, referral.organization, "referral.sent", referral, client_id_of(referral))
    from ..tasks import referral_email_task

    transaction.on_commit(
        lambda: referral_email_task.delay(
            organization_id=referral.organization_id, referral_id=referral.pk
        )
    )
    return referral


@transaction.atomic
def referral_set_status(
    *, actor, referral: Referral, to_status: str, reason: str = "", label: str = ""
) -> Referral:
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=referral.pk)
    )
    if to_status not in ReferralStatus.values:
        raise ValidationError({"to_status": "Choose a status."})
    if to_status == ReferralStatus.REQUESTED and referral.status == ReferralStatus.DRAFT:
        return referral_send(actor=actor, referral=referral)
    if to_status not in ALLOWED_TRANSITIONS.get(referral.status, ()):
        raise ValidationError(
            {
                "to_status": f"A {referral.status_label().lower()} referral cannot become "
                f"{ReferralStatus(to_status).label.lower()}."
            }
        )
    if (
        to_status
        in {
            ReferralStatus.REJECTED,
            ReferralStatus.CANCELLED,
            ReferralStatus.FAILED,
            ReferralStatus.ON_HOLD,
        }
        and not reason.strip()
    ):
        raise ValidationError({"reason": "Give a reason for this change."})
    _change(referral, to_status=to_status, actor=actor, label=label, reason=reason.strip())
    audit_record(
        actor=actor,
        actor_email=""
        if getattr(actor, "is_authenticated", False)
        else (label or SYSTEM_ACTOR)[:254],
        organization=referral.organization,
        action="referral.status_changed",
        obj=referral,
        client_id=client_id_of(referral),
        detail={"to": to_status},
    )
    return referral


def referral_scan_stale(*, organization, now=None) -> int:
    """Create one follow-up task per referral per status it has sat in too long."""
    from continuum.care.services import task_create
    from continuum.tenancy.models import Role

    now = now or timezone.now()
    created = 0
    for status, days in STALE_AFTER_DAYS.items():
        stale = Referral.objects.filter(
            organization=organization,
            status=status,
            status_changed_at__lte=now - timedelta(days=days),
        ).select_related("listing", "client", "created_by")
        for referral in stale:
            key = (
                f"referral:{referral.public_id}:{status}:{referral.status_changed_at:%Y%m%d%H%M%S}"
            )
            task = task_create(
                actor=None,
                organization=organization,
                title=f"Follow up: referral to {referral.listing.name} is {referral.status_label().lower()} "
                f"for over {days} days",
                queue_role=Role.INTAKE_COORDINATOR,
                client=referral.client,
                due_at=now + timedelta(days=1),
                source="referrals.stale_scan",
                dedup_key=key,
            )
            created += task.created_at >= now
    return created
