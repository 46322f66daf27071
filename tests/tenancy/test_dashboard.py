"""The staff dashboard: each member's day, from the cards the spine and the lines
register. A coach starts with the safety alert waiting for her (in red, acknowledged
from the card), then her tasks and her clients by risk with the score explained; intake
sees the request pipeline by stage, urgent first, with each request's age against the
response time; a case manager sees the gaps in care of her clients."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from casemanagement.models import Gap, GapRule
from continuum.care.services import safety_event_raise
from continuum.tenancy.models import Membership, Role
from tests.care.factories import TaskFactory
from tests.casemanagement.factories import CarePlanFactory
from tests.coaching.factories import AlertFactory, EngagementFactory
from tests.interventions.factories import InterventionFactory, InterventionRequestFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


def dashboard(org) -> str:
    return reverse("staff:dashboard", kwargs={"org": org.slug})


def membership_of(org, user) -> Membership:
    with scope(organization=org.pk):
        return Membership.objects.get(organization=org, user=user)


@pytest.fixture
def coach(org, members):
    return membership_of(org, members[Role.SOBER_COACH])


@pytest.fixture
def luis(org, coach):
    engagement = EngagementFactory(
        organization=org,
        coach=coach,
        client=ClientFactory(organization=org, first_name="Luis", last_name="Ortega"),
    )
    return engagement


def test_a_coach_starts_with_the_safety_alert_in_red_and_acknowledges_it_from_the_card(
    client, org, members, coach, luis
):
    with scope(organization=org.pk):
        event = safety_event_raise(actor=None, client=luis.client, kind="help_now", door="portal")
    client.force_login(members[Role.SOBER_COACH])
    body = client.get(dashboard(org)).content.decode()
    card = body[body.index('id="card-care-safety"') - 80 :]
    assert card.startswith(card[: card.index("card--urgent")])  # the card is the red one
    assert '<span class="card__count">1</span> Safety alerts waiting for you' in body
    assert "Same-day call: Luis Ortega" in body
    ack = reverse(
        "staff:safety_event_acknowledge",
        kwargs={"org": org.slug, "safety_event_id": event.public_id},
    )
    assert f'action="{ack}"' in body
    # Safety comes before everything else on the page.
    assert body.index("Safety alerts waiting for you") < body.index("Due today")

    response = client.post(ack, {"next": dashboard(org)})
    assert response.status_code == 302 and response["Location"] == dashboard(org)
    body = client.get(dashboard(org)).content.decode()
    assert "Acknowledged: nobody else will be asked about Luis Ortega." in body
    assert '<span class="card__count">0</span> Safety alerts waiting for you' in body
    assert "No safety alert is waiting for you." in body


def test_acknowledging_never_follows_a_next_that_leaves_the_site(client, org, members, luis):
    with scope(organization=org.pk):
        event = safety_event_raise(actor=None, client=luis.client, kind="help_now", door="portal")
    client.force_login(members[Role.SOBER_COACH])
    ack = reverse(
        "staff:safety_event_acknowledge",
        kwargs={"org": org.slug, "safety_event_id": event.public_id},
    )
    response = client.post(ack, {"next": "//evil.example.com/"})
    assert response["Location"] == reverse(
        "staff:safety_event", kwargs={"org": org.slug, "safety_event_id": event.public_id}
    )


def test_the_coachs_clients_by_risk_explain_each_score_and_the_scale(
    client, org, members, coach, luis
):
    AlertFactory(organization=org, engagement=luis)
    client.force_login(members[Role.SOBER_COACH])
    body = client.get(dashboard(org)).content.decode()
    # One open alert (30), ten days without any contact (30) and no check-in this week
    # (20): 80, which is high.
    assert "Risk 80: high" in body
    assert "1 open alert (30) + 10 days without contact (30) + check-ins 0% this week (20)" in body
    assert "Risk adds 30 for each open alert" in body and "60 or more is high" in body
    # The coaching alert (help now) is red and has its acknowledge button.
    assert "Luis Ortega: Asked for help now" in body
    assert "/coaching/alerts/" in body and "/acknowledge/" in body


def test_tasks_due_today_and_overdue_are_counted_apart(client, org, members, coach):
    # Midday on the organization's clock: late in its evening, "in five minutes" is tomorrow.
    zone = ZoneInfo(org.timezone)
    midday = datetime.combine(timezone.now().astimezone(zone).date(), time(12), zone)
    with time_machine.travel(midday, tick=False):
        now = timezone.now()
        TaskFactory(
            organization=org, assignee=coach, title="Call back", due_at=now + timedelta(minutes=5)
        )
        TaskFactory(
            organization=org, assignee=coach, title="Late one", due_at=now - timedelta(hours=3)
        )
        TaskFactory(
            organization=org, assignee=coach, title="Next week", due_at=now + timedelta(days=7)
        )
        client.force_login(members[Role.SOBER_COACH])
        body = client.get(dashboard(org)).content.decode()
    assert '<span class="card__count">1</span> Due today' in body
    assert '<span class="card__count">1</span> Overdue' in body
    assert "Call back" in body and "Late one" in body and "overdue by 3" in body
    assert "Next week" not in body


def test_intake_sees_the_pipeline_by_stage_urgent_first_with_age_against_response_time(
    client, org, members
):
    org.response_time_hours = 24
    org.save()
    old = InterventionRequestFactory(
        organization=org, client=ClientFactory(organization=org, first_name="Old", last_name="One")
    )
    with scope(organization=org.pk):
        type(old).objects.filter(pk=old.pk).update(
            submitted_at=timezone.now() - timedelta(hours=30)
        )
    InterventionRequestFactory(
        organization=org,
        is_urgent=True,
        client=ClientFactory(organization=org, first_name="Urgent", last_name="Case"),
    )
    InterventionFactory(
        organization=org,
        client=ClientFactory(organization=org, first_name="Planned", last_name="Family"),
    )
    client.force_login(members[Role.INTAKE_COORDINATOR])
    body = client.get(dashboard(org)).content.decode()
    assert '<span class="card__count">3</span> Request pipeline' in body
    new_column = body[body.index("New: not yet contacted") : body.index("Contacted: deciding")]
    assert new_column.index("Urgent Case") < new_column.index("Old One")
    assert '<span class="badge badge--urgent">' in new_column
    assert "Past the response time" in new_column and "30 h old" in new_column
    assert "respond within 24 h" in new_column
    planning = body[body.index(">Planning") : body.index(">Scheduled")]
    assert "Planned Family" in planning
    # A coach has no pipeline.
    client.force_login(members[Role.SOBER_COACH])
    assert "Request pipeline" not in client.get(dashboard(org)).content.decode()


def test_a_case_manager_sees_the_gaps_of_her_clients_with_the_count(client, org, members):
    manager = membership_of(org, members[Role.CASE_MANAGER])
    plan = CarePlanFactory(
        client=ClientFactory(organization=org, first_name="Ray", last_name="Lane"),
        case_manager=manager,
    )
    CareTeamMemberFactory(
        client=plan.client,
        membership=manager,
        started_on=timezone.localdate() - timedelta(days=7),
    )
    with scope(organization=org.pk):
        Gap.objects.create(
            organization=org,
            client=plan.client,
            rule=GapRule.FOLLOW_UP_7,
            subject_key="x",
            owner=manager,
        )
    client.force_login(members[Role.CASE_MANAGER])
    body = client.get(dashboard(org)).content.decode()
    assert '<span class="card__count">1</span> Gaps in care' in body
    assert "Ray Lane: No follow-up visit within 7 days of discharge" in body


def test_the_coach_dashboard_queries_do_not_grow_with_rows(client, org, members, coach, luis):
    client.force_login(members[Role.SOBER_COACH])
    # 1 session, 2 membership with organization and user (middleware); 3 safety events
    # waiting for me; 4-5 due today (count, rows), 6-7 overdue (count, rows); 8 coaching
    # alerts; 9 caseload page, 10 its read audit, 11 caseload count; 12 switcher.
    # Once alerts are shown, recording their read is one more statement, whatever their
    # number.
    with assert_queries(12, label="coach dashboard"):
        assert client.get(dashboard(org)).status_code == 200
    for n in range(4):
        more = EngagementFactory(organization=org, coach=coach)
        AlertFactory(organization=org, engagement=more)
        TaskFactory(
            organization=org, assignee=coach, due_at=timezone.now() - timedelta(hours=n + 1)
        )
    with assert_queries(13, label="coach dashboard with more rows"):
        assert client.get(dashboard(org)).status_code == 200


def test_my_work_shows_a_newly_assigned_intervention(client, org, members):
    interventionist = membership_of(org, members[Role.INTERVENTIONIST])
    InterventionFactory(
        organization=org,
        interventionist=interventionist,
        client=ClientFactory(organization=org, first_name="Nora", last_name="Diaz"),
    )
    client.force_login(members[Role.INTERVENTIONIST])
    body = client.get(reverse("staff:my_work", kwargs={"org": org.slug})).content.decode()
    assert '<span class="card__count">1</span> Interventions assigned to me' in body
    assert "Nora Diaz" in body


def test_the_dashboard_asks_anonymous_visitors_to_sign_in(client, org):
    response = client.get(dashboard(org))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_components_page_shows_each_component_to_staff_only(client, org, members, outsider):
    page = reverse("staff:components", kwargs={"org": org.slug})
    client.force_login(members[Role.CASE_MANAGER])
    body = client.get(page).content.decode()
    for name in (
        "Page header",
        "Badge by severity",
        "Stat tile",
        "Card and board",
        "Tabs",
        "Data table that stacks on a phone",
        "Empty state",
        "Error summary and form",
        "Task list",
        "Pagination",
    ):
        assert f">{name}</h2>" in body, name
    assert '<span class="badge badge--urgent"><svg' in body, "urgent carries its icon"
    client.force_login(members[Role.FAMILY_MEMBER])
    assert client.get(page).status_code == 403
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    client.logout()
    assert client.get(page).status_code == 302


def test_settings_speak_in_labels_and_offer_the_common_time_zones_first(client, org, admin_user):
    client.force_login(admin_user)
    body = client.get(reverse("staff:settings", kwargs={"org": org.slug})).content.decode()
    assert "Staff mfa required" not in body
    assert "Staff must use two-factor authentication" in body
    common = body.index('<optgroup label="Common in the United States">')
    assert body.index("Eastern time (New York)") > common
    assert body.index("Eastern time (New York)") < body.index('<optgroup label="Africa">')


def test_the_team_page_lists_staff_apart_from_portal_accounts(client, org, admin_user, members):
    from tests.factories import InvitationFactory

    InvitationFactory(organization=org, email="new@harbor.example.com", roles=["sober_coach"])
    client.force_login(admin_user)
    body = client.get(reverse("staff:team", kwargs={"org": org.slug})).content.decode()
    staff = body[body.index('id="staff-h"') : body.index('id="invitations-h"')]
    invitations = body[body.index('id="invitations-h"') : body.index('id="portal-h"')]
    portal = body[body.index('id="portal-h"') :]
    assert members[Role.SOBER_COACH].email in staff
    assert members[Role.FAMILY_MEMBER].email not in staff
    assert members[Role.FAMILY_MEMBER].email in portal and members[Role.CLIENT].email in portal
    assert "Sober coach" in invitations and "sober_coach" not in invitations


def test_the_audit_trail_shows_its_times_in_utc_as_it_says(client, org, admin_user):
    from datetime import UTC, datetime

    import time_machine

    from continuum.audit.services import audit_record

    org.timezone = "America/New_York"
    org.save()
    with (
        time_machine.travel(datetime(2026, 3, 2, 15, 0, 30, tzinfo=UTC), tick=False),
        scope(organization=org.pk),
    ):
        audit_record(actor=admin_user, organization=org, action="settings.checked")
    client.force_login(admin_user)
    body = client.get(
        reverse("staff:audit_list", kwargs={"org": org.slug}), {"action": "settings.checked"}
    ).content.decode()
    assert "Times are UTC." in body
    # 15:00 UTC is 10:00 in New York: the trail shows 15:00, as its heading says.
    assert "2 Mar 2026, 15:00:30" in body
    assert "2 Mar 2026, 10:00:30" not in body
