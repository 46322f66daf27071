"""The channels: one inbox copy, e-mail and text messages, each recorded once per notification under the worker's lease."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .. import kinds, sms
from ..models import Channel, Delivery, Notification, NotificationPreference, Status
from .render import PermanentDeliveryError, in_app_copy, render_outbound


class LeaseLost(Exception):
    """Another worker reclaimed the notification; this one must not deliver it."""


def preference_for(*, organization, user) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(organization=organization, user=user).first()


def _hold_lease(notification: Notification, worker: str) -> None:
    held = Notification.objects.filter(
        id=notification.id, status=Status.SENDING, claimed_by=worker
    ).exists()
    if not held:
        raise LeaseLost


def deliver_in_app(notification: Notification, worker: str) -> None:
    # The inbox copy and its delivery record commit together, under the lease: exactly once.
    subject, body, url = in_app_copy(notification)
    with transaction.atomic():
        locked = (
            Notification.objects.select_for_update()
            .filter(id=notification.id, status=Status.SENDING, claimed_by=worker)
            .first()
        )
        if locked is None:
            raise LeaseLost
        now = timezone.now()
        Delivery.objects.create(
            organization=notification.organization,
            notification=notification,
            channel=Channel.IN_APP,
            delivered_at=now,
        )
        Notification.objects.filter(id=notification.id).update(
            subject=subject, body=body, url=url, in_app_delivered_at=now
        )


def _message_id(notification: Notification) -> str:
    domain = getattr(settings, "NOTIFICATION_MESSAGE_ID_DOMAIN", "continuum.local")
    return f"<notification-{notification.public_id}@{domain}>"


def _record_delivery(notification: Notification, channel: str, reference: str) -> None:
    with transaction.atomic():
        Delivery.objects.get_or_create(
            organization=notification.organization,
            notification=notification,
            channel=channel,
            defaults={"reference": reference[:200]},
        )


def _deliver_email(notification: Notification, worker: str) -> None:
    if notification.recipient_id is None:
        to = notification.to_address
        subject, text, html = _letter(notification)
    else:
        to = notification.recipient.email
        if not to:
            raise PermanentDeliveryError("The recipient has no e-mail address.")
        subject, text, html = (
            render_outbound(notification, part) for part in ("subject", "text", "html")
        )
    _hold_lease(notification, worker)
    message_id = _message_id(notification)
    # The Message-ID is derived from the notification, so if a crash between sending and
    # recording makes us send again, mail systems see the same message twice, not two.
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers={"Message-ID": message_id, "X-Continuum-Notification": str(notification.public_id)},
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    _record_delivery(notification, Channel.EMAIL, message_id)


def _letter(notification: Notification) -> tuple[str, str, str]:
    kind = kinds.LETTERS.get(notification.template)
    if kind is None:
        raise PermanentDeliveryError(f"No letter kind {notification.template!r} is registered.")
    try:
        letter = kind.build(notification)
    except kinds.LetterWithdrawn as exc:
        raise PermanentDeliveryError(f"Withdrawn: {exc}") from exc
    return letter.subject, letter.text, letter.html


def _deliver_sms(notification: Notification, worker: str) -> None:
    preference = preference_for(organization=notification.organization, user=notification.recipient)
    if preference is None or not preference.sms_number:
        raise PermanentDeliveryError("The recipient has no mobile number for text messages.")
    body = render_outbound(notification, "sms")
    _hold_lease(notification, worker)
    reference = sms.get_backend().send(
        to=preference.sms_number, body=body, idempotency_key=str(notification.public_id)
    )
    _record_delivery(notification, Channel.SMS, reference or "")


# In-app copies are written per batch (_write_in_app_copies), not through this table.
SENDERS = {
    Channel.EMAIL: _deliver_email,
    Channel.SMS: _deliver_sms,
}
