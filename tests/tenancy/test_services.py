from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from continuum.audit.models import AuditEvent
from continuum.notifications.models import Notification
from continuum.tenancy.models import Invitation, Membership, Role
from continuum.tenancy.scoping import across_organizations
from continuum.tenancy.services import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_deactivate,
    membership_update,
    organization_update_settings,
)
from tests.factories import MembershipFactory, UserFactory, refresh
from tests.outbox import drain_outbox

pytestmark = pytest.mark.django_db(transaction=False)


def _token_from_mail() -> str:
    body = mail.outbox[-1].body
    link = next(line for line in body.splitlines() if "/join/" in line)
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_invitation_is_mailed_and_stores_only_a_hash(
    in_org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=admin_user,
            organization=in_org,
            email="New.Coach@Example.com",
            roles=["sober_coach"],
        )
    assert invitation.email == "new.coach@example.com"
    assert mail.outbox[-1].to == ["new.coach@example.com"]
    token = _token_from_mail()
    assert token not in invitation.token_hash
    assert AuditEvent.objects.filter(
        action="invitation.created", object_id=str(invitation.public_id)
    ).exists()


def test_invitation_goes_through_the_outbox_once_and_keeps_its_token_secret(
    in_org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=admin_user, organization=in_org, email="a@example.com", roles=["sober_coach"]
        )
    # The beat finds nothing left to send: the invitation went out once.
    assert drain_outbox() == 0
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    token = _token_from_mail()
    row = Notification.objects.get(dedup_key=f"invitation:{invitation.public_id}")
    assert row.status == "sent" and token not in str(row.context)


def test_an_invitation_revoked_before_delivery_is_not_sent(
    in_org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_create(
            actor=admin_user, organization=in_org, email="b@example.com", roles=["case_manager"]
        )
    invitation_revoke(actor=admin_user, invitation=invitation)
    drain_outbox()
    assert not mail.outbox


def test_invitation_refuses_no_roles_and_unknown_roles(in_org, admin_user):
    with pytest.raises(ValidationError) as exc:
        invitation_create(actor=admin_user, organization=in_org, email="x@example.com", roles=[])
    assert "roles" in exc.value.message_dict
    with pytest.raises(ValidationError):
        invitation_create(
            actor=admin_user, organization=in_org, email="x@example.com", roles=["wizard"]
        )
    assert not Invitation.objects.exists()


def test_accepting_creates_account_membership_and_works_once(
    in_org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=admin_user, organization=in_org, email="cm@example.com", roles=["case_manager"]
        )
    token = _token_from_mail()
    membership = invitation_accept(
        organization=in_org, token=token, full_name="Casey New", password="a-very-good-passphrase"
    )
    assert membership.roles == ["case_manager"]
    assert membership.user.check_password("a-very-good-passphrase")
    assert membership.user.emailaddress_set.get().verified
    with pytest.raises(ValidationError, match="expired or has already been used"):
        invitation_accept(
            organization=in_org, token=token, full_name="Again", password="a-very-good-passphrase"
        )
    assert Membership.objects.filter(user__email="cm@example.com").count() == 1


def test_invitation_expires(in_org, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=admin_user, organization=in_org, email="late@example.com", roles=["sober_coach"]
        )
    token = _token_from_mail()
    with (
        time_machine.travel(timezone.now() + timedelta(days=8)),
        pytest.raises(ValidationError, match="expired"),
    ):
        invitation_accept(
            organization=in_org,
            token=token,
            full_name="Late",
            password="a-very-good-passphrase",
        )
    assert not Membership.objects.filter(user__email="late@example.com").exists()


def test_weak_password_leaves_nothing_behind(
    in_org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=admin_user, organization=in_org, email="weak@example.com", roles=["sober_coach"]
        )
    token = _token_from_mail()
    with pytest.raises(ValidationError):
        invitation_accept(organization=in_org, token=token, full_name="Weak", password="123")
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="weak@example.com").exists()
    assert Invitation.objects.get(email="weak@example.com").accepted_at is None


def test_existing_user_accepts_by_logging_in_and_keeps_other_organizations(
    in_org, other_org, admin_user, django_capture_on_commit_callbacks
):
    person = UserFactory(email="both@example.com")
    MembershipFactory(organization=other_org, user=person, roles=["sober_coach"])
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=admin_user, organization=in_org, email="both@example.com", roles=["case_manager"]
        )
    token = _token_from_mail()
    with pytest.raises(ValidationError, match="Log in"):
        invitation_accept(
            organization=in_org, token=token, full_name="X", password="a-very-good-passphrase"
        )
    stranger = UserFactory(email="someone-else@example.com")
    with pytest.raises(ValidationError, match=r"sent to both@example\.com"):
        invitation_accept(organization=in_org, token=token, user=stranger)
    membership = invitation_accept(organization=in_org, token=token, user=person)
    assert membership.organization == in_org
    with across_organizations("the test counts the person's organizations"):
        assert Membership.objects.filter(user=person).count() == 2


def test_an_organization_keeps_one_admin(in_org, admin_user):
    membership = Membership.objects.get(user=admin_user)
    with pytest.raises(ValidationError, match="at least one active admin"):
        membership_update(actor=admin_user, membership=membership, roles=["sober_coach"])
    with pytest.raises(ValidationError, match="at least one active admin"):
        membership_deactivate(actor=admin_user, membership=membership)
    refresh(membership)
    assert membership.roles == [Role.ORG_ADMIN]
    assert membership.is_active


def test_role_change_is_audited_with_before_and_after(in_org, admin_user, members):
    coach = Membership.objects.get(user=members["sober_coach"])
    membership_update(
        actor=admin_user, membership=coach, roles=["sober_coach", "case_manager"], title="Coach"
    )
    event = AuditEvent.objects.get(action="membership.roles_changed")
    assert event.actor == admin_user
    assert event.detail == {"from": ["sober_coach"], "to": ["case_manager", "sober_coach"]}


def test_settings_reject_bad_timezone_and_record_changes(in_org, admin_user):
    with pytest.raises(ValidationError):
        organization_update_settings(actor=admin_user, organization=in_org, timezone="Mars/Olympus")
    in_org.refresh_from_db()
    assert in_org.timezone == "America/New_York"
    organization_update_settings(actor=admin_user, organization=in_org, intake_open=False)
    in_org.refresh_from_db()
    assert in_org.intake_open is False
    assert AuditEvent.objects.get(action="organization.settings_changed").detail == {
        "fields": ["intake_open"]
    }


def test_portal_account_is_passwordless_verified_and_leaves_staff_roles_alone(in_org, members):
    from continuum.tenancy.services import portal_account_ensure

    user = portal_account_ensure(organization=in_org, email="Mom@Example.com", full_name="Mom")
    assert user.email == "mom@example.com"
    assert not user.has_usable_password()
    assert user.emailaddress_set.get().verified
    assert Membership.objects.get(user=user).roles == [Role.FAMILY_MEMBER]
    assert AuditEvent.objects.filter(action="membership.portal_created").count() == 1
    coach = members["sober_coach"]
    portal_account_ensure(organization=in_org, email=coach.email, full_name="Coach")
    assert Membership.objects.get(user=coach).roles == ["sober_coach"]
    with pytest.raises(ValidationError):
        portal_account_ensure(
            organization=in_org, email="x@example.com", full_name="X", role=Role.ORG_ADMIN
        )
