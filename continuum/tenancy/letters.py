"""The invitation e-mail, a letter of the outbox (`notifications.kinds.register_letter`):
worded at delivery, and not sent once the invitation is no longer pending."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from continuum.fields import decrypt
from continuum.notifications.kinds import Letter, LetterWithdrawn

from .models import Invitation, Role

INVITATION = "invitation"


def invitation(notification) -> Letter:
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(pk=notification.context["invitation_id"])
        .first()
    )
    if invitation is None or invitation.status != "pending":
        raise LetterWithdrawn("the invitation is no longer pending")
    organization = invitation.organization
    token = decrypt(notification.context["token"])
    url = settings.SITE_URL.rstrip("/") + reverse(
        "public:invitation_accept", kwargs={"org": organization.slug, "token": token}
    )
    context = {
        "organization": organization,
        "invitation": invitation,
        "url": url,
        "roles": [Role(r).label for r in invitation.roles],
        "inviter": invitation.invited_by,
    }
    return Letter(
        subject=f"You are invited to join {organization.name} on Continuum",
        text=render_to_string("tenancy/email/invitation.txt", context),
        html=render_to_string("tenancy/email/invitation.html", context),
    )
