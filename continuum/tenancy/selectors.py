from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from .models import Invitation, Membership, Organization, Role
from .scoping import across_organizations


def organization_get_by_slug(*, slug: str) -> Organization:
    try:
        return Organization.objects.get(slug=slug, is_active=True)
    except Organization.DoesNotExist:
        raise Http404("No such organization.") from None


def membership_for(*, user, organization: Organization) -> Membership | None:
    """The user's active membership in the organization in scope, or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(organization=organization, user=user, is_active=True).first()


def memberships_for_user(*, user) -> list[Membership]:
    """Every organization the user belongs to, for the switcher."""
    with across_organizations("organization switcher"):
        return list(
            Membership.objects.filter(user=user, is_active=True, organization__is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )


def has_several_organizations(*, user) -> bool:
    """Whether the user belongs to more than one active organization: the page header
    of every page offers the organization switcher then. A fixed statement reading two
    rows at most, because building it with the ORM cost more than the rest of the header."""
    with across_organizations("organization switcher"), connection.cursor() as cursor:
        cursor.execute(_SEVERAL_ORGANIZATIONS, [user.pk])
        return cursor.fetchone()[0] > 1


_SEVERAL_ORGANIZATIONS = """
SELECT count(*) FROM (
    SELECT 1 FROM tenancy_membership m
    JOIN tenancy_organization o ON o.id = m.organization_id
    WHERE m.user_id = %s AND m.is_active AND o.is_active
    LIMIT 2
) AS found
"""


def active_admins(*, organization) -> QuerySet[Membership]:
    """The organization's active admins (`organization` may be an instance or an id)."""
    return Membership.objects.filter(
        organization=organization, is_active=True, roles__contains=[Role.ORG_ADMIN]
    )


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-is_active", "user__full_name", "user__email")
    )


def membership_get(*, organization: Organization, public_id) -> Membership:
    try:
        return membership_list(organization=organization).get(public_id=public_id)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None


def invitation_list_pending(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def invitation_get(*, organization: Organization, public_id) -> Invitation:
    try:
        return invitation_list_pending(organization=organization).get(public_id=public_id)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None


def account_exists(*, email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()
