"""Journey: an alumnus on a phone sees their days sober and next milestone on the alumni
home, says yes to an alumni evening, and asks for a sober coach again: the page says what
happens next, and the episode is back in aftercare with coaching's handoff on its way.
axe on every page, and no page scrolls sideways."""

from datetime import date, timedelta

from django.utils import timezone

from alumni import milestones
from continuum.care.models import CareEpisode, HandoffRun, Phase
from continuum.tenancy.models import Membership, Role
from tests.alumni.factories import EventFactory, ProfileFactory
from tests.care.factories import EpisodeFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory

from .browser import assert_fits


def test_an_alumnus_sees_their_milestone_rsvps_and_asks_for_a_coach_again(site, in_org, members):
    org = in_org
    user = members[Role.CLIENT]
    alex = ClientFactory(organization=org, first_name="Alex", last_name="Reed", portal_user=user)
    CareTeamMemberFactory(
        organization=org,
        client=alex,
        membership=Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER]),
        role=Role.CASE_MANAGER,
        started_on=date(2020, 1, 1),
    )
    EpisodeFactory(
        organization=org, client=alex, phase=Phase.ALUMNI, discharge_date=date(2025, 1, 5)
    )
    today = timezone.localdate()
    since = today - timedelta(days=80)
    ProfileFactory(organization=org, client=alex, sobriety_date=since)
    EventFactory(
        organization=org,
        title="Alumni evening",
        starts_at=timezone.now() + timedelta(days=5),
        location="Harbor House, community room",
    )

    phone = site.open(phone=True)
    page = phone.page
    phone.log_in_as(user)
    phone.visit(f"/{org.slug}/portal/")
    assert "80 days sober" in page.get_by_test_id("days-sober").inner_text()
    upcoming = milestones.next_milestone(since, today)
    assert (upcoming.count, upcoming.unit) == (90, "days")
    assert "Next milestone: 90 days" in page.get_by_test_id("next-milestone").inner_text()
    assert "in 10 days" in page.get_by_test_id("next-milestone").inner_text()
    assert_fits(page)
    phone.screenshot("alumni-home-390")

    phone.follow("See all events and answer")
    assert "Alumni evening" in page.get_by_role("main").inner_text()
    assert_fits(page)
    phone.follow("Answer")
    page.get_by_text("Yes, I will come").click()
    phone.submit("Save my answer")
    main = page.get_by_role("main").inner_text()
    assert "You are coming" in main
    assert_fits(page)

    phone.visit(f"/{org.slug}/portal/")
    phone.follow("Ask for help")
    assert_fits(page)
    # Nothing chosen: the error summary, and nothing changes.
    phone.submit("Ask for help")
    assert "Choose what you would like help with." in page.get_by_role("alert").inner_text()
    assert CareEpisode.objects.get(client=alex).phase == Phase.ALUMNI
    page.get_by_label("A sober coach again").check()
    phone.submit("Ask for help")
    main = page.get_by_role("main").inner_text()
    assert "You asked for a sober coach again, and you are back in aftercare." in main
    assert "intake team will contact you within 3 days" in main
    assert_fits(page)
    phone.screenshot("alumni-help-again-390")

    episode = CareEpisode.objects.get(client=alex)
    assert episode.phase == Phase.AFTERCARE
    transition = episode.transitions.first()
    assert transition.details == {"return_line": Role.SOBER_COACH}
    runs = set(HandoffRun.objects.filter(transition=transition).values_list("name", flat=True))
    assert {"coaching.propose_engagement", "care.aftercare_first_contact"} <= runs


def test_the_staff_alumni_pages_fit_a_phone(site, in_org, members):
    """A case manager on a phone: the events list, a new event refused then created, its
    answers, and an alumnus's Alumni tab with the sobriety date corrected."""
    from tests.alumni.factories import RsvpFactory

    org = in_org
    manager = Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])
    sam = ClientFactory(organization=org, first_name="Sam", last_name="Lee")
    CareTeamMemberFactory(
        organization=org,
        client=sam,
        membership=manager,
        role=Role.CASE_MANAGER,
        started_on=date(2020, 1, 1),
    )
    EpisodeFactory(organization=org, client=sam, phase=Phase.ALUMNI)
    event = EventFactory(organization=org, title="Share night")
    RsvpFactory(organization=org, event=event, client=sam, answer="maybe")

    phone = site.open(phone=True)
    page = phone.page
    phone.log_in_as(members[Role.CASE_MANAGER])
    phone.visit(f"/{org.slug}/staff/alumni/events/")
    assert "Share night" in page.get_by_role("main").inner_text()
    assert_fits(page)
    phone.follow("New event")
    page.get_by_label("Title").fill("Picnic")
    phone.submit("Create the event")
    assert "Say when the event starts." in page.get_by_role("alert").inner_text()
    assert_fits(page)
    phone.visit(f"/{org.slug}/staff/alumni/events/{event.public_id}/")
    assert "Sam Lee" in page.get_by_role("main").inner_text()
    assert_fits(page)
    phone.visit(f"/{org.slug}/staff/clients/{sam.public_id}/alumni/")
    phone.follow("Record the sobriety date")
    page.get_by_label("Sobriety date").fill("2025-06-30")
    phone.submit("Save")
    assert "Sober since Jun 30, 2025" in page.get_by_role("main").inner_text()
    assert_fits(page)
