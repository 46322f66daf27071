"""The letters participants write and the interventionist reviews."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Letter,
    LetterStatus,
    Participant,
)
from ._shared import _audit, _notify, _portal_path


@transaction.atomic
def letter_save(*, actor, participant: Participant, body: str, submit: bool = False) -> Letter:
    """The author writes (and may submit) their letter. An approved letter is final."""
    if participant.family_member is None or participant.family_member.portal_user_id != actor.pk:
        raise ValidationError(_("Only the person who will read this letter can write it."))
    if participant.intervention.outcome:
        raise ValidationError(
            _("The day has taken place, so letters for it can no longer be written or changed.")
        )
    letter = Letter.objects.filter(participant=participant).first()
    if letter is not None and letter.status == LetterStatus.APPROVED:
        raise ValidationError(_("This letter has been approved and can no longer be changed."))
    body = body.strip()
    if submit and not body:
        raise ValidationError({"body": _("Write your letter before sending it for review.")})
    now = timezone.now()
    if letter is None:
        letter = Letter(
            organization_id=participant.organization_id, participant=participant, author=actor
        )
    letter.body = body
    letter.updated_at = now
    if submit:
        letter.status = LetterStatus.SUBMITTED
        letter.submitted_at = now
    letter.save()
    _audit(actor, participant.intervention, "letter.submitted" if submit else "letter.saved")
    if submit:
        intervention = participant.intervention
        _notify(
            organization=intervention.organization,
            user=intervention.interventionist.user,
            template="interventions_letter_submitted",
            context={
                "url": reverse(
                    "staff:intervention_letter",
                    kwargs={"org": intervention.organization.slug, "letter_id": letter.public_id},
                )
            },
            key=f"interventions:letter:{letter.public_id}:submitted:{int(now.timestamp())}",
        )
    return letter


@transaction.atomic
def letter_review(*, actor, letter: Letter, approve: bool, comment: str = "") -> Letter:
    intervention = letter.participant.intervention
    if intervention.interventionist.user_id != actor.pk:
        raise ValidationError("Only the interventionist reviews letters.")
    if not letter.can_review:
        raise ValidationError("Only a submitted letter can be reviewed.")
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": "Say what you would like changed."})
    letter.status = LetterStatus.APPROVED if approve else LetterStatus.CHANGES_REQUESTED
    letter.reviewer_comment = comment
    letter.approved_at = timezone.now() if approve else None
    letter.save(update_fields=["status", "reviewer_comment", "approved_at"])
    _audit(actor, intervention, f"letter.{letter.status}")
    _notify(
        organization=intervention.organization,
        user=letter.author,
        template="interventions_letter_reviewed",
        context={"approved": approve, "url": _portal_path(intervention.organization)},
        key=f"interventions:letter:{letter.public_id}:reviewed:{int(timezone.now().timestamp())}",
    )
    return letter
