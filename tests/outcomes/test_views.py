"""The pages: the survey from the signed link, the portal, and the staff follow-up page,
phone entry, agreement and settings. Each: the happy path, bad input saving nothing,
another organization's member (404), anonymous (to log in), a role without access."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Role
from outcomes import services
from outcomes.models import FollowUp, FollowUpAgreement, FollowUpStatus, Method, OutcomesSettings
from tests.people.factories import ClientFactory
from tests.queries import assert_queries

from .factories import AgreementFactory, FollowUpFactory, answers

# Every staff page starts with: session, membership with organization and user; and
# ends with the navigation's membership lookup.
REQUEST = 2
NAV = 1


def url(area, name, org, **kwargs):
    return reverse(f"{area}:{name}", kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def sent(in_org, person):
    return FollowUpFactory(episode__client=person)


@pytest.fixture
def link(in_org, org, sent):
    return url(
        "public", "outcomes_survey", org, follow_up_token=services.follow_up_link_token(sent)
    )


# --- the signed link -----------------------------------------------------------------------


def test_the_link_shows_the_first_name_and_centre_only_and_saves_the_answers(
    client, org, sent, link
):
    page = client.get(link)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Hello Sam, how are you doing?" in body
    assert "Harbor Recovery" in body
    assert "Rivera" not in body and "sam@example.net" not in body
    assert 'class="segmented segmented--words"' in body and 'inputmode="numeric"' in body
    assert "There are more important things to me in life than using substances. *" in body
    done = client.post(link, answers(barc_q10="6"))
    assert done.status_code == 200
    assert "Thank you: your answers are saved" in done.content.decode()
    with scope(organization=org.pk):
        sent.refresh_from_db()
    assert (sent.status, sent.method, sent.barc10_total) == (
        FollowUpStatus.COMPLETED,
        Method.LINK,
        42,
    )


def test_the_link_used_twice_says_already_answered_and_reveals_nothing(client, org, sent, link):
    assert client.post(link, answers()).status_code == 200
    again = client.get(link)
    body = again.content.decode()
    assert again.status_code == 200
    assert "Already answered — thank you" in body
    assert "Sam" not in body
    assert "Already answered" in client.post(link, answers(barc_q1="1")).content.decode()
    with scope(organization=org.pk):
        assert FollowUp.objects.get(pk=sent.pk).barc10_answers["q1"] == 4


def test_bad_answers_show_the_error_summary_and_save_nothing(client, org, sent, link):
    response = client.post(link, answers(days_opioids="45", barc_q3=""))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in body
    assert "Enter a number of days from 0 to 30 (0 if none)." in body
    assert 'href="#id_barc_q3"' in body
    with scope(organization=org.pk):
        assert FollowUp.objects.get(pk=sent.pk).status == FollowUpStatus.SENT


def test_an_expired_link_says_how_to_reach_the_centre(client, org, sent, link):
    org.contact_phone = "+1 617 555 0100"
    org.save()
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.get(link)
    body = response.content.decode()
    assert response.status_code == 410
    assert "This link has closed" in body
    assert "Call Harbor Recovery at +1 617 555 0100 to answer by phone." in body
    assert "Sam" not in body


def test_an_altered_link_is_not_valid(client, org, link):
    response = client.get(link[:-3] + "zz/")
    assert response.status_code == 410
    assert "This link is not valid" in response.content.decode()


def test_the_survey_is_in_the_clients_language(client, org, in_org):
    ana = ClientFactory(organization=in_org, first_name="Ana", preferred_language="es")
    follow_up = FollowUpFactory(episode__client=ana)
    token = services.follow_up_link_token(follow_up)
    body = client.get(url("public", "outcomes_survey", org, follow_up_token=token)).content.decode()
    assert "Hola, Ana: ¿cómo está?" in body
    assert "Hay cosas más importantes para mí en la vida que consumir sustancias." in body


# --- portal -------------------------------------------------------------------------------


def test_the_client_answers_in_the_portal_from_the_home_section(client, org, members, sent):
    client.force_login(members[Role.CLIENT])
    home = client.get(reverse("portal:home", kwargs={"org": org.slug})).content.decode()
    page = url("portal", "outcomes_portal_answer", org, follow_up_id=sent.public_id)
    assert "Your follow-up questions" in home and page in home
    assert client.post(page, answers(quality_of_life="9")).status_code == 400
    with scope(organization=org.pk):
        assert FollowUp.objects.get(pk=sent.pk).completed_at is None
    assert "Thank you" in client.post(page, answers()).content.decode()
    with scope(organization=org.pk):
        assert FollowUp.objects.get(pk=sent.pk).method == Method.PORTAL
    home = client.get(reverse("portal:home", kwargs={"org": org.slug})).content.decode()
    assert "Your follow-up questions" not in home


def test_portal_answer_refuses_others(client, org, other_org, members, outsider, sent, in_org):
    page = url("portal", "outcomes_portal_answer", org, follow_up_id=sent.public_id)
    assert "/accounts/login/" in client.get(page)["Location"]
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    client.force_login(members[Role.FAMILY_MEMBER])
    assert client.get(page).status_code == 403
    # Another client's follow-up, in the same organization.
    theirs = FollowUpFactory(episode__client__organization=in_org)
    client.force_login(members[Role.CLIENT])
    mine = url("portal", "outcomes_portal_answer", org, follow_up_id=theirs.public_id)
    assert client.get(mine).status_code == 404


def test_the_client_gives_and_revokes_agreement_in_the_portal(client, org, members, person):
    client.force_login(members[Role.CLIENT])
    page = url("portal", "outcomes_portal_agreement", org)
    assert client.post(page, {}).status_code == 400
    with scope(organization=org.pk):
        assert not FollowUpAgreement.objects.filter(client=person).exists()
    response = client.post(page, {"agreed": "yes"}, follow=True)
    assert "we will send you the follow-up questions" in response.content.decode()
    response = client.post(page, {"agreed": "no"}, follow=True)
    assert "we will not contact you for follow-up" in response.content.decode()
    with scope(organization=org.pk):
        agreement = FollowUpAgreement.objects.get(client=person)
        assert (agreement.agreed, agreement.source) == (False, "portal")
        actions = list(
            AuditEvent.objects.filter(action__startswith="follow_up_agreement.")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["follow_up_agreement.given", "follow_up_agreement.revoked"]


# --- staff --------------------------------------------------------------------------------


def test_the_follow_up_page_lists_follow_ups_and_its_queries_do_not_grow(
    client, org, members, person, in_org
):
    AgreementFactory(client=person)
    episode = FollowUpFactory(episode__client=person, offset_days=30).episode
    client.force_login(members[Role.CASE_MANAGER])
    page = url("staff", "outcomes_client", org, client_id=person.public_id)
    # client (visibility), follow-ups, audit insert of the rows read, agreement; one
    # query per measure drawn beside each other (BARC-10, PHQ-9, craving)
    expected = REQUEST + 4 + 3 + NAV
    with assert_queries(expected, label="follow-up page"):
        assert client.get(page).status_code == 200
    for offset in (90, 180):
        done = FollowUpFactory(episode=episode, offset_days=offset, status=FollowUpStatus.SENT)
        services.follow_up_answer(
            actor=members[Role.CASE_MANAGER], follow_up=done, answers=answers(), method=Method.PHONE
        )
    with assert_queries(expected, label="follow-up page with more rows"):
        response = client.get(page)
    body = response.content.decode()
    assert body.count("By phone, entered by staff") == 2
    assert "Alcohol 2, Cannabis (marijuana) 0" in body
    assert "<polyline" in body and "180-day follow-up: 40 of 60" in body


def test_staff_pages_refuse_others(client, org, members, outsider, person, sent):
    pages = [
        url("staff", "outcomes_client", org, client_id=person.public_id),
        url("staff", "outcomes_agreement", org, client_id=person.public_id),
        url("staff", "outcomes_phone", org, follow_up_id=sent.public_id),
    ]
    for page in pages:
        client.logout()
        assert "/accounts/login/" in client.get(page)["Location"]
        client.force_login(outsider)
        assert client.get(page).status_code == 404
        client.force_login(members[Role.INTERVENTIONIST])
        assert client.get(page).status_code == 403
        # A coach not on this client's care team does not see them.
        client.force_login(members[Role.SOBER_COACH])
        assert client.get(page).status_code == 404


def test_staff_record_the_agreement(client, org, members, person):
    client.force_login(members[Role.CASE_MANAGER])
    page = url("staff", "outcomes_agreement", org, client_id=person.public_id)
    response = client.post(page, {"agreed": "maybe"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(page, {"agreed": "yes"}, follow=True)
    assert "Agreement to follow-up contact recorded." in response.content.decode()
    assert "<strong>Agreed</strong>" in response.content.decode()


def test_staff_enter_a_follow_up_by_phone(client, org, members, sent):
    client.force_login(members[Role.CASE_MANAGER])
    page = url("staff", "outcomes_phone", org, follow_up_id=sent.public_id)
    assert "30-day follow-up by phone" in client.get(page).content.decode()
    bad = client.post(page, answers(housing=""))
    assert bad.status_code == 400 and 'href="#id_housing"' in bad.content.decode()
    with scope(organization=org.pk):
        assert FollowUp.objects.get(pk=sent.pk).completed_at is None
    response = client.post(page, answers(), follow=True)
    assert "Follow-up answers recorded, marked as by phone." in response.content.decode()
    with scope(organization=org.pk):
        saved = FollowUp.objects.get(pk=sent.pk)
    assert (saved.method, saved.recorded_by) == (Method.PHONE, members[Role.CASE_MANAGER])


def test_admins_set_the_schedule_and_are_told_what_is_allowed(client, org, members, outsider):
    page = url("staff", "outcomes_settings", org)
    client.force_login(members[Role.ORG_ADMIN])
    assert "30, 90, 180, 365" in client.get(page).content.decode()
    bad = client.post(
        page, {"offsets_days": "30, soon", "reminder_days": "3", "expire_after_days": "14"}
    )
    assert bad.status_code == 400
    assert "Give whole numbers of days, separated by commas" in bad.content.decode()
    bad = client.post(
        page, {"offsets_days": "30", "reminder_days": "3, 20", "expire_after_days": "14"}
    )
    assert "Reminders must go out before the link closes" in bad.content.decode()
    with scope(organization=org.pk):
        assert not OutcomesSettings.objects.exists()
    done = client.post(
        page,
        {"offsets_days": "14, 60", "reminder_days": "2", "expire_after_days": "10"},
        follow=True,
    )
    assert "Follow-up schedule saved." in done.content.decode()
    with scope(organization=org.pk):
        assert OutcomesSettings.objects.get().offsets_days == [14, 60]
    client.force_login(members[Role.CASE_MANAGER])
    assert client.get(page).status_code == 403
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    client.logout()
    assert "/accounts/login/" in client.get(page)["Location"]


def test_a_cancelled_follow_up_in_the_portal_says_why_and_where_to_change_it(
    client, org, members, person
):
    cancelled = FollowUpFactory(episode__client=person, status=FollowUpStatus.CANCELLED)
    client.force_login(members[Role.CLIENT])
    page = client.get(
        url("portal", "outcomes_portal_answer", org, follow_up_id=cancelled.public_id)
    )
    body = page.content.decode()
    assert "This follow-up is cancelled" in body
    assert url("portal", "outcomes_portal_agreement", org) in body
    refused = client.post(
        url("portal", "outcomes_portal_answer", org, follow_up_id=cancelled.public_id), answers()
    )
    assert refused.status_code == 400
    with scope(organization=org.pk):
        assert FollowUp.objects.get(pk=cancelled.pk).completed_at is None


def test_a_follow_up_past_its_close_takes_no_portal_answer(client, org, members, person):
    closed = FollowUpFactory(
        episode__client=person, expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(members[Role.CLIENT])
    page = url("portal", "outcomes_portal_answer", org, follow_up_id=closed.public_id)
    assert "This follow-up is closed" in client.get(page).content.decode()
    refused = client.post(page, answers())
    assert refused.status_code == 400
    assert "This follow-up is not open for answers." in refused.content.decode()
    with scope(organization=org.pk):
        assert FollowUp.objects.get(pk=closed.pk).completed_at is None


def test_barc10_is_drawn_beside_phq9_and_craving_on_the_same_days(
    client, org, members, person, case_manager
):
    from casemanagement.models import Assessment
    from coaching.models import CheckIn
    from tests.coaching.factories import EngagementFactory

    follow_up = FollowUpFactory(episode__client=person)
    services.follow_up_answer(
        actor=members[Role.CASE_MANAGER],
        follow_up=follow_up,
        answers=answers(),
        method=Method.PHONE,
    )
    Assessment.objects.create(
        organization=org, client=person, instrument="phq9", answers={}, total=14,
        source="staff", entered_by=members[Role.CASE_MANAGER],
    )  # fmt: skip
    engagement = EngagementFactory(organization=org, client=person)
    CheckIn.objects.create(
        organization=org, engagement=engagement, day=timezone.localdate(), sober=True,
        craving=7, mood=3, sleep="good",
    )  # fmt: skip
    client.force_login(members[Role.CASE_MANAGER])
    body = client.get(url("staff", "outcomes_client", org, client_id=person.public_id)).content
    body = body.decode()
    assert "BARC-10: latest 40" in body
    assert "PHQ-9: latest 14" in body
    assert "Craving (check-ins): latest 7" in body
