"""The day and its outcome, what the family may see of it, and the family's healing afterwards."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from continuum.care.models import Phase
from continuum.care.services import episode_transition
from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.selectors import disclosure_list
from continuum.consent.services import consent_require, disclosure_record

from ..models import (
    OUTCOME_DISCLOSURE,
    Intervention,
    InterventionOutcome,
    Outcome,
    Participant,
    ResponsePlan,
)
from ._shared import _audit, _notify, _portal_participants, _portal_path

FOLLOW_UP_AFTER = timedelta(days=7)


def _follow_up(intervention: Intervention, *, on: date | datetime, label: str) -> None:
    when = on if isinstance(on, datetime) else datetime.combine(on, datetime.min.time())
    if timezone.is_naive(when):
        when = timezone.make_aware(when.replace(hour=15))
    for participant in _portal_participants(intervention):
        _notify(
            organization=intervention.organization,
            user=participant.family_member.portal_user,
            template="interventions_follow_up",
            context={"what": label, "url": _portal_path(intervention.organization)},
            key=f"interventions:follow_up:{intervention.public_id}:{participant.public_id}:{when.date()}",
            due_at=when,
        )


@transaction.atomic
def outcome_record(
    *,
    actor,
    intervention: Intervention,
    outcome: str,
    notes: str = "",
    admission_date: date | None = None,
    early_reason: str = "",
) -> InterventionOutcome:
    """Record how the day went. Accepted: transport is dispatched and the episode moves
    to residential (its handoffs prepare the program and the aftercare team). Declined:
    the family's response plan comes next and follow-up continues. Before the scheduled
    day (or with no day set) the interventionist says why, and the reason is kept with
    the outcome."""
    # The row lock makes a double click record one outcome, not two.
    locked = Intervention.objects.select_for_update(of=("self",)).get(pk=intervention.pk)
    intervention.outcome = locked.outcome
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    if not intervention.can_record_outcome:
        raise ValidationError(
            {"outcome": "An outcome is already recorded; return to planning first."}
        )
    early_reason = early_reason.strip()
    errors = {}
    if intervention.outcome_is_early() and not early_reason:
        when = (
            f"is scheduled for {timezone.localtime(intervention.scheduled_at):%b %-d, %Y}"
            if intervention.scheduled_at
            else "has no date yet"
        )
        errors["early_reason"] = (
            f"The intervention {when}. Say why you are recording the outcome before "
            "the day, or set the date under Model, date and place."
        )
    if outcome == Outcome.ACCEPTED and not intervention.program_name:
        errors["outcome"] = (
            "Arrange the treatment program (the Treatment step) before recording an admission."
        )
    if outcome != Outcome.ACCEPTED and admission_date:
        errors["admission_date"] = "An admission date only applies when accepted."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if outcome == Outcome.ACCEPTED:
        admission_date = admission_date or timezone.localdate()
        episode_transition(
            actor=actor,
            episode=intervention.episode,
            to_phase=Phase.RESIDENTIAL,
            reason="Accepted treatment at the intervention",
            admission_date=admission_date,
            residential_program=intervention.program_name,
            residential_program_listing_id=intervention.program_listing_id,
        )
        if intervention.transport_provider:
            intervention.transport_dispatched_at = now
    intervention.outcome = outcome
    intervention.save(update_fields=["outcome", "transport_dispatched_at"])
    record = InterventionOutcome.objects.create(
        organization_id=intervention.organization_id,
        intervention=intervention,
        outcome=outcome,
        recorded_at=now,
        recorded_by=actor,
        admission_date=admission_date if outcome == Outcome.ACCEPTED else None,
        notes=_with_early_reason(notes.strip(), early_reason),
    )
    _audit(actor, intervention, f"intervention.outcome_{outcome}", early=bool(early_reason))
    if outcome != Outcome.ACCEPTED:
        _follow_up(
            intervention,
            on=now + FOLLOW_UP_AFTER,
            label=gettext_noop("A check-in with your family"),
        )
    return record


def _with_early_reason(notes: str, early_reason: str) -> str:
    if not early_reason:
        return notes
    said = f"Recorded before the day: {early_reason}"
    return f"{said}\n\n{notes}" if notes else said


@dataclass(frozen=True)
class OutcomeForFamily:
    """What a participant may read about the client after the day, under consent."""

    outcome: str
    outcome_label: str
    admission_date: date | None
    program_name: str


@transaction.atomic
def outcome_disclose_to_participant(
    *, actor, intervention: Intervention, participant: Participant
) -> OutcomeForFamily:
    """A participant took part in the day; what happened to the client afterwards
    (accepted, on the way to treatment, where and when) is the client's to share. It
    needs the client's consent naming this family member, and is accounted once per
    consent and outcome. Raises ConsentRequired otherwise."""
    family_member = participant.family_member
    consent = consent_require(
        organization=intervention.organization,
        client=intervention.client,
        recipient_kind=RecipientKind.FAMILY_MEMBER,
        recipient_name=family_member.display_name,
        recipient_family_member=family_member,
        purpose=Purpose.FAMILY_INVOLVEMENT,
        information=[InformationCategory.STATUS],
    )
    record = next(iter(intervention.outcomes.all()), None)
    label = Outcome(intervention.outcome).label
    facts = {"intervention": str(intervention.public_id), "outcome": intervention.outcome}
    # Once per consent and outcome, whatever language the family member reads in.
    already = disclosure_list(client=intervention.client).filter(
        consent=consent, kind=OUTCOME_DISCLOSURE, facts=facts
    )
    if not already.exists():
        disclosure_record(
            actor=actor,
            consent=consent,
            recipient=family_member.display_name,
            kind=OUTCOME_DISCLOSURE,
            facts=facts,
            purpose=Purpose.FAMILY_INVOLVEMENT,
        )
    accepted = intervention.outcome == Outcome.ACCEPTED
    return OutcomeForFamily(
        outcome=intervention.outcome,
        outcome_label=label,
        admission_date=record.admission_date if record and accepted else None,
        program_name=intervention.program_name if accepted else "",
    )


@transaction.atomic
def intervention_resume_planning(*, actor, intervention: Intervention) -> Intervention:
    """After a decline or postponement, plan again; ARISE escalates one level."""
    if not intervention.can_resume_planning:
        raise ValidationError("Only a declined or postponed intervention returns to planning.")
    intervention.outcome = ""
    fields = ["outcome"]
    if intervention.resuming_escalates:
        intervention.arise_level += 1
        fields.append("arise_level")
    intervention.save(update_fields=fields)
    _audit(
        actor, intervention, "intervention.planning_resumed", arise_level=intervention.arise_level
    )
    return intervention


@transaction.atomic
def response_plan_save(
    *,
    actor,
    intervention: Intervention,
    boundaries: str,
    next_checkin_on: date,
    consequences: str = "",
    responsibilities: str = "",
    support_resources: str = "",
    share: bool = False,
) -> ResponsePlan:
    """The family's unified response after a decline; sharing it tells the participants
    and schedules the next family check-in."""
    if not intervention.can_plan_response:
        raise ValidationError("A response plan follows a declined intervention.")
    errors = {}
    if not boundaries.strip():
        errors["boundaries"] = "Write down the boundaries the family agreed."
    if next_checkin_on is None or next_checkin_on < timezone.localdate():
        errors["next_checkin_on"] = "Choose a check-in date from today on."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    plan, _ = ResponsePlan.objects.update_or_create(
        organization_id=intervention.organization_id,
        intervention=intervention,
        defaults={
            "boundaries": boundaries.strip(),
            "consequences": consequences.strip(),
            "responsibilities": responsibilities.strip(),
            "support_resources": support_resources.strip(),
            "next_checkin_on": next_checkin_on,
            "updated_at": now,
        },
    )
    if share and plan.shared_at is None:
        plan.shared_at = now
        plan.save(update_fields=["shared_at"])
        for participant in _portal_participants(intervention):
            _notify(
                organization=intervention.organization,
                user=participant.family_member.portal_user,
                template="interventions_response_plan",
                context={"url": _portal_path(intervention.organization)},
                key=f"interventions:plan:{plan.public_id}:{participant.public_id}:shared",
            )
    if plan.shared_at:
        _follow_up(intervention, on=next_checkin_on, label=gettext_noop("Your family's check-in"))
    _audit(actor, intervention, "intervention.response_plan_saved", shared=bool(plan.shared_at))
    return plan
