"""Delivery backends for tests: one that always fails, and one that writes each e-mail
to a directory and can be made to hang mid-delivery so a worker can be killed there."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def _marked(message, marker: str) -> bool:
    """Whether the notification behind an e-mail was scheduled with `marker` in its
    subject. Outbound e-mail never carries the sender's words, so the notification is
    looked up by the id in its header."""
    from continuum.notifications.models import Notification
    from continuum.tenancy.scoping import across_organizations

    public_id = message.extra_headers.get("X-Continuum-Notification")
    with across_organizations("test mail backend"):
        context = (
            Notification.objects.filter(public_id=public_id)
            .values_list("context", flat=True)
            .first()
        )
    return marker in str((context or {}).get("subject", ""))


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server refused the connection")


class BlockingFileEmailBackend(BaseEmailBackend):
    """Writes one file per message sent (a repeat send makes a second file). While the
    file `block` exists in the directory, a message whose notification subject has "[block]"
    announces itself with a `sending-*` marker and hangs before it is sent."""

    def send_messages(self, email_messages):
        directory = Path(os.environ["NOTIFICATION_TEST_MAIL_DIR"])
        for message in email_messages:
            if _marked(message, "[block]"):
                (directory / f"sending-{uuid.uuid4().hex}").touch()
                while (directory / "block").exists():
                    time.sleep(0.05)
            target = directory / "sent" / f"{uuid.uuid4().hex}.eml"
            target.write_bytes(message.message().as_bytes())
        return len(email_messages)


class RefusingSomeEmailBackend(BaseEmailBackend):
    """Refuses messages whose notification subject has "[refuse]" and keeps the others in
    django.core.mail.outbox, as the test backend does."""

    def send_messages(self, email_messages):
        from django.core import mail

        for message in email_messages:
            if _marked(message, "[refuse]"):
                raise ConnectionRefusedError("The mail server refused the recipient")
            mail.outbox.append(message)
        return len(email_messages)
