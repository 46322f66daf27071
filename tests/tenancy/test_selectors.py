"""The spine's access helpers every app's selectors fetch and list members through."""

import uuid

import pytest
from django.http import Http404

from continuum.tenancy.models import Membership, Role
from continuum.tenancy.selectors import active_members_with, get_or_404
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_get_or_404_finds_a_record_among_those_shown(org, members, in_org):
    coach = Membership.objects.get(user=members[Role.SOBER_COACH])
    found = get_or_404(Membership.objects.filter(organization=org), coach.public_id, what="member")
    assert found == coach


@pytest.mark.parametrize(
    "public_id", [uuid.UUID("5d0b6d42-3c61-4a4c-9a53-0b1d5ba0e7a1"), "not-an-id"]
)
def test_get_or_404_answers_no_such_for_a_missing_or_malformed_id(org, in_org, public_id):
    with pytest.raises(Http404, match=r"^No such member\.$"):
        get_or_404(Membership.objects.filter(organization=org), public_id, what="member")


def test_get_or_404_answers_the_same_for_a_record_the_caller_may_not_see(org, members, in_org):
    coach = Membership.objects.get(user=members[Role.SOBER_COACH])
    admins_only = Membership.objects.filter(roles__contains=[Role.ORG_ADMIN])
    with pytest.raises(Http404, match=r"^No such member\.$"):
        get_or_404(admins_only, coach.public_id, what="member")


def test_get_or_404_looks_in_the_field_it_is_given(org, members, in_org):
    coach = Membership.objects.get(user=members[Role.SOBER_COACH])
    found = get_or_404(Membership.objects.all(), coach.user.pk, what="member", field="user_id")
    assert found == coach


def test_active_members_with_lists_holders_of_any_role_by_name(org, in_org):
    def member(name, roles, **kw):
        return MembershipFactory(
            organization=org, user=UserFactory(full_name=name), roles=roles, **kw
        )

    zoe = member("Zoe Park", [Role.SOBER_COACH])
    ana = member("Ana Ruiz", [Role.CASE_MANAGER, Role.SOBER_COACH])
    member("Ben Cole", [Role.SOBER_COACH], is_active=False)
    member("Cy Diaz", [Role.INTERVENTIONIST])
    listed = active_members_with(organization=org, roles=[Role.SOBER_COACH])
    assert list(listed) == [ana, zoe]
    both = active_members_with(organization=org, roles={Role.SOBER_COACH, Role.INTERVENTIONIST})
    assert [m.user.full_name for m in both] == ["Ana Ruiz", "Cy Diaz", "Zoe Park"]
