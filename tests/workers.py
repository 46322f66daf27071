"""What a test needs to start a real Celery worker on the test database."""

from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    """DATABASE_URL for a subprocess that must open the database this test uses.

    TEST_DATABASE_NAME only names the database pytest creates, so the URL names it
    directly. The embedded server listens on a socket directory, which django-environ
    keeps in OPTIONS["host"] and leaves HOST empty: the URL carries it back as libpq's
    ``?host=`` so the worker reaches the same server and not whatever answers on 5432.
    """
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    socket_dir = (db.get("OPTIONS") or {}).get("host")
    if socket_dir:
        port = f":{db['PORT']}" if db["PORT"] else ""
        query = quote(socket_dir, safe="/")
        return f"postgres://{user}{password}@{port}/{db['NAME']}?host={query}"
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
