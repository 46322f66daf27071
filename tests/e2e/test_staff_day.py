"""Journey: a coach and a case manager start their day from the dashboard. The coach
sees the safety alert in red and acknowledges it from the card; the case manager sees a
gap in care, reschedules the missed visit that caused it and sees the gap close at once.
Every staff page they reach passes axe and fits a 390-px phone and a desktop without
scrolling sideways."""

import os
import re
from datetime import timedelta

from django.utils import timezone

from casemanagement.models import AppointmentStatus, Gap
from casemanagement.services import gaps_scan
from continuum.care.services import safety_event_raise
from continuum.tenancy.models import Membership, Role
from tests.casemanagement.factories import AppointmentFactory, CarePlanFactory, ProviderFactory
from tests.coaching.factories import AlertFactory, EngagementFactory
from tests.interventions.factories import InterventionFactory, InterventionRequestFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory

from .browser import assert_fits as assert_page_fits


def assert_fits(visitor):
    assert_page_fits(visitor.page)


def visit_all(visitor, paths):
    for path in paths:
        visitor.visit(path)
        assert_fits(visitor)
        shots = os.environ.get("E2E_SHOTS_DIR")
        if shots:
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            width = visitor.page.viewport_size["width"]
            visitor.page.screenshot(path=f"{shots}/{width}-{name[-60:]}.png", full_page=True)


def test_a_coach_and_a_case_manager_start_their_day_from_the_dashboard(site, in_org, members):
    org = in_org
    coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
    manager = Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])
    luis = EngagementFactory(
        organization=org,
        coach=coach,
        client=ClientFactory(organization=org, first_name="Luis", last_name="Ortega"),
    )
    AlertFactory(organization=org, engagement=luis)
    event = safety_event_raise(actor=None, client=luis.client, kind="help_now", door="portal")

    ray = ClientFactory(organization=org, first_name="Ray", last_name="Lane")
    CareTeamMemberFactory(
        client=ray,
        membership=manager,
        role=Role.CASE_MANAGER,
        started_on=timezone.localdate() - timedelta(days=30),
    )
    CarePlanFactory(client=ray, case_manager=manager)
    provider = ProviderFactory(client=ray, name="Bayside Therapy")
    missed = AppointmentFactory(
        client=ray,
        provider=provider,
        starts_at=timezone.now() - timedelta(days=6),
        status=AppointmentStatus.MISSED,
    )
    gaps_scan(organization=org, client=ray)
    assert Gap.objects.filter(client=ray, resolved_at__isnull=True).count() == 1

    # The coach, on her phone.
    phone = site.open(phone=True)
    phone.log_in_as(coach.user)
    page = phone.page
    phone.visit(f"/{org.slug}/staff/")
    assert_fits(phone)
    safety = page.locator("section.card--urgent", has_text="Safety alerts waiting for you")
    assert "Same-day call: Luis Ortega" in safety.inner_text()
    assert "Risk" in page.get_by_role("region", name="My clients by risk").inner_text()
    phone.submit(re.compile(r"Acknowledge\W+Luis Ortega"), within=safety)
    assert page.url.endswith(f"/{org.slug}/staff/")
    assert "Acknowledged: nobody else will be asked about Luis Ortega." in page.content()
    event.refresh_from_db()
    assert event.acknowledged_at is not None
    assert "No safety alert is waiting for you." in page.content()
    record = f"/{org.slug}/staff/clients/{luis.client.public_id}/"
    visit_all(
        phone,
        [
            f"/{org.slug}/staff/my-work/",
            record,
            record + "timeline/",
            record + "coaching/",
            record + "consents/",
            record + "messages/",
            f"/{org.slug}/staff/coaching/",
            f"/{org.slug}/staff/components/",
        ],
    )

    # The case manager, at her desk: the gap is on her dashboard; she reschedules the
    # missed visit and the gap is closed when the page comes back.
    desk = site.open(phone=False)
    desk.log_in_as(manager.user)
    desk.visit(f"/{org.slug}/staff/")
    assert_fits(desk)
    gaps = desk.page.get_by_role("region", name="1 Gaps in care")
    assert "Ray Lane: Missed appointment not rescheduled" in gaps.inner_text()
    desk.visit(f"/{org.slug}/staff/case/appointments/{missed.public_id}/reschedule/")
    start = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    desk.page.get_by_label("New start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    desk.page.get_by_label("New end").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    desk.submit("Save")
    assert "No open gap in care." in desk.page.content()
    assert not Gap.objects.filter(client=ray, resolved_at__isnull=True).exists()
    desk.visit(f"/{org.slug}/staff/")
    assert "None of your clients has an open gap in care." in desk.page.content()

    case = f"/{org.slug}/staff/clients/{ray.public_id}/"
    staff_pages = [
        f"/{org.slug}/staff/my-work/",
        case,
        case + "case/",
        case + "referrals/",
        case + "case/providers/new/?q=bayside",
        f"/{org.slug}/staff/case-management/",
        f"/{org.slug}/staff/case-management/gaps/",
        f"/{org.slug}/staff/components/",
    ]
    visit_all(desk, staff_pages)
    narrow = site.open(phone=True)
    narrow.log_in_as(manager.user)
    visit_all(narrow, [f"/{org.slug}/staff/", *staff_pages])

    # Intake and the interventionist: the pipeline board, urgent first, and the
    # client's intervention tab.
    urgent = InterventionRequestFactory(
        organization=org,
        is_urgent=True,
        client=ClientFactory(organization=org, first_name="Urgent", last_name="Case"),
    )
    interventionist = Membership.objects.get(organization=org, user=members[Role.INTERVENTIONIST])
    planned = InterventionFactory(organization=org, interventionist=interventionist)
    CareTeamMemberFactory(
        client=planned.client,
        membership=interventionist,
        role=Role.INTERVENTIONIST,
        started_on=timezone.localdate() - timedelta(days=7),
    )
    intake = Membership.objects.get(organization=org, user=members[Role.INTAKE_COORDINATOR])
    for is_phone in (True, False):
        visitor = site.open(phone=is_phone)
        visitor.log_in_as(intake.user)
        visit_all(visitor, [f"/{org.slug}/staff/"])
        board = visitor.page.get_by_role("region", name="New: not yet contacted")
        assert f"Urgent Case ({urgent.reference})" in board.inner_text()
        visitor = site.open(phone=is_phone)
        visitor.log_in_as(interventionist.user)
        visit_all(
            visitor,
            [
                f"/{org.slug}/staff/my-work/",
                f"/{org.slug}/staff/clients/{planned.client.public_id}/intervention/",
            ],
        )

    # The admin's pages, on a phone and a desktop.
    admin = Membership.objects.get(organization=org, user=members[Role.ORG_ADMIN])
    admin_pages = [
        f"/{org.slug}/staff/",
        f"/{org.slug}/staff/team/",
        f"/{org.slug}/staff/settings/",
        f"/{org.slug}/staff/audit/",
        f"/{org.slug}/staff/clients/",
    ]
    for is_phone in (True, False):
        visitor = site.open(phone=is_phone)
        visitor.log_in_as(admin.user)
        visit_all(visitor, admin_pages)
