"""The two paths through the pages, as each person would walk them: the family asks for
help, intake triages, the interventionist plans with the family, the day ends in
admission or in the family's response plan."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.care.models import CareEpisode, Phase
from continuum.consent.models import Disclosure
from continuum.notifications.services import notification_deliver_due
from continuum.people.models import Client, FamilyMember, FamilyRelationship
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
    SessionFactory,
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
    # 1 session, 2 membership with organization and user (tenant middleware),
    # 3 requests with client, requester and episode, 4 the header's organization switcher
    with assert_queries(4, label="queue with one request"):
        client.get(url("staff:intervention_requests", org))
    with scope(organization=org.pk):
        for _ in range(4):
            InterventionRequestFactory(organization=org)
    with assert_queries(4, label="queue with five requests"):
        response = client.get(url("staff:intervention_requests", org))
    assert len(response.context["rows"]) == 5


def request_url(name, org, request):
    return url(f"staff:intervention_request_{name}", org, request_id=request.public_id)


def step(name, org, intervention, **kw):
    return url(f"staff:intervention_{name}", org, intervention_id=intervention.public_id, **kw)


def test_accepting_without_an_interventionist_changes_nothing(client, org, members):
    with scope(organization=org.pk):
        request = InterventionRequestFactory(organization=org)
    response = staff(client, members[Role.INTAKE_COORDINATOR]).post(
        request_url("accept", org, request), {"accept-interventionist": ""}
    )
    assert response.status_code == 400
    assert "interventionist" in response.context["forms"]["accept"].errors
    body = response.content.decode()
    # The summary comes first on the page, linked to the field.
    assert body.index("There is a problem") < body.index("<h1>")
    assert 'href="#id_accept-interventionist"' in body
    with scope(organization=org.pk):
        request.refresh_from_db()
        assert request.status == RequestStatus.NEW and not Intervention.objects.exists()


def test_a_decision_url_opened_in_the_browser_shows_the_request(client, org, members):
    with scope(organization=org.pk):
        request = InterventionRequestFactory(organization=org)
    response = staff(client, members[Role.INTAKE_COORDINATOR]).get(
        request_url("refer", org, request)
    )
    assert response["Location"] == request_url("detail", org, request) + "#refer-h"


def test_closing_needs_a_note(client, org, members):
    with scope(organization=org.pk):
        request = InterventionRequestFactory(organization=org)
    target = request_url("close", org, request)
    staff(client, members[Role.INTAKE_COORDINATOR])
    response = client.post(target, {"close-reason": "declined", "close-note": ""})
    assert response.status_code == 400 and "note" in response.context["forms"]["close"].errors
    response = client.post(
        target, {"close-reason": "declined", "close-note": "Family chose another program"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("staff:intervention_requests", org)
    with scope(organization=org.pk):
        assert CareEpisode.objects.get().phase == Phase.CLOSED


def test_referring_needs_a_name_and_a_second_decision_is_refused(client, org, members):
    with scope(organization=org.pk):
        request = InterventionRequestFactory(organization=org)
    staff(client, members[Role.INTAKE_COORDINATOR])
    bad = client.post(request_url("refer", org, request), {"refer-referred_to": ""})
    assert bad.status_code == 400 and "referred_to" in bad.context["forms"]["refer"].errors
    ok = client.post(request_url("refer", org, request), {"refer-referred_to": "Lakeside"})
    assert ok.status_code == 302
    again = client.post(
        request_url("close", org, request), {"close-reason": "declined", "close-note": "x"}
    )
    assert again.status_code == 400
    assert "already been decided (referred elsewhere)" in again.content.decode()


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
    assert client.post(request_url("contact", org, request)).status_code == 302
    response = client.post(
        request_url("accept", org, request),
        {"accept-interventionist": str(interventionist.public_id)},
    )
    with scope(organization=org.pk):
        intervention = Intervention.objects.get()
    assert response["Location"] == step("detail", org, intervention)
    client.logout()
    with scope(organization=org.pk):
        family = request.requester.portal_user
    return {"intervention": intervention, "family": family, "request": request}


def plan_the_intervention(client, org, members, intervention):
    staff(client, members[Role.INTERVENTIONIST])
    when = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    steps = [
        (
            "intake",
            {
                "addiction_nature": "Daily drinking, pills since 2022",
                "risks": "Withdrawal seizures in 2023",
            },
        ),
        (
            "plan",
            {
                "model": "johnson",
                "arise_level": "1",
                "scheduled_at": when,
                "location": "The family home",
            },
        ),
        ("agenda", {"items": "Opening | 5\nLetters\nThe offer of treatment | 10"}),
        (
            "participants",
            {
                "name": "Ana Lopez",
                "email": "ana@example.com",
                "role": "family",
                "relationship": "sibling",
                "speaking_order": "2",
            },
        ),
        (
            "meetings",
            {
                "kind": "education",
                "starts_at": when,
                "topics": "Addiction as an illness",
                "materials": "Chapter 3 of the family guide",
            },
        ),
        (
            "treatment",
            {
                "program_name": "Harbor House Residential",
                "insurance_verification": "verified",
                "admission_contact": "Dr. Reyes",
            },
        ),
        (
            "transport",
            {"transport_provider": "SafeRide", "pickup_place": "Home", "escort": "Jim"},
        ),
    ]
    for name, data in steps:
        response = client.post(step(name, org, intervention), data)
        assert response.status_code == 302, (
            name,
            response.context and response.context["form"].errors,
        )
    with scope(organization=org.pk):
        ana = Participant.objects.get(name="Ana Lopez")
    invite = step("participant_invite", org, intervention, participant_id=ana.public_id)
    assert client.post(invite).status_code == 302
    with scope(organization=org.pk):
        # On the client's record Ana is a sibling, as she was added, not "other relative".
        link = FamilyRelationship.objects.get(family_member__email="ana@example.com")
        assert (link.client_id, link.relationship) == (intervention.client_id, "sibling")
    body = client.get(step("participants", org, intervention)).content.decode()
    assert "Invited" in body and "Sibling" in body
    overview = client.get(step("detail", org, intervention)).content.decode()
    assert "Harbor House Residential" in overview
    client.logout()
    return step("detail", org, intervention)


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
    letters = client.get(step("letters", org, case["intervention"])).content.decode()
    assert "Written; the interventionist reviews it" in letters
    assert "I remember our trips" not in letters
    staff(client, members[Role.INTERVENTIONIST])
    assert "I remember our trips" in client.get(review).content.decode()
    bad = client.post(review, {"decision": "changes", "comment": ""})
    assert bad.status_code == 400 and "comment" in bad.context["form"].errors
    assert client.post(review, {"decision": "approve"}).status_code == 302

    page = step("outcome", org, case["intervention"])
    # The organization's day: late in its evening, UTC is already tomorrow.
    today = timezone.localdate(timezone=org_zone(org)).isoformat()
    # The day is ten days away: an outcome now needs a reason, and nothing is saved without.
    early = client.post(page, {"outcome": "accepted", "admission_date": today})
    assert early.status_code == 400 and "early_reason" in early.context["form"].errors
    with scope(organization=org.pk):
        assert CareEpisode.objects.get().phase == Phase.PRE_TREATMENT
    response = client.post(
        page,
        {
            "outcome": "accepted",
            "admission_date": today,
            "early_reason": "Sam asked for help at the last education meeting",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        episode = CareEpisode.objects.get()
        assert episode.phase == Phase.RESIDENTIAL
        assert episode.residential_program == "Harbor House Residential"
        assert Letter.objects.get().status == LetterStatus.APPROVED
        assert Intervention.objects.get().transport_dispatched_at is not None
    # The plan is closed now: its pages say so instead of offering a form.
    closed = client.get(step("intake", org, case["intervention"])).content.decode()
    assert "accepted treatment; the plan is closed" in closed and "Save intake" not in closed

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
    # ... and in whichever language they read it.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert "Harbor House Residential" in client.get(portal_page).content.decode()
    with scope(organization=org.pk):
        # Accounted once, however often the family member looks.
        disclosure = Disclosure.objects.get()
        assert disclosure.recipient == family_member.display_name
        assert disclosure.purpose == "family_involvement"
        assert disclosure.description == (
            f"Outcome of the intervention ({case['intervention'].public_id}) shown in the "
            "family portal: Accepted treatment"
        )


def test_path_declined_to_the_family_response_plan(client, org, members, case):
    plan_the_intervention(client, org, members, case["intervention"])
    staff(client, members[Role.INTERVENTIONIST])
    plan_page = step("response_plan", org, case["intervention"])
    before = client.get(plan_page).content.decode()
    assert "A response plan follows a declined intervention" in before
    assert "Save the response plan" not in before
    response = client.post(
        step("outcome", org, case["intervention"]),
        {"outcome": "declined", "early_reason": "The family met Sam early"},
    )
    assert response.status_code == 302
    checkin = (timezone.localdate() + timedelta(days=14)).isoformat()
    bad = client.post(plan_page, {"boundaries": "", "next_checkin_on": checkin})
    assert bad.status_code == 400
    assert "boundaries" in bad.context["form"].errors
    with scope(organization=org.pk):
        assert not ResponsePlan.objects.exists()
    response = client.post(
        plan_page,
        {
            "boundaries": "No more money. No rides except to treatment.",
            "responsibilities": "Maria calls weekly; Ana holds the car keys.",
            "next_checkin_on": checkin,
            "support_resources": "Nar-Anon Tuesday 7 pm",
            "share": "on",
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

    # The staff see the check-in under family healing; later the family tries again.
    staff(client, members[Role.INTERVENTIONIST])
    healing = client.get(step("healing", org, case["intervention"])).content.decode()
    assert "mood 2/5, calm 4/5" in healing
    assert client.post(step("resume", org, case["intervention"])).status_code == 302
    with scope(organization=org.pk):
        assert Intervention.objects.get().outcome == ""
        assert FamilyCheckin.objects.count() == 1
    # Returning to planning twice is refused, with the reason on the page it returns to.
    again = client.post(step("resume", org, case["intervention"]), follow=True)
    assert "Only a declined or postponed intervention returns to planning." in (
        again.content.decode()
    )


STEP_PAGES = [
    "detail",
    "intake",
    "plan",
    "participants",
    "participant_order",
    "meetings",
    "letters",
    "treatment",
    "transport",
    "agenda",
    "outcome",
    "response_plan",
    "healing",
]


@pytest.mark.parametrize("name", STEP_PAGES)
def test_another_interventionist_and_other_families_get_404(client, org, members, case, name):
    other = UserFactory()
    MembershipFactory(organization=org, user=other, roles=[Role.INTERVENTIONIST])
    page = step(name, org, case["intervention"])
    assert staff(client, other).get(page).status_code == 404
    assert staff(client, members[Role.INTERVENTIONIST]).get(page).status_code == 200
    stranger_family = UserFactory()
    MembershipFactory(organization=org, user=stranger_family, roles=[Role.FAMILY_MEMBER])
    client.force_login(stranger_family)
    portal = url("portal:intervention_family", org, intervention_id=case["intervention"].public_id)
    assert client.get(portal).status_code == 404


def test_plan_bad_input_shows_field_errors(client, org, members, case):
    staff(client, members[Role.INTERVENTIONIST])
    past = (timezone.now() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        step("plan", org, case["intervention"]),
        {"model": "arise", "arise_level": "1", "scheduled_at": past},
    )
    assert response.status_code == 400
    assert "scheduled_at" in response.context["form"].errors
    body = response.content.decode()
    assert "<title>Error: " in body and 'aria-invalid="true"' in body
    assert body.index("There is a problem") < body.index("<h1>")
    response = client.post(step("agenda", org, case["intervention"]), {"items": "Opening | five"})
    assert response.status_code == 400
    assert "Line 1: minutes must be a whole number." in response.content.decode()
    with scope(organization=org.pk):
        intervention = Intervention.objects.get()
        assert intervention.model == "johnson" and intervention.scheduled_at is None
        assert not intervention.agenda.exists()


def test_participants_are_edited_ordered_and_removed(client, org, members, memberships):
    with scope(organization=org.pk):
        intervention = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
        ana = ParticipantFactory(intervention=intervention, name="Ana Lopez", relationship="Sister")
        leo = ParticipantFactory(intervention=intervention, name="Leo Lopez")
    staff(client, members[Role.INTERVENTIONIST])
    edit = step("participant_edit", org, intervention, participant_id=ana.public_id)
    # A relationship typed in before the list of kinds is offered as it was.
    assert "Sister (as typed)" in client.get(edit).content.decode()
    bad = client.post(edit, {"name": "", "role": "family"})
    assert bad.status_code == 400 and "name" in bad.context["form"].errors
    ok = client.post(edit, {"name": "Ana Lopez", "role": "family", "relationship": "sibling"})
    assert ok["Location"] == step("participants", org, intervention)

    order = step("participant_order", org, intervention)
    clash = client.post(order, {f"place_{ana.public_id}": "1", f"place_{leo.public_id}": "1"})
    assert clash.status_code == 400
    assert "already has place 1; give each a place of their own." in clash.content.decode()
    assert client.post(order, {f"place_{ana.public_id}": "2", f"place_{leo.public_id}": "1"})[
        "Location"
    ] == step("participants", org, intervention)
    with scope(organization=org.pk):
        assert [
            (p.name, p.speaking_order, p.relationship) for p in intervention.participants.all()
        ] == [("Leo Lopez", 1, ""), ("Ana Lopez", 2, "sibling")]

    remove = step("participant_remove", org, intervention, participant_id=leo.public_id)
    assert "Remove Leo Lopez from the team?" in client.get(remove).content.decode()
    with scope(organization=org.pk):
        assert intervention.participants.count() == 2
    assert client.post(remove).status_code == 302
    with scope(organization=org.pk):
        assert list(intervention.participants.values_list("name", flat=True)) == ["Ana Lopez"]
    assert client.get(remove).status_code == 404


def test_a_participant_or_meeting_of_another_intervention_is_not_found(
    client, org, members, memberships
):
    with scope(organization=org.pk):
        mine = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
        theirs = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
        stranger = ParticipantFactory(intervention=theirs, name="Eva Ruiz")
        meeting = SessionFactory(intervention=theirs)
    staff(client, members[Role.INTERVENTIONIST])
    for name in ("participant_edit", "participant_remove"):
        assert (
            client.get(step(name, org, mine, participant_id=stranger.public_id)).status_code == 404
        )
    invite = step("participant_invite", org, mine, participant_id=stranger.public_id)
    assert client.post(invite).status_code == 404
    attendance = step("session_attendance", org, mine, session_id=meeting.public_id)
    assert client.post(attendance).status_code == 404
    # A sober coach is no part of the planning.
    staff(client, members[Role.SOBER_COACH])
    assert client.get(step("participants", org, mine)).status_code == 403
    with scope(organization=org.pk):
        assert theirs.participants.get().name == "Eva Ruiz"


def test_attendance_is_kept_per_meeting(client, org, members, memberships):
    with scope(organization=org.pk):
        intervention = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
        ana = ParticipantFactory(intervention=intervention, name="Ana Lopez")
        ParticipantFactory(intervention=intervention, name="Leo Lopez")
        meeting = SessionFactory(intervention=intervention)
    staff(client, members[Role.INTERVENTIONIST])
    target = step("session_attendance", org, intervention, session_id=meeting.public_id)
    prefix = f"s{meeting.public_id.hex[:8]}"
    bad = client.post(target, {f"{prefix}-attended": ["not-a-participant"]})
    assert bad.status_code == 400
    response = client.post(target, {f"{prefix}-attended": [str(ana.public_id)]}, follow=True)
    assert "Attendance saved: 1 of 2 came." in response.content.decode()
    with scope(organization=org.pk):
        assert list(meeting.attendees.values_list("name", flat=True)) == ["Ana Lopez"]


def test_the_overview_lists_the_models_steps_with_their_status(client, org, members, memberships):
    with scope(organization=org.pk):
        intervention = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
    staff(client, members[Role.INTERVENTIONIST])
    body = client.get(step("detail", org, intervention)).content.decode()
    assert body.count('class="tag tag--not_started"') >= 5
    # Nothing to read before anyone is invited; no response plan before a decline.
    assert "<span>Letters</span>" in body and "<span>The family&#x27;s response plan</span>" in body
    assert f'href="{step("letters", org, intervention)}"' not in body
    # A step that cannot start yet is no link; its hint links the step that unlocks it.
    participants = step("participants", org, intervention)
    assert f'Invite a participant to the family portal first. <a href="{participants}">' in body
    # The outcome may come before the day (with a reason), so it is open without a date.
    assert f'href="{step("outcome", org, intervention)}"' in body and "No date set yet." in body
    staff(client, members[Role.INTERVENTIONIST]).post(
        step("plan", org, intervention),
        {"model": "craft", "arise_level": "1", "location": "Home"},
    )
    body = client.get(step("detail", org, intervention)).content.decode()
    # CRAFT invites the loved one: no letters, no transport on its list.
    assert "Inviting the loved one" in body and ">Letters<" not in body
    assert "Set both the date and the place." in body


def test_intervention_detail_query_count_does_not_grow(client, org, members, memberships):
    with scope(organization=org.pk):
        intervention = InterventionFactory(
            organization=org, interventionist=memberships[Role.INTERVENTIONIST]
        )
        ParticipantFactory(intervention=intervention, user=UserFactory(), name="Ana Lopez")
    staff(client, members[Role.INTERVENTIONIST])
    # 1 session, 2 membership with organization and user, 3 the intervention with client,
    # interventionist, request and episode, 4 agenda, 5 response plans, 6 participants
    # with attendance counts and letter status, 7 the family's own recent check-ins,
    # 8 meetings (none, so no attendee or answer query), 9 outcomes, 10 wellbeing
    # check-ins, 11 the audit line for the read, 12 the header's organization switcher
    for page, count in (
        (step("detail", org, intervention), 12),
        (step("participants", org, intervention), 12),
    ):
        with assert_queries(count, label=f"{page} with one participant"):
            client.get(page)
    with scope(organization=org.pk):
        for name in ("Eva Lopez", "Leo Lopez", "Jim Lopez"):
            ParticipantFactory(intervention=intervention, user=UserFactory(), name=name)
        SessionFactory(intervention=intervention)
    with assert_queries(14, label="meetings page with one meeting"):
        client.get(step("meetings", org, intervention))
    with scope(organization=org.pk):
        SessionFactory(intervention=intervention)
        SessionFactory(intervention=intervention)
    # With meetings: 13 their attendees and 14 the family's answers (one query each for
    # all of them), however many.
    for page, count in (
        (step("detail", org, intervention), 14),
        (step("participants", org, intervention), 14),
        (step("meetings", org, intervention), 14),
    ):
        with assert_queries(count, label=f"{page} with four participants"):
            response = client.get(page)
    assert "Leo Lopez" in response.content.decode()


def test_intervention_list_query_count(client, org, members, memberships):
    staff(client, members[Role.INTERVENTIONIST])
    with scope(organization=org.pk):
        InterventionFactory(organization=org, interventionist=memberships[Role.INTERVENTIONIST])
    # 1 session, 2 membership with organization and user, 3 interventions with client,
    # interventionist and request, 4 the header's organization switcher
    with assert_queries(4):
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
    body = client.get(step("healing", org, intervention)).content.decode()
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
    page = step("treatment", org, intervention)
    staff(client, members[Role.INTERVENTIONIST])
    body = client.get(page).content.decode()
    assert "Harbor House Residential" in body and "Lear Residential" not in body

    response = client.post(
        page,
        {"program_listing_id": str(foreign.public_id), "insurance_verification": "not_started"},
    )
    assert response.status_code == 400
    with scope(organization=org.pk):
        intervention.refresh_from_db()
        assert intervention.program_listing_id is None

    response = client.post(
        page,
        {"program_listing_id": str(program.public_id), "insurance_verification": "not_started"},
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        intervention.refresh_from_db()
    assert intervention.program_listing_id == program.public_id
    assert intervention.program_name == "Harbor House Residential"
