"""Journey 2: the interventionist triages a family's request, adds a participant and the
agenda through the intervention's task list, reviews the family's letter and records
"accepted"; the client is then in residential treatment, as the client's timeline shows."""

import re

from continuum.care.models import CareEpisode, Phase
from continuum.tenancy.models import Role
from interventions import services
from interventions.models import Intervention, LetterStatus, Outcome

from .test_family_intervention import request_values


def test_interventionist_plans_reviews_the_letter_and_records_accepted(site, in_org, members):
    org = in_org
    request, _ = services.request_submit(organization=org, **request_values())
    family_user = request.requester.portal_user

    desk = site.open(phone=False)
    desk.log_in_as(members[Role.INTERVENTIONIST])
    desk.visit(f"/{org.slug}/staff/interventions/requests/")
    page = desk.page
    desk.follow("Sam Lopez")
    accept = page.get_by_role("region", name="Accept")
    accept.get_by_role("combobox").select_option(index=1)
    desk.submit("Accept and assign")
    intervention = Intervention.objects.get()
    assert page.url.endswith(f"/interventions/{intervention.public_id}/")

    overview = f"/{org.slug}/staff/interventions/{intervention.public_id}/"
    desk.follow("Participants and speaking order")
    page.get_by_label("Name").fill("Ana Lopez")
    page.get_by_label("Role").select_option(label="Family")
    page.get_by_label("Relationship to the loved one").select_option(label="Sibling")
    desk.submit("Add participant")
    desk.follow("Participants and speaking order")
    assert "Ana Lopez" in page.get_by_role("table").inner_text()

    desk.visit(overview)
    desk.follow("The day and the outcome")
    desk.follow("Write the agenda")
    page.get_by_label("Agenda").fill("Opening | 5\nLetters | 40\nThe ask | 10")
    desk.submit("Save agenda")
    assert [i.title for i in intervention.agenda.all()] == ["Opening", "Letters", "The ask"]

    # The family's letter arrives for review.
    participant = intervention.participants.get(family_member=request.requester)
    services.letter_save(
        actor=family_user, participant=participant, body="Sam, we love you.", submit=True
    )
    desk.visit(overview)
    desk.follow("Letters")
    desk.follow(re.compile("submitted", re.I))
    page.get_by_label("Approve").check()
    desk.submit("Send review")
    assert participant.letters.get().status == LetterStatus.APPROVED

    desk.visit(overview)
    desk.follow(re.compile("^Treatment$"))
    page.get_by_label("Program name").fill("Harbor Residential")
    desk.submit("Save treatment")
    desk.follow("The day and the outcome")
    page.get_by_label("Accepted treatment").check()
    page.get_by_label("Why are you recording the outcome before the day?").fill(
        "Sam agreed to go at the planning meeting"
    )
    desk.submit("Record the outcome")
    intervention.refresh_from_db()
    assert intervention.outcome == Outcome.ACCEPTED
    assert CareEpisode.objects.get(client=request.client).phase == Phase.RESIDENTIAL

    desk.visit(f"/{org.slug}/staff/clients/{request.client.public_id}/")
    assert "Residential" in page.get_by_role("heading", level=1).locator("..").inner_text()
    desk.follow(re.compile("^Timeline$"))
    timeline = page.get_by_role("region", name="Timeline")
    assert "Residential" in timeline.inner_text()
    timeline.scroll_into_view_if_needed()
    desk.screenshot("staff-client-timeline")
