"""Settings for the Celery worker that test_worker.py starts and kills: the project's
settings (pointed at the test database through DATABASE_URL) with an e-mail backend that
can hang mid-delivery and a short lease."""

import os

from continuum.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.notifications.backends.BlockingFileEmailBackend"
NOTIFICATION_LEASE_SECONDS = int(os.environ.get("NOTIFICATION_LEASE_SECONDS", "300"))
