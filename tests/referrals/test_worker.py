"""An HSDS import uploaded through the page is run by a real Celery worker (a separate
process reading the Redis broker and the test database), and the progress page reports it
through to 100%."""

import copy
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from continuum.celery import app
from referrals.models import ImportJob, ImportStatus, Listing
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.workers import database_url

EXAMPLE = Path(__file__).resolve().parent / "hsds_examples"
SERVICES = 60
TIMEOUT = 30


@pytest.fixture
def worker(transactional_db, tmp_path):
    app.control.purge()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "continuum.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    celery = Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"
    command = [
        str(celery if celery.exists() else "celery"),
        *("-A", "continuum", "worker", "--pool", "solo", "--loglevel", "INFO"),
        *("--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=env, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT
        )
    process.log = log
    yield process
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def _hsds_file() -> bytes:
    template = json.loads((EXAMPLE / "service_full.json").read_text())
    services = []
    for n in range(SERVICES):
        record = copy.deepcopy(template)
        record["id"] = f"worker-service-{n}"
        record["name"] = f"Worker Test Service {n}"
        services.append(record)
    return json.dumps(services).encode()


def test_import_runs_in_a_real_worker_and_progress_reaches_100(worker, client):
    org = OrganizationFactory(slug="harbor")
    admin = UserFactory(email="admin@harbor.example.com")
    MembershipFactory(organization=org, user=admin, roles=["org_admin"])
    client.force_login(admin)

    started = time.monotonic()
    response = client.post(
        reverse("staff:import_new", kwargs={"org": org.slug}),
        {"file": SimpleUploadedFile("directory.json", _hsds_file(), "application/json")},
    )
    assert response.status_code == 302
    progress_url = response["Location"]

    seen = []
    while True:
        fragment = client.get(progress_url, headers={"HX-Request": "true"}).content.decode()
        seen.append(int(re.search(r'<progress[^>]*value="(\d+)"', fragment).group(1)))
        if "hx-trigger" not in fragment:  # the fragment stops polling once finished
            break
        if time.monotonic() - started > TIMEOUT or worker.poll() is not None:
            pytest.fail(f"import did not finish; worker log:\n{worker.log.read_text()[-4000:]}")
        time.sleep(0.25)

    assert seen[-1] == 100 and seen == sorted(seen), seen
    assert "Imported" in fragment and f"{SERVICES} created, 0 updated." in fragment
    with scope(organization=org.pk):
        job = ImportJob.objects.get()
        assert (job.status, job.processed, job.total) == (
            ImportStatus.SUCCEEDED,
            SERVICES,
            SERVICES,
        )
        names = set(Listing.objects.values_list("name", flat=True))
    assert names == {f"Worker Test Service {n}" for n in range(SERVICES)}
    # It was the worker, not this process, that ran the import.
    assert "referrals.import_job_run" in worker.log.read_text()
