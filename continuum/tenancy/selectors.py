from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from .models import Invitation, Membership, Organization, Role
from .scoping import across_organizations


def get_or_404(queryset: QuerySet, public_id, *, what: str, field: str = "public_id"):
    """The record with `public_id` (in `field`) among `queryset`, which holds only what
    the caller may see: Http404 ("No such <what>.") alike for a record that does not
    exist, one that is not theirs and an id that does not parse."""
    try:
        return queryset.get(**{field: public_id})
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404(f"No such {what}.") from None


def active_members_with(*, organization, roles) -> QuerySet[Membership]:
    """The organization's active members holding any of `roles`, by name: the people
    a form offers for a role (coach, interventionist, care team, on call)."""
    return (
        Membership.objects.filter(organization=organization, is_active=True)
        .filter(roles__overlap=sorted(roles))
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


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


def membership_signed_in(*, slug: str, user_id) -> Membership | None:
    """The active membership of the signed-in `user_id` in the active organization
    `slug`, with the organization and the user, in one statement: what every request to
    an organization's area needs before anything else. It is read across organizations
    because no organization is in scope until this row names one; it reads the caller's
    own membership of the organization in the address, nothing else."""
    with across_organizations("signed-in membership"):
        return (
            Membership.objects.select_related("organization", "user")
            .filter(
                organization__slug=slug,
                organization__is_active=True,
                user_id=user_id,
                is_active=True,
            )
            .first()
        )


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
    return get_or_404(membership_list(organization=organization), public_id, what="member")


def invitation_list_pending(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def invitation_get(*, organization: Organization, public_id) -> Invitation:
    return get_or_404(
        invitation_list_pending(organization=organization), public_id, what="invitation"
    )


def account_exists(*, email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()
