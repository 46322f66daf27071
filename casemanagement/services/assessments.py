"""Standard instruments recorded and scored, and the safety events an answer raises."""

from django.core.exceptions import ValidationError
from django.db import transaction

from continuum.care import safety
from continuum.care.services import safety_event_raise
from continuum.people.models import Client

from .. import instruments
from ..models import (
    Assessment,
    AssessmentSource,
)
from ._shared import SAFETY_ITEM9, _audit


def _answer_errors(exc: instruments.AnswerError) -> ValidationError:
    return ValidationError(dict(exc.errors))


@transaction.atomic
def assessment_record(
    *,
    actor,
    client: Client,
    instrument: str,
    answers: dict,
    source: str,
    sex: str = "",
    door: str = "",
    days: dict | None = None,
) -> Assessment:
    """Store every item answer and the exact score. PHQ-9 item 9 above 0 is a safety
    event whatever the total: the spine tells the responsible person at once. BAM
    day-count items may come as `days` (0-30): their codes are derived here, and the day
    counts are kept as given."""
    if instrument not in instruments.INSTRUMENTS:
        raise ValidationError(
            {"instrument": f"Choose one of: {', '.join(instruments.INSTRUMENTS)}."}
        )
    if source not in AssessmentSource.values:
        raise ValidationError({"source": f"Choose one of: {', '.join(AssessmentSource.values)}."})
    days = days or {}
    both = sorted(set(days) & set(answers))
    if both:
        raise ValidationError(
            dict.fromkeys(both, "Give this item either as an answer code or as days, not both.")
        )
    try:
        answers = {**answers, **instruments.codes_from_days(instrument, days)}
        result = instruments.score(instrument, answers, sex=sex)
        cleaned = instruments.validate_answers(instrument, answers)
    except instruments.AnswerError as exc:
        raise _answer_errors(exc) from None
    assessment = Assessment.objects.create(
        organization=client.organization,
        client=client,
        instrument=instrument,
        answers=cleaned,
        day_counts=days,
        sex=sex if instrument == instruments.AUDITC else "",
        total=result.total,
        band=result.band,
        subscales=result.subscales,
        flags=list(result.flags),
        urgent=result.urgent,
        source=source,
        entered_by=actor,
    )
    _audit(actor, "assessment.recorded", assessment, client, instrument=instrument)
    if result.urgent:
        _safety_event(assessment, actor=actor, door=door)
    return assessment


def _safety_event(assessment: Assessment, *, actor, door: str) -> None:
    if not door:
        door = safety.Door.PORTAL if assessment.source == AssessmentSource.PORTAL else "staff"
    safety_event_raise(actor=actor, client=assessment.client, kind=SAFETY_ITEM9, door=door)
