"""Planning the intervention: intake, the plan, treatment, transport and the agenda."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from continuum.directory import listing_get
from continuum.notifications.services import notification_cancel

from ..models import (
    AgendaItem,
    Intervention,
    InterventionModel,
)
from ._shared import _audit, _portal_participants, _require_planning
from .sessions import _day_reminder_key, _remind_day

INTAKE_FIELDS = ("addiction_nature", "family_impact", "history", "risks", "intake_notes")


PLAN_FIELDS = ("model", "arise_level", "scheduled_at", "location", "video_link")


TREATMENT_FIELDS = (
    "program_name",
    "program_listing_id",
    "bed_hold_date",
    "insurance_verification",
    "admission_contact",
)


TRANSPORT_FIELDS = ("transport_provider", "pickup_at", "pickup_place", "escort")

# The plan's sections: what each may change; a change is audited as
# "intervention.<section>_updated".
_SECTION_FIELDS = {
    "intake": INTAKE_FIELDS,
    "plan": PLAN_FIELDS,
    "treatment": TREATMENT_FIELDS,
    "transport": TRANSPORT_FIELDS,
}


def _update(*, actor, intervention: Intervention, section: str, values: dict) -> list:
    unknown = set(values) - set(_SECTION_FIELDS[section])
    if unknown:
        raise ValidationError(f"Not a field of this section: {', '.join(sorted(unknown))}.")
    _require_planning(intervention)
    changed = [n for n, v in values.items() if getattr(intervention, n) != v]
    for name in changed:
        setattr(intervention, name, values[name])
    if changed:
        intervention.save(update_fields=changed)
        _audit(actor, intervention, f"intervention.{section}_updated", fields=sorted(changed))
    return changed


@transaction.atomic
def intervention_intake_update(*, actor, intervention: Intervention, **values) -> Intervention:
    _update(actor=actor, intervention=intervention, section="intake", values=values)
    if intervention.intake_completed_at is None:
        intervention.intake_completed_at = timezone.now()
        intervention.save(update_fields=["intake_completed_at"])
    return intervention


@transaction.atomic
def intervention_plan_update(*, actor, intervention: Intervention, **values) -> Intervention:
    """The model, the date and the place. Moving the date moves everyone's reminders."""
    model = values.get("model", intervention.model)
    if model not in InterventionModel.values:
        raise ValidationError({"model": "Choose an intervention model."})
    level = values.get("arise_level", intervention.arise_level)
    if not 1 <= int(level or 0) <= 3:
        raise ValidationError({"arise_level": "ARISE has levels I to III."})
    when = values.get("scheduled_at")
    if when and when < timezone.now() and when != intervention.scheduled_at:
        raise ValidationError({"scheduled_at": "Choose a time in the future."})
    previous = intervention.scheduled_at
    changed = _update(actor=actor, intervention=intervention, section="plan", values=values)
    if "scheduled_at" in changed:
        for participant in _portal_participants(intervention):
            if previous:
                notification_cancel(
                    organization=intervention.organization,
                    dedup_key=_day_reminder_key(intervention, participant, previous),
                )
            _remind_day(intervention, participant)
    return intervention


@transaction.atomic
def intervention_treatment_update(*, actor, intervention: Intervention, **values) -> Intervention:
    listing_id = values.get("program_listing_id")
    if listing_id:
        try:
            listing = listing_get(organization=intervention.organization, listing_id=listing_id)
        except Http404:
            raise ValidationError(
                {"program_listing_id": "Choose a program from the directory."}
            ) from None
        # The directory's name, unless staff wrote their own.
        if not values.get("program_name"):
            values["program_name"] = listing.name
    _update(actor=actor, intervention=intervention, section="treatment", values=values)
    return intervention


@transaction.atomic
def intervention_transport_update(*, actor, intervention: Intervention, **values) -> Intervention:
    _update(actor=actor, intervention=intervention, section="transport", values=values)
    return intervention


@transaction.atomic
def agenda_set(*, actor, intervention: Intervention, items: list[tuple[str, int | None]]):
    """Replace the day's agenda with `items` (title, minutes), in order."""
    _require_planning(intervention)
    cleaned = [(t.strip(), m) for t, m in items if t and t.strip()]
    AgendaItem.objects.filter(intervention=intervention).delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            organization_id=intervention.organization_id,
            intervention=intervention,
            position=i,
            title=title[:200],
            minutes=minutes,
        )
        for i, (title, minutes) in enumerate(cleaned, 1)
    )
    _audit(actor, intervention, "intervention.agenda_set", items=len(cleaned))
    return cleaned
