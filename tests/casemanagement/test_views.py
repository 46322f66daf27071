from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casemanagement.models import (
    Appointment,
    Assessment,
    Contact,
    Gap,
    Goal,
    GoalStep,
    Medication,
    Provider,
    QuestionnaireAssignment,
)
from casemanagement.services import gaps_scan
from continuum.care.models import Task
from continuum.consent.models import Disclosure
from continuum.tenancy.models import Role
from tests.consent.factories import ConsentFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.queries import assert_queries

from . import factories


@pytest.fixture
def cm_client(client, members):
    client.force_login(members[Role.CASE_MANAGER])
    return client


def url(name, org, **kwargs):
    return reverse(f"staff:{name}", kwargs={"org": org.slug, **kwargs})


def case_url(name, org, client_rec):
    return url(name, org, client_id=client_rec.public_id)


# --- forms: happy path and bad input ----------------------------------------------------


def test_add_a_goal_and_a_step(cm_client, in_org, client_rec, plan):
    response = cm_client.post(
        case_url("casemgmt_goal_add", in_org, client_rec),
        {"domain": "housing", "title": "Move into sober living", "measure": "Lease signed"},
    )
    assert response.status_code == 302
    goal = Goal.objects.get(plan=plan)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = cm_client.post(
        url("casemgmt_step_add", in_org, cm_goal_id=goal.public_id),
        {"description": "Tour two houses", "owner": "client", "due_on": due},
    )
    assert response.status_code == 302
    page = cm_client.get(case_url("casemgmt_client", in_org, client_rec))
    assert "Move into sober living" in page.content.decode()
    assert "Tour two houses" in page.content.decode()


def test_a_goal_without_title_is_refused(cm_client, in_org, client_rec, plan):
    response = cm_client.post(
        case_url("casemgmt_goal_add", in_org, client_rec), {"domain": "housing", "title": ""}
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Goal.objects.exists()


def test_a_step_in_the_past_is_refused(cm_client, in_org, plan):
    goal = factories.GoalFactory(plan=plan)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = cm_client.post(
        url("casemgmt_step_add", in_org, cm_goal_id=goal.public_id),
        {"description": "Call landlord", "owner": "client", "due_on": yesterday},
    )
    assert response.status_code == 400
    assert "The due date is in the past." in response.content.decode()
    assert not GoalStep.objects.exists()


def test_step_status_change(cm_client, in_org, plan):
    step = factories.GoalStepFactory(goal=factories.GoalFactory(plan=plan))
    response = cm_client.post(
        url("casemgmt_step_status", in_org, cm_step_id=step.public_id), {"status": "done"}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == "done" and step.completed_at is not None


def test_plan_review_page(cm_client, in_org, client_rec, plan):
    response = cm_client.post(case_url("casemgmt_plan_review", in_org, client_rec), {"summary": ""})
    assert response.status_code == 400
    response = cm_client.post(
        case_url("casemgmt_plan_review", in_org, client_rec), {"summary": "Housing secured."}
    )
    assert response.status_code == 302
    assert plan.reviews.get().summary == "Housing secured."


def test_open_a_plan_page(cm_client, in_org, client_rec):
    response = cm_client.post(
        case_url("casemgmt_plan_open", in_org, client_rec), {"summary": "IOP, sober living"}
    )
    assert response.status_code == 302
    assert client_rec.care_plans.get().recommendations == "IOP, sober living"


def test_add_provider_and_bad_email(cm_client, in_org, client_rec):
    bad = cm_client.post(
        case_url("casemgmt_provider_add", in_org, client_rec),
        {"kind": "therapist", "name": "Dana Ortiz", "email": "not-an-email"},
    )
    assert bad.status_code == 400 and not Provider.objects.exists()
    ok = cm_client.post(
        case_url("casemgmt_provider_add", in_org, client_rec),
        {"kind": "therapist", "name": "Dana Ortiz", "practice": "Bayside Outpatient Clinic"},
    )
    assert ok.status_code == 302
    assert Provider.objects.get().practice == "Bayside Outpatient Clinic"


def test_a_provider_is_linked_to_the_directory_through_the_search_picker(
    cm_client, in_org, client_rec, other_org
):
    from tests.referrals.factories import ListingFactory

    listing = ListingFactory(
        organization=in_org, name="Bayside Therapy Group", kind="therapist", phone="555-0101"
    )
    ListingFactory(organization=other_org, name="Bayside Elsewhere", kind="therapist")
    page = case_url("casemgmt_provider_add", in_org, client_rec)
    body = cm_client.get(page).content.decode()
    assert "Directory listing id" not in body, "nobody types a raw id"
    found = cm_client.get(page, {"q": "bayside"}).content.decode()
    assert "Bayside Therapy Group" in found and "Bayside Elsewhere" not in found
    assert f'href="?listing={listing.public_id}"' in found
    picked = cm_client.get(page, {"listing": str(listing.public_id)}).content.decode()
    assert "Linked to the directory listing <strong>Bayside Therapy Group</strong>" in picked
    assert 'value="555-0101"' in picked and f'value="{listing.public_id}"' in picked
    none = cm_client.get(page, {"q": "nothing like it"}).content.decode()
    assert "No listing named “nothing like it” in the directory." in none
    ok = cm_client.post(
        f"{page}?listing={listing.public_id}",
        {"kind": "therapist", "name": "Bayside Therapy Group", "listing_id": listing.public_id},
    )
    assert ok.status_code == 302
    assert Provider.objects.get().listing_id == listing.public_id


def test_a_listing_of_another_organization_cannot_be_linked(
    cm_client, in_org, client_rec, other_org
):
    from tests.referrals.factories import ListingFactory

    elsewhere = ListingFactory(organization=other_org, name="Bayside Elsewhere")
    page = case_url("casemgmt_provider_add", in_org, client_rec)
    shown = cm_client.get(page, {"listing": str(elsewhere.public_id)}).content.decode()
    assert "That listing is not in this organization's directory." in shown
    bad = cm_client.post(
        page, {"kind": "therapist", "name": "Dana Ortiz", "listing_id": elsewhere.public_id}
    )
    assert bad.status_code == 400
    assert "not in this organization&#x27;s directory" in bad.content.decode()
    assert not Provider.objects.exists()


def test_contact_page_shows_the_consent_refusal_and_saves_nothing(cm_client, in_org, client_rec):
    provider = factories.ProviderFactory(client=client_rec, practice="Bayside Outpatient Clinic")
    data = {
        "kind": "message",
        "provider": provider.pk,
        "direction": "outbound",
        "information": ["attendance"],
        "summary": "Attendance summary",
    }
    response = cm_client.post(case_url("casemgmt_contact_add", in_org, client_rec), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "A signed 42 CFR Part 2 consent that covers it is required." in body
    # The refusal links to recording exactly the missing consent.
    consent_new = case_url("client_consent_new", in_org, client_rec)
    assert f'href="{consent_new}?' in body and "Record the consent" in body
    assert "purposes=care_coordination" in body and "information_categories=attendance" in body
    assert not Contact.objects.exists()
    ConsentFactory(client=client_rec)
    response = cm_client.post(case_url("casemgmt_contact_add", in_org, client_rec), data)
    assert response.status_code == 302
    assert Disclosure.objects.count() == 1
    page = cm_client.get(case_url("casemgmt_client", in_org, client_rec)).content.decode()
    assert "Disclosure recorded with the 42 CFR 2.32 notice" in page


def test_schedule_appointment_and_mark_missed(cm_client, in_org, client_rec, plan, case_manager):
    start = timezone.localtime() + timedelta(days=2)
    bad = cm_client.post(
        case_url("casemgmt_appointment_add", in_org, client_rec),
        {
            "visit_type": "outpatient",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.strftime("%Y-%m-%dT%H:%M"),
            "transport": "none",
            "location": "Main St",
        },
    )
    assert bad.status_code == 400
    assert "The appointment must end after it starts." in bad.content.decode()
    assert not Appointment.objects.exists()
    ok = cm_client.post(
        case_url("casemgmt_appointment_add", in_org, client_rec),
        {
            "visit_type": "outpatient",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "transport": "case_manager",
            "location": "Main St",
            "case_manager_accompanies": "on",
        },
    )
    assert ok.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.accompanied_by == case_manager
    past = factories.AppointmentFactory(
        client=client_rec, starts_at=timezone.now() - timedelta(hours=2)
    )
    cm_client.post(
        url("casemgmt_appointment_status", in_org, cm_appointment_id=past.public_id),
        {"status": "missed"},
    )
    past.refresh_from_db()
    assert past.status == "missed"
    assert Task.objects.filter(source="casemanagement.appointment_missed").count() == 1


def test_reschedule_a_missed_appointment_closes_the_task(cm_client, in_org, client_rec, plan):
    past = factories.AppointmentFactory(
        client=client_rec, starts_at=timezone.now() - timedelta(hours=2)
    )
    cm_client.post(
        url("casemgmt_appointment_status", in_org, cm_appointment_id=past.public_id),
        {"status": "missed"},
    )
    page = url("casemgmt_appointment_reschedule", in_org, cm_appointment_id=past.public_id)
    assert cm_client.get(page).status_code == 200
    start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    bad = cm_client.post(
        page,
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert bad.status_code == 400
    assert Appointment.objects.count() == 1
    ok = cm_client.post(
        page,
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert ok.status_code == 302
    past.refresh_from_db()
    assert past.status == "rescheduled"
    assert past.rescheduled_to.status == "scheduled"
    assert not Task.objects.filter(
        source="casemanagement.appointment_missed", status="open"
    ).exists()


def test_add_medication_and_record_refill(cm_client, in_org, client_rec):
    bad = cm_client.post(
        case_url("casemgmt_medication_add", in_org, client_rec),
        {"name": "Sertraline", "dose": "", "schedule": "daily"},
    )
    assert bad.status_code == 400 and not Medication.objects.exists()
    cm_client.post(
        case_url("casemgmt_medication_add", in_org, client_rec),
        {"name": "Sertraline", "dose": "50 mg", "schedule": "daily"},
    )
    medication = Medication.objects.get()
    today = timezone.localdate()
    response = cm_client.post(
        url("casemgmt_medication_fill", in_org, cm_medication_id=medication.public_id),
        {
            "filled_on": today.isoformat(),
            "next_refill_due_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    medication.refresh_from_db()
    assert medication.refill_due_on == today + timedelta(days=30)


def test_staff_enter_a_phq9_with_published_wording(cm_client, in_org, client_rec, plan):
    page = cm_client.get(
        url(
            "casemgmt_assessment_enter",
            in_org,
            client_id=client_rec.public_id,
            cm_instrument="phq9",
        )
    )
    assert "Over the last 2 weeks, how often have you been bothered" in page.content.decode()
    assert "More than half the days" in page.content.decode()
    answers = {f"q{n}": "2" for n in range(1, 10)}
    answers["q9"] = "0"
    response = cm_client.post(
        url(
            "casemgmt_assessment_enter",
            in_org,
            client_id=client_rec.public_id,
            cm_instrument="phq9",
        ),
        answers,
    )
    assert response.status_code == 200
    assert "Score: 16" in response.content.decode()
    assert Assessment.objects.get().band == "moderately_severe"


def test_unknown_instrument_is_404(cm_client, in_org, client_rec):
    response = cm_client.get(
        url(
            "casemgmt_assessment_enter",
            in_org,
            client_id=client_rec.public_id,
            cm_instrument="nope",
        )
    )
    assert response.status_code == 404


def test_a_case_manager_not_on_the_care_team_gets_404(client, in_org, members):
    other = ClientFactory(organization=in_org)
    client.force_login(members[Role.CASE_MANAGER])
    assert client.get(case_url("casemgmt_client", in_org, other)).status_code == 404


# --- portal -----------------------------------------------------------------------------


@pytest.fixture
def portal(client, members):
    client.force_login(members[Role.CLIENT])
    return client


def test_client_phq9_item9_shows_crisis_resources_at_once(portal, in_org, client_rec, plan):
    answers = {f"q{n}": "0" for n in range(1, 9)} | {"q9": "1"}
    response = portal.post(
        reverse(
            "portal:casemgmt_portal_assessment",
            kwargs={"org": in_org.slug, "cm_instrument": "phq9"},
        ),
        answers,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Help is available right now" in body and 'href="tel:988"' in body
    assert Task.objects.filter(source="care.safety").count() == 1


def test_client_without_item9_sees_no_crisis_box(portal, in_org, client_rec, plan):
    answers = {f"q{n}": "1" for n in range(1, 10)} | {"q9": "0"}
    response = portal.post(
        reverse(
            "portal:casemgmt_portal_assessment",
            kwargs={"org": in_org.slug, "cm_instrument": "phq9"},
        ),
        answers,
    )
    assert "Help is available right now" not in response.content.decode()


def test_portal_assessment_missing_answer(portal, in_org, client_rec):
    response = portal.post(
        reverse(
            "portal:casemgmt_portal_assessment",
            kwargs={"org": in_org.slug, "cm_instrument": "gad7"},
        ),
        {"q1": "1"},
    )
    assert response.status_code == 400
    assert not Assessment.objects.exists()


def test_client_sees_and_acknowledges_the_plan(portal, in_org, client_rec, plan):
    factories.GoalFactory(plan=plan, title="Attend IOP three evenings a week")
    page = portal.get(reverse("portal:casemgmt_portal_plan", kwargs={"org": in_org.slug}))
    assert "Attend IOP three evenings a week" in page.content.decode()
    portal.post(reverse("portal:casemgmt_portal_plan_acknowledge", kwargs={"org": in_org.slug}))
    plan.refresh_from_db()
    assert plan.acknowledged_at is not None


def test_client_reports_adherence(portal, in_org, client_rec, plan):
    medication = factories.MedicationFactory(client=client_rec)
    page_url = reverse("portal:casemgmt_portal_medications", kwargs={"org": in_org.slug})
    bad = portal.post(page_url, {"medication": str(medication.public_id)})
    assert bad.status_code == 400
    ok = portal.post(page_url, {"medication": str(medication.public_id), "adherence": "none"})
    assert ok.status_code == 302
    assert medication.adherence_reports.get().adherence == "none"
    assert Task.objects.filter(source="casemanagement.adherence").count() == 1


def test_client_appointments_page(portal, in_org, client_rec):
    factories.AppointmentFactory(
        client=client_rec, telehealth_url="https://meet.example.com/x", location=""
    )
    page = portal.get(reverse("portal:casemgmt_portal_appointments", kwargs={"org": in_org.slug}))
    assert "Join the telehealth visit" in page.content.decode()


# --- query counts -----------------------------------------------------------------------


def _fill_case(client_rec, plan, n):
    for i in range(n):
        goal = factories.GoalFactory(plan=plan, title=f"Goal {i}")
        factories.GoalStepFactory(goal=goal)
        provider = factories.ProviderFactory(client=client_rec, name=f"Provider {i}")
        factories.AppointmentFactory(client=client_rec, provider=provider)
        factories.MedicationFactory(client=client_rec, name=f"Med {i}", prescriber=provider)
        # One open request per instrument: the four instruments in turn.
        asked = QuestionnaireAssignment.objects.filter(client=client_rec).count()
        factories.QuestionnaireAssignmentFactory(
            client=client_rec, instrument=("phq9", "gad7", "auditc", "bam")[asked]
        )


# Every staff page starts with: session, membership with organization and user; and
# ends with the navigation's membership lookup.
REQUEST = 2
NAV = 1


def test_case_page_queries_are_fixed_and_do_not_grow(cm_client, in_org, client_rec, plan):
    _fill_case(client_rec, plan, 1)
    page = case_url("casemgmt_client", in_org, client_rec)
    # client (visibility), audit insert, assessments, plan, goals, steps, progress
    # notes, providers, appointments, medications, contacts, open gaps, questionnaires
    # asked (with their assessments and who asked)
    expected = REQUEST + 13 + NAV
    with assert_queries(expected, label="case page"):
        assert cm_client.get(page).status_code == 200
    _fill_case(client_rec, plan, 3)
    with assert_queries(expected, label="case page with more rows"):
        response = cm_client.get(page)
    assert response.content.decode().count("Provider ") >= 4


def test_gaps_board_and_dashboard_query_counts_do_not_grow(cm_client, in_org, client_rec, plan):

    client_rec.co_occurring_conditions = ["depression"]
    client_rec.save()
    gaps_scan(organization=in_org)
    # gaps with clients and owners, audit of the rows shown (one insert)
    board = (url("casemgmt_gaps", in_org), REQUEST + 2 + NAV)
    # caseload with gap counts, appointments to accompany, plans due for review,
    # caseload assessments
    dashboard = (url("casemgmt_dashboard", in_org), REQUEST + 4 + NAV)
    for page, expected in (board, dashboard):
        with assert_queries(expected, label=page):
            assert cm_client.get(page).status_code == 200
    for _ in range(3):
        other = ClientFactory(organization=in_org, co_occurring_conditions=["anxiety"])
        CareTeamMemberFactory(
            organization=in_org, client=other, membership=plan.case_manager, role=Role.CASE_MANAGER
        )
        factories.CarePlanFactory(client=other, case_manager=plan.case_manager)
    gaps_scan(organization=in_org)
    assert Gap.objects.filter(resolved_at__isnull=True).count() == 4
    for page, expected in (board, dashboard):
        with assert_queries(expected, label=page):
            response = cm_client.get(page)
    assert response.content.decode().count('<tr><th scope="row">') == 4


def test_printable_plan_has_print_css(cm_client, in_org, client_rec, plan):
    factories.GoalFactory(plan=plan, title="Stable housing")
    response = cm_client.get(case_url("casemgmt_plan_print", in_org, client_rec))
    body = response.content.decode()
    assert "casemanagement/print.css" in body and "Stable housing" in body
