"""The two paths through the pages, as each person would walk them: the family asks for
help, intake triages, the interventionist plans with the family, the day ends in
admission or in the family's response plan."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.care.models import CareEpisode, Phase
from continuum.consent.models import Disclosure
from continuum.notifications.services import notification_deliver_due
from continuum.people.models import Client, FamilyMember
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.timezones import org_zone
from interventions.models import (
    FamilyCheckin,
    Intervention,
    InterventionRequest,
    Letter,
    LetterStatus,
    Participant,
    RequestStatus,
    ResponsePlan,
)
from tests.consent.factories import ConsentFactory
from tests.factories import MembershipFactory, UserFactory
from tests.interventions.factories import (
    InterventionFactory,
    InterventionRequestFactory,
    ParticipantFactory,
)
from tests.queries import assert_queries
from tests.referrals.factories import ListingFactory


def url(name, org, **kw):
    return reverse(name, kwargs={"org": org.slug, **kw})


def form_data(data):
    out = {}
    for key, value in data.items():
        if value is True:
            out[key] = "on"
        elif value is not False:
            out[key] = value
    return out


def staff(client, user):
    client.force_login(user)
    return client


# --- the public request -----------------------------------------------------------------


def test_the_help_form_is_warm_and_open_to_anyone(client, org):
    response = client.get(url("public:intervention_help", org))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ask for help with someone you love" in body
    assert 'name="viewport"' in body
    assert 'for="id_requester_email"' in body
    assert "988" in body and "911" in body


def test_bad_input_gets_field_errors_and_saves_nothing(client, org, help_data):
    data = form_data(
        {**help_data, "requester_email": "not-an-address", "consent_to_contact": False}
    )
    del data["loved_one_first_name"]

    response = client.post(url("public:intervention_help", org), data)

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"requester_email", "loved_one_first_name", "consent_to_contact"}
    body = response.content.decode()
    assert "Please let us contact you, so we can help." in body
    assert 'href="#id_requester_email"' in body
    assert response.context["form"]["requester_first_name"].value() == "Maria"
    with scope(organization=org.pk):
        assert not Client.objects.exists() and not FamilyMember.objects.exists()
        assert not InterventionRequest.objects.exists()


def test_urgent_request_confirmation_leads_with_988_and_911(client, org, help_data):
    data = form_data({**help_data, "danger_signs": ["overdose"]})
    response = client.post(url("public:intervention_help", org), data)

    assert response.status_code == 302
    assert response["Location"] == url("public:intervention_help_thanks", org)
    page = client.get(response["Location"]).content.decode()
    main = page[page.index('<main id="main"') :]
    guidance = main.index("Your loved one may be in danger")
    assert guidance < main.index("Thank you for reaching out about Sam")
    assert 'href="tel:911"' in main[guidance:] and 'href="tel:988"' in main[guidance:]
    with scope(organization=org.pk):
        assert InterventionRequest.objects.get().is_urgent


def test_calm_request_confirmation_has_no_danger_block(client, org, help_data):
    client.post(url("public:intervention_help", org), form_data(help_data))
    page = client.get(url("public:intervention_help_thanks", org)).content.decode()
    assert "Thank you for reaching out about Sam" in page
    assert "may be in danger" not in page
    assert "maria.lopez@example.com" in page


def test_the_form_marks_in_words_what_it_requires(client, org):
    body = client.get(url("public:intervention_help", org)).content.decode()
    form = body[body.index("<form") :]
    required = (
        "requester_first_name",
        "requester_last_name",
        "loved_one_first_name",
        "loved_one_last_name",
        "consent_to_contact",
    )
    for field in required:
        label = re.search(rf'<label for="id_{field}">(.*?)</label>', form, re.S).group(1)
        assert "(required)" in label
        assert re.search(rf'<input[^>]*id="id_{field}"[^>]*>', form).group(0).count("required") == 2
    for field in ("requester_email", "requester_phone", "relationship", "loved_one_age"):
        label = re.search(rf'<label for="id_{field}">(.*?)</label>', form, re.S).group(1)
        assert "(required)" not in label
    assert "skip anything you don" in body


def test_two_names_and_a_phone_number_are_enough_to_be_called_back(client, org):
    data = {
        "requester_first_name": "Maria",
        "requester_last_name": "Lopez",
        "requester_phone": "555-0100",
        "loved_one_first_name": "Sam",
        "loved_one_last_name": "Lopez",
        "consent_to_contact": "on",
    }
    response = client.post(url("public:intervention_help", org), data)

    assert response.status_code == 302
    # No e-mail address, so no family page to send them to: staff will call.
    page = client.get(url("public:intervention_help_thanks", org)).content.decode()
    assert "What happens next" in page and "Go to your family page" not in page
    with scope(organization=org.pk):
        request = InterventionRequest.objects.select_related("requester").get()
        assert request.requester.phone == "555-0100" and request.requester.email == ""
        assert request.requester.portal_user is None
    # The same phone number the same day is the same request.
    client.post(url("public:intervention_help", org), data)
    with scope(organization=org.pk):
        assert InterventionRequest.objects.get().submission_count == 2


def test_without_a_phone_or_an_email_the_error_says_how_to_fix_it(client, org, help_data):
    data = form_data({**help_data, "requester_email": "", "requester_phone": ""})
    response = client.post(url("public:intervention_help", org), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert (
        '<a href="#id_requester_phone">Your phone number: Give us a phone number or an e-mail '
        "address, so we can call you back.</a>" in body
    )


def test_a_double_submitted_request_sends_one_confirmation(client, org, help_data):
    target = url("public:intervention_help", org)
    for _ in range(2):
        assert client.post(target, form_data(help_data)).status_code == 302
    mail.outbox.clear()

    notification_deliver_due(worker="test")

    to_family = [m for m in mail.outbox if m.to == [help_data["requester_email"]]]
    assert len(to_family) == 1
    with scope(organization=org.pk):
        assert InterventionRequest.objects.get().submission_count == 2


def test_the_confirmation_gives_a_reference_what_happens_next_and_how_to_call(
    client, org, help_data, members
):
    org.contact_phone = "555-0199"
    org.contact_hours = "every day, 8 am to 10 pm"
    org.save()
    client.post(url("public:intervention_help", org), form_data(help_data))
    with scope(organization=org.pk):
        help_request = InterventionRequest.objects.get()
    reference = str(help_request.public_id)[:8].upper()

    page = client.get(url("public:intervention_help_thanks", org)).content.decode()
    assert f'<strong class="reference">{reference}</strong>' in page
    assert "What happens next" in page
    assert 'href="tel:555-0199"' in page and "Our phone hours: every day, 8 am to 10 pm." in page

    staff(client, members[Role.INTAKE_COORDINATOR])
    detail = client.get(
        url("staff:intervention_request_detail", org, request_id=help_request.public_id)
    )
    assert f"Reference <strong>{reference}</strong>" in detail.content.decode()


def test_submissions_are_rate_limited_per_ip(client, org, help_data, settings):
    settings.INTERVENTION_REQUEST_RATE = "2/h"
    target = url("public:intervention_help", org)
    for name in ("Sam", "Leo"):
        assert (
            client.post(target, form_data({**help_data, "loved_one_first_name": name})).status_code
            == 302
        )
    response = client.post(target, form_data({**help_data, "loved_one_first_name": "Ben"}))
    assert response.status_code == 429
    assert "Please wait an hour" in response.content.decode()
    # Another address is not affected.
    other = client.post(target, form_data(help_data), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302
    with scope(organization=org.pk):
        assert sorted(Client.objects.values_list("first_name", flat=True)) == ["Leo", "Sam"]


def test_a_robot_filling_the_hidden_field_saves_nothing(client, org, help_data):
    response = client.post(
        url("public:intervention_help", org), form_data({**help_data, "website": "http://spam"})
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        assert not InterventionRequest.objects.exists()


def test_the_family_signs_in_by_code_and_sees_their_page(client, org, help_data):
    client.post(url("public:intervention_help", org), form_data(help_data))
    mail.outbox.clear()

    response = client.post(
        reverse("account_request_login_code"), {"email": help_data["requester_email"]}
    )
    assert response.status_code == 302
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[0].body, re.M).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302

    page = client.get(url("portal:interventions", org))
    assert page.status_code == 200
    assert "Our team is reviewing your request" in page.content.decode()


# --- triage pages -----------------------------------------------------------------------


def test_queue_shows_urgent_first_then_oldest_with_their_age(client, org, members):
    with scope(organization=org.pk):
        old = InterventionRequestFactory(
            organization=org, submitted_at=timezone.now() - timedelta(hours=30)
        )
        urgent = InterventionRequestFactory(
            organization=org, is_urgent=True, danger_signs=["violence"]
        )
        Client.objects.filter(pk=old.client_id).update(first_name="Oldest", last_name="One")
        Client.objects.filter(pk=urgent.client_id).update(first_name="Urgent", last_name="Two")

    response = staff(client, members[Role.INTERVENTIONIST]).get(
        url("staff:intervention_requests", org)
    )

    body = response.content.decode()
    assert body.index("Urgent Two") < body.index("Oldest One")
    assert "Over 24 h" in body and "1\xa0day" in body


def test_queue_query_count_does_not_grow_with_requests(client, org, members):
    staff(client, members[Role.INTAKE_COORDINATOR])
    with scope(organization=org.pk):
        InterventionRequestFactory(organization=org)
    # 1 organization, 2 session, 3 user, 4 membership (tenant middleware),
    # 5 requests with client, requester and episode, 6 the header's organization switcher
    with assert_queries(6, label="queue with one request"):
        client.get(url("staff:intervention_requests", org))
    with scope(organization=org.pk):
        for _ in range(4):
            InterventionRequestFactory(organization=org)
    with assert_queries(6, label="queue with five requests"):
        response = client.get(url("staff:intervention_requests", org))
    assert len(response.context["rows"]) == 5


def test_accepting_without_an_interventionist_changes_nothing(client, org, members):
    with scope(organization=org.pk):
        request = InterventionRequestFactory(organization=org)
    response = staff(client, members[Role.INTAKE_COORDINATOR]).post(
        url("staff:intervention_request_detail", org, request_id=request.public_id),
        {"action": "accept", "accept-interventionist": ""},
    )
    assert response.status_code == 400
    assert "interventionist" in response.context["forms"]["accept"].errors
    with scope(organization=org.pk):
        request.refresh_from_db()
        assert request.status == RequestStatus.NEW and not Intervention.objects.exists()


def test_closing_needs_a_note(client, org, members):
    with scope(organization=org.pk):
        request = InterventionRequestFactory(organization=org)
    target = url("staff:intervention_request_detail", org, request_id=request.public_id)
    staff(client, members[Role.INTAKE_COORDINATOR])
    response = client.post(
        target, {"action": "close", "close-reason": "declined", "close-note": ""}
    )
    assert response.status_code == 400 and "note" in response.context["forms"]["close"].errors
    response = client.post(
        target,
        {
            "action": "close",
            "close-reason": "declined",
            "close-note": "Family chose another program",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        assert CareEpisode.objects.get().phase == Phase.CLOSED


# --- the two paths, page by page --------------------------------------------------------


@pytest.fixture
def case(client, org, members, help_data):
    """The family asked, intake accepted: planning begins."""
    client.post(url("public:intervention_help", org), form_data(help_data))
    with scope(organization=org.pk):
        request = InterventionRequest.objects.get()
        interventionist = Membership.objects.get(
            organization=org, user=members[Role.INTERVENTIONIST]
        )
    staff(client, members[Role.INTAKE_COORDINATOR])
    queue = client.get(url("staff:intervention_requests", org)).content.decode()
    assert "Sam Lopez" in queue
    detail = url("staff:intervention_request_detail", org, request_id=request.public_id)
    assert client.post(detail, {"action": "contact"}).status_code == 302
    response = client.post(
        detail, {"action": "accept", "accept-interventionist": str(interventionist.public_id)}
    )
    with scope(organization=org.pk):
        intervention = Intervention.objects.get()
    assert response["Location"] == url(
        "staff:intervention_detail", org, intervention_id=intervention.public_id
    )
    client.logout()
    with scope(organization=org.pk):
        family = request.requester.portal_user
    return {"intervention": intervention, "family": family, "request": request}


def plan_the_intervention(client, org, members, intervention):
    page = url("staff:intervention_detail", org, intervention_id=intervention.public_id)
    staff(client, members[Role.INTERVENTIONIST])
    when = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    steps = [
        {
            "action": "intake",
            "intake-addiction_nature": "Daily drinking, pills since 2022",
            "intake-risks": "Withdrawal seizures in 2023",
        },
        {
            "action": "plan",
            "plan-model": "johnson",
            "plan-arise_level": "1",
            "plan-scheduled_at": when,
            "plan-location": "The family home",
        },
        {"action": "agenda", "agenda-items": "Opening | 5\nLetters\nThe offer of treatment | 10"},
        {
            "action": "participant",
            "participant-name": "Ana Lopez",
            "participant-email": "ana@example.com",
            "participant-role": "family",
            "participant-relationship": "Sister",
            "participant-speaking_order": "2",
        },
        {
            "action": "session",
            "session-kind": "education",
            "session-starts_at": when,
            "session-topics": "Addiction as an illness",
            "session-materials": "Chapter 3 of the family guide",
        },
        {
            "action": "treatment",
            "treatment-program_name": "Harbor House Residential",
            "treatment-insurance_verification": "verified",
            "treatment-admission_contact": "Dr. Reyes",
        },
        {
            "action": "transport",
            "transport-transport_provider": "SafeRide",
            "transport-pickup_place": "Home",
            "transport-escort": "Jim",
        },
    ]
    for step in steps:
        response = client.post(page, step)
        assert response.status_code == 302, (
            step["action"],
            response.context and [f.errors for f in response.context["forms"].values() if f.errors],
        )
    with scope(organization=org.pk):
        ana = Participant.objects.get(name="Ana Lopez")
    assert (
        client.post(page, {"action": "invite", "participant": str(ana.public_id)}).status_code
        == 302
    )
    body = client.get(page).content.decode()
    assert "Harbor House Residential" in body and "Invited" in body
    client.logout()
    return page


def family_writes_the_letter(client, org, case):
    client.force_login(case["family"])
    home = client.get(url("portal:interventions", org))
    portal_page = url(
        "portal:intervention_family", org, intervention_id=case["intervention"].public_id
    )
    assert home["Location"] == portal_page
    page = client.get(portal_page).content.decode()
    assert "The family home" in page and "The offer of treatment" in page
    assert "Chapter 3 of the family guide" in page
    answer = url("portal:intervention_answer", org, intervention_id=case["intervention"].public_id)
    assert client.post(answer, {"rsvp": "yes"}).status_code == 302
    letter_page = url(
        "portal:intervention_letter", org, intervention_id=case["intervention"].public_id
    )
    empty = client.post(letter_page, {"body": "", "submit": "1"})
    assert empty.status_code == 400 and "body" in empty.context["form"].errors
    response = client.post(
        letter_page, {"body": "Sam, I love you. I remember our trips.", "submit": "1"}
    )
    assert response.status_code == 302
    client.logout()
    with scope(organization=org.pk):
        return Letter.objects.get()


def test_path_accepted_to_residential(client, org, members, case):
    plan_the_intervention(client, org, members, case["intervention"])
    letter = family_writes_the_letter(client, org, case)

    # The interventionist reviews the letter; an admin may not read it.
    review = url("staff:intervention_letter", org, letter_id=letter.public_id)
    staff(client, members[Role.ORG_ADMIN])
    assert client.get(review).status_code == 403
    staff(client, members[Role.INTERVENTIONIST])
    assert "I remember our trips" in client.get(review).content.decode()
    bad = client.post(review, {"decision": "changes", "comment": ""})
    assert bad.status_code == 400 and "comment" in bad.context["form"].errors
    assert client.post(review, {"decision": "approve"}).status_code == 302

    page = url("staff:intervention_detail", org, intervention_id=case["intervention"].public_id)
    # The organization's day: late in its evening, UTC is already tomorrow.
    today = timezone.localdate(timezone=org_zone(org)).isoformat()
    response = client.post(
        page, {"action": "outcome", "outcome-outcome": "accepted", "outcome-admission_date": today}
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        episode = CareEpisode.objects.get()
        assert episode.phase == Phase.RESIDENTIAL
        assert episode.residential_program == "Harbor House Residential"
        assert Letter.objects.get().status == LetterStatus.APPROVED
        assert Intervention.objects.get().transport_dispatched_at is not None

    # The family took part in the day; what happened to Sam afterwards is Sam's to share.
    client.force_login(case["family"])
    portal_page = url(
        "portal:intervention_family", org, intervention_id=case["intervention"].public_id
    )
    page = client.get(portal_page).content.decode()
    assert "accepted help" not in page and "Harbor House Residential" not in page
    assert "once Sam signs a consent naming you" in page
    with scope(organization=org.pk):
        assert not Disclosure.objects.exists()
        reads = AuditEvent.objects.filter(action="intervention.viewed", actor=case["family"])
        assert reads.filter(client_id=case["intervention"].client.public_id).exists()
        family_member = FamilyMember.objects.get(portal_user=case["family"])
        ConsentFactory(
            client=case["intervention"].client,
            recipient_kind="family_member",
            recipient_name="",
            recipient_family_member=family_member,
            purposes=["family_involvement"],
            information_categories=["status"],
        )
    page = client.get(portal_page).content.decode()
    assert "accepted help and is on the way to treatment" in page
    assert "Harbor House Residential" in page
    client.get(portal_page)
    with scope(organization=org.pk):
        # Accounted once, however often the family member looks.
        disclosure = Disclosure.objects.get()
        assert disclosure.recipient == family_member.display_name
        assert disclosure.purpose == "family_involvement"


def test_path_declined_to_the_family_response_plan(client, org, members, case):
    plan_the_intervention(client, org, members, case["intervention"])
    page = url("staff:intervention_detail", org, intervention_id=case["intervention"].public_id)
    staff(client, members[Role.INTERVENTIONIST])
    assert (
        client.post(page, {"action": "outcome", "outcome-outcome": "declined"}).status_code == 302
    )
    checkin = (timezone.localdate() + timedelta(days=14)).isoformat()
    bad = client.post(
        page,
        {
            "action": "response_plan",
            "response_plan-boundaries": "",
            "response_plan-next_checkin_on": checkin,
        },
    )
    assert bad.status_code == 400
    assert "boundaries" in bad.context["forms"]["response_plan"].errors
    with scope(organization=org.pk):
        assert not ResponsePlan.objects.exists()
    response = client.post(
        page,
        {
            "action": "response_plan",
            "response_plan-boundaries": "No more money. No rides except to treatment.",
            "response_plan-responsibilities": "Maria calls weekly; Ana holds the car keys.",
            "response_plan-next_checkin_on": checkin,
            "response_plan-support_resources": "Nar-Anon Tuesday 7 pm",
            "response_plan-share": "on",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        assert CareEpisode.objects.get().phase == Phase.PRE_TREATMENT

    client.force_login(case["family"])
    portal_page = url(
        "portal:intervention_family", org, intervention_id=case["intervention"].public_id
    )
    body = client.get(portal_page).content.decode()
    assert "No more money. No rides except to treatment." in body
    assert "Ana holds the car keys" in body
    checkin = url("portal:family_checkin", org)
    bad = client.post(checkin, {"mood": "9", "stress": "3"})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"mood"}
    assert client.post(checkin, {"mood": "2", "stress": "4"}).status_code == 302
    assert "mood 2 of 5, calm 4 of 5" in client.get(portal_page).content.decode()
    assert "Start my letter" not in client.get(portal_page).content.decode()

    # Later the family is ready to try again.
    staff(client, members[Role.INTERVENTIONIST])
    assert client.post(page, {"action": "resume"}).status_code == 302
    with scope(organization=org.pk):
        assert Intervention.objects.get().outcome == ""
        assert FamilyCheckin.objects.count() == 1


def test_another_interventionist_and_other_families_get_404(client, org, members, case):
    other = UserFactory()
    MembershipFactory(organization=org, user=other, roles=[Role.INTERVENTIONIST])
    page = url("staff:intervention_detail", org, intervention_id=case["intervention"].public_id)
    assert staff(client, other).get(page).status_code == 404
    stranger_family = UserFactory()
    MembershipFactory(organization=org, user=stranger_family, roles=[Role.FAMILY_MEMBER])
    client.force_login(stranger_family)
    portal = url("portal:intervention_family", org, intervention_id=case["intervention"].public_id)
    assert client.get(portal).status_code == 404


def test_plan_bad_input_shows_field_errors(client, org, members, case):
    page = url("staff:intervention_detail", org, intervention_id=case["intervention"].public_id)
    staff(client, members[Role.INTERVENTIONIST])
    past = (timezone.now() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        page,
        {
            "action": "plan",
            "plan-model": "arise",
            "plan-arise_level": "1",
            "plan-scheduled_at": past,
        },
    )
    assert response.status_code == 400
    assert "scheduled_at" in response.context["forms"]["plan"].errors
    response = client.post(page, {"action": "agenda", "agenda-items": "Opening | five"})
    assert response.status_code == 400
    with scope(organization=org.pk):
        intervention = Intervention.objects.get()
        assert intervention.model == "johnson" and intervention.scheduled_at is None
        assert not intervention.agenda.exists()


def test_intervention_detail_query_count_does_not_grow(client, org, members, memberships):
    with scope(organization=org.pk):
        intervention = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
        ParticipantFactory(intervention=intervention, user=UserFactory(), name="Ana Lopez")
    page = url("staff:intervention_detail", org, intervention_id=intervention.public_id)
    staff(client, members[Role.INTERVENTIONIST])
    # 1 organization, 2 session, 3 user, 4 membership, 5 the intervention with client,
    # interventionist, request and episode, 6 agenda, 7 response plans, 8 participants
    # with attendance counts, 9 meetings (none, so no attendee query), 10 outcomes,
    # 11 wellbeing check-ins, 12 the participants' own recent check-ins, 13 the audit line
    # for the read, 14 letters visible to the viewer, 15 treatment programs from the
    # directory, 16 family-support groups from the directory, 17 the header's organization
    # switcher
    with assert_queries(17, label="detail with one participant"):
        client.get(page)
    with scope(organization=org.pk):
        for name in ("Eva Lopez", "Leo Lopez", "Jim Lopez"):
            ParticipantFactory(intervention=intervention, user=UserFactory(), name=name)
    with assert_queries(17, label="detail with four participants"):
        response = client.get(page)
    assert response.content.decode().count("Seen by the interventionist only") == 0
    assert "Leo Lopez" in response.content.decode()


def test_intervention_list_query_count(client, org, members, memberships):
    staff(client, members[Role.INTERVENTIONIST])
    with scope(organization=org.pk):
        InterventionFactory(organization=org, interventionist=memberships[Role.INTERVENTIONIST])
    # 1 organization, 2 session, 3 user, 4 membership, 5 interventions with client,
    # interventionist and request, 6 the header's organization switcher
    with assert_queries(6):
        client.get(url("staff:intervention_list", org))


def test_measures_page_draws_the_charts(client, org, members):
    with scope(organization=org.pk):
        InterventionRequestFactory(organization=org)
    response = staff(client, members[Role.INTAKE_COORDINATOR]).get(
        url("staff:intervention_measures", org)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "New: 1." in body
    assert "Acceptance rate by model" in body


def test_staff_page_offers_family_support_groups_near_the_loved_one(
    client, org, members, memberships
):

    with scope(organization=org.pk):
        intervention = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
        Client.objects.filter(pk=intervention.client_id).update(zip_code="33139")
        ListingFactory(
            organization=org, name="Miami Beach Nar-Anon", zip_code="33139", kind="family_support"
        )
        ListingFactory(
            organization=org, name="Seattle Al-Anon", zip_code="98101", kind="family_support"
        )
        ListingFactory(
            organization=org, name="Miami Coaching", zip_code="33139", kind="sober_coach"
        )
    staff(client, members[Role.INTERVENTIONIST])
    body = client.get(
        url("staff:intervention_detail", org, intervention_id=intervention.public_id)
    ).content.decode()
    assert "Miami Beach Nar-Anon" in body
    assert "Seattle Al-Anon" not in body
    assert "Miami Coaching" not in body


def test_treatment_program_is_chosen_from_the_organizations_directory(
    client, org, other_org, members, memberships
):

    with scope(organization=org.pk):
        intervention = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
        program = ListingFactory(
            organization=org, name="Harbor House Residential", kind="residential"
        )
    with scope(organization=other_org.pk):
        foreign = ListingFactory(
            organization=other_org, name="Lear Residential", kind="residential"
        )
    page = url("staff:intervention_detail", org, intervention_id=intervention.public_id)
    staff(client, members[Role.INTERVENTIONIST])
    body = client.get(page).content.decode()
    assert "Harbor House Residential" in body and "Lear Residential" not in body

    response = client.post(
        page,
        {
            "action": "treatment",
            "treatment-program_listing_id": str(foreign.public_id),
            "treatment-insurance_verification": "not_started",
        },
    )
    assert response.status_code == 400
    with scope(organization=org.pk):
        intervention.refresh_from_db()
        assert intervention.program_listing_id is None

    response = client.post(
        page,
        {
            "action": "treatment",
            "treatment-program_listing_id": str(program.public_id),
            "treatment-insurance_verification": "not_started",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        intervention.refresh_from_db()
    assert intervention.program_listing_id == program.public_id
    assert intervention.program_name == "Harbor House Residential"
