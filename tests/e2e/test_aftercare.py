"""Journey 3: the client is discharged to aftercare; a real Celery worker runs the
handoffs; the case manager sees the first-contact task, builds the care plan and books an
appointment they will accompany the client to."""

import re
import time
from datetime import timedelta

from django.utils import timezone

from casemanagement.models import Appointment, CarePlan
from continuum.care.models import CareEpisode, Phase, Task
from continuum.care.services import episode_open
from continuum.people.services import care_team_add
from continuum.tenancy.models import Membership, Role
from tests.people.factories import ClientFactory
from tests.referrals.test_worker import worker  # noqa: F401  (a real Celery worker)

from .browser import assert_fits

TIMEOUT = 45


def test_discharge_to_aftercare_then_care_plan_and_accompanied_appointment(
    site,
    in_org,
    members,
    worker,  # noqa: F811
):
    org = in_org
    case_manager = Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])
    client = ClientFactory(organization=org, first_name="Jordan", last_name="Reyes")
    episode_open(
        actor=None,
        client=client,
        phase=Phase.RESIDENTIAL,
        admission_date=timezone.localdate() - timedelta(days=28),
        residential_program="Harbor Residential",
    )
    care_team_add(actor=None, client=client, membership=case_manager, role=Role.CASE_MANAGER)

    desk = site.open(phone=False)
    desk.log_in_as(case_manager.user)
    page = desk.page
    desk.visit(f"/{org.slug}/staff/clients/{client.public_id}/")
    page.get_by_label("Move to").select_option(label="Aftercare")
    page.get_by_role("textbox", name="Reason").fill("Completed the 28-day program")
    page.get_by_label("Discharge date").fill(timezone.localdate().isoformat())
    page.get_by_label("Discharge type").select_option(label="Planned (completed program)")
    desk.submit("Change phase")
    assert CareEpisode.objects.get(client=client).phase == Phase.AFTERCARE

    # The handoffs run in the worker; the case manager's work list shows the task.
    started = time.monotonic()
    while not Task.objects.filter(client=client, assignee=case_manager).exists():
        assert worker.poll() is None, worker.log.read_text()[-3000:]
        assert time.monotonic() - started < TIMEOUT, worker.log.read_text()[-3000:]
        time.sleep(0.3)
    desk.visit(f"/{org.slug}/staff/my-work/")
    tasks = page.get_by_role("region", name="Open tasks")
    assert "Jordan Reyes" in tasks.inner_text()

    desk.visit(f"/{org.slug}/staff/clients/{client.public_id}/case/")
    assert CarePlan.objects.filter(client=client).exists()
    desk.follow("Add a goal")
    page.get_by_label("Domain").select_option(label="Recovery")
    page.get_by_label("Goal").fill("Attend three meetings a week")
    page.get_by_label("How progress is measured").fill("Meeting sign-in sheet")
    desk.submit("Save")
    assert "Attend three meetings a week" in page.get_by_role("main").inner_text()

    desk.follow("Schedule an appointment")
    starts = (timezone.localtime() + timedelta(days=3)).replace(hour=10, minute=0)
    page.get_by_label("Visit type").select_option(label="Outpatient visit")
    page.get_by_label("Starts at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends at").fill((starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Location").fill("Bayside Outpatient Clinic")
    page.get_by_label("Transport").select_option(label="Case manager drives")
    page.get_by_label(re.compile("accompanies", re.I)).check()
    desk.submit("Save")
    appointment = Appointment.objects.get(client=client)
    assert appointment.case_manager_accompanies
    assert "Bayside Outpatient Clinic" in page.get_by_role("main").inner_text()

    # On a phone, the case manager reads the follow-up report: today's discharge, its
    # 7-day window open, and a case page whose charts and tables fit 390 px.
    phone = site.open(phone=True)
    phone.log_in_as(case_manager.user)
    phone.visit(f"/{org.slug}/staff/case-management/")
    phone.follow("Follow-up after discharge")
    report = phone.page.get_by_role("region", name="Discharges", exact=True).inner_text()
    assert "Jordan Reyes" in report and "7 days left" in report
    assert_fits(phone.page)
    phone.visit(f"/{org.slug}/staff/clients/{client.public_id}/case/")
    assert_fits(phone.page)
