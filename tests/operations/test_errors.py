"""A stopped database shows the branded 503 page, never a traceback; bugs the 500 page."""

import pytest
from django.test import Client
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.operations.urls")]


@pytest.mark.parametrize("debug", [True, False])
def test_a_stopped_database_answers_503_with_the_branded_page(settings, debug):
    settings.DEBUG = debug
    response = Client(raise_request_exception=False).get("/__test__/database-down/")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Continuum is temporarily unavailable" in page
    assert "Try again in a minute" in page
    # The crisis numbers stay on the page even when nothing else works.
    assert "988" in page
    assert "Traceback" not in page and "PGSQL" not in page and "settings" not in page.lower()


def test_a_bug_answers_500_with_the_branded_page(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/__test__/bug/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "ZeroDivisionError" not in page


def test_the_error_pages_speak_spanish(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    unavailable = client.get("/__test__/database-down/").content.decode()
    broken = client.get("/__test__/bug/").content.decode()
    with translation.override("es"):
        assert translation.gettext("Continuum is temporarily unavailable") in unavailable
        assert translation.gettext("Something went wrong on our side") in broken
    assert "Continuum is temporarily unavailable" not in unavailable
    assert 'lang="es"' in unavailable


@pytest.mark.parametrize("debug", [True, False])
def test_a_database_lost_in_a_middleware_also_answers_503(settings, org, monkeypatch, debug):
    """The tenant middleware looks the organization up before any view runs."""
    from django.db import OperationalError

    from continuum.tenancy import middleware

    def down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(middleware, "organization_get_by_slug", down)
    settings.DEBUG = debug
    response = Client(raise_request_exception=False).get(f"/{org.slug}/")
    page = response.content.decode()
    assert response.status_code == 503
    assert "Continuum is temporarily unavailable" in page
    assert "Traceback" not in page and "connection refused" not in page
