"""The receiving provider's response link: signed, expiring, and what the provider may do with it."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import (
    ALLOWED_TRANSITIONS,
    ProviderAction,
    ProviderResponse,
    Referral,
    ReferralStatus,
)
from .referrals import referral_set_status

LINK_SALT = "referrals.provider-response"


LINK_MAX_AGE = getattr(settings, "REFERRAL_LINK_MAX_AGE", 14 * 24 * 3600)


PROVIDER_LABEL = "Receiving provider (response link)"


class LinkRefused(Exception):
    """The response link cannot be used; the message is shown to the provider."""


def _signed_link_data(token: str, *, salt: str, max_age: int, expired: str, invalid: str):
    """What a link sent to a provider carries, or `LinkRefused` with the message for a
    link past its age (`expired`) or one altered or cut short (`invalid`)."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkRefused(expired) from None
    except signing.BadSignature:
        raise LinkRefused(invalid) from None


def referral_link_token(referral: Referral) -> str:
    return signing.dumps(
        {"o": referral.organization_id, "r": str(referral.public_id), "n": referral.link_nonce},
        salt=LINK_SALT,
    )


def referral_from_token(*, organization, token: str) -> Referral:
    data = _signed_link_data(
        token,
        salt=LINK_SALT,
        max_age=LINK_MAX_AGE,
        expired=_("This link has expired. Please contact the referring organization."),
        invalid=_("This link is not valid. Please use the link from the e-mail as sent."),
    )
    referral = (
        Referral.objects.filter(
            organization=organization, public_id=data.get("r"), link_nonce=data.get("n")
        )
        .exclude(link_nonce="")
        .select_related("listing")
        .first()
    )
    if referral is None or data.get("o") != organization.pk:
        raise LinkRefused(
            _("This link is no longer valid. Please contact the referring organization.")
        )
    return referral


PROVIDER_TRANSITIONS = {
    ProviderAction.ACCEPT: ReferralStatus.ACCEPTED,
    ProviderAction.DECLINE: ReferralStatus.REJECTED,
    ProviderAction.SCHEDULED: ReferralStatus.IN_PROGRESS,
    ProviderAction.COMPLETED: ReferralStatus.COMPLETED,
}


@transaction.atomic
def referral_provider_respond(
    *, organization, token: str, action: str, reason: str = "", scheduled_for=None
) -> Referral:
    referral = referral_from_token(organization=organization, token=token)
    if action not in PROVIDER_TRANSITIONS:
        raise ValidationError({"action": "Choose what to tell us."})
    if ProviderResponse.objects.filter(
        referral=referral, link_nonce=referral.link_nonce, action=action
    ).exists():
        raise LinkRefused(_("This link has already been used for that answer. Thank you."))
    if action == ProviderAction.DECLINE and not reason.strip():
        raise ValidationError({"reason": _("Please tell us why you cannot take this referral.")})
    if action == ProviderAction.SCHEDULED and scheduled_for is None:
        raise ValidationError({"scheduled_for": _("Give the date of the first appointment.")})
    to_status = PROVIDER_TRANSITIONS[action]
    # A provider who schedules or completes without accepting first has accepted.
    if to_status in {ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED} and referral.status in {
        ReferralStatus.REQUESTED,
        ReferralStatus.RECEIVED,
    }:
        referral = referral_set_status(
            actor=None, referral=referral, to_status=ReferralStatus.ACCEPTED, label=PROVIDER_LABEL
        )
    if to_status not in ALLOWED_TRANSITIONS.get(referral.status, ()):
        raise LinkRefused(
            _("This referral is %(status)s; it can no longer be changed here.")
            % {"status": referral.status_label().lower()}
        )
    if scheduled_for is not None:
        referral.scheduled_for = scheduled_for
        referral.save(update_fields=["scheduled_for"])
        reason = reason or f"First appointment on {scheduled_for:%Y-%m-%d}"
    referral = referral_set_status(
        actor=None, referral=referral, to_status=to_status, reason=reason, label=PROVIDER_LABEL
    )
    try:
        with transaction.atomic():
            ProviderResponse.objects.create(
                organization=organization,
                referral=referral,
                link_nonce=referral.link_nonce,
                action=action,
            )
    except IntegrityError:
        raise LinkRefused(
            _("This link has already been used for that answer. Thank you.")
        ) from None
    return referral
