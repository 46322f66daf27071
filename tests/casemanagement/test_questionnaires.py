"""Questionnaires staff assign and clients answer in the portal: assigning, answering
(scored by the assessment service, its safety rule included), reminders, pages and API."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from casemanagement import services, tasks
from casemanagement.models import Assessment, QuestionnaireAssignment
from continuum.care.models import SafetyEvent
from continuum.care.timeline import client_timeline
from continuum.notifications.models import Notification
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.scoping import across_organizations
from tests.people.factories import ClientFactory

from . import factories

NY = ZoneInfo("America/New_York")
PHQ9_CALM = {f"q{n}": "0" for n in range(1, 10)} | {"q1": "1"}


@pytest.fixture
def assigned(in_org, client_rec, case_manager):
    return factories.QuestionnaireAssignmentFactory(
        client=client_rec, assigned_by=case_manager, due_on=date.today() + timedelta(days=3)
    )


def staff_url(name, org, **kwargs):
    return reverse(f"staff:{name}", kwargs={"org": org.slug, **kwargs})


def portal_url(org, assignment):
    return reverse(
        "portal:casemgmt_portal_questionnaire",
        kwargs={"org": org.slug, "cm_questionnaire_id": assignment.public_id},
    )


# --- services -----------------------------------------------------------------------------


def test_assigning_refuses_what_the_client_could_not_answer(in_org, client_rec, case_manager):
    today = date(2026, 12, 1)

    def assign(**values):
        return services.questionnaire_assign(
            actor=None, assigned_by=case_manager, client=client_rec, today=today, **values
        )

    with pytest.raises(ValidationError) as refused:
        assign(instrument="phq2", due_on=today - timedelta(days=1))
    assert set(refused.value.message_dict) == {"instrument", "due_on"}
    assert "PHQ-9, GAD-7, AUDIT-C, BAM" in refused.value.message_dict["instrument"][0]
    no_login = ClientFactory(organization=in_org)
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_assign(
            actor=None,
            assigned_by=case_manager,
            client=no_login,
            instrument="phq9",
            due_on=today,
            today=today,
        )
    assert "invite them to the portal" in refused.value.messages[0]
    assign(instrument="phq9", due_on=today + timedelta(days=2))
    with pytest.raises(ValidationError) as refused:
        assign(instrument="phq9", due_on=today + timedelta(days=9))
    assert "already waiting for an answer, due 2026-12-03" in refused.value.messages[0]
    assert QuestionnaireAssignment.objects.count() == 1


def test_an_answer_is_scored_lands_on_the_timeline_and_closes_the_request(
    in_org, members, client_rec, assigned
):
    answers = {key: int(value) for key, value in PHQ9_CALM.items()}
    assessment = services.questionnaire_answer(
        actor=members[Role.CLIENT], assignment=assigned, answers=answers
    )
    assigned.refresh_from_db()
    assert (assigned.assessment, assessment.total, assessment.source) == (assessment, 1, "portal")
    entries = client_timeline(client=client_rec, organization=in_org).entries
    assert any(e.kind == "assessment" and e.title == "PHQ-9" for e in entries)
    with pytest.raises(ValidationError, match="already answered"):
        services.questionnaire_answer(
            actor=members[Role.CLIENT], assignment=assigned, answers=answers
        )
    assert Assessment.objects.count() == 1


def test_item_9_of_an_assigned_phq9_raises_the_safety_event(in_org, members, client_rec, assigned):
    answers = {key: int(value) for key, value in PHQ9_CALM.items()} | {"q9": 2}
    services.questionnaire_answer(actor=members[Role.CLIENT], assignment=assigned, answers=answers)
    event = SafetyEvent.objects.get(client=client_rec)
    assert event.kind == "phq9_item9"


def test_a_bad_answer_saves_nothing_and_keeps_the_request_open(in_org, members, assigned):
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_answer(
            actor=members[Role.CLIENT], assignment=assigned, answers={"q1": 7}
        )
    assert "q1" in refused.value.message_dict and "q2" in refused.value.message_dict
    assigned.refresh_from_db()
    assert assigned.answered_at is None and Assessment.objects.count() == 0


# --- reminders ------------------------------------------------------------------------------


def test_reminders_go_out_the_day_before_and_on_the_due_day_once_each(
    org, other_org, members, case_manager_of_org
):
    with scope(organization=org.pk):
        sam = ClientFactory(organization=org, portal_user=members[Role.CLIENT])
        assignment = factories.QuestionnaireAssignmentFactory(
            client=sam, assigned_by=case_manager_of_org, due_on=date(2026, 12, 10)
        )
    days = {
        date(2026, 12, 8): 0,  # two days ahead: nothing yet
        date(2026, 12, 9): 1,  # the day before
        date(2026, 12, 10): 2,  # the due day
        date(2026, 12, 11): 2,  # after it: the case page shows it overdue instead
    }
    for day, expected in days.items():
        for hour in (9, 17):  # the hourly beat runs many times a day
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=NY)
            with time_machine.travel(moment, tick=False):
                tasks.questionnaire_reminders_organization(organization_id=org.pk)
        with across_organizations("test: every organization's reminders"):
            rows = list(Notification.objects.filter(template="assessment_reminder"))
        assert len(rows) == expected, day
    assert {(n.organization_id, n.recipient_id) for n in rows} == {
        (org.pk, members[Role.CLIENT].pk)
    }
    assert {n.dedup_key for n in rows} == {
        f"cm-questionnaire:{assignment.public_id}:2026-12-09",
        f"cm-questionnaire:{assignment.public_id}:2026-12-10",
    }
    assert (
        rows[0].context["url"] == f"/harbor/portal/questionnaires/assigned/{assignment.public_id}/"
    )


def test_an_answered_questionnaire_is_not_reminded(in_org, members, assigned):
    services.questionnaire_answer(
        actor=members[Role.CLIENT],
        assignment=assigned,
        answers={k: int(v) for k, v in PHQ9_CALM.items()},
    )
    assert services.questionnaire_reminders(organization=in_org, today=assigned.due_on) == 0


def test_the_beat_task_fans_out_per_organization(org, other_org, monkeypatch):
    sent = []
    monkeypatch.setattr(
        tasks.questionnaire_reminders_organization, "delay", lambda **kw: sent.append(kw)
    )
    assert tasks.questionnaire_reminders_all() == 2
    assert sorted(kw["organization_id"] for kw in sent) == sorted([org.pk, other_org.pk])


@pytest.fixture
def case_manager_of_org(org, members):
    with scope(organization=org.pk):
        return Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])


# --- the staff page -------------------------------------------------------------------------


def test_case_manager_assigns_from_the_case_page(client, members, in_org, client_rec, plan):
    client.force_login(members[Role.CASE_MANAGER])
    case = client.get(staff_url("casemgmt_client", in_org, client_id=client_rec.public_id))
    assign_url = staff_url("casemgmt_questionnaire_assign", in_org, client_id=client_rec.public_id)
    assert assign_url in case.content.decode()
    due = date.today() + timedelta(days=5)
    response = client.post(
        assign_url, {"instrument": "gad7", "due_on": due.isoformat()}, follow=True
    )
    page = response.content.decode()
    assert f"GAD-7 assigned, due {due:%b %-d, %Y}. Sam Rivera sees it on the portal home" in page
    assignment = QuestionnaireAssignment.objects.get()
    assert (assignment.instrument, assignment.due_on) == ("gad7", due)
    assert "Waiting for the client" in page


def test_assign_bad_input_says_what_to_fix_and_saves_nothing(client, members, in_org, client_rec):
    client.force_login(members[Role.CASE_MANAGER])
    url = staff_url("casemgmt_questionnaire_assign", in_org, client_id=client_rec.public_id)
    response = client.post(url, {"instrument": "phq2", "due_on": "2020-01-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice. phq2 is not one of the available choices." in page
    assert not QuestionnaireAssignment.objects.exists()
    past = client.post(url, {"instrument": "phq9", "due_on": "2020-01-01"})
    assert past.status_code == 400 and "Choose a due date from today on." in past.content.decode()
    assert not QuestionnaireAssignment.objects.exists()


def test_a_client_without_a_portal_login_is_offered_the_invitation(
    client, members, in_org, case_manager
):
    from tests.people.factories import CareTeamMemberFactory

    robin = ClientFactory(organization=in_org, first_name="Robin", last_name="Vale")
    CareTeamMemberFactory(client=robin, membership=case_manager, role=Role.CASE_MANAGER)
    client.force_login(members[Role.CASE_MANAGER])
    url = staff_url("casemgmt_questionnaire_assign", in_org, client_id=robin.public_id)
    invite = staff_url("messaging_portal_invite", in_org, client_id=robin.public_id)
    assert invite in client.get(url).content.decode()
    response = client.post(url, {"instrument": "phq9", "due_on": date.today().isoformat()})
    assert response.status_code == 400
    assert "invite them to the portal from their record first" in response.content.decode()
    assert not QuestionnaireAssignment.objects.exists()


def test_an_overdue_questionnaire_shows_on_the_case_page(client, members, in_org, client_rec):
    factories.QuestionnaireAssignmentFactory(
        client=client_rec, instrument="bam", due_on=date.today() - timedelta(days=2)
    )
    client.force_login(members[Role.CASE_MANAGER])
    page = client.get(staff_url("casemgmt_client", in_org, client_id=client_rec.public_id))
    assert 'class="badge badge--overdue">Overdue</strong>' in page.content.decode()


def test_assign_page_access(client, members, outsider, in_org, client_rec):
    url = staff_url("casemgmt_questionnaire_assign", in_org, client_id=client_rec.public_id)
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    # Intake sees every client's case page, but asking a client questions is the care
    # team's.
    client.force_login(members[Role.INTAKE_COORDINATOR])
    assert (
        client.post(url, {"instrument": "phq9", "due_on": date.today().isoformat()}).status_code
        == 403
    )
    assert not QuestionnaireAssignment.objects.exists()


# --- the portal -----------------------------------------------------------------------------


def test_client_answers_an_assigned_questionnaire(client, members, in_org, client_rec, assigned):
    client.force_login(members[Role.CLIENT])
    form = client.get(portal_url(in_org, assigned)).content.decode()
    assert "Your care team asked you to answer this by" in form
    assert 'class="segmented segmented--words"' in form
    response = client.post(portal_url(in_org, assigned), PHQ9_CALM)
    assert response.status_code == 200
    assert "Your answers were saved for your care team." in response.content.decode()
    assigned.refresh_from_db()
    assert assigned.assessment.total == 1
    again = client.get(portal_url(in_org, assigned), follow=True)
    assert "You answered the PHQ-9 on" in again.content.decode()


def test_portal_bad_answer_is_shown_again_and_nothing_saved(client, members, in_org, assigned):
    client.force_login(members[Role.CLIENT])
    response = client.post(portal_url(in_org, assigned), {"q1": "1"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Assessment.objects.exists()


def test_portal_item_9_names_who_was_told(client, members, in_org, assigned):
    client.force_login(members[Role.CLIENT])
    response = client.post(portal_url(in_org, assigned), PHQ9_CALM | {"q9": "1"})
    page = response.content.decode()
    assert 'class="crisis-now" role="alert"' in page and "tel:988" in page
    assert SafetyEvent.objects.filter(kind="phq9_item9").count() == 1


def test_portal_questionnaire_access(client, members, outsider, in_org, assigned):
    url = portal_url(in_org, assigned)
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(members[Role.CASE_MANAGER])
    assert client.get(url).status_code == 403
    # Another client of the same organization does not see it.
    other = ClientFactory(organization=in_org)
    other_assignment = factories.QuestionnaireAssignmentFactory(client=other)
    client.force_login(members[Role.CLIENT])
    assert client.get(portal_url(in_org, other_assignment)).status_code == 404


# --- the API --------------------------------------------------------------------------------


def api_url(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kwargs})


def test_client_lists_and_answers_through_the_api(client, members, in_org, assigned):
    client.force_login(members[Role.CLIENT])
    mine = client.get(api_url("casemgmt_my_questionnaires", in_org)).json()
    assert [(r["id"], r["instrument"], r["status"]) for r in mine["results"]] == [
        (str(assigned.public_id), "phq9", "open")
    ]
    answer = api_url(
        "casemgmt_my_questionnaire_answer", in_org, cm_questionnaire_id=assigned.public_id
    )
    bad = client.post(answer, {"answers": {"q1": 9}}, content_type="application/json")
    assert bad.status_code == 400 and "q1" in bad.json()
    assert not Assessment.objects.exists()
    answers = {k: int(v) for k, v in PHQ9_CALM.items()} | {"q9": 1}
    done = client.post(answer, {"answers": answers}, content_type="application/json")
    assert done.status_code == 201
    assert done.json()["urgent"] is True and done.json()["safety_told"]
    again = client.post(answer, {"answers": answers}, content_type="application/json")
    assert again.status_code == 400
    assert (
        client.get(api_url("casemgmt_my_questionnaires", in_org)).json()["results"][0]["status"]
        == "answered"
    )


def test_staff_assign_and_list_through_the_api(client, members, in_org, client_rec):
    url = api_url("casemgmt_questionnaire_list", in_org, client_id=client_rec.public_id)
    client.force_login(members[Role.SOBER_COACH])
    # A coach not on this client's care team does not see the client.
    assert client.get(url).status_code == 404
    client.force_login(members[Role.CASE_MANAGER])
    due = (date.today() + timedelta(days=4)).isoformat()
    created = client.post(
        url, {"instrument": "auditc", "due_on": due}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["status"] == "open"
    refused = client.post(
        url, {"instrument": "auditc", "due_on": due}, content_type="application/json"
    )
    assert refused.status_code == 400 and "already waiting" in str(refused.json())
    listed = client.get(url).json()["results"]
    assert [r["instrument"] for r in listed] == ["auditc"]
    client.force_login(members[Role.INTAKE_COORDINATOR])
    assert (
        client.post(
            url, {"instrument": "bam", "due_on": due}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(members[Role.CLIENT])
    assert client.get(url).status_code == 403


def test_questionnaire_api_access(client, outsider, in_org, assigned):
    mine = api_url("casemgmt_my_questionnaires", in_org)
    assert client.get(mine).status_code in (401, 403)
    client.force_login(outsider)
    assert client.get(mine).status_code in (403, 404)
