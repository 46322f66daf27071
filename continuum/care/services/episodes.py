"""Care episodes: opened, and moved from phase to phase with their details and handoffs."""

import uuid
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from continuum.audit.services import audit_change
from continuum.people.models import Client
from continuum.tenancy.models import Role

from ..models import (
    ALLOWED_TRANSITIONS,
    CareEpisode,
    ClosedReason,
    DischargeType,
    Phase,
    PhaseTransition,
)
from .handoffs import _start_handoffs

TRANSITION_DETAILS = frozenset(
    {
        "admission_date",
        "discharge_date",
        "residential_program",
        "residential_program_listing_id",
        "discharge_type",
        "closed_reason",
        "return_line",
    }
)
# Recorded on the transition only: the episode has no column for them.
TRANSITION_ONLY = frozenset({"return_line"})
# What a returning alumnus may ask for: the care-team line the aftercare handoffs open.
RETURN_LINES = frozenset({Role.SOBER_COACH, Role.CASE_MANAGER})


def _phase_label(value: str) -> str:
    return str(Phase(value).label) if value in Phase.values else value


def _record_transition(*, actor, episode: CareEpisode, from_phase: str, reason: str, details: dict):
    transition = PhaseTransition.objects.create(
        organization_id=episode.organization_id,
        episode=episode,
        from_phase=from_phase,
        to_phase=episode.phase,
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=episode.phase_changed_at,
        details={k: str(v) for k, v in details.items() if v not in (None, "")},
    )
    audit_change(
        actor,
        episode.organization,
        "episode.transitioned" if from_phase else "episode.opened",
        episode,
        episode.client.public_id,
        detail={"from": from_phase, "to": episode.phase},
    )
    _start_handoffs(transition)
    return transition


def _as_date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: "Enter a valid date (YYYY-MM-DD)."}) from None


def _apply_details(episode: CareEpisode, to_phase: str, details: dict) -> dict:
    """Validate the phase-specific details and set them on the episode."""
    unknown = set(details) - TRANSITION_DETAILS
    if unknown:
        raise ValidationError(f"Not a transition detail: {', '.join(sorted(unknown))}.")
    errors: dict[str, str] = {}
    applied: dict = {}
    today = timezone.localdate()
    admission = _as_date(details.get("admission_date"), "admission_date")
    discharge = _as_date(details.get("discharge_date"), "discharge_date")
    program = (details.get("residential_program") or "").strip()
    listing = details.get("residential_program_listing_id") or None
    if listing is not None:
        try:
            listing = uuid.UUID(str(listing))
        except ValueError:
            errors["residential_program_listing_id"] = "Enter a valid listing id."
    discharge_type = details.get("discharge_type") or ""
    closed_reason = details.get("closed_reason") or ""
    return_line = details.get("return_line") or ""
    returning = to_phase == Phase.AFTERCARE and episode.phase == Phase.ALUMNI

    if to_phase == Phase.RESIDENTIAL:
        applied["admission_date"] = admission or today
        if program:
            applied["residential_program"] = program
        if listing is not None:
            applied["residential_program_listing_id"] = listing
    elif admission is not None or program or listing is not None:
        errors["admission_date"] = "Admission details belong to the move into residential."
    if returning:
        # Back from alumni: the discharge from residential stays the one on record.
        if return_line and return_line not in RETURN_LINES:
            errors["return_line"] = "Choose a sober coach or case management."
        elif return_line:
            applied["return_line"] = return_line
    elif return_line:
        errors["return_line"] = "The line asked for only applies when an alumnus returns."
    if returning:
        if discharge is not None or discharge_type:
            errors["discharge_date"] = "Discharge details belong to leaving residential."
    elif to_phase == Phase.AFTERCARE or (
        to_phase == Phase.CLOSED and episode.phase == Phase.RESIDENTIAL
    ):
        applied["discharge_date"] = discharge or today
        if discharge_type and discharge_type not in DischargeType.values:
            errors["discharge_type"] = "Choose a discharge type."
        elif discharge_type:
            applied["discharge_type"] = discharge_type
        admitted = applied.get("admission_date") or episode.admission_date
        if admitted and applied["discharge_date"] < admitted:
            errors["discharge_date"] = "The discharge date cannot be before the admission date."
    elif discharge is not None or discharge_type:
        errors["discharge_date"] = "Discharge details belong to leaving residential."
    if to_phase == Phase.CLOSED:
        if closed_reason not in ClosedReason.values:
            errors["closed_reason"] = "Say why the episode is closed."
        else:
            applied["closed_reason"] = closed_reason
    elif closed_reason:
        errors["closed_reason"] = "A closing reason only applies when closing the episode."
    for field in ("admission_date", "discharge_date"):
        if applied.get(field) and applied[field] > today:
            errors[field] = "This date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    return applied


@transaction.atomic
def episode_open(
    *, actor, client: Client, reason: str = "", phase: str = Phase.INQUIRY, **details
) -> CareEpisode:
    """Open a client's episode. Most start at inquiry; a client admitted directly opens
    at a later phase. Entering the phase triggers its handoffs like any transition."""
    if phase not in Phase.values or phase == Phase.CLOSED:
        raise ValidationError({"phase": "Choose the phase the episode starts in."})
    if CareEpisode.objects.filter(client=client).exclude(phase=Phase.CLOSED).exists():
        raise ValidationError(f"{client.display_name} already has an open episode. Close it first.")
    now = timezone.now()
    episode = CareEpisode(
        organization_id=client.organization_id,
        client=client,
        phase=phase,
        opened_at=now,
        phase_changed_at=now,
    )
    applied = _apply_details(episode, phase, details)
    for name, value in applied.items():
        setattr(episode, name, value)
    try:
        with transaction.atomic():
            episode.save()
    except IntegrityError:
        # Another request opened one at the same moment.
        raise ValidationError(f"{client.display_name} already has an open episode.") from None
    _record_transition(
        actor=actor, episode=episode, from_phase="", reason=reason.strip(), details=applied
    )
    return episode


@transaction.atomic
def episode_transition(
    *, actor, episode: CareEpisode, to_phase: str, reason: str = "", **details
) -> PhaseTransition:
    """Move an episode to its next phase (or close it), record who did it and why, and
    start the handoffs declared for leaving the old phase and entering the new one."""
    # The row lock makes two simultaneous moves of one episode run one after the other.
    episode = (
        CareEpisode.objects.select_for_update(of=("self",))
        .select_related("client", "organization")
        .get(pk=episode.pk)
    )
    from_phase = episode.phase
    if to_phase not in Phase.values:
        raise ValidationError({"to_phase": "Choose a phase."})
    allowed = ALLOWED_TRANSITIONS[from_phase]
    if to_phase not in allowed:
        if from_phase == to_phase:
            message = f"The episode is already in {_phase_label(to_phase)}."
        elif not allowed:
            message = "This episode is closed; open a new episode instead."
        else:
            options = " or ".join(_phase_label(p) for p in allowed)
            message = (
                f"An episode in {_phase_label(from_phase)} cannot move to {_phase_label(to_phase)}; "
                f"it can move to {options}."
            )
        raise ValidationError({"to_phase": message})
    reason = (reason or "").strip()
    applied = _apply_details(episode, to_phase, details)
    now = timezone.now()
    episode.phase = to_phase
    episode.phase_changed_at = now
    on_episode = {k: v for k, v in applied.items() if k not in TRANSITION_ONLY}
    fields = ["phase", "phase_changed_at", *on_episode]
    for name, value in on_episode.items():
        setattr(episode, name, value)
    if to_phase == Phase.CLOSED:
        episode.closed_at = now
        fields.append("closed_at")
    episode.save(update_fields=fields)
    return _record_transition(
        actor=actor, episode=episode, from_phase=from_phase, reason=reason, details=applied
    )
