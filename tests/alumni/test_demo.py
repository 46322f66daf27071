import io

from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope

from alumni import milestones
from alumni.models import AlumniEvent, AlumniProfile, Rsvp
from continuum.care.models import CareEpisode, Phase
from continuum.people.models import Client
from continuum.tenancy.models import Organization
from continuum.tenancy.scoping import organization_scope


def test_the_demo_has_an_alumnus_with_a_date_an_event_and_a_milestone_ahead(db):
    call_command("demo_setup", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_alumni", stdout=out)  # again: changes nothing
    assert "(no new)" in out.getvalue()
    organization = Organization.objects.get(slug="demo")
    with organization_scope(organization):
        alex = Client.objects.get(email="alumni@demo.example.com")
        assert alex.portal_user.email == "alumni@demo.example.com"
        assert CareEpisode.objects.get(client=alex).phase == Phase.ALUMNI
        profile = AlumniProfile.objects.get(client=alex)
        today = timezone.localdate()
        upcoming = milestones.next_milestone(profile.sobriety_date, today)
        assert (upcoming.count, upcoming.unit, (upcoming.on - today).days) == (1, "years", 10)
        evening = AlumniEvent.objects.order_by("starts_at").first()
        assert evening.starts_at > timezone.now()
        assert Rsvp.objects.get(client=alex).event == evening
    with scope(organization=organization.pk):
        assert AlumniEvent.objects.count() == 2
