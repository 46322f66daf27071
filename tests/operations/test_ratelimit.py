"""Rate limits keep counting in the database while the cache is unreachable."""

import time

import pytest
from django.urls import reverse
from django_scopes import scope

from continuum.operations.models import RateLimitCounter
from continuum.people.models import Client
from tests.interventions.conftest import HELP_DATA

pytestmark = pytest.mark.django_db


def _form(data):
    return {k: ("on" if v is True else v) for k, v in data.items() if v is not False}


@pytest.fixture
def cache_down(settings, request):
    """The rate-limit cache refusing connections, or frozen (`frozen_server`)."""
    port = 1
    if "frozen_server" in request.fixturenames:
        port = request.getfixturevalue("frozen_server")
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": f"redis://127.0.0.1:{port}/3"},
    }


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)


def test_the_help_form_stays_open_and_limited_while_the_cache_is_down(
    client, org, settings, cache_down
):
    settings.INTERVENTION_REQUEST_RATE = "2/h"
    target = reverse("public:intervention_help", kwargs={"org": org.slug})
    for name in ("Sam", "Leo"):
        response = client.post(target, _form({**HELP_DATA, "loved_one_first_name": name}))
        assert response.status_code == 302
    assert RateLimitCounter.objects.get().count == 2
    refused = client.post(target, _form({**HELP_DATA, "loved_one_first_name": "Ben"}))
    assert refused.status_code == 429
    assert "Please wait an hour" in refused.content.decode()
    with scope(organization=org.pk):
        assert sorted(Client.objects.values_list("first_name", flat=True)) == ["Leo", "Sam"]


def test_a_frozen_cache_costs_one_short_timeout_not_one_per_call(
    client, org, settings, frozen_server, cache_down
):
    target = reverse("public:intervention_help", kwargs={"org": org.slug})
    started = time.monotonic()
    response = client.post(target, _form(HELP_DATA))
    first = time.monotonic() - started
    assert response.status_code == 302
    assert first < 2
    started = time.monotonic()
    client.post(target, _form({**HELP_DATA, "loved_one_first_name": "Leo"}))
    assert time.monotonic() - started < first


def test_the_directory_api_answers_while_the_cache_is_down(client, org, cache_down):
    response = client.get(reverse("public:find_api", kwargs={"org": org.slug}), {"zip": "97201"})
    assert response.status_code == 200
    assert "results" in response.json()
