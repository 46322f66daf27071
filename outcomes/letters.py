"""The follow-up survey e-mail, a letter of the outbox: worded at delivery in the
client's language, with a freshly signed link, and not sent once the follow-up has been
answered, cancelled or closed."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from continuum.notifications.kinds import Letter, LetterWithdrawn

from .models import FollowUp, FollowUpStatus
from .services import LETTER, follow_up_link_token

__all__ = ["LETTER", "survey"]


def survey(notification) -> Letter:
    follow_up = (
        FollowUp.objects.select_related("client", "organization")
        .filter(pk=notification.context["follow_up_id"])
        .first()
    )
    if (
        follow_up is None
        or follow_up.status != FollowUpStatus.SENT
        or follow_up.link_nonce != notification.context["nonce"]
        or timezone.now() >= follow_up.expires_at
    ):
        raise LetterWithdrawn("the follow-up is no longer waiting for an answer")
    organization = follow_up.organization
    link = settings.SITE_URL.rstrip("/") + reverse(
        "public:outcomes_survey",
        kwargs={"org": organization.slug, "follow_up_token": follow_up_link_token(follow_up)},
    )
    with translation.override(follow_up.client.preferred_language or "en"):
        context = {
            "first_name": follow_up.client.preferred_name or follow_up.client.first_name,
            "organization": organization,
            "link": link,
            "reminder": notification.context.get("step", "sent") != "sent",
            "expires": formats.date_format(
                timezone.localtime(follow_up.expires_at - timezone.timedelta(seconds=1)),
                "DATE_FORMAT",
            ),
        }
        return Letter(
            subject=_("%(organization)s: how are you doing?") % {"organization": organization.name},
            text=render_to_string("outcomes/email/survey.txt", context),
        )
