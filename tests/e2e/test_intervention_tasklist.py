"""Journeys through the intervention's task list, as the interventionist walks them: from
the family's request to admission, and from the request to a decline and the family's
response plan. Each has a save that fails on purpose: its error summary must be where
the eye is (in the viewport, focused) and lead to the field. Every page is checked with
axe-core (Visitor.audit) and, on the phone, for horizontal scrolling."""

import re
from datetime import timedelta

from django.utils import timezone

from continuum.care.models import CareEpisode, Phase
from continuum.tenancy.models import Membership, Role
from interventions import services
from interventions.models import Intervention, Outcome, ResponsePlan

from .browser import Visitor, assert_fits
from .test_family_intervention import request_values


def fits(visitor) -> None:
    """No horizontal scroll at this width."""
    assert_fits(visitor.page)


def walk(visitor, link: str | re.Pattern) -> None:
    visitor.follow(link)
    fits(visitor)


def save(visitor, button: str) -> None:
    visitor.submit(button)
    fits(visitor)


KEYS = {
    "Intake with the family": "intake",
    "Model, date and place": "plan",
    "Treatment": "treatment",
    "The day and the outcome": "day",
    "The family's response plan": "response_plan",
}


def status_of(page, step: str) -> str:
    """The status the task list shows beside `step`."""
    row = page.locator(".task-list__item").filter(has=page.locator(f"#task-{KEYS[step]}-status"))
    assert step in row.locator(".task-list__name").inner_text()
    return row.locator(".tag").inner_text()


def assert_error_in_view(visitor, field_id: str, *, focused: str = "") -> None:
    """The refused page leads with its error summary: in the viewport, focused, naming
    that nothing was saved; its link moves the focus to the field."""
    page = visitor.page
    summary = page.locator(".error-summary")
    box = summary.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height, f"error summary at {box}, not in view"
    assert summary.evaluate("el => el === document.activeElement")
    assert "Nothing was saved" in summary.inner_text()
    assert page.title().startswith("Error: ")
    summary.locator(f"a[href='#{field_id}']").click()
    # A group of radios is reached at its first choice.
    focused = focused or field_id
    assert page.evaluate("() => document.activeElement.id") == focused
    field = page.locator(f"#{focused}")
    assert field.get_attribute("aria-invalid") == "true"
    field_box = field.bounding_box()
    assert 0 <= field_box["y"] < height, "the field the summary links to is out of view"


def _request_from_the_family(org):
    request, _ = services.request_submit(organization=org, **request_values())
    return request


def test_from_the_request_to_admission_through_the_task_list(site, in_org, members):
    org = in_org
    request = _request_from_the_family(org)
    phone = site.open(phone=True)
    phone.log_in_as(members[Role.INTERVENTIONIST])
    page = phone.page
    phone.visit(f"/{org.slug}/staff/interventions/requests/")
    fits(phone)
    walk(phone, "Sam Lopez")
    page.get_by_role("region", name="Accept").get_by_role("combobox").select_option(index=1)
    save(phone, "Accept and assign")
    intervention = Intervention.objects.get()
    assert page.url.endswith(f"/interventions/{intervention.public_id}/")
    assert status_of(page, "Intake with the family") == "Not started"
    assert status_of(page, "The day and the outcome") == "Not started"
    assert status_of(page, "The family's response plan") == "Cannot start yet"
    phone.screenshot("staff-intervention-task-list")

    walk(phone, "Intake with the family")
    page.get_by_label("Addiction nature").fill("Daily drinking; pills since 2022")
    page.get_by_label("Risks").fill("Withdrawal seizures in 2023")
    save(phone, "Save intake")
    assert status_of(page, "Intake with the family") == "Done"

    # A date in the past: refused, and the error is the first thing on the page.
    walk(phone, "Model, date and place")
    page.get_by_label("Scheduled at").fill("2025-01-06T10:00")
    page.get_by_label("Location").fill("The family home")
    save(phone, "Save model, date and place")
    phone.screenshot("staff-intervention-error-in-view")
    assert_error_in_view(phone, "id_scheduled_at")
    intervention.refresh_from_db()
    assert intervention.scheduled_at is None and intervention.location == ""
    when = timezone.localtime() + timedelta(days=7)
    page.get_by_label("Scheduled at").fill(when.strftime("%Y-%m-%dT10:00"))
    save(phone, "Save model, date and place")
    assert status_of(page, "Model, date and place") == "Done"

    walk(phone, "Participants and speaking order")
    page.get_by_label("Name").fill("Ana Lopez")
    page.get_by_label("E-mail address").fill("ana@example.com")
    page.get_by_label("Role").select_option(label="Family")
    page.get_by_label("Relationship to the loved one").select_option(label="Sibling")
    save(phone, "Add participant")
    walk(phone, "Participants and speaking order")
    save(phone, re.compile("^Invite to the portal Ana Lopez"))
    assert "Ana Lopez was e-mailed an invitation" in page.inner_text("main")
    walk(phone, "Set the speaking order")
    page.get_by_label("Ana Lopez").fill("1")
    page.get_by_label("Maria Lopez").fill("2")
    save(phone, "Save speaking order")
    assert [p.name for p in intervention.participants.all()] == ["Ana Lopez", "Maria Lopez"]

    phone.visit(f"/{org.slug}/staff/interventions/{intervention.public_id}/")
    walk(phone, re.compile("^Treatment$"))
    page.get_by_label("Program name").fill("Harbor Residential")
    page.get_by_label("Insurance verification").select_option(label="Verified")
    save(phone, "Save treatment")
    assert status_of(page, "Treatment") == "Done"
    walk(phone, re.compile("^Transport$"))
    page.get_by_label("Transport provider").fill("SafeRide")
    page.get_by_label("Pickup at").fill(when.strftime("%Y-%m-%dT12:00"))
    save(phone, "Save transport")

    # The day is a week away: recording the outcome now needs a reason.
    walk(phone, "The day and the outcome")
    page.get_by_label("Accepted treatment").check()
    save(phone, "Record the outcome")
    assert_error_in_view(phone, "id_early_reason")
    assert CareEpisode.objects.get(client=request.client).phase == Phase.PRE_TREATMENT
    page.get_by_label("Accepted treatment").check()
    page.get_by_label("Why are you recording the outcome before the day?").fill(
        "Sam asked for treatment at the education meeting"
    )
    save(phone, "Record the outcome")
    intervention.refresh_from_db()
    assert intervention.outcome == Outcome.ACCEPTED
    assert CareEpisode.objects.get(client=request.client).phase == Phase.RESIDENTIAL
    assert status_of(page, "The day and the outcome") == "Done"

    phone.visit(f"/{org.slug}/staff/clients/{request.client.public_id}/")
    fits(phone)
    assert "Residential" in page.get_by_role("heading", level=1).locator("..").inner_text()


def test_from_the_request_to_a_decline_and_the_response_plan(site, in_org, members):
    org = in_org
    request = _request_from_the_family(org)
    lead = Membership.objects.get(organization=org, user=members[Role.INTERVENTIONIST])
    desk = site.open(phone=False)
    desk.log_in_as(members[Role.INTERVENTIONIST])
    page = desk.page
    desk.visit(f"/{org.slug}/staff/interventions/requests/")
    walk(desk, "Sam Lopez")
    page.get_by_role("region", name="Accept").get_by_role("combobox").select_option(
        label=lead.user.get_full_name()
    )
    save(desk, "Accept and assign")
    intervention = Intervention.objects.get()
    # The day took place yesterday.
    Intervention.objects.filter(pk=intervention.pk).update(
        scheduled_at=timezone.now() - timedelta(days=1), location="The family home"
    )
    desk.visit(f"/{org.slug}/staff/interventions/{intervention.public_id}/")
    assert status_of(page, "The family's response plan") == "Cannot start yet"
    desk.screenshot("staff-intervention-task-list-desktop")

    walk(desk, "The day and the outcome")
    # No choice made: refused where the eye is.
    save(desk, "Record the outcome")
    assert_error_in_view(desk, "id_outcome", focused="id_outcome_0")
    page.get_by_label("Declined").check()
    page.get_by_label("Notes").fill("Listened to every letter, then left.")
    save(desk, "Record the outcome")
    intervention.refresh_from_db()
    assert intervention.outcome == Outcome.DECLINED
    assert status_of(page, "The family's response plan") == "Not started"

    walk(desk, "The family's response plan")
    page.get_by_label("Next check-in with the family").fill(
        (timezone.localdate() + timedelta(days=7)).isoformat()
    )
    save(desk, "Save the response plan")
    assert_error_in_view(desk, "id_boundaries")
    assert not ResponsePlan.objects.exists()
    page.get_by_label("Boundaries").fill("No money. No rides except to treatment.")
    page.get_by_label("Share with the participants now").check()
    save(desk, "Save the response plan")
    assert "the participants can read it in the portal" in page.inner_text("main")
    assert status_of(page, "The family's response plan") == "Done"
    assert ResponsePlan.objects.get().shared_at is not None
    walk(desk, "Family healing")
    assert CareEpisode.objects.get(client=request.client).phase == Phase.PRE_TREATMENT


def test_every_staff_page_of_an_intervention_passes_axe_and_fits_a_phone_and_a_laptop(
    site, in_org, members
):
    org = in_org
    request = _request_from_the_family(org)
    lead = Membership.objects.get(organization=org, user=members[Role.INTERVENTIONIST])
    actor = members[Role.INTERVENTIONIST]
    intervention = services.request_accept(actor=actor, request=request, interventionist=lead)
    ana = services.participant_add(
        actor=actor,
        intervention=intervention,
        name="Ana Lopez",
        role="family",
        email="ana@example.com",
        relationship="sibling",
    )
    meeting = services.session_schedule(
        actor=actor,
        intervention=intervention,
        kind="education",
        starts_at=timezone.now() + timedelta(days=2),
        topics="Addiction as an illness",
    )
    base = f"/{org.slug}/staff/interventions/{intervention.public_id}/"
    pages = [
        f"/{org.slug}/staff/interventions/",
        f"/{org.slug}/staff/interventions/requests/?status=accepted",
        f"/{org.slug}/staff/interventions/requests/{request.public_id}/",
        base,
        *(
            base + tail
            for tail in (
                "intake/",
                "plan/",
                "participants/",
                "participants/order/",
                f"participants/{ana.public_id}/",
                f"participants/{ana.public_id}/remove/",
                "meetings/",
                f"meetings/{meeting.public_id}/attendance/",
                "letters/",
                "treatment/",
                "transport/",
                "agenda/",
                "outcome/",
                "response-plan/",
                "family-healing/",
            )
        ),
    ]
    phone = site.open(phone=True)
    laptop_context = site.browser.new_context(viewport={"width": 1280, "height": 800})
    site.contexts.append(laptop_context)
    laptop = Visitor(laptop_context, site.base_url)
    for visitor in (phone, laptop):
        visitor.log_in_as(actor)
        for path in pages:
            visitor.visit(path)
            fits(visitor)
        assert len(visitor.audited) == len(pages)
