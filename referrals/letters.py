"""The directory's letters: e-mails to a listing's contact, sent through the outbox
(`continuum.notifications.services.letter_send`) and worded here at delivery, from the
ids in the row, so a task delivered twice sends one e-mail and the row keeps no copy of
the packet."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from continuum.consent.services import PART2_NOTICE
from continuum.notifications.kinds import Letter, LetterWithdrawn

from .models import Listing, Referral
from .services import capacity_token, referral_link_token

REFERRAL_PACKET = "referral_packet"
LISTING_CAPACITY = "listing_capacity"


def _link(name: str, organization, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"org": organization.slug, **kwargs})


def _current(queryset, pk: int, *, nonce, why: str):
    """The row the letter is for, while its link is the one the letter was sent for."""
    row = queryset.select_related("organization").filter(pk=pk).first()
    if row is None or not nonce(row):
        raise LetterWithdrawn(why)
    return row


def referral_packet(notification) -> Letter:
    """The referral packet and the response link."""
    referral = _current(
        Referral.objects.select_related("listing", "client"),
        notification.context["referral_id"],
        nonce=lambda r: r.link_nonce == notification.context["nonce"],
        why="the referral was sent again with a new link",
    )
    org = referral.organization
    link = _link("public:referral_respond", org, response_token=referral_link_token(referral))
    context = {"referral": referral, "organization": org, "link": link, "notice": PART2_NOTICE}
    return Letter(
        subject=f"Referral from {org.name}",
        text=render_to_string("referrals/email_referral.txt", context),
        html=render_to_string("referrals/packet_body.html", context),
    )


def listing_capacity(notification) -> Letter:
    """The openings link. A link replaced since is not sent."""
    listing = _current(
        Listing.objects.all(),
        notification.context["listing_id"],
        nonce=lambda listing: listing.capacity_link_nonce == notification.context["nonce"],
        why="a newer openings link replaced this one",
    )
    org = listing.organization
    link = _link("public:listing_capacity", org, capacity_token=capacity_token(listing))
    context = {"listing": listing, "organization": org, "link": link}
    return Letter(
        subject=f"Your openings, for {org.name}'s referrals",
        text=render_to_string("referrals/email_capacity.txt", context),
    )
