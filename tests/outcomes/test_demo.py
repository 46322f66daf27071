import io
import re

import time_machine
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


@time_machine.travel("2026-12-04T15:00:00Z", tick=False)
def test_the_demo_shows_a_cohort_with_real_figures(client, db):
    call_command("demo_setup", stdout=io.StringIO())
    call_command("demo_outcomes", stdout=io.StringIO())  # again: no second cohort
    organization = Organization.objects.get(slug="demo")
    with scope(organization=organization.pk):
        past = Client.objects.filter(email__startswith="past-client-").count()
        answered = FollowUp.objects.filter(
            client__email__startswith="past-client-", status="completed"
        ).count()
    assert past == 36 + 24 and answered > 11
    from continuum.accounts.models import User

    client.force_login(User.objects.get(email="admin@demo.example.com"))
    body = client.get(f"/{organization.slug}/staff/outcomes/cohort/").content.decode()
    # On 4 December the latest complete quarter is the third: its 36, and 30-day
    # answers of most of them (a real share with its count).
    assert "<strong>36</strong> clients" in body
    assert re.search(r'data-label="Of all discharged">\d+% \(\d+/\d+\)', body)
