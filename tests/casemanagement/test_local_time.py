"""Every date means the organization's local time (America/New_York here): what staff type
in a form, what the API shows, the day a visit counts for, and the moment a discharge
date stands for. Times around midnight (23:30, 02:30) and across the end of daylight
saving time (Sunday, November 1, 2026), where a UTC reading moves a visit to another day."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from casemanagement.models import Appointment, Gap, GapRule
from casemanagement.services import gaps_scan
from continuum.care.models import HandoffRun, Phase, Task
from continuum.care.services import handoff_execute
from continuum.people.models import CareTeamMember
from continuum.tenancy.models import Role
from tests.care.factories import EpisodeFactory

from . import factories

# Discharged Wednesday October 28 (EDT, UTC-4); day 7 is Wednesday November 4 and day 8
# Thursday November 5, both after the clocks went back (EST, UTC-5).
DISCHARGE = date(2026, 10, 28)
LATER = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _care_team_since_before(client_rec):
    # The tests travel back to autumn 2026; the care team was formed before that.
    CareTeamMember.objects.filter(client=client_rec).update(started_on=date(2026, 1, 1))


@pytest.fixture
def cm_client(client, members):
    client.force_login(members[Role.CASE_MANAGER])
    return client


@pytest.fixture
def discharged(client_rec, plan):
    return EpisodeFactory(
        organization=client_rec.organization,
        client=client_rec,
        phase=Phase.AFTERCARE,
        admission_date=DISCHARGE - timedelta(days=30),
        discharge_date=DISCHARGE,
    )


def _schedule(cm_client, org, client, local: str, **extra):
    start = datetime.fromisoformat(local)
    response = cm_client.post(
        reverse(
            "staff:casemgmt_appointment_add",
            kwargs={"org": org.slug, "client_id": client.public_id},
        ),
        {
            "visit_type": "outpatient",
            "starts_at": local,
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "transport": "none",
            "location": "12 Main St",
            **extra,
        },
    )
    return response


def _attend(cm_client, org, appointment):
    response = cm_client.post(
        reverse(
            "staff:casemgmt_appointment_status",
            kwargs={"org": org.slug, "cm_appointment_id": appointment.public_id},
        ),
        {"status": "attended"},
    )
    assert response.status_code == 302


@time_machine.travel(LATER, tick=False)
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026-11-04T23:30", datetime(2026, 11, 5, 4, 30, tzinfo=UTC)),  # EST, UTC-5
        ("2026-11-05T02:30", datetime(2026, 11, 5, 7, 30, tzinfo=UTC)),
        ("2026-10-28T23:30", datetime(2026, 10, 29, 3, 30, tzinfo=UTC)),  # EDT, UTC-4
        ("2026-10-29T02:30", datetime(2026, 10, 29, 6, 30, tzinfo=UTC)),
    ],
)
def test_a_time_typed_in_a_form_is_local_time(cm_client, in_org, client_rec, plan, typed, stored):
    response = _schedule(cm_client, in_org, client_rec, typed)
    assert response.status_code == 302
    assert Appointment.objects.get().starts_at == stored


@time_machine.travel(LATER, tick=False)
def test_forms_and_pages_show_the_stored_time_in_local_time(cm_client, in_org, client_rec, plan):
    appointment = factories.AppointmentFactory(
        client=client_rec, starts_at=datetime(2026, 11, 5, 7, 30, tzinfo=UTC)
    )
    form = cm_client.get(
        reverse(
            "staff:casemgmt_appointment_reschedule",
            kwargs={"org": in_org.slug, "cm_appointment_id": appointment.public_id},
        )
    ).content.decode()
    assert 'value="2026-11-05T02:30"' in form
    case = cm_client.get(
        reverse(
            "staff:casemgmt_client", kwargs={"org": in_org.slug, "client_id": client_rec.public_id}
        )
    ).content.decode()
    assert "Nov 5, 2026, 2:30 AM" in case


@time_machine.travel(LATER, tick=False)
def test_a_time_that_does_not_exist_locally_is_refused_and_nothing_is_saved(
    cm_client, in_org, client_rec, plan
):
    # Sunday March 8, 2026: New York clocks jump from 02:00 to 03:00.
    response = _schedule(cm_client, in_org, client_rec, "2026-03-08T02:30")
    assert response.status_code == 400
    page = response.content.decode()
    assert "2026-03-08 02:30:00 couldn" in page and "time zone America/New_York" in page
    assert not Appointment.objects.exists()


@time_machine.travel(LATER, tick=False)
def test_the_api_shows_times_with_the_organization_offset(
    client, in_org, members, client_rec, plan
):
    factories.AppointmentFactory(
        client=client_rec, starts_at=datetime(2026, 11, 5, 7, 30, tzinfo=UTC)
    )
    client.force_login(members[Role.CASE_MANAGER])
    data = client.get(
        reverse(
            "api:casemgmt_appointment_list",
            kwargs={"org": in_org.slug, "client_id": client_rec.public_id},
        )
    ).json()
    assert data["results"][0]["starts_at"] == "2026-11-05T02:30:00-05:00"


# --- the 7-day follow-up counts local days ----------------------------------------------


@time_machine.travel(LATER, tick=False)
def test_a_visit_at_0230_local_on_day_8_is_not_a_7_day_follow_up(
    cm_client, in_org, client_rec, discharged
):
    assert _schedule(cm_client, in_org, client_rec, "2026-11-05T02:30").status_code == 302
    _attend(cm_client, in_org, Appointment.objects.get())
    gaps_scan(organization=in_org)
    open_rules = set(Gap.objects.filter(resolved_at__isnull=True).values_list("rule", flat=True))
    assert GapRule.FOLLOW_UP_7 in open_rules
    assert GapRule.FOLLOW_UP_30 not in open_rules


@time_machine.travel(LATER, tick=False)
def test_a_visit_at_2330_local_on_day_7_is_a_7_day_follow_up(
    cm_client, in_org, client_rec, discharged
):
    # 04:30 UTC on November 5: day 8 in UTC, day 7 in New York.
    assert _schedule(cm_client, in_org, client_rec, "2026-11-04T23:30").status_code == 302
    _attend(cm_client, in_org, Appointment.objects.get())
    gaps_scan(organization=in_org)
    # (Scheduling the visit found the 7-day gap; recording it attended closed it.)
    assert not Gap.objects.filter(
        rule__in=[GapRule.FOLLOW_UP_7, GapRule.FOLLOW_UP_30], resolved_at__isnull=True
    ).exists()


@time_machine.travel(LATER, tick=False)
def test_a_visit_at_2330_local_on_the_discharge_day_does_not_count(
    cm_client, in_org, client_rec, discharged
):
    # 03:30 UTC on October 29: day 1 in UTC, still the discharge day in New York.
    assert _schedule(cm_client, in_org, client_rec, "2026-10-28T23:30").status_code == 302
    _attend(cm_client, in_org, Appointment.objects.get())
    gaps_scan(organization=in_org)
    assert Gap.objects.filter(rule=GapRule.FOLLOW_UP_7, resolved_at__isnull=True).exists()


# --- a discharge date stands for a moment in local time ---------------------------------


def _discharge_through_the_api(client, org, members, client_rec, **details):
    with scope(organization=org.pk):
        episode = EpisodeFactory(
            organization=org,
            client=client_rec,
            phase=Phase.RESIDENTIAL,
            admission_date=date(2026, 10, 1),
        )
    client.force_login(members[Role.CASE_MANAGER])
    response = client.post(
        reverse(
            "api:episode_transitions", kwargs={"org": org.slug, "episode_id": episode.public_id}
        ),
        {"to_phase": "aftercare", "reason": "Completed the program", **details},
        content_type="application/json",
    )
    return episode, response


def _run_aftercare_handoffs(episode):
    for run in HandoffRun.objects.filter(
        transition__episode=episode, transition__to_phase="aftercare"
    ):
        handoff_execute(run_id=run.pk)


def _first_contact_task():
    return Task.objects.get(title__startswith="First contact with", status="open")


@time_machine.travel(datetime(2026, 11, 2, 15, 0, tzinfo=UTC), tick=False)
def test_a_backdated_discharge_is_due_72_hours_after_the_discharge_day_began(
    client, in_org, members, client_rec, case_manager
):
    episode, response = _discharge_through_the_api(
        client, in_org, members, client_rec, discharge_date="2026-10-31"
    )
    assert response.status_code == 201
    _run_aftercare_handoffs(episode)
    # Local midnight of Saturday October 31 is 04:00 UTC (EDT); 72 hours later is
    # 04:00 UTC on November 3, 23:00 on November 2 in New York after the clocks went back.
    task = _first_contact_task()
    assert task.due_at == datetime(2026, 11, 3, 4, 0, tzinfo=UTC)
    assert task.assignee == case_manager


# 23:30 on November 4 in New York, already November 5 in UTC.
LATE_EVENING = datetime(2026, 11, 5, 4, 30, tzinfo=UTC)


@time_machine.travel(LATE_EVENING, tick=False)
def test_at_2330_local_tomorrow_in_utc_is_still_the_future(client, in_org, members, client_rec):
    episode, response = _discharge_through_the_api(
        client, in_org, members, client_rec, discharge_date="2026-11-05"
    )
    assert response.status_code == 400
    assert response.json() == {"discharge_date": ["This date cannot be in the future."]}
    with scope(organization=in_org.pk):
        episode.refresh_from_db()
        assert episode.phase == Phase.RESIDENTIAL


@time_machine.travel(LATE_EVENING, tick=False)
def test_a_discharge_entered_the_same_evening_is_today_and_due_72_hours_later(
    client, in_org, members, client_rec, case_manager
):
    episode, response = _discharge_through_the_api(client, in_org, members, client_rec)
    assert response.status_code == 201
    with scope(organization=in_org.pk):
        episode.refresh_from_db()
        assert episode.discharge_date == date(2026, 11, 4)
    _run_aftercare_handoffs(episode)
    assert _first_contact_task().due_at == LATE_EVENING + timedelta(hours=72)


def test_a_missed_appointment_marked_late_is_due_a_day_after_the_appointment(
    cm_client, in_org, client_rec, plan
):
    starts = datetime(2026, 11, 5, 7, 30, tzinfo=UTC)
    appointment = factories.AppointmentFactory(client=client_rec, starts_at=starts)
    with time_machine.travel(starts + timedelta(days=3), tick=False):
        response = cm_client.post(
            reverse(
                "staff:casemgmt_appointment_status",
                kwargs={"org": in_org.slug, "cm_appointment_id": appointment.public_id},
            ),
            {"status": "missed"},
        )
    assert response.status_code == 302
    task = Task.objects.get(source="casemanagement.appointment_missed")
    assert task.due_at == starts + timedelta(days=1)
