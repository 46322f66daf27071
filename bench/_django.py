"""Django set-up shared by the benchmark scripts: run them from the repository root with
the same DATABASE_URL the application uses."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.settings")
    import django

    django.setup()


def reminder_row(*, organization, recipient_id, body: str, dedup_key: str, due_at, **fields):
    """An unsaved in-app reminder in the outbox, due at `due_at`, for a bulk insert. Call
    after `setup()`."""
    from continuum.notifications.models import Notification

    return Notification(
        organization=organization,
        recipient_id=recipient_id,
        template="general",
        context={"subject": fields.pop("subject", "Reminder"), "body": body},
        channels=["in_app"],
        dedup_key=dedup_key,
        due_at=due_at,
        available_at=due_at,
        **fields,
    )
