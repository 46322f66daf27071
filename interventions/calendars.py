"""The intervention's meetings and the day in personal calendar feeds: for the
interventionist and for participants with a portal login. Summaries stay generic."""

from datetime import timedelta

from django.db.models import Q

from continuum.notifications.calendar import CalendarItem

from .models import EducationSession, Intervention

LENGTH = timedelta(hours=2)


def intervention_items(*, organization, user):
    mine = Q(interventionist__user=user) | Q(participants__family_member__portal_user=user)
    interventions = (
        Intervention.objects.filter(
            organization=organization, scheduled_at__isnull=False, outcome=""
        )
        .filter(mine)
        .distinct()
    )
    for intervention in interventions:
        yield CalendarItem(
            uid=f"intervention-{intervention.public_id}",
            start=intervention.scheduled_at,
            end=intervention.scheduled_at + LENGTH,
            summary="Family meeting",
            location=intervention.location,
        )
    sessions = (
        EducationSession.objects.filter(organization=organization)
        .filter(
            Q(intervention__interventionist__user=user)
            | Q(intervention__participants__family_member__portal_user=user)
        )
        .distinct()
    )
    for session in sessions:
        yield CalendarItem(
            uid=f"intervention-session-{session.public_id}",
            start=session.starts_at,
            end=session.starts_at + LENGTH,
            summary="Family meeting",
        )
