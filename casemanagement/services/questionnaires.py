"""Questionnaires staff ask a client to answer in the portal by a day: assigning one,
answering it (scored, and its safety rule applied, by `assessment_record`), and the
reminders the day before and on the due day."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.notifications.services import notification_schedule
from continuum.people.models import Client
from continuum.tenancy.models import Membership, Role

from .. import instruments
from ..models import AssessmentSource, QuestionnaireAssignment
from ._shared import _audit
from .assessments import assessment_record

# Who may ask a client to answer a questionnaire: their case manager or coach, or an admin.
ASSIGNING_ROLES = (Role.CASE_MANAGER, Role.SOBER_COACH, Role.ORG_ADMIN)
# Reminders go out the day before the due day and on it.
REMIND_DAYS_BEFORE = (1, 0)
# A due day further ahead than this is a typing mistake more often than a plan.
LATEST_DUE = timedelta(days=180)


@transaction.atomic
def questionnaire_assign(
    *,
    actor,
    assigned_by: Membership,
    client: Client,
    instrument: str,
    due_on: date,
    today: date | None = None,
) -> QuestionnaireAssignment:
    """Ask the client to answer `instrument` in the portal by `due_on` (the organization's
    day). The client must be able to sign in to the portal to see it, and one request per
    instrument is open at a time."""
    today = today or timezone.localdate()
    errors = {}
    if instrument not in instruments.INSTRUMENTS:
        errors["instrument"] = _("Choose one of: %(codes)s.") % {
            "codes": ", ".join(i.short_name for i in instruments.INSTRUMENTS.values())
        }
    if due_on is None or due_on < today:
        errors["due_on"] = _("Choose a due date from today on.")
    elif due_on > today + LATEST_DUE:
        errors["due_on"] = _("Choose a due date within six months.")
    if client.portal_user_id is None:
        errors["__all__"] = _(
            "This client cannot sign in to the portal yet: invite them to the portal from "
            "their record first, then assign the questionnaire."
        )
    if not errors:
        open_one = QuestionnaireAssignment.objects.filter(
            client=client, instrument=instrument, answered_at__isnull=True
        ).first()
        if open_one is not None:
            errors["instrument"] = _(
                "The %(name)s is already waiting for an answer, due %(due)s; it is listed "
                "on the case page."
            ) % {
                "name": instruments.INSTRUMENTS[instrument].short_name,
                "due": open_one.due_on.isoformat(),
            }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            assignment = QuestionnaireAssignment.objects.create(
                organization=client.organization,
                client=client,
                instrument=instrument,
                due_on=due_on,
                assigned_by=assigned_by,
            )
    except IntegrityError:
        # Two people assigned the same instrument at once: the other request stands.
        raise ValidationError(
            {"instrument": _("This questionnaire was just assigned; see the case page.")}
        ) from None
    _audit(
        actor,
        "questionnaire.assigned",
        assignment,
        client,
        instrument=instrument,
        due_on=due_on.isoformat(),
    )
    return assignment


@transaction.atomic
def questionnaire_answer(
    *,
    actor,
    assignment: QuestionnaireAssignment,
    answers: dict,
    sex: str = "",
    door: str = "portal",
):
    """The client's answers to an assigned questionnaire: scored and stored by the same
    service as every assessment (so PHQ-9 item 9 raises its safety event), and the
    assignment closed with it. A second answer to the same request is refused."""
    locked = QuestionnaireAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.answered_at is not None:
        raise ValidationError(
            {"__all__": _("You have already answered this questionnaire. Thank you.")}
        )
    assessment = assessment_record(
        actor=actor,
        client=locked.client,
        instrument=locked.instrument,
        answers=answers,
        source=AssessmentSource.PORTAL,
        sex=sex,
        door=door,
    )
    locked.assessment = assessment
    locked.answered_at = assessment.completed_at
    locked.save(update_fields=["assessment", "answered_at"])
    assignment.assessment, assignment.answered_at = assessment, locked.answered_at
    _audit(actor, "questionnaire.answered", locked, locked.client, instrument=locked.instrument)
    return assessment


def questionnaire_reminders(*, organization, today: date | None = None) -> int:
    """Remind each client of an open questionnaire due tomorrow or today, once per
    request and day (the outbox's de-duplication key). Returns how many were due."""
    today = today or timezone.localdate()
    due = QuestionnaireAssignment.objects.filter(
        organization=organization,
        answered_at__isnull=True,
        due_on__in=[today + timedelta(days=d) for d in REMIND_DAYS_BEFORE],
        client__portal_user__isnull=False,
    ).select_related("client__portal_user")
    count = 0
    for assignment in due:
        notification_schedule(
            organization=organization,
            recipient=assignment.client.portal_user,
            template="assessment_reminder",
            context={
                "instrument": instruments.INSTRUMENTS[assignment.instrument].short_name,
                "due": assignment.due_on.isoformat(),
                "url": reverse(
                    "portal:casemgmt_portal_questionnaire",
                    kwargs={
                        "org": organization.slug,
                        "cm_questionnaire_id": assignment.public_id,
                    },
                ),
            },
            dedup_key=f"cm-questionnaire:{assignment.public_id}:{today.isoformat()}",
        )
        count += 1
    return count
