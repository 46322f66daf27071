import logging
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from continuum.audit.services import audit_record
from continuum.notifications.services import notification_schedule
from continuum.people.models import Client
from continuum.people.services import follow_up_access_grant
from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.selectors import active_admins

from . import safety
from .models import (
    ALLOWED_TRANSITIONS,
    AskedAs,
    CareEpisode,
    ClosedReason,
    DischargeType,
    HandoffRun,
    HandoffStatus,
    OnCallShift,
    Phase,
    PhaseTransition,
    SafetyEvent,
    SafetyStatus,
    SafetyStep,
    Task,
    TaskKind,
    TaskStatus,
    priority_for,
)
from .registry import registry
from .selectors import on_call_now, responsible_for, safety_event_open_today

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
TRANSITION_DETAILS = frozenset(
    {
        "admission_date",
        "discharge_date",
        "residential_program",
        "residential_program_listing_id",
        "discharge_type",
        "closed_reason",
    }
)


def _phase_label(value: str) -> str:
    return Phase(value).label if value in Phase.values else value


def handoff_enqueue(run: HandoffRun) -> None:
    """Hand the run to a worker. A broker outage must not undo the committed transition:
    the run stays pending and the periodic sweep enqueues it again."""
    from .tasks import handoff_run_task

    try:
        handoff_run_task.apply_async(
            kwargs={"organization_id": run.organization_id, "run_id": run.pk}, retry=False
        )
    except Exception:
        logger.exception("Could not enqueue handoff run %s; the sweep will retry it.", run.pk)


def _start_handoffs(transition: PhaseTransition) -> list[HandoffRun]:
    runs = [
        HandoffRun.objects.create(
            organization_id=transition.organization_id, transition=transition, name=h.name
        )
        for h in registry.for_transition(
            from_phase=transition.from_phase, to_phase=transition.to_phase
        )
    ]
    for run in runs:
        transaction.on_commit(lambda run=run: handoff_enqueue(run))
    return runs


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
    audit_record(
        actor=actor,
        organization=episode.organization,
        action="episode.transitioned" if from_phase else "episode.opened",
        obj=episode,
        client_id=episode.client.public_id,
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

    if to_phase == Phase.RESIDENTIAL:
        applied["admission_date"] = admission or today
        if program:
            applied["residential_program"] = program
        if listing is not None:
            applied["residential_program_listing_id"] = listing
    elif admission is not None or program or listing is not None:
        errors["admission_date"] = "Admission details belong to the move into residential."
    if to_phase == Phase.AFTERCARE or (
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
    fields = ["phase", "phase_changed_at", *applied]
    for name, value in applied.items():
        setattr(episode, name, value)
    if to_phase == Phase.CLOSED:
        episode.closed_at = now
        fields.append("closed_at")
    episode.save(update_fields=fields)
    return _record_transition(
        actor=actor, episode=episode, from_phase=from_phase, reason=reason, details=applied
    )


# --- handoffs -------------------------------------------------------------------------


def handoff_execute(*, run_id: int) -> HandoffRun:
    """Run one handoff inside the organization scope the caller opened. Its writes and
    its `succeeded` mark commit together, so a success is never repeated; a failure is
    recorded and left for a retry."""
    with transaction.atomic():
        run = (
            HandoffRun.objects.select_for_update(of=("self",))
            .select_related("transition__episode__client", "organization")
            .get(pk=run_id)
        )
        if run.status == HandoffStatus.SUCCEEDED:
            return run
        handoff = registry.get(run.name)
        run.attempts += 1
        run.last_attempt_at = timezone.now()
        try:
            if handoff is None:
                raise LookupError(f"No handoff named {run.name!r} is registered.")
            with transaction.atomic():
                handoff.func(transition=run.transition)
        except Exception as exc:
            logger.exception("Handoff %s failed for transition %s", run.name, run.transition_id)
            run.status = HandoffStatus.FAILED
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            run.status = HandoffStatus.SUCCEEDED
            run.error = ""
            run.succeeded_at = timezone.now()
        run.save(update_fields=["status", "attempts", "last_attempt_at", "error", "succeeded_at"])
    return run


@transaction.atomic
def handoff_rerun(*, actor, run: HandoffRun) -> HandoffRun:
    """An admin asks for a failed handoff to be tried again."""
    run = (
        HandoffRun.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=run.pk)
    )
    if run.status != HandoffStatus.FAILED:
        raise ValidationError("Only a failed handoff can be run again.")
    run.status = HandoffStatus.PENDING
    run.save(update_fields=["status"])
    audit_record(
        actor=actor,
        organization=run.organization,
        action="handoff.rerun_requested",
        obj=run,
        detail={"name": run.name},
    )
    transaction.on_commit(lambda: handoff_enqueue(run))
    return run


# --- tasks ----------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor,
    organization: Organization,
    title: str,
    assignee: Membership | None = None,
    queue_role: str = "",
    client: Client | None = None,
    episode: CareEpisode | None = None,
    due_at: datetime | None = None,
    kind: str = TaskKind.FOLLOW_UP,
    source: str = "",
    detail: str = "",
    dedup_key: str = "",
) -> Task:
    """Create a task, or return the existing one with the same `dedup_key`. The task's
    `kind` decides its priority (`TASK_KIND_PRIORITY`), the same way for every app."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the task a title."})
    if assignee is None and not queue_role:
        raise ValidationError({"assignee": "Choose who the task is for."})
    if assignee is not None and (
        assignee.organization_id != organization.pk or not assignee.is_active
    ):
        raise ValidationError({"assignee": "Choose an active member of this organization."})
    if queue_role and queue_role not in Role.values:
        raise ValidationError({"queue_role": "Choose a role."})
    if kind not in TaskKind.values:
        raise ValidationError({"kind": f"Choose a kind of task: {', '.join(TaskKind.values)}."})
    priority = priority_for(kind)
    if dedup_key:
        existing = Task.objects.filter(organization=organization, dedup_key=dedup_key).first()
        if existing is not None:
            return existing
    try:
        # A savepoint: two handoffs of one transition run on different workers and may
        # insert the same dedup key at once; the loser returns the winner's task.
        with transaction.atomic():
            task = Task.objects.create(
                organization=organization,
                title=title,
                detail=detail,
                client=client,
                episode=episode,
                assignee=assignee,
                queue_role=queue_role,
                due_at=due_at,
                priority=priority,
                source=source,
                dedup_key=dedup_key,
            )
    except IntegrityError:
        existing = dedup_key and (
            Task.objects.filter(organization=organization, dedup_key=dedup_key).first()
        )
        if not existing:
            raise
        return existing
    audit_record(
        actor=actor,
        actor_email="" if actor else SYSTEM_ACTOR,
        organization=organization,
        action="task.created",
        obj=task,
        client_id=client.public_id if client else None,
        detail={"source": source},
    )
    return task


@transaction.atomic
def task_set_status(*, actor, task: Task, status: str) -> Task:
    if status not in TaskStatus.values:
        raise ValidationError({"status": "Choose open, done or cancelled."})
    if task.status == status:
        return task
    before = task.status
    task.status = status
    if status == TaskStatus.DONE:
        task.completed_at = timezone.now()
        task.completed_by = actor
    else:
        task.completed_at = None
        task.completed_by = None
    task.save(update_fields=["status", "completed_at", "completed_by"])
    audit_record(
        actor=actor,
        organization=task.organization,
        action="task.status_changed",
        obj=task,
        client_id=task.client.public_id if task.client_id else None,
        detail={"from": before, "to": status},
    )
    return task


def task_reassign(
    *, actor, task: Task, assignee: Membership | None, queue_role: str = "", detail=None
) -> Task:
    """Hand a task to someone else (or a role's queue), inside the caller's transaction."""
    before = task.assignee_id, task.queue_role
    task.assignee = assignee
    task.queue_role = "" if assignee is not None else queue_role
    fields = ["assignee", "queue_role"]
    if detail is not None:
        task.detail = detail
        fields.append("detail")
    task.save(update_fields=fields)
    if before != (task.assignee_id, task.queue_role):
        audit_record(
            actor=actor,
            actor_email="" if actor else SYSTEM_ACTOR,
            organization=task.organization,
            action="task.reassigned",
            obj=task,
            client_id=task.client.public_id if task.client_id else None,
            detail={
                "to": str(assignee.public_id) if assignee is not None else task.queue_role,
            },
        )
    return task


# --- safety events ----------------------------------------------------------------------


def _local(organization: Organization, when: datetime) -> datetime:
    return timezone.localtime(when, ZoneInfo(organization.timezone))


def _safety_task_detail(event: SafetyEvent) -> str:
    kind = safety.KINDS.get(event.latest_kind)
    label = kind.label if kind else event.latest_kind
    at = _local(event.organization, event.latest_at)
    if event.count == 1:
        return f"1 safety event today: {label} at {at:%H:%M}."
    return f"{event.count} safety events today; the latest: {label} at {at:%H:%M}."


def _safety_task(*, event: SafetyEvent, assignee: Membership | None) -> Task:
    """The client's one safety task of the day: created by the first event, updated by
    every one after it, handed to whoever is asked now."""
    client = event.client
    organization = event.organization
    day = _local(organization, event.raised_at).date()
    end_of_day = datetime.combine(day, time(23, 59), tzinfo=ZoneInfo(organization.timezone))
    queue_role = "" if assignee is not None else Role.ORG_ADMIN
    detail = _safety_task_detail(event)
    task = task_create(
        actor=None,
        organization=organization,
        title=f"Same-day safety call with {client.display_name}",
        assignee=assignee,
        queue_role=queue_role,
        client=client,
        due_at=end_of_day,
        kind=TaskKind.SAFETY,
        source="care.safety",
        detail=detail,
        dedup_key=f"safety:{client.public_id}:{day.isoformat()}",
    )
    if task.status != TaskStatus.OPEN:
        task_set_status(actor=None, task=task, status=TaskStatus.OPEN)
    return task_reassign(
        actor=None, task=task, assignee=assignee, queue_role=queue_role, detail=detail
    )


def _ack_url(event: SafetyEvent) -> str:
    return reverse(
        "staff:safety_event",
        kwargs={"org": event.organization.slug, "safety_event_id": event.public_id},
    )


def _tell(event: SafetyEvent, membership: Membership, *, escalated: bool) -> None:
    """In-app, e-mail and (with a mobile number) text, each its own outbox row so each
    channel's delivery is on record; urgent, so they leave at once. The words carry no
    clinical detail: who it is from, and to sign in."""
    from continuum.notifications.models import Channel
    from continuum.notifications.selectors import sms_number_for

    channels = [Channel.IN_APP, Channel.EMAIL]
    if sms_number_for(organization=event.organization, user=membership.user):
        channels.append(Channel.SMS)
    for channel in channels:
        notification_schedule(
            organization=event.organization,
            recipient=membership.user,
            template=safety.NOTIFICATION_KIND,
            context={"url": _ack_url(event), "escalated": escalated},
            channel=channel,
            urgent=True,
            dedup_key=f"safety:{event.public_id}:{event.step}:{membership.pk}:{channel}",
        )


def _ask(event: SafetyEvent, *, now: datetime, action: str) -> None:
    """Ask the step's person (or, at the last step, every admin): tell them, let them open
    the client, put the day's task in their hands, and note it on the timeline and in
    the audit trail."""
    organization = event.organization
    if event.step < len(event.order):
        membership_id, asked_as, role = event.order[event.step]
        asked = [Membership.objects.select_related("user").get(pk=membership_id)]
        event.asked, event.asked_as, event.asked_role = asked[0], asked_as, role
        event.escalate_at = now + timedelta(minutes=organization.safety_escalation_minutes)
    else:
        asked = list(active_admins(organization=organization).select_related("user"))
        event.asked, event.asked_role = None, ""
        event.asked_as = AskedAs.ADMINS if asked else AskedAs.NOBODY
        event.escalate_at = None  # nobody after the admins
    event.asked_at = now
    event.task = _safety_task(event=event, assignee=event.asked)
    event.save()
    for membership in asked:
        _tell(event, membership, escalated=action == SafetyStep.Action.ESCALATED)
        if event.asked_as != AskedAs.ADMINS:
            follow_up_access_grant(
                membership=membership,
                client=event.client,
                reason="Asked by Continuum to follow up on a safety event.",
                hours=safety.FOLLOW_UP_ACCESS_HOURS,
            )
    SafetyStep.objects.create(
        organization=organization,
        event=event,
        action=action,
        asked_as=event.asked_as,
        membership=event.asked,
        kind=event.latest_kind,
        at=now,
    )
    audit_record(
        actor=None,
        actor_email=SYSTEM_ACTOR,
        organization=organization,
        action=f"safety_event.{action}",
        obj=event,
        client_id=event.client.public_id,
        detail={
            "kind": event.latest_kind,
            "step": event.step,
            "asked_as": event.asked_as,
            "asked": [str(m.public_id) for m in asked],
        },
    )


@transaction.atomic
def safety_event_raise(
    *, actor, client: Client, kind: str, door: str, now: datetime | None = None
) -> SafetyEvent:
    """A safety event for `client`: decide who is responsible right now, tell them at
    once, and start the escalation clock. A repeat the same day, while nobody has
    acknowledged the first, is added to it (and to the day's task) instead."""
    safety.get(kind)  # refuses an unregistered kind
    if door not in safety.Door.ALL:
        raise ValueError(f"Unknown door {door!r}; one of {', '.join(safety.Door.ALL)}.")
    now = now or timezone.now()
    # One client's events run one after the other: two at once must not open two chains.
    client = (
        Client.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=client.pk)
    )
    organization = client.organization
    existing = safety_event_open_today(client=client, when=now)
    if existing is not None:
        existing = SafetyEvent.objects.select_related("asked__user", "organization").get(
            pk=existing.pk
        )
        existing.client = client
        existing.count += 1
        existing.latest_kind = kind
        existing.latest_at = now
        existing.save(update_fields=["count", "latest_kind", "latest_at"])
        existing.task = _safety_task(event=existing, assignee=existing.asked)
        SafetyStep.objects.create(
            organization=organization,
            event=existing,
            action=SafetyStep.Action.REPEATED,
            kind=kind,
            at=now,
        )
        audit_record(
            actor=actor,
            organization=organization,
            action="safety_event.repeated",
            obj=existing,
            client_id=client.public_id,
            detail={"kind": kind, "door": door, "count": existing.count},
        )
        return existing
    order = [
        [membership.pk, asked_as, role]
        for membership, asked_as, role in responsible_for(client=client, kind=kind, when=now)
    ]
    event = SafetyEvent(
        organization=organization,
        client=client,
        kind=kind,
        door=door,
        raised_at=now,
        latest_kind=kind,
        latest_at=now,
        order=order,
        step=0,
    )
    _ask(event, now=now, action=SafetyStep.Action.ASKED)
    audit_record(
        actor=actor,
        organization=organization,
        action="safety_event.raised",
        obj=event,
        client_id=client.public_id,
        detail={"kind": kind, "door": door, "order": len(order)},
    )
    return event


def safety_event_escalate(*, event: SafetyEvent, now: datetime) -> SafetyEvent:
    """Nobody acknowledged in time: ask the next person in the order, whoever is still
    active, and after the last of them every admin. Inside the caller's transaction and
    row lock."""
    step = event.step + 1
    team = sum(1 for entry in event.order if entry[1] == AskedAs.CARE_TEAM)
    if step >= team:
        # Past the care team: the rota changes by the hour, so ask whoever is on call
        # now (and was not asked already), not who was on call when the event came in.
        asked = {entry[0] for entry in event.order[:step]}
        rota = on_call_now(organization=event.organization, when=now)
        as_ = AskedAs.ON_CALL
        if rota and rota == [event.organization.on_call_fallback]:
            as_ = AskedAs.FALLBACK
        event.order = event.order[:step] + [
            [membership.pk, as_, ""] for membership in rota if membership.pk not in asked
        ]
    while step < len(event.order):
        if Membership.objects.filter(pk=event.order[step][0], is_active=True).exists():
            break
        step += 1
    event.step = step
    _ask(event, now=now, action=SafetyStep.Action.ESCALATED)
    return event


def safety_escalations_run(*, organization: Organization, now: datetime | None = None) -> int:
    """Escalate every event of the organization whose window ran out. Rows another worker
    is escalating are skipped, and a row's `escalate_at` moves on in the same
    transaction, so two workers, or a run repeated, never escalate one step twice."""
    now = now or timezone.now()
    escalated = 0
    with transaction.atomic():
        due = (
            SafetyEvent.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                organization=organization,
                status=SafetyStatus.OPEN,
                escalate_at__isnull=False,
                escalate_at__lte=now,
            )
            .select_related("client", "organization", "asked__user")
            .order_by("escalate_at", "id")
        )
        for event in due:
            safety_event_escalate(event=event, now=now)
            escalated += 1
    return escalated


@transaction.atomic
def safety_event_acknowledge(*, actor, event: SafetyEvent) -> SafetyEvent:
    """Someone has it in hand: the escalation stops. The task stays open until the call
    is made and marked done."""
    event = (
        SafetyEvent.objects.select_for_update(of=("self",))
        .select_related("client", "organization", "acknowledged_by")
        .get(pk=event.pk)
    )
    if event.status == SafetyStatus.ACKNOWLEDGED:
        who = event.acknowledged_by.get_full_name() or event.acknowledged_by.email
        at = _local(event.organization, event.acknowledged_at)
        raise ValidationError(
            f"{who} already acknowledged this at {at:%H:%M}; the task is in My work."
        )
    now = timezone.now()
    event.status = SafetyStatus.ACKNOWLEDGED
    event.acknowledged_at = now
    event.acknowledged_by = actor
    event.escalate_at = None
    event.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "escalate_at"])
    membership = Membership.objects.filter(
        organization=event.organization, user=actor, is_active=True
    ).first()
    SafetyStep.objects.create(
        organization=event.organization,
        event=event,
        action=SafetyStep.Action.ACKNOWLEDGED,
        membership=membership,
        at=now,
    )
    audit_record(
        actor=actor,
        organization=event.organization,
        action="safety_event.acknowledged",
        obj=event,
        client_id=event.client.public_id,
        detail={"step": event.step},
    )
    return event


@transaction.atomic
def safety_events_acknowledge_for(*, actor, client: Client) -> int:
    """A line's own acknowledgement (a coach acknowledging the alert) stops the client's
    open events too."""
    count = 0
    for event in SafetyEvent.objects.filter(client=client, status=SafetyStatus.OPEN):
        safety_event_acknowledge(actor=actor, event=event)
        count += 1
    return count


# --- the on-call rota ---------------------------------------------------------------------


@transaction.atomic
def on_call_rota_save(
    *,
    actor,
    organization: Organization,
    shifts: list[dict],
    fallback: Membership | None,
) -> list[OnCallShift]:
    """Replace the organization's on-call rota: `shifts` of {membership, weekday,
    starts_at, ends_at}, and the person asked when no shift covers the hour."""
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, shift in enumerate(shifts):
        membership = shift.get("membership")
        weekday = shift.get("weekday")
        starts_at, ends_at = shift.get("starts_at"), shift.get("ends_at")
        row = index + 1
        if (
            membership is None
            or membership.organization_id != organization.pk
            or not membership.is_active
            or not membership.is_staff_member
        ):
            errors.setdefault("shifts", []).append(
                f"Shift {row}: choose an active staff member of {organization.name}."
            )
            continue
        if weekday not in range(7):
            errors.setdefault("shifts", []).append(
                f"Shift {row}: choose a weekday from Monday to Sunday."
            )
            continue
        if starts_at is None or ends_at is None:
            errors.setdefault("shifts", []).append(
                f"Shift {row}: give the hour the shift starts and the hour it ends."
            )
            continue
        cleaned.append((membership, weekday, starts_at, ends_at))
    if fallback is not None and (
        fallback.organization_id != organization.pk
        or not fallback.is_active
        or not fallback.is_staff_member
    ):
        errors["fallback"] = [f"Choose an active staff member of {organization.name}."]
    if errors:
        raise ValidationError(errors)
    OnCallShift.objects.filter(organization=organization).delete()
    created = OnCallShift.objects.bulk_create(
        OnCallShift(
            organization=organization,
            membership=membership,
            weekday=weekday,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        for membership, weekday, starts_at, ends_at in cleaned
    )
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    organization.on_call_fallback = fallback
    organization.save(update_fields=["on_call_fallback"])
    audit_record(
        actor=actor,
        organization=organization,
        action="on_call_rota.saved",
        obj=organization,
        detail={
            "shifts": len(created),
            "fallback": str(fallback.public_id) if fallback is not None else None,
        },
    )
    return created
