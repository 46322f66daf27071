"""Openings: the provider's capacity link, what it reports, and the directory's settings."""

import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import audit_change

from ..models import (
    Listing,
)
from .responses import LinkRefused, _signed_link_data

CAPACITY_SALT = "referrals.capacity"


CAPACITY_LINK_MAX_AGE = getattr(settings, "DIRECTORY_CAPACITY_LINK_MAX_AGE", 60 * 24 * 3600)


CAPACITY_LABEL = "Provider (openings link)"


CAPACITY_STATES = ("accepting", "waitlist", "not_accepting")


def capacity_token(listing: Listing) -> str:
    """The openings link's token for the listing's current nonce (a fresh signature of
    the same link: every one is valid until the nonce is rotated or it expires)."""
    return signing.dumps(
        {
            "o": listing.organization_id,
            "l": str(listing.public_id),
            "n": listing.capacity_link_nonce,
        },
        salt=CAPACITY_SALT,
    )


@transaction.atomic
def listing_capacity_link(*, actor, listing: Listing, send: bool = False) -> str:
    """A signed, expiring link for the listing's provider to tell us their openings.
    Issuing one invalidates the links issued before; `send` e-mails it to the listing."""
    if send and not listing.email:
        raise ValidationError(
            {"email": f"{listing.name} has no e-mail address: add one, or copy the link."}
        )
    listing.capacity_link_nonce = secrets.token_hex(8)
    listing.save(update_fields=["capacity_link_nonce"])
    audit_change(
        actor,
        listing.organization,
        "listing.capacity_link_issued",
        listing,
        detail={"sent_to_listing": send},
    )
    if send:
        from ..tasks import listing_capacity_email_task

        transaction.on_commit(
            lambda: listing_capacity_email_task.delay(
                organization_id=listing.organization_id,
                listing_id=listing.pk,
                nonce=listing.capacity_link_nonce,
            )
        )
    return capacity_token(listing)


def listing_from_capacity_token(*, organization, token: str) -> Listing:
    data = _signed_link_data(
        token,
        salt=CAPACITY_SALT,
        max_age=CAPACITY_LINK_MAX_AGE,
        expired=_("This link has expired. Ask %(organization)s for a new one.")
        % {"organization": organization.name},
        invalid=_("This link is not valid. Please use the link exactly as you received it."),
    )
    listing = (
        Listing.objects.filter(
            organization=organization, public_id=data.get("l"), capacity_link_nonce=data.get("n")
        )
        .exclude(capacity_link_nonce="")
        .first()
    )
    if listing is None or data.get("o") != organization.pk:
        raise LinkRefused(
            _(
                "This link has been replaced by a newer one. Use the latest link from %(organization)s."
            )
            % {"organization": organization.name}
        )
    return listing


@transaction.atomic
def listing_capacity_update(
    *, organization, token: str, state: str, waitlist_weeks: int | None = None
) -> Listing:
    """The provider says whether they take new clients now, after a wait, or not."""
    listing = listing_from_capacity_token(organization=organization, token=token)
    if state not in CAPACITY_STATES:
        raise ValidationError({"state": _("Choose whether you are taking new clients.")})
    if state == "waitlist" and not (waitlist_weeks and 1 <= waitlist_weeks <= 52):
        raise ValidationError({"waitlist_weeks": _("Give the wait in weeks, from 1 to 52.")})
    listing.accepting_new_clients = state != "not_accepting"
    listing.waitlist_weeks = waitlist_weeks if state == "waitlist" else None
    listing.capacity_updated_at = timezone.now()
    listing.save(update_fields=["accepting_new_clients", "waitlist_weeks", "capacity_updated_at"])
    audit_change(
        CAPACITY_LABEL,
        organization,
        "listing.capacity_updated",
        listing,
        detail={"state": state, "waitlist_weeks": listing.waitlist_weeks},
    )
    return listing


@transaction.atomic
def directory_settings_update(*, actor, organization, capacity_fresh_days: int):
    from ..models import DirectorySettings

    if not 1 <= int(capacity_fresh_days) <= 365:
        raise ValidationError({"capacity_fresh_days": "Give a number of days from 1 to 365."})
    row, _created = DirectorySettings.objects.update_or_create(
        organization=organization, defaults={"capacity_fresh_days": capacity_fresh_days}
    )
    audit_change(
        actor,
        organization,
        "directory.settings_updated",
        row,
        detail={"capacity_fresh_days": capacity_fresh_days},
    )
    return row
