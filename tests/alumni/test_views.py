"""The alumni pages, portal and staff. Each: the happy path, bad input saving nothing,
another organization's member (404), anonymous (to log in), a role without access; list
pages keep their query count whatever the number of rows."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alumni.models import AlumniEvent, AlumniProfile, HelpRequest, MonthlyCheckIn, Rsvp
from continuum.care.models import CareEpisode, Phase
from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory
from tests.queries import assert_queries

from .factories import EventFactory, ProfileFactory, RsvpFactory

# Every page starts with: the session, then the membership with its organization and
# user (one statement); and ends with the navigation's membership lookup.
REQUEST = 2
NAV = 1


def url(area, name, org, **kwargs):
    return reverse(f"{area}:{name}", kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def event(in_org):
    return EventFactory(organization=in_org, title="Summer picnic")


def portal_pages(org, event, help_request_id=None):
    pages = [
        url("portal", "alumni_profile", org),
        url("portal", "alumni_events", org),
        url("portal", "alumni_rsvp", org, event_id=event.public_id),
        url("portal", "alumni_checkin", org),
        url("portal", "alumni_help", org),
    ]
    if help_request_id:
        pages.append(url("portal", "alumni_help_next", org, help_request_id=help_request_id))
    return pages


# --- the portal home -----------------------------------------------------------------------


def test_the_alumni_home_shows_days_sober_the_next_milestone_events_and_help(
    client, org, in_org, members, alumnus, event
):
    ProfileFactory(
        organization=in_org,
        client=alumnus,
        sobriety_date=timezone.localdate() - timedelta(days=100),
        monthly_checkin=True,
    )
    client.force_login(members[Role.CLIENT])
    body = client.get(url("portal", "home", org)).content.decode()
    assert "100 days sober" in body
    assert "Next milestone:" in body and "6 months" in body
    assert "Summer picnic" in body
    assert "This month&#x27;s check-in" in body or "This month's check-in" in body
    assert "Ask for help again" in body


def test_an_aftercare_client_sees_no_alumni_sections_and_no_alumni_pages(
    client, org, in_org, members, alumnus, event
):
    CareEpisode.objects.filter(client=alumnus).update(phase=Phase.AFTERCARE)
    client.force_login(members[Role.CLIENT])
    body = client.get(url("portal", "home", org)).content.decode()
    assert "days sober" not in body and "Alumni events" not in body
    assert "Ask for help again" not in body
    for page in portal_pages(org, event):
        response = client.get(page)
        assert response.status_code == 404
        assert "This page is for alumni" in response.content.decode()


def test_the_home_reads_in_spanish(client, org, in_org, members, alumnus):
    ProfileFactory(organization=in_org, client=alumnus, sobriety_date=date(2020, 1, 1))
    client.force_login(members[Role.CLIENT])
    body = client.get(url("portal", "home", org), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "días sobrio" in body and "Pedir ayuda de nuevo" in body


# --- the sobriety date -----------------------------------------------------------------------


def test_the_client_records_the_date_and_asks_for_messages(client, org, members, alumnus):
    client.force_login(members[Role.CLIENT])
    page = url("portal", "alumni_profile", org)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad = client.post(
        page, {"sobriety_date": future, "milestone_messages": "yes", "monthly_checkin": "no"}
    )
    assert bad.status_code == 400
    assert "cannot be in the future" in bad.content.decode()
    assert not AlumniProfile.objects.exists()
    done = client.post(
        page,
        {"sobriety_date": "2025-02-01", "milestone_messages": "yes", "monthly_checkin": "yes"},
        follow=True,
    )
    assert "Saved." in done.content.decode()
    profile = AlumniProfile.objects.get()
    assert (profile.sobriety_date, profile.milestone_messages, profile.monthly_checkin) == (
        date(2025, 2, 1),
        True,
        True,
    )


def test_staff_correct_the_date_on_the_client_record(client, org, members, alumnus):
    client.force_login(members[Role.CASE_MANAGER])
    page = url("staff", "alumni_client_sobriety", org, client_id=alumnus.public_id)
    bad = client.post(page, {"sobriety_date": "not a date"})
    assert bad.status_code == 400 and "Enter a date" in bad.content.decode()
    assert not AlumniProfile.objects.exists()
    done = client.post(page, {"sobriety_date": "2024-02-29"}, follow=True)
    body = done.content.decode()
    assert "Sobriety date saved." in body
    assert "Sober since <strong>Feb 29, 2024</strong>" in body
    assert AlumniProfile.objects.get().sobriety_date == date(2024, 2, 29)


# --- events ---------------------------------------------------------------------------------


def test_the_alumnus_rsvps_and_changes_their_answer(client, org, members, alumnus, event):
    client.force_login(members[Role.CLIENT])
    page = url("portal", "alumni_rsvp", org, event_id=event.public_id)
    bad = client.post(page, {"answer": "perhaps"})
    assert bad.status_code == 400
    assert not Rsvp.objects.exists()
    done = client.post(page, {"answer": "yes"}, follow=True)
    assert "Your answer is saved: Yes, I will come." in done.content.decode()
    assert "You are coming" in done.content.decode()
    client.post(page, {"answer": "no"})
    assert list(Rsvp.objects.values_list("answer", flat=True)) == ["no"]


def test_a_past_event_is_not_offered(client, org, in_org, members, alumnus):
    past = EventFactory(organization=in_org, starts_at=timezone.now() - timedelta(hours=2))
    client.force_login(members[Role.CLIENT])
    assert client.get(url("portal", "alumni_rsvp", org, event_id=past.public_id)).status_code == 404


def test_the_portal_event_list_keeps_its_queries(client, org, in_org, members, alumnus, event):
    client.force_login(members[Role.CLIENT])
    page = url("portal", "alumni_events", org)
    # the client record, their alumni episode, the page's count, the events with my
    # answer and the yes count
    expected = REQUEST + 4 + NAV
    with assert_queries(expected, label="portal events"):
        assert client.get(page).status_code == 200
    for _ in range(3):
        RsvpFactory(
            organization=in_org,
            client__organization=in_org,
            event=EventFactory(organization=in_org),
        )
    with assert_queries(expected, label="portal events with more rows"):
        body = client.get(page).content.decode()
    assert body.count("<h2>Alumni evening") == 3 and "Summer picnic" in body


def test_staff_create_an_event_and_see_the_answers(
    client, org, in_org, members, alumnus, case_manager
):
    client.force_login(members[Role.SOBER_COACH])
    page = url("staff", "alumni_event_new", org)
    bad = client.post(page, {"title": "Share night", "starts_at": "2020-01-01T19:00"})
    assert bad.status_code == 400
    assert "Say where the event is" in bad.content.decode()
    assert not AlumniEvent.objects.exists()
    when = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT19:00")
    done = client.post(
        page,
        {
            "title": "Share night",
            "starts_at": when,
            "online_url": "https://meet.example.org/x",
            "capacity": "20",
        },
        follow=True,
    )
    body = done.content.decode()
    assert "Event created." in body and "Share night" in body
    event = AlumniEvent.objects.get()
    assert timezone.localtime(event.starts_at).strftime("%H:%M") == "19:00"


def test_the_answer_list_names_only_the_members_clients_and_counts_everyone(
    client, org, in_org, members, alumnus, event
):
    RsvpFactory(organization=in_org, event=event, client=alumnus, answer="yes")
    RsvpFactory(
        organization=in_org,
        event=event,
        client__organization=in_org,
        client__last_name="Zeta",
        answer="maybe",
    )
    page = url("staff", "alumni_event", org, event_id=event.public_id)
    client.force_login(members[Role.CASE_MANAGER])
    body = client.get(page).content.decode()
    assert "Robin Okafor" in body and "Zeta" not in body
    assert 'data-label="Answer">Yes, I will come' in body
    client.force_login(members[Role.ORG_ADMIN])
    body = client.get(page).content.decode()
    assert "Robin Okafor" in body and "Zeta" in body


def test_staff_event_pages_keep_their_queries(client, org, in_org, members, event):
    client.force_login(members[Role.ORG_ADMIN])
    listing = url("staff", "alumni_events", org)
    detail = url("staff", "alumni_event", org, event_id=event.public_id)
    # the page's count, the events with their counts
    expected_list = REQUEST + 2 + NAV
    # the event with its counts, the visible answers with their clients, the audit of
    # the rows read
    expected_detail = REQUEST + 3 + NAV
    with assert_queries(expected_list, label="events"):
        assert client.get(listing).status_code == 200
    RsvpFactory(organization=in_org, event=event, client__organization=in_org)
    with assert_queries(expected_detail, label="event"):
        assert client.get(detail).status_code == 200
    for _ in range(3):
        EventFactory(organization=in_org)
        RsvpFactory(organization=in_org, event=event, client__organization=in_org)
    with assert_queries(expected_list, label="events with more rows"):
        assert client.get(listing).content.decode().count('data-label="When"') == 4
    with assert_queries(expected_detail, label="event with more rows"):
        assert client.get(detail).content.decode().count('data-label="Answer"') == 4


# --- the monthly check-in ----------------------------------------------------------------------


def test_a_check_in_is_saved_once_a_month(client, org, members, alumnus):
    client.force_login(members[Role.CLIENT])
    page = url("portal", "alumni_checkin", org)
    bad = client.post(page, {"doing": "4"})
    assert bad.status_code == 400
    assert not MonthlyCheckIn.objects.exists()
    done = client.post(page, {"doing": "4", "still_sober": "yes", "unsafe": "no", "needs": ""})
    assert done.status_code == 200 and "is saved" in done.content.decode()
    assert "Thank you for checking in" in client.get(page).content.decode()
    assert MonthlyCheckIn.objects.count() == 1


def test_a_check_in_that_shows_danger_says_who_was_alerted(client, org, members, alumnus):
    client.force_login(members[Role.CLIENT])
    page = url("portal", "alumni_checkin", org)
    done = client.post(page, {"doing": "1", "still_sober": "no", "unsafe": "yes"})
    body = done.content.decode()
    name = members[Role.CASE_MANAGER].get_full_name()
    assert f"We have let {name}, your case manager, know" in body
    assert "Update my sobriety date" in body


# --- asking for help again ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "says"),
    [
        ("coach", "You asked for a sober coach again"),
        ("services", "You asked for help with services"),
    ],
)
def test_asking_for_help_again_says_what_happens_next(client, org, members, alumnus, choice, says):
    client.force_login(members[Role.CLIENT])
    page = url("portal", "alumni_help", org)
    bad = client.post(page, {"choice": ""})
    assert bad.status_code == 400 and not HelpRequest.objects.exists()
    done = client.post(page, {"choice": choice}, follow=True)
    body = done.content.decode()
    assert says in body
    if choice == "services":
        assert (
            f"{members[Role.CASE_MANAGER].get_full_name()} will contact you within 3 days" in body
        )
    else:
        assert "intake team will contact you within 3 days" in body
    assert CareEpisode.objects.get(client=alumnus).phase == Phase.AFTERCARE


def test_struggling_now_names_who_was_alerted(client, org, members, alumnus):
    client.force_login(members[Role.CLIENT])
    done = client.post(url("portal", "alumni_help", org), {"choice": "struggling"}, follow=True)
    name = members[Role.CASE_MANAGER].get_full_name()
    assert f"We have let {name}, your case manager, know" in done.content.decode()


def test_struggling_now_with_nobody_to_reach_shows_the_crisis_lines(client, org, in_org, members):
    from continuum.tenancy.models import Membership
    from tests.care.factories import EpisodeFactory

    # No care team, no rota, and no active admin.
    Membership.objects.filter(organization=in_org, roles__contains=[Role.ORG_ADMIN]).update(
        is_active=False
    )
    loner = ClientFactory(organization=in_org, portal_user=members[Role.CLIENT])
    EpisodeFactory(organization=in_org, client=loner, phase=Phase.ALUMNI)
    client.force_login(members[Role.CLIENT])
    body = client.post(
        url("portal", "alumni_help", org), {"choice": "struggling"}, follow=True
    ).content.decode()
    assert 'href="tel:988"' in body
    assert "We have let" not in body


# --- the client record ----------------------------------------------------------------------


def test_the_alumni_tab_shows_milestones_check_ins_and_requests_and_keeps_its_queries(
    client, org, in_org, members, alumnus
):
    ProfileFactory(organization=in_org, client=alumnus, sobriety_date=date(2024, 1, 1))

    def checkin(month):
        MonthlyCheckIn.objects.create(
            organization=in_org,
            client=alumnus,
            month=date(2025, month, 1),
            doing=3,
            still_sober=True,
            unsafe=False,
        )

    checkin(1)
    client.force_login(members[Role.CASE_MANAGER])
    page = url("staff", "alumni_client", org, client_id=alumnus.public_id)
    # the client (visibility), the profile, the check-ins, the requests, the audit of the
    # profile read and of the check-ins read (one insert for all)
    expected = REQUEST + 6 + NAV
    with assert_queries(expected, label="alumni tab"):
        body = client.get(page).content.decode()
    assert "Milestones reached" in body and "1 year" in body
    for month in (2, 3, 4):
        checkin(month)
    with assert_queries(expected, label="alumni tab with more rows"):
        body = client.get(page).content.decode()
    assert body.count('data-label="Doing"') == 4


# --- who may see what ----------------------------------------------------------------------


def test_portal_pages_refuse_others(client, org, members, outsider, alumnus, event):
    request = HelpRequest.objects.create(organization=org, client=alumnus, choice="struggling")
    for page in portal_pages(org, event, request.public_id):
        client.logout()
        assert "/accounts/login/" in client.get(page)["Location"]
        client.force_login(outsider)
        assert client.get(page).status_code == 404
        client.force_login(members[Role.FAMILY_MEMBER])
        assert client.get(page).status_code == 403
        client.force_login(members[Role.CASE_MANAGER])
        assert client.get(page).status_code == 403


def test_staff_pages_refuse_others(client, org, members, outsider, alumnus, event):
    event_pages = [
        url("staff", "alumni_events", org),
        url("staff", "alumni_event_new", org),
        url("staff", "alumni_event", org, event_id=event.public_id),
    ]
    record_pages = [
        url("staff", "alumni_client", org, client_id=alumnus.public_id),
        url("staff", "alumni_client_sobriety", org, client_id=alumnus.public_id),
    ]
    for page in event_pages + record_pages:
        client.logout()
        assert "/accounts/login/" in client.get(page)["Location"]
        client.force_login(outsider)
        assert client.get(page).status_code == 404
        client.force_login(members[Role.INTERVENTIONIST])
        assert client.get(page).status_code == 403
        client.force_login(members[Role.CLIENT])
        assert client.get(page).status_code == 403
    for page in record_pages:
        # A coach not on this client's care team does not see them.
        client.force_login(members[Role.SOBER_COACH])
        assert client.get(page).status_code == 404


def test_the_alumni_home_keeps_its_queries(client, org, in_org, members, alumnus, event):
    ProfileFactory(
        organization=in_org, client=alumnus, sobriety_date=date(2025, 1, 1), monthly_checkin=True
    )
    client.force_login(members[Role.CLIENT])
    page = url("portal", "home", org)
    # session, membership with organization and user; the client (once for every line); alumni:
    # the alumni episode and the profile (once for its sections), this month's check-in,
    # the next three events with the client's answers; coaching: the engagement; outcomes:
    # an open follow-up; case management: questionnaires, medications, the next
    # appointment; the header: whether to offer the switcher.
    expected = 13
    with assert_queries(expected, label="alumni home"):
        assert client.get(page).status_code == 200
    for _ in range(3):
        EventFactory(organization=in_org)
    with assert_queries(expected, label="alumni home with more events"):
        body = client.get(page).content.decode()
    assert body.count("<strong>Alumni evening") == 2
