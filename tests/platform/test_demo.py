import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from continuum.tenancy.models import Membership, Organization
from continuum.tenancy.scoping import organization_scope

pytestmark = pytest.mark.django_db(transaction=True)


def _counts(organization):
    from django.apps import apps

    counts = {}
    with organization_scope(organization):
        for model in apps.get_models():
            field = next((f for f in model._meta.fields if f.name == "organization"), None)
            if field is not None and model._meta.label_lower != "audit.auditevent":
                counts[model._meta.label_lower] = model._default_manager.count()
    return counts


def test_demo_setup_builds_every_role_and_is_idempotent(client):
    call_command("demo_setup", stdout=io.StringIO())
    organization = Organization.objects.get(slug="demo")
    first = _counts(organization)
    call_command("demo_setup", stdout=io.StringIO())
    assert _counts(organization) == first
    with organization_scope(organization):
        assert Membership.objects.count() >= 7
    assert first["people.client"] >= 3

    assert client.login(email="admin@demo.example.com", password="recovery-demo-2026")
    assert client.get(reverse("staff:dashboard", kwargs={"org": "demo"})).status_code == 200
    client.logout()
    assert client.login(email="family@demo.example.com", password="recovery-demo-2026")
    assert client.get(reverse("portal:home", kwargs={"org": "demo"})).status_code == 200
