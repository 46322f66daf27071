"""Delivery backends for tests: one that always fails, and one that writes each e-mail
to a directory and can be made to hang mid-delivery so a worker can be killed there."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server refused the connection")


class BlockingFileEmailBackend(BaseEmailBackend):
    """Writes one file per message sent (a repeat send makes a second file). While the
    file `block` exists in the directory, a message whose subject contains "[block]"
    announces itself with a `sending-*` marker and hangs before it is sent."""

    def send_messages(self, email_messages):
        directory = Path(os.environ["NOTIFICATION_TEST_MAIL_DIR"])
        for message in email_messages:
            if "[block]" in message.subject:
                (directory / f"sending-{uuid.uuid4().hex}").touch()
                while (directory / "block").exists():
                    time.sleep(0.05)
            target = directory / "sent" / f"{uuid.uuid4().hex}.eml"
            target.write_bytes(message.message().as_bytes())
        return len(email_messages)


class RefusingSomeEmailBackend(BaseEmailBackend):
    """Refuses messages whose subject contains "[refuse]" and keeps the others in
    django.core.mail.outbox, as the test backend does."""

    def send_messages(self, email_messages):
        from django.core import mail

        for message in email_messages:
            if "[refuse]" in message.subject:
                raise ConnectionRefusedError("The mail server refused the recipient")
            mail.outbox.append(message)
        return len(email_messages)
