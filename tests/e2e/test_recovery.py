"""Journey 4: after discharge, the client (on a phone) signs a consent, checks in with a
strong craving and presses "I need help now", and is told which person was asked; the
coach (at a desk) sees both alerts and acknowledges the same-day call from My work."""

from coaching.models import Alert, CheckIn
from continuum.care.models import OnCallShift, SafetyEvent
from continuum.consent.models import ConsentStatus
from continuum.consent.services import consent_create
from continuum.tenancy.models import Membership, Role
from tests.coaching.factories import EngagementFactory
from tests.consent.factories import consent_values
from tests.people.factories import ClientFactory

from .browser import assert_fits


def test_client_checks_in_asks_for_help_and_the_coach_sees_the_alerts(site, in_org, members):
    org = in_org
    client_user = members[Role.CLIENT]
    client = ClientFactory(
        organization=org, first_name="Jordan", last_name="Reyes", portal_user=client_user
    )
    coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
    EngagementFactory(organization=org, client=client, coach=coach)
    consent = consent_create(
        actor=members[Role.CASE_MANAGER], organization=org, client=client, **consent_values()
    )

    phone = site.open(phone=True)
    phone.log_in_as(client_user)
    phone.visit(f"/{org.slug}/portal/consents/{consent.public_id}/")
    page = phone.page
    # Signing without the acknowledgement is refused, with the reason linked to the field.
    page.get_by_label("Type your full name to sign").fill("Jordan Reyes")
    phone.submit("Sign")
    assert page.get_by_role("alert").count() == 1
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.AWAITING_SIGNATURE
    page.get_by_role("checkbox").check()
    page.get_by_label("Type your full name to sign").fill("Jordan Reyes")
    phone.submit("Sign")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.ACTIVE

    phone.visit(f"/{org.slug}/portal/recovery/")
    craving = page.get_by_role("group", name="Craving right now (0 = none, 10 = strongest)")
    page.get_by_role("group", name="Sober today?").get_by_label("Yes").check()
    craving.get_by_label("9", exact=True).check()
    page.get_by_role("group", name="Mood").get_by_label("Low", exact=True).check()
    page.get_by_role("group", name="Sleep last night").get_by_label("Poor").check()
    phone.submit("Check in")
    # A craving at the threshold is a safety event: the page names the person told.
    name = coach.user.get_full_name()
    told = f"We have let {name}, your sober coach, know; {name} will call you today."
    assert told in page.get_by_role("status").inner_text()
    assert CheckIn.objects.get().craving == 9

    phone.submit("I need help now")
    assert told in page.get_by_role("status").first.inner_text()
    assert Alert.objects.count() == 2

    desk = site.open(phone=False)
    desk.log_in_as(coach.user)
    desk.visit(f"/{org.slug}/staff/coaching/")
    alerts = desk.page.get_by_role("region", name="My open alerts")
    rows = alerts.get_by_role("row").filter(has_text="Jordan Reyes")
    assert rows.count() == 2
    desk.screenshot("coach-risk-dashboard")

    # The same-day call waits at the top of My work until someone acknowledges it.
    desk.visit(f"/{org.slug}/staff/my-work/")
    desk.follow("Same-day call: Jordan Reyes")
    desk.submit("I have it: acknowledge")
    assert f"Acknowledged by {name}" in desk.page.content()
    event = SafetyEvent.objects.get()
    assert (event.status, event.count) == ("acknowledged", 2)

    # An admin, on a phone, puts a case manager on call for Saturday nights.
    admin_phone = site.open(phone=True)
    admin_phone.log_in_as(members[Role.ORG_ADMIN])
    admin_phone.visit(f"/{org.slug}/staff/settings/on-call/")
    rota = admin_phone.page
    assert_fits(rota)
    first = rota.get_by_role("group", name="Shift 1")
    manager = members[Role.CASE_MANAGER].get_full_name()
    first.get_by_label("Staff member").select_option(label=f"{manager} (Case manager)")
    first.get_by_label("Day").select_option(label="Saturday")
    first.get_by_label("From").fill("18:00")
    first.get_by_label("Until").fill("08:00")
    admin_phone.submit("Save the rota")
    assert "On-call rota saved." in rota.content(), rota.inner_text("main")
    assert OnCallShift.objects.get().weekday == 5
