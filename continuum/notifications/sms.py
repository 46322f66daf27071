"""Text-message delivery behind a small interface, chosen by the SMS_BACKEND setting.

A backend's `send` must treat `idempotency_key` as the message's identity where the
provider supports it, so a retry after a crash does not text the person twice."""

import json
import logging
import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "continuum.notifications.sms.ConsoleBackend"


class BaseSMSBackend:
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Send one message; return the provider's reference for it."""
        raise NotImplementedError


class ConsoleBackend(BaseSMSBackend):
    """Development default: prints the message instead of sending it."""

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        sys.stdout.write(f"SMS to {to} [{idempotency_key}]: {body}\n")
        sys.stdout.flush()
        return f"console-{idempotency_key}"


class FileBackend(BaseSMSBackend):
    """Writes each message as a JSON file into SMS_FILE_PATH, for tests and development.
    Every send writes a new file, so a duplicate send would be visible."""

    def __init__(self, path=None):
        self.path = Path(
            path or getattr(settings, "SMS_FILE_PATH", settings.BASE_DIR / ".data" / "sms")
        )

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
        target = self.path / f"{stamp}-{idempotency_key}.json"
        record = {"to": to, "body": body, "idempotency_key": idempotency_key}
        target.write_text(json.dumps(record))
        return target.name


def get_backend() -> BaseSMSBackend:
    return import_string(getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND))()
