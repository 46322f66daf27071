"""Rendering: the inbox copy in the kind's own words, and the one wording of what leaves the platform."""

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from continuum.tenancy.models import Membership

from .. import kinds
from ..models import Notification


class PermanentDeliveryError(Exception):
    """A failure no retry can fix (no phone number, missing template)."""


def template_paths(template: str) -> dict[str, str]:
    # A kind's own wording is for the inbox only; what leaves the platform is written by
    # render_outbound.
    base = f"notifications/messages/{template}"
    return {"subject": f"{base}/subject.txt", "text": f"{base}/body.txt"}


URL_MAX_LENGTH = Notification._meta.get_field("url").max_length


def in_app_copy(notification: Notification) -> tuple[str, str, str]:
    url = _link(notification)
    if len(url) > URL_MAX_LENGTH:
        # Cut short it would lead nowhere, and no retry makes it shorter.
        raise PermanentDeliveryError(f"The link is longer than {URL_MAX_LENGTH} characters.")
    return (_render(notification, "subject")[:200], _render(notification, "text"), url)


def recipient_language(notification: Notification) -> str:
    """Families and clients read messages in the language they chose (FamilyMember /
    Client.preferred_language); staff read the site's default language. Looked up once per
    notification, however many parts it renders."""
    from continuum.people.models import Client, FamilyMember

    cached = getattr(notification, "_recipient_language", None)
    if cached:
        return cached
    notification._recipient_language = settings.LANGUAGE_CODE
    for model in (FamilyMember, Client):
        language = (
            model.objects.filter(
                organization_id=notification.organization_id,
                portal_user_id=notification.recipient_id,
            )
            .values_list("preferred_language", flat=True)
            .first()
        )
        if language:
            notification._recipient_language = language
            break
    return notification._recipient_language


def _render(notification: Notification, part: str) -> str:
    context = {
        **notification.context,
        "organization": notification.organization,
        "recipient": notification.recipient,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    try:
        with translation.override(recipient_language(notification)):
            return render_to_string(template_paths(notification.template)[part], context).strip()
    except TemplateDoesNotExist as exc:
        raise PermanentDeliveryError(f"Missing template {exc}") from exc


OUTBOUND_TEMPLATES = {
    "subject": "notifications/outbound/subject.txt",
    "text": "notifications/outbound/body.txt",
    "html": "notifications/outbound/body.html",
    "sms": "notifications/outbound/sms.txt",
}


def _sign_in_urls(notification: Notification) -> dict[str, str]:
    """The recipient's inbox, and for families and clients (who may have no password)
    the page that e-mails a sign-in code."""
    membership = (
        Membership.objects.filter(
            organization_id=notification.organization_id, user_id=notification.recipient_id
        )
        .only("roles")
        .first()
    )
    staff = membership is not None and membership.is_staff_member
    site = settings.SITE_URL.rstrip("/")
    path = reverse(
        f"{'staff' if staff else 'portal'}:notification_inbox",
        kwargs={"org": notification.organization.slug},
    )
    return {
        "sign_in_url": site + path,
        # ?org= brands the sign-in pages and the code e-mail with the sender's name.
        "code_sign_in_url": ""
        if staff
        else f"{site}{reverse('account_request_login_code')}?org={notification.organization.slug}",
    }


def render_outbound(notification: Notification, part: str) -> str:
    """The one renderer of what leaves the platform (e-mail subject, text and HTML, text
    messages). E-mail and text messages sit on lock screens and shared devices, so they
    say who the message is from and how to sign in, whatever the kind: the kind's own
    templates and the notification's context are never read here, and the detail stays
    in the inbox copy."""
    kind = kinds.KINDS.get(notification.template)
    if not hasattr(notification, "_sign_in_urls"):
        notification._sign_in_urls = _sign_in_urls(notification)
    context = {
        **notification._sign_in_urls,
        "organization": notification.organization,
        "urgent": notification.urgent,
        "crisis_line": bool(kind and kind.crisis_line and notification.urgent),
        "outbound_line": kind.outbound_line if kind else "",
    }
    with translation.override(recipient_language(notification)):
        return render_to_string(OUTBOUND_TEMPLATES[part], context).strip()


def _link(notification: Notification) -> str:
    url = str(notification.context.get("url", ""))
    # Only links inside the site: the inbox never points people elsewhere.
    return url if url.startswith("/") and not url.startswith("//") else ""
