"""make backup / make restore: a restore into a fresh database finds every row and file."""

import json
import subprocess
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_scopes import scope

from continuum.operations import backup
from tests.people.factories import ClientFactory
from tests.workers import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def _with_name(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    base = base.rsplit("/", 1)[0] + "/" + quote(name)
    return f"{base}?{query}" if query else base


@pytest.fixture
def restore_target():
    name = f"{connection.settings_dict['NAME']}_restore"
    url = backup.superuser_url(_with_name(database_url(), name))
    args, env = backup.libpq_args(url, dbname="postgres")

    def drop():
        subprocess.run(
            [backup.tool("psql"), *args, "-X", "-q", "-c", f'DROP DATABASE IF EXISTS "{name}"'],
            env=env,
            check=True,
            capture_output=True,
        )

    drop()
    yield _with_name(database_url(), name)
    drop()


def test_a_backup_restores_into_a_fresh_database_with_every_row_and_upload(
    org, other_org, members, tmp_path, restore_target
):
    with scope(organization=org.pk):
        ClientFactory.create_batch(3, organization=org)
    with scope(organization=other_org.pk):
        ClientFactory(organization=other_org)
    media = tmp_path / "media"
    (media / "letters").mkdir(parents=True)
    (media / "letters" / "a.pdf").write_bytes(b"%PDF-1.7 letter")

    made = backup.backup(database_url=database_url(), media_root=media, dest=tmp_path / "b1")
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["rows"]["people_client"] == 4
    assert manifest["rows"]["tenancy_organization"] >= 2
    assert manifest["media_files"] == 1

    restored_media = tmp_path / "restored-media"
    counts = backup.restore(database_url=restore_target, media_root=restored_media, source=made)
    assert counts == manifest["rows"]
    assert counts["people_client"] == 4
    assert (restored_media / "letters" / "a.pdf").read_bytes() == b"%PDF-1.7 letter"


def test_restore_refuses_a_database_that_already_has_tables(org, tmp_path):
    made = backup.backup(
        database_url=database_url(), media_root=tmp_path / "none", dest=tmp_path / "b"
    )
    with pytest.raises(SystemExit, match="restore into an empty database"):
        backup.restore(database_url=database_url(), media_root=tmp_path / "m", source=made)
    assert settings.DATABASES["default"]["NAME"]
