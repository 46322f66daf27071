from django.core.management import call_command
from django_scopes import scope

from coaching.models import CheckIn, Contact, Engagement, EngagementStatus
from continuum.tenancy.models import Organization


def test_demo_has_an_active_engagement_with_a_month_of_history(db):
    call_command("demo_coaching")
    call_command("demo_coaching")  # idempotent
    organization = Organization.objects.get(slug="demo")
    with scope(organization=organization.pk):
        engagement = Engagement.objects.get(client__portal_user__email="client@demo.example.com")
        assert engagement.status == EngagementStatus.ACTIVE
        assert CheckIn.objects.filter(engagement=engagement).count() >= 25
        assert Contact.objects.filter(engagement=engagement).count() >= 9
