import pytest
from django.urls import reverse

from continuum.tenancy.models import Invitation, Membership
from continuum.tenancy.scoping import organization_scope
from tests.factories import MembershipFactory, UserFactory, refresh
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, admin_user):
    client.force_login(admin_user)
    return client


def test_me_returns_the_callers_membership(client, org, members):
    client.force_login(members["case_manager"])
    data = client.get(reverse("api:me", kwargs={"org": org.slug})).json()
    assert data["roles"] == ["case_manager"]
    assert data["organization"] == org.slug


def test_member_list_is_paginated_and_constant_in_queries(api, org, members):
    url = reverse("api:member_list", kwargs={"org": org.slug})
    # 1 session, 2 membership with organization and user (middleware), 3 count, 4 page of members.
    with assert_queries(4, label="member list"):
        data = api.get(url).json()
    assert data["count"] == len(members)
    for _ in range(4):
        MembershipFactory(organization=org, user=UserFactory(), roles=["sober_coach"])
    with assert_queries(4, label="member list with more rows"):
        data = api.get(url).json()
    assert data["count"] == len(members) + 4


def test_patch_roles_and_bad_input(api, org, members):
    with organization_scope(org):
        coach = Membership.objects.get(user=members["sober_coach"])
    url = reverse("api:member_detail", kwargs={"org": org.slug, "member_id": coach.public_id})
    response = api.patch(url, {"roles": ["case_manager"]}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["roles"] == ["case_manager"]
    response = api.patch(url, {"roles": ["emperor"]}, content_type="application/json")
    assert response.status_code == 400
    assert "roles" in response.json()
    refresh(coach)
    assert coach.roles == ["case_manager"]


def test_invitation_create_and_revoke(api, org, django_capture_on_commit_callbacks):
    url = reverse("api:invitation_list", kwargs={"org": org.slug})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(
            url,
            {"email": "a@example.com", "roles": ["interventionist"]},
            content_type="application/json",
        )
    assert response.status_code == 201
    assert len(callbacks) == 1
    invitation_id = response.json()["id"]
    response = api.post(url, {"email": "nope", "roles": []}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "roles"}
    revoke = reverse(
        "api:invitation_revoke", kwargs={"org": org.slug, "invitation_id": invitation_id}
    )
    assert api.post(revoke).json()["status"] == "revoked"
    with organization_scope(org):
        assert Invitation.objects.count() == 1


def test_deactivating_the_last_admin_is_refused(api, org, admin_user):
    with organization_scope(org):
        me = Membership.objects.get(user=admin_user)
    url = reverse("api:member_deactivate", kwargs={"org": org.slug, "member_id": me.public_id})
    response = api.post(url)
    assert response.status_code == 400
    refresh(me)
    assert me.is_active


def test_token_auth_reaches_only_the_members_organization(client, org, other_org, members):
    response = client.post(
        reverse("api_token"),
        {"email": members["case_manager"].email, "password": "a-long-test-password-1"},
        content_type="application/json",
    )
    token = response.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get(reverse("api:me", kwargs={"org": org.slug}), **auth).status_code == 200
    assert client.get(reverse("api:me", kwargs={"org": other_org.slug}), **auth).status_code == 404


def test_openapi_schema_and_docs_are_served_locally(client):
    schema = client.get(reverse("api_schema"))
    assert schema.status_code == 200
    assert b"/api/v1/{org}/members/" in schema.content
    docs = client.get(reverse("api_docs")).content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()


def test_staff_api_needs_mfa_when_the_organization_requires_it(client, org, members):
    org.staff_mfa_required = True
    org.save()
    client.force_login(members["case_manager"])
    response = client.get(reverse("api:me", kwargs={"org": org.slug}))
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    client.force_login(members["client"])
    assert client.get(reverse("api:me", kwargs={"org": org.slug})).status_code == 200
