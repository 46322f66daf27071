import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django_scopes import ScopeError, scope

from continuum.tenancy.models import Invitation, Membership
from tests.factories import MembershipFactory, UserFactory, refresh
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


def test_tenant_models_refuse_queries_outside_an_organization_scope(org):
    with pytest.raises(ScopeError):
        list(Membership.objects.all())


def test_landing_shows_crisis_banner_to_anyone(client, org):
    response = client.get(reverse("public:landing", kwargs={"org": org.slug}))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="tel:988"' in body and 'href="tel:911"' in body
    assert "Skip to main content" in body
    assert "htmx" in body


def landing(client, org, language="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("public:landing", kwargs={"org": org.slug})).content.decode()


def test_landing_leads_with_the_request_form_and_the_directory(client, org):
    body = landing(client, org)
    main = body[body.index('<main id="main"') :]
    ask = main.index(reverse("public:intervention_help", kwargs={"org": org.slug}))
    find = main.index(reverse("public:find", kwargs={"org": org.slug}))
    portal = main.index(reverse("portal:home", kwargs={"org": org.slug}))
    assert ask < find < portal


def test_landing_without_open_intake_offers_no_request_form(client, org):
    org.intake_open = False
    org.contact_phone = "555-0199"
    org.save()
    body = landing(client, org)
    assert reverse("public:intervention_help", kwargs={"org": org.slug}) not in body
    assert 'href="tel:555-0199"' in body
    assert reverse("public:find", kwargs={"org": org.slug}) in body


@pytest.mark.parametrize(
    ("language", "line"), [("en", "Suicide &amp; Crisis Lifeline"), ("es", "Línea de Prevención")]
)
def test_the_crisis_lines_appear_once_in_the_visitors_language(client, org, language, line):
    body = landing(client, org, language)
    assert body.count('href="tel:988"') == 1 and body.count(line) == 1
    assert "call or text 988" not in body


def test_an_organizations_own_crisis_words_are_added_to_the_lines(client, org):
    org.crisis_line_text = "Our nurses answer 555-0123 day and night."
    org.save()
    assert "Our nurses answer 555-0123 day and night." in landing(client, org, "es")


def test_staff_dashboard_shows_navigation_by_role(client, org, members):
    client.force_login(members["org_admin"])
    body = client.get(reverse("staff:dashboard", kwargs={"org": org.slug})).content.decode()
    assert reverse("staff:team", kwargs={"org": org.slug}) in body
    client.force_login(members["sober_coach"])
    body = client.get(reverse("staff:dashboard", kwargs={"org": org.slug})).content.decode()
    assert reverse("staff:team", kwargs={"org": org.slug}) not in body


def test_portal_for_family_with_crisis_banner(client, org, members):
    client.force_login(members["family_member"])
    response = client.get(reverse("portal:home", kwargs={"org": org.slug}))
    assert response.status_code == 200
    assert 'href="tel:988"' in response.content.decode()


def test_deactivated_member_is_turned_away(client, org, members, in_org):
    Membership.objects.filter(user=members["sober_coach"]).update(is_active=False)
    client.force_login(members["sober_coach"])
    assert client.get(reverse("staff:dashboard", kwargs={"org": org.slug})).status_code == 404


def test_staff_without_mfa_are_sent_to_set_it_up_when_required(client, org, members):
    org.staff_mfa_required = True
    org.save()
    client.force_login(members["case_manager"])
    response = client.get(reverse("staff:dashboard", kwargs={"org": org.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    Authenticator.objects.create(
        user=members["case_manager"], type=Authenticator.Type.TOTP, data={}
    )
    assert client.get(reverse("staff:dashboard", kwargs={"org": org.slug})).status_code == 200
    # Family members are not staff: the rule does not apply to the portal.
    client.force_login(members["family_member"])
    assert client.get(reverse("portal:home", kwargs={"org": org.slug})).status_code == 200


def test_home_sends_single_membership_to_its_area_and_several_to_the_switcher(
    client, org, other_org, members
):
    client.force_login(members["family_member"])
    assert client.get("/")["Location"] == reverse("portal:home", kwargs={"org": org.slug})
    coach = members["sober_coach"]
    MembershipFactory(organization=other_org, user=coach, roles=["sober_coach"])
    client.force_login(coach)
    assert client.get("/")["Location"] == reverse("organization_switcher")
    body = client.get(reverse("organization_switcher")).content.decode()
    assert org.name in body and other_org.name in body


def test_page_header_offers_the_switcher_only_to_members_of_several_organizations(
    client, org, other_org, members
):
    coach = members["sober_coach"]
    page = reverse("staff:dashboard", kwargs={"org": org.slug})
    client.force_login(coach)
    assert "Switch organization" not in client.get(page).content.decode()
    other = MembershipFactory(organization=other_org, user=coach, roles=["sober_coach"])
    assert "Switch organization" in client.get(page).content.decode()
    with scope(organization=other_org.pk):
        other.is_active = False
        other.save(update_fields=["is_active"])
    assert "Switch organization" not in client.get(page).content.decode()


def test_switcher_lists_nothing_for_a_user_without_organizations(client, stranger):
    client.force_login(stranger)
    response = client.get(reverse("organization_switcher"))
    assert "does not belong to any organization" in response.content.decode()


def test_admin_invites_and_invitee_joins_and_logs_in(
    client, org, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    url = reverse("staff:team_invite", kwargs={"org": org.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "newcoach@example.com", "roles": ["sober_coach"]})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["newcoach@example.com"]
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/join/" in line)
    path = link[link.index("/" + org.slug + "/join/") :]
    client.logout()
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {
            "full_name": "New Coach",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:dashboard", kwargs={"org": org.slug})
    assert client.get(response["Location"]).status_code == 200
    # The link worked once.
    client.logout()
    assert client.get(path).status_code == 404


def test_invite_bad_input_shows_field_errors_and_sends_nothing(client, org, admin_user):
    client.force_login(admin_user)
    url = reverse("staff:team_invite", kwargs={"org": org.slug})
    response = client.post(url, {"email": "not-an-address", "roles": []})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert 'href="#id_email"' in body
    assert not mail.outbox
    with org_scope(org):
        assert not Invitation.objects.exists()


def test_accept_with_mismatched_passwords_keeps_invitation_open(
    client, org, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("staff:team_invite", kwargs={"org": org.slug}),
            {"email": "x@example.com", "roles": ["case_manager"]},
        )
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/join/" in line)
    path = link[link.index("/" + org.slug + "/join/") :]
    client.logout()
    response = client.post(
        path, {"full_name": "X", "password1": "a-long-passphrase-9", "password2": "other"}
    )
    assert response.status_code == 400
    assert "The two passwords differ" in response.content.decode()
    response = client.post(path, {"full_name": "X", "password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    with org_scope(org):
        assert Invitation.objects.get().accepted_at is None


def test_admin_changes_roles_and_deactivates(client, org, admin_user, members):
    client.force_login(admin_user)
    with org_scope(org):
        coach = Membership.objects.get(user=members["sober_coach"])
    url = reverse("staff:team_member", kwargs={"org": org.slug, "member_id": coach.public_id})
    response = client.post(
        url, {"roles": ["sober_coach", "case_manager"], "title": "Executive coach"}
    )
    assert response.status_code == 302
    response = client.post(url, {"roles": [], "title": ""})
    assert response.status_code == 400
    refresh(coach)
    assert coach.roles == ["case_manager", "sober_coach"]
    deactivate = reverse(
        "staff:team_member_deactivate", kwargs={"org": org.slug, "member_id": coach.public_id}
    )
    assert client.post(deactivate).status_code == 302
    refresh(coach)
    assert not coach.is_active
    client.force_login(members["sober_coach"])
    assert client.get(reverse("staff:dashboard", kwargs={"org": org.slug})).status_code == 404


def test_settings_page_saves_and_rejects_bad_values(client, org, admin_user):
    client.force_login(admin_user)
    url = reverse("staff:settings", kwargs={"org": org.slug})
    assert client.get(url).status_code == 200
    data = {
        "name": "Harbor Recovery",
        "timezone": "America/Chicago",
        "crisis_line_text": "Call us any time.",
        "response_time_hours": "12",
        "contact_phone": "",
        "contact_email": "",
        "contact_hours": "Monday to Friday, 8 am to 8 pm",
        "staff_mfa_required": "",
        "intake_open": "on",
        "safety_escalation_minutes": "20",
    }
    assert client.post(url, data).status_code == 302
    org.refresh_from_db()
    assert (org.timezone, org.response_time_hours) == ("America/Chicago", 12)
    assert org.safety_escalation_minutes == 20
    assert org.contact_hours == "Monday to Friday, 8 am to 8 pm"
    response = client.post(url, {**data, "timezone": "Nowhere/Land", "response_time_hours": "-1"})
    assert response.status_code == 400
    org.refresh_from_db()
    assert org.timezone == "America/Chicago"
    # The escalation window has bounds, and the page says which.
    response = client.post(url, {**data, "safety_escalation_minutes": "1"})
    assert response.status_code == 400
    assert "greater than or equal to 5" in response.content.decode()
    org.refresh_from_db()
    assert org.safety_escalation_minutes == 20


def test_team_page_query_count_does_not_grow_with_members(client, org, admin_user, members):
    client.force_login(admin_user)
    url = reverse("staff:team", kwargs={"org": org.slug})
    # 1 session, 2 membership with organization and user of the visitor,
    # 3 members with their users, 4 pending invitations with inviters, 5 switcher memberships.
    with assert_queries(5, label="team page"):
        assert client.get(url).status_code == 200
    for _ in range(5):
        MembershipFactory(organization=org, user=UserFactory(), roles=["sober_coach"])
    with assert_queries(5, label="team page with more members"):
        assert client.get(url).status_code == 200


def org_scope(org):
    from continuum.tenancy.scoping import organization_scope

    return organization_scope(org)
