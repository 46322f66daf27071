"""Security headers on every response, and no inline script anywhere in our templates."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("continuum/*/templates")]


def test_pages_carry_a_csp_without_inline_scripts(client, org):
    response = client.get(f"/{org.slug}/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_api_docs_load_their_script_from_a_file(client):
    page = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script on the API docs"


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            text = path.read_text()
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
                offenders.append(f"{path}: inline <script>")
            if re.search(r"\son[a-z]+\s*=", text):
                offenders.append(f"{path}: inline event handler")
            if re.search(r"\|\s*safe\b|autoescape off", text):
                offenders.append(f"{path}: autoescaping switched off")
    assert offenders == []


def test_no_python_marks_user_text_safe():
    offenders = [
        str(path)
        for app in ("continuum", "interventions", "coaching", "casemanagement", "referrals")
        for path in (ROOT / app).rglob("*.py")
        if "mark_safe(" in path.read_text()
    ]
    assert offenders == []
