import io

from django.core.management import call_command
from django_scopes import scope

from continuum.people.models import Client
from continuum.tenancy.models import Organization
from outcomes.models import FollowUp, FollowUpAgreement


def test_the_demo_client_has_agreed_and_is_enrolled(db):
    call_command("demo_setup", stdout=io.StringIO())
    call_command("demo_outcomes", stdout=io.StringIO())  # again: changes nothing
    organization = Organization.objects.get(slug="demo")
    with scope(organization=organization.pk):
        danny = Client.objects.get(email="danny.okafor@demo.example.com")
        assert FollowUpAgreement.objects.get(client=danny).agreed
        offsets = sorted(
            FollowUp.objects.filter(client=danny).values_list("offset_days", flat=True)
        )
    assert offsets == [30, 90, 180, 365]
