from django.core.management import call_command
from django_scopes import scope

from coaching.models import Alert, CheckIn, Contact, Engagement, EngagementStatus
from continuum.tenancy.models import Organization


def test_demo_gives_each_aftercare_client_a_coaching_story_once(db):
    call_command("demo_setup")
    organization = Organization.objects.get(slug="demo")
    with scope(organization=organization.pk):
        before = (CheckIn.objects.count(), Contact.objects.count(), Alert.objects.count())
    call_command("demo_coaching")
    with scope(organization=organization.pk):
        assert (CheckIn.objects.count(), Contact.objects.count(), Alert.objects.count()) == before
        statuses = dict(Engagement.objects.values_list("client__first_name", "status"))
        assert statuses == {
            "Cameron": EngagementStatus.ACTIVE,
            "Daniel": EngagementStatus.ACTIVE,
            "Rosa": EngagementStatus.COMPLETED,
            "Alex": EngagementStatus.COMPLETED,
        }
        cameron = Engagement.objects.get(client__portal_user__email="client@demo.example.com")
        assert cameron.coach.user.email == "coach@demo.example.com"
        assert CheckIn.objects.filter(engagement=cameron).count() >= 38
        assert Contact.objects.filter(engagement=cameron).count() >= 9
        # Danny's alert is the craving of this morning's check-in, still open.
        alert = Alert.objects.get(engagement__client__first_name="Daniel", cause="craving")
        assert alert.status == "open"
        assert CheckIn.objects.filter(engagement=alert.engagement).latest("day").craving == 8
