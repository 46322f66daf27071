"""Reads of follow-ups that leave the app: scoped to what the caller may see."""

from django.db.models import QuerySet
from django.utils import timezone

from continuum.people.models import Client
from continuum.people.selectors import client_for_portal_user, client_list_for
from continuum.tenancy.models import Membership
from continuum.tenancy.selectors import get_or_404

from .models import FollowUp, FollowUpStatus


def follow_ups_for(*, client: Client) -> QuerySet[FollowUp]:
    """The client's follow-ups, by due date."""
    return (
        FollowUp.objects.filter(organization_id=client.organization_id, client=client)
        .select_related("recorded_by")
        .order_by("due_on", "id")
    )


def barc10_series(*, client: Client) -> list[FollowUp]:
    """The client's answered follow-ups with a BARC-10 total, oldest first."""
    return list(
        FollowUp.objects.filter(
            organization_id=client.organization_id,
            client=client,
            status=FollowUpStatus.COMPLETED,
            barc10_total__isnull=False,
        ).order_by("completed_at", "id")
    )


def follow_up_get_for(*, membership: Membership, follow_up_id) -> FollowUp:
    """A follow-up of a client the staff member sees; 404 otherwise."""
    visible = FollowUp.objects.filter(
        organization=membership.organization_id,
        client__in=client_list_for(membership=membership),
    ).select_related("client")
    return get_or_404(visible, follow_up_id, what="follow-up")


def open_follow_up_for(*, client: Client | None) -> FollowUp | None:
    """The portal client's follow-up waiting for their answer, if any."""
    if client is None:
        return None
    return (
        FollowUp.objects.filter(
            organization=client.organization_id,
            client=client,
            status=FollowUpStatus.SENT,
            expires_at__gt=timezone.now(),
        )
        .order_by("due_on")
        .first()
    )


def portal_follow_up_get(*, membership: Membership, follow_up_id) -> FollowUp:
    """One of the portal client's own follow-ups; 404 for anyone else's."""
    client = client_for_portal_user(membership=membership)
    own = FollowUp.objects.filter(organization=membership.organization_id, client=client)
    return get_or_404(own.select_related("client"), follow_up_id, what="follow-up")


def portal_client(*, membership: Membership) -> Client | None:
    return client_for_portal_user(membership=membership)
