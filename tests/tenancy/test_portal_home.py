"""The client's portal home answers "what do I do today", in sections the lines register,
at a query count that does not grow with the client's records."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from coaching import services as coaching_services
from continuum.tenancy.models import Membership, Role
from tests.casemanagement.factories import (
    AppointmentFactory,
    MedicationFactory,
    ProviderFactory,
    QuestionnaireAssignmentFactory,
)
from tests.coaching.factories import EngagementFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.queries import assert_queries

NY = ZoneInfo("America/New_York")
TODAY = date(2026, 12, 9)
NOON = datetime.combine(TODAY, time(12), NY)


@pytest.fixture
def world(org, members):
    with scope(organization=org.pk), time_machine.travel(NOON - timedelta(days=20), tick=False):
        coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
        case_manager = Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])
        sam = ClientFactory(
            organization=org, first_name="Sam", last_name="Rivera", portal_user=members[Role.CLIENT]
        )
        CareTeamMemberFactory(client=sam, membership=case_manager, role=Role.CASE_MANAGER)
        engagement = EngagementFactory(organization=org, client=sam, coach=coach)
        coaching_services.coach_profile_save(actor=None, membership=coach, phone="+1 555 0142")
    return {"client": sam, "engagement": engagement, "case_manager": case_manager}


def _records(org, world, n, offset=0):
    sam = world["client"]
    with scope(organization=org.pk), time_machine.travel(NOON, tick=False):
        for i in range(offset, offset + n):
            provider = ProviderFactory(client=sam, name=f"Dr. Provider {i}")
            AppointmentFactory(
                client=sam,
                provider=provider,
                starts_at=NOON + timedelta(days=2 + i),
                ends_at=NOON + timedelta(days=2 + i, hours=1),
                accompanied_by=world["case_manager"],
            )
            MedicationFactory(client=sam, name=f"Medication {i}", schedule="once daily")
            QuestionnaireAssignmentFactory(
                client=sam,
                instrument=("phq9", "gad7", "auditc", "bam")[i],
                due_on=TODAY + timedelta(days=i - 1),
                assigned_by=world["case_manager"],
            )


def _home(client, org):
    with time_machine.travel(NOON, tick=False):
        return client.get(reverse("portal:home", kwargs={"org": org.slug}))


def _sign_in(client, members):
    # Signed in on the frozen day, so the session is not idle-expired on it.
    with time_machine.travel(NOON, tick=False):
        client.force_login(members[Role.CLIENT])


def test_the_home_says_what_to_do_today(client, org, members, world):
    _records(org, world, 2)
    _sign_in(client, members)
    page = _home(client, org).content.decode()
    main = page[page.index('<main id="main"') :]
    order = [
        "Today's check-in",
        "Questionnaires from your care team",
        "My medications today",
        "My next appointment",
        "Messages",
        "Help now",
    ]
    positions = [main.index(title) for title in order]
    assert positions == sorted(positions)
    assert "Check in now" in main
    # The PHQ-9 was due yesterday; the GAD-7 is due today.
    assert "Answer the PHQ-9" in main and "Was due Dec 8, 2026" in main
    assert "Answer the GAD-7" in main and "Due Dec 9, 2026" in main
    assert "<strong>Medication 0 8 mg/2 mg</strong>: once daily" in main
    assert "Dr. Provider 0" in main and "Dr. Provider 1" not in main
    cm = members[Role.CASE_MANAGER].get_full_name()
    assert f"{cm} is going with you." in main
    assert "+1 555 0142" in main


def test_a_section_with_nothing_to_say_is_not_shown(client, org, members, world):
    with scope(organization=org.pk), time_machine.travel(NOON, tick=False):
        coaching_services.checkin_record(
            actor=members[Role.CLIENT],
            engagement=world["engagement"],
            sober=True,
            craving=1,
            mood=4,
            sleep="good",
        )
    _sign_in(client, members)
    main = _home(client, org).content.decode()
    assert "You checked in today." in main
    for title in (
        "Questionnaires from your care team",
        "My medications today",
        "My next appointment",
    ):
        assert title not in main


def test_the_home_query_count_does_not_grow_with_the_records(client, org, members, world):
    _sign_in(client, members)
    _records(org, world, 1)
    # session, membership with organization and user; coaching: the engagement,
    # today's check-in; the client (once, for outcomes and case management); outcomes: an open
    # follow-up (none here); case management: open questionnaires and their read audit,
    # medications and their read audit, the next appointment and its read audit;
    # coaching's help: the coach's phone; alumni: whether the episode is in alumni (once,
    # for its four sections); the header: whether to offer the switcher.
    expected = 15
    with assert_queries(expected, label="portal home"):
        assert _home(client, org).status_code == 200
    _records(org, world, 3, offset=1)
    with assert_queries(expected, label="portal home with more records"):
        page = _home(client, org).content.decode()
    assert page.count("Answer the ") == 4 and page.count("<strong>Medication ") == 4


def test_the_home_speaks_spanish_with_one_date_format(client, org, members, world):
    _records(org, world, 2)
    _sign_in(client, members)
    with time_machine.travel(NOON, tick=False):
        page = client.get(
            reverse("portal:home", kwargs={"org": org.slug}), HTTP_ACCEPT_LANGUAGE="es"
        ).content.decode()
    assert "Cuestionarios de su equipo de atención" in page
    assert "Vencía el 8 de diciembre de 2026" in page
    assert "Fecha límite: 9 de diciembre de 2026" in page
    assert "Mi próxima cita" in page and "le acompaña." in page
    assert "Registrarme ahora" in page and "Necesito ayuda ahora" in page
