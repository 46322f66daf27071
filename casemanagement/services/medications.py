"""Medications, their fills and the adherence they show."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum.care.models import TaskKind
from continuum.people.models import Client

from ..models import (
    POOR_ADHERENCE,
    Adherence,
    AdherenceReport,
    Medication,
    MedicationFill,
    Provider,
)
from ._shared import _audit, _task_for, plan_owner
from .appointments import _active_plan
from .gaps import _gaps_refresh


@transaction.atomic
def medication_add(
    *,
    actor,
    client: Client,
    name: str,
    dose: str,
    schedule: str,
    prescriber: Provider | None = None,
    is_moud: bool = False,
    started_on: date | None = None,
    ended_on: date | None = None,
    refill_due_on: date | None = None,
) -> Medication:
    started_on = started_on or timezone.localdate()
    errors = {}
    for field, value in (("name", name), ("dose", dose), ("schedule", schedule)):
        if not value.strip():
            errors[field] = "This is required."
    if prescriber is not None and prescriber.client_id != client.pk:
        errors["prescriber"] = "Choose one of this client's providers."
    if ended_on is not None and ended_on < started_on:
        errors["ended_on"] = "The end date cannot be before the start date."
    if errors:
        raise ValidationError(errors)
    medication = Medication.objects.create(
        organization=client.organization,
        client=client,
        name=name.strip(),
        dose=dose.strip(),
        schedule=schedule.strip(),
        prescriber=prescriber,
        is_moud=is_moud,
        started_on=started_on,
        ended_on=ended_on,
        refill_due_on=refill_due_on,
    )
    _audit(actor, "medication.added", medication, client)
    return medication


@transaction.atomic
def medication_fill_record(
    *, actor, medication: Medication, filled_on: date, next_refill_due_on: date | None
) -> MedicationFill:
    errors = {}
    if filled_on is None or filled_on > timezone.localdate():
        errors["filled_on"] = "Enter the day it was filled (not in the future)."
    elif next_refill_due_on is not None and next_refill_due_on <= filled_on:
        errors["next_refill_due_on"] = "The next refill is due after this fill."
    if errors:
        raise ValidationError(errors)
    fill = MedicationFill.objects.create(
        organization=medication.organization,
        medication=medication,
        filled_on=filled_on,
        next_refill_due_on=next_refill_due_on,
        recorded_by=actor,
    )
    medication.refill_due_on = next_refill_due_on
    medication.save(update_fields=["refill_due_on"])
    _audit(actor, "medication.filled", fill, medication.client)
    _gaps_refresh(medication.client)
    return fill


@transaction.atomic
def adherence_report(
    *, actor, medication: Medication, week_of: date, adherence: str, note: str = ""
) -> AdherenceReport:
    """The client reports how they took a medication this week. Missing several doses or
    all of them raises a task for the case manager."""
    client = medication.client
    if client.portal_user_id != actor.pk:
        raise ValidationError("Only the client reports their own adherence.")
    if adherence not in Adherence.values:
        raise ValidationError({"adherence": "Choose how you took it."})
    report, _ = AdherenceReport.objects.update_or_create(
        organization=medication.organization,
        medication=medication,
        week_of=week_of,
        defaults={"adherence": adherence, "note": note.strip()[:300], "reported_by": actor},
    )
    if adherence in POOR_ADHERENCE:
        _task_for(
            client=client,
            owner=plan_owner(client=client, plan=_active_plan(client)),
            title=f"Follow up: {client.display_name} reports missed doses",
            due_at=timezone.now() + timedelta(days=1),
            kind=TaskKind.FOLLOW_UP,
            source="casemanagement.adherence",
            dedup_key=f"cm-adherence:{medication.public_id}:{week_of.isoformat()}",
        )
    _audit(actor, "adherence.reported", report, client, adherence=adherence)
    return report
