"""Education and rehearsal sessions, and the reminders before them."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from ..models import (
    EducationSession,
    Intervention,
    Participant,
    SessionKind,
)
from ._shared import _audit, _notify, _portal_participants, _portal_path

REMIND_BEFORE = timedelta(hours=24)


def _day_reminder_key(intervention, participant, when: datetime) -> str:
    return (
        f"interventions:day:{intervention.public_id}:{participant.public_id}:"
        f"{int(when.timestamp())}"
    )


def _msgid(text) -> str:
    """A label as written in the code (a lazy choice label, too): the message translates
    it when it renders, into its recipient's language."""
    with translation.override(None):
        return str(text)


def _remind(*, intervention, participant, when: datetime, what: str, key: str) -> None:
    due = when - REMIND_BEFORE
    now = timezone.now()
    if when <= now:
        return
    _notify(
        organization=intervention.organization,
        user=participant.family_member.portal_user,
        template="interventions_reminder",
        context={
            "what": _msgid(what),
            "when": when.isoformat(),
            "url": _portal_path(intervention.organization),
        },
        key=key,
        due_at=max(due, now),
    )


def _remind_day(intervention: Intervention, participant: Participant) -> None:
    if not intervention.scheduled_at or participant.family_member_id is None:
        return
    if participant.family_member.portal_user_id is None:
        return
    _remind(
        intervention=intervention,
        participant=participant,
        when=intervention.scheduled_at,
        what=gettext_noop("The intervention"),
        key=_day_reminder_key(intervention, participant, intervention.scheduled_at),
    )


@transaction.atomic
def session_schedule(
    *,
    actor,
    intervention: Intervention,
    kind: str,
    starts_at: datetime,
    topics: str = "",
    materials: str = "",
) -> EducationSession:
    """A planning, education or CRAFT meeting. Every participant with a portal login is
    reminded the day before."""
    errors = {}
    if kind not in SessionKind.values:
        errors["kind"] = "Choose the kind of meeting."
    if starts_at is None or starts_at < timezone.now():
        errors["starts_at"] = "Choose a time in the future."
    if errors:
        raise ValidationError(errors)
    session = EducationSession.objects.create(
        organization_id=intervention.organization_id,
        intervention=intervention,
        kind=kind,
        starts_at=starts_at,
        topics=topics.strip(),
        materials=materials.strip(),
    )
    _audit(actor, intervention, "intervention.session_scheduled", kind=kind)
    for participant in _portal_participants(intervention):
        _remind(
            intervention=intervention,
            participant=participant,
            when=starts_at,
            what=SessionKind(session.kind).label,
            key=f"interventions:session:{session.public_id}:{participant.public_id}",
        )
    return session


@transaction.atomic
def session_record_attendance(*, actor, session: EducationSession, participant_ids) -> int:
    participants = list(
        Participant.objects.filter(intervention=session.intervention, public_id__in=participant_ids)
    )
    session.attendees.set(participants)
    _audit(actor, session.intervention, "intervention.attendance_recorded", count=len(participants))
    return len(participants)
