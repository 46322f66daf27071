"""Reads of follow-ups that leave the app: scoped to what the caller may see."""

from datetime import date

from django.db.models import QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from continuum.care.models import CareEpisode, Phase, PhaseTransition
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


# --- the cohort page ---------------------------------------------------------------------


def cohort_base(*, membership: Membership) -> QuerySet[CareEpisode]:
    """Every episode discharged to aftercare (a discharge date, and a move into
    aftercare on record) of the clients the member sees: an admin, all of them."""
    into_aftercare = PhaseTransition.objects.filter(
        organization=membership.organization_id, to_phase=Phase.AFTERCARE
    ).values("episode_id")
    return CareEpisode.objects.filter(
        organization=membership.organization_id,
        client__in=client_list_for(membership=membership),
        discharge_date__isnull=False,
        pk__in=into_aftercare,
    )


def cohort_months(*, membership: Membership) -> list[date]:
    """The first day of every month with a discharge to aftercare, newest first."""
    return list(
        cohort_base(membership=membership)
        .annotate(month=TruncMonth("discharge_date"))
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


def cohort_programs(*, membership: Membership) -> list[str]:
    """The residential programs recorded on episodes discharged to aftercare."""
    return list(
        cohort_base(membership=membership)
        .exclude(residential_program="")
        .order_by("residential_program")
        .values_list("residential_program", flat=True)
        .distinct()
    )


def cohort_episodes(
    *, membership: Membership, start: date, end: date, program: str = ""
) -> QuerySet[CareEpisode]:
    """The cohort: discharged to aftercare from `start` to `end` (inclusive), from the
    program when one is named."""
    episodes = cohort_base(membership=membership).filter(
        discharge_date__gte=start, discharge_date__lte=end
    )
    if program:
        episodes = episodes.filter(residential_program=program)
    return episodes.order_by("discharge_date", "id")


def cohort_follow_ups(*, episodes) -> list[FollowUp]:
    """The cohort's answered follow-ups: one query."""
    return list(
        FollowUp.objects.filter(episode__in=episodes, status=FollowUpStatus.COMPLETED).only(
            "episode_id",
            "offset_days",
            "status",
            "days_of_use",
            "returned_to_treatment",
            "emergency_care",
            "housing",
            "work_school",
            "barc10_total",
        )
    )
