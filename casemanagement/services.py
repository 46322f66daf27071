"""Every change to case-management records: one function per use case, each in one
transaction with its audit event."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from continuum.audit.services import audit_record
from continuum.care import safety
from continuum.care.models import CareEpisode, Task, TaskKind, TaskStatus
from continuum.care.services import safety_event_raise, task_create, task_set_status
from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.services import ConsentRequired, consent_require, disclosure_record
from continuum.notifications.services import notification_cancel, notification_schedule
from continuum.people.models import Client
from continuum.people.selectors import case_manager_for
from continuum.people.services import care_team_add
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.timezones import day_end, org_zone

from . import instruments
from .models import (
    POOR_ADHERENCE,
    PROVIDER_CONTACT_KINDS,
    Adherence,
    AdherenceReport,
    Appointment,
    AppointmentStatus,
    Assessment,
    AssessmentSource,
    CarePlan,
    Contact,
    ContactKind,
    Direction,
    Domain,
    GapRule,
    Goal,
    GoalStatus,
    GoalStep,
    Medication,
    MedicationFill,
    PlanReview,
    PlanStatus,
    ProgressNote,
    Provider,
    ProviderKind,
    StepOwner,
    StepStatus,
    Transport,
    VisitType,
)
from .selectors import case_manager_pick

SAFETY_ITEM9 = "phq9_item9"
# The 7- and 30-day follow-up after discharge are deadlines; every other gap is follow-up.
GAP_TASK_KIND = {
    GapRule.FOLLOW_UP_7: TaskKind.DEADLINE,
    GapRule.FOLLOW_UP_30: TaskKind.DEADLINE,
}

FIRST_CONTACT_WITHIN = timedelta(hours=72)
REMINDER_BEFORE = timedelta(hours=24)
MISSED_RESCHEDULE_WITHIN = timedelta(days=1)
REVIEW_TASK_AHEAD = timedelta(days=5)


def _client_id(client: Client):
    return client.public_id


def _audit(actor, action: str, obj, client: Client, **detail) -> None:
    audit_record(
        actor=actor,
        actor_email="" if actor else "system",
        organization=client.organization,
        action=action,
        obj=obj,
        client_id=client.public_id,
        detail=detail or None,
    )


def plan_owner(*, client: Client, plan: CarePlan | None = None) -> Membership | None:
    """Whose work the client's case-management tasks are: the plan's case manager, else
    the case manager on the care team."""
    if plan is not None and plan.case_manager_id and plan.case_manager.is_active:
        return plan.case_manager
    return case_manager_for(client=client)


def _task_for(*, client: Client, owner: Membership | None, title: str, **values) -> Task:
    return task_create(
        actor=None,
        organization=client.organization,
        title=title,
        assignee=owner,
        queue_role="" if owner else Role.CASE_MANAGER,
        client=client,
        **values,
    )


def _touch(plan: CarePlan) -> None:
    plan.updated_at = timezone.now()
    plan.save(update_fields=["updated_at"])


# --- care plans -------------------------------------------------------------------------


@transaction.atomic
def careplan_open(
    *,
    actor,
    client: Client,
    episode: CareEpisode | None = None,
    case_manager: Membership | None = None,
    recommendations: str = "",
    review_interval_days: int = 30,
) -> CarePlan:
    """Open the client's care plan and make sure a case manager serves them. Returns the
    active plan unchanged if there is one already (handoffs may run twice)."""
    existing = CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE).first()
    if existing is not None:
        return existing
    if not 7 <= review_interval_days <= 180:
        raise ValidationError({"review_interval_days": "Review every 7 to 180 days."})
    organization = client.organization
    current = case_manager_for(client=client)
    if case_manager is None:
        case_manager = current or case_manager_pick(organization=organization)
    elif not case_manager.has_role(Role.CASE_MANAGER) or not case_manager.is_active:
        raise ValidationError({"case_manager": "Choose an active case manager."})
    if case_manager is not None and (current is None or current.pk != case_manager.pk):
        care_team_add(actor=actor, client=client, membership=case_manager, role=Role.CASE_MANAGER)
    now = timezone.now()
    plan = CarePlan.objects.create(
        organization=organization,
        client=client,
        episode=episode,
        case_manager=case_manager,
        recommendations=recommendations.strip(),
        review_interval_days=review_interval_days,
        next_review_on=timezone.localdate(now) + timedelta(days=review_interval_days),
        opened_at=now,
        updated_at=now,
    )
    _audit(actor, "careplan.opened", plan, client)
    return plan


@transaction.atomic
def goal_add(*, actor, plan: CarePlan, domain: str, title: str, measure: str = "") -> Goal:
    errors = {}
    if domain not in Domain.values:
        errors["domain"] = "Choose a domain."
    if not title.strip():
        errors["title"] = "Say what the goal is."
    if plan.status != PlanStatus.ACTIVE:
        errors["plan"] = "This plan is closed."
    if errors:
        raise ValidationError(errors)
    goal = Goal.objects.create(
        organization=plan.organization,
        plan=plan,
        domain=domain,
        title=title.strip(),
        measure=measure.strip(),
    )
    _touch(plan)
    _audit(actor, "goal.added", goal, plan.client, domain=domain)
    return goal


@transaction.atomic
def goal_set_status(*, actor, goal: Goal, status: str) -> Goal:
    if status not in GoalStatus.values:
        raise ValidationError({"status": "Choose active, achieved or discontinued."})
    goal.status = status
    goal.save(update_fields=["status"])
    _touch(goal.plan)
    _audit(actor, "goal.status_changed", goal, goal.plan.client, status=status)
    return goal


@transaction.atomic
def step_add(
    *,
    actor,
    goal: Goal,
    description: str,
    owner: str,
    due_on: date | None = None,
    provider: Provider | None = None,
) -> GoalStep:
    errors = {}
    if not description.strip():
        errors["description"] = "Describe the step."
    if owner not in StepOwner.values:
        errors["owner"] = "Choose who owns the step."
    elif owner == StepOwner.PROVIDER and provider is None:
        errors["provider"] = "Choose the provider who owns this step."
    if provider is not None and provider.client_id != goal.plan.client_id:
        errors["provider"] = "Choose one of this client's providers."
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = "The due date is in the past."
    if errors:
        raise ValidationError(errors)
    step = GoalStep.objects.create(
        organization=goal.organization,
        goal=goal,
        description=description.strip(),
        owner=owner,
        provider=provider if owner == StepOwner.PROVIDER else None,
        due_on=due_on,
    )
    _touch(goal.plan)
    _audit(actor, "goal_step.added", step, goal.plan.client)
    return step


@transaction.atomic
def step_set_status(*, actor, step: GoalStep, status: str) -> GoalStep:
    if status not in StepStatus.values:
        raise ValidationError({"status": "Choose a status."})
    step.status = status
    step.completed_at = timezone.now() if status == StepStatus.DONE else None
    step.save(update_fields=["status", "completed_at"])
    _touch(step.goal.plan)
    _audit(actor, "goal_step.status_changed", step, step.goal.plan.client, status=status)
    _gaps_refresh(step.goal.plan.client)
    return step


@transaction.atomic
def progress_note_add(*, actor, goal: Goal, body: str) -> ProgressNote:
    if not body.strip():
        raise ValidationError({"body": "Write the progress note."})
    note = ProgressNote.objects.create(
        organization=goal.organization, goal=goal, author=actor, body=body.strip()
    )
    _audit(actor, "progress_note.added", note, goal.plan.client)
    return note


def _review_task_key(plan: CarePlan) -> str:
    return f"cm-review:{plan.public_id}:{plan.next_review_on.isoformat()}"


@transaction.atomic
def plan_review(*, actor, plan: CarePlan, summary: str) -> PlanReview:
    """Record the periodic review and set the next one."""
    plan = CarePlan.objects.select_for_update().select_related("client").get(pk=plan.pk)
    if not summary.strip():
        raise ValidationError({"summary": "Summarise the review."})
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError("This plan is closed.")
    review = PlanReview.objects.create(
        organization=plan.organization, plan=plan, reviewer=actor, summary=summary.strip()
    )
    due_task = Task.objects.filter(
        organization=plan.organization, dedup_key=_review_task_key(plan), status=TaskStatus.OPEN
    ).first()
    if due_task is not None:
        task_set_status(actor=actor, task=due_task, status=TaskStatus.DONE)
    now = timezone.now()
    plan.last_reviewed_at = now
    plan.next_review_on = timezone.localdate(now) + timedelta(days=plan.review_interval_days)
    plan.updated_at = now
    plan.save(update_fields=["last_reviewed_at", "next_review_on", "updated_at"])
    _audit(actor, "careplan.reviewed", review, plan.client)
    _gaps_refresh(plan.client)
    return review


@transaction.atomic
def plan_review_task_ensure(*, plan: CarePlan, today: date) -> Task | None:
    """Raise the review task a few days before the review is due (once per due date)."""
    if plan.status != PlanStatus.ACTIVE or plan.next_review_on - REVIEW_TASK_AHEAD > today:
        return None
    return _task_for(
        client=plan.client,
        owner=plan_owner(client=plan.client, plan=plan),
        title=f"Review {plan.client.display_name}'s care plan",
        due_at=day_end(plan.next_review_on, plan.organization),
        kind=TaskKind.ROUTINE,
        source="casemanagement.plan_review",
        dedup_key=_review_task_key(plan),
    )


@transaction.atomic
def plan_acknowledge(*, actor, plan: CarePlan) -> CarePlan:
    """The client has read the plan as it stands now."""
    if plan.client.portal_user_id != actor.pk:
        raise ValidationError("Only the client can acknowledge their plan.")
    plan.acknowledged_at = timezone.now()
    plan.save(update_fields=["acknowledged_at"])
    _audit(actor, "careplan.acknowledged", plan, plan.client)
    return plan


# --- providers and coordination ---------------------------------------------------------


@transaction.atomic
def provider_add(
    *,
    actor,
    client: Client,
    kind: str,
    name: str,
    practice: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    listing_id=None,
) -> Provider:
    errors = {}
    if kind not in ProviderKind.values:
        errors["kind"] = "Choose the kind of provider."
    if not name.strip():
        errors["name"] = "Name the provider."
    if errors:
        raise ValidationError(errors)
    provider = Provider.objects.create(
        organization=client.organization,
        client=client,
        kind=kind,
        name=name.strip(),
        practice=practice.strip(),
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        listing_id=listing_id,
    )
    _audit(actor, "provider.added", provider, client, kind=kind)
    _gaps_refresh(client)
    return provider


def _consent_for(*, client: Client, provider: Provider, information: list[str]):
    """A consent naming the provider, else one covering the client's treating providers."""
    named_kind = (
        RecipientKind.NAMED_ORGANIZATION if provider.practice else RecipientKind.NAMED_INDIVIDUAL
    )
    attempts = [(named_kind, provider.recipient_name), (RecipientKind.TREATING_PROVIDERS, "")]
    first_error = None
    for recipient_kind, recipient_name in attempts:
        try:
            return consent_require(
                organization=client.organization,
                client=client,
                recipient_kind=recipient_kind,
                recipient_name=recipient_name or provider.recipient_name,
                purpose=Purpose.CARE_COORDINATION,
                information=information,
            )
        except ConsentRequired as exc:
            first_error = first_error or exc
    raise first_error


@transaction.atomic
def contact_record(
    *,
    actor,
    client: Client,
    kind: str,
    summary: str,
    provider: Provider | None = None,
    direction: str = Direction.OUTBOUND,
    information: list[str] | None = None,
    occurred_at: datetime | None = None,
) -> Contact:
    """Log a contact. A communication with a provider passes the consent gate; an
    outbound one is a disclosure: it carries the 42 CFR 2.32 notice and is counted in
    the accounting of disclosures."""
    information = sorted(set(information or []))
    errors = {}
    if kind not in ContactKind.values:
        errors["kind"] = "Choose the kind of contact."
    if direction not in Direction.values:
        errors["direction"] = "Choose inbound or outbound."
    if not summary.strip():
        errors["summary"] = "Summarise the contact."
    if occurred_at is not None and occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = "A contact cannot be in the future."
    if set(information) - set(InformationCategory.values):
        errors["information"] = "Choose what was shared from the list."
    with_provider = kind in PROVIDER_CONTACT_KINDS
    if with_provider and provider is None:
        errors["provider"] = "Choose the provider."
    if not with_provider and provider is not None:
        errors["provider"] = "Support contacts are with the client, not a provider."
    if provider is not None and provider.client_id != client.pk:
        errors["provider"] = "Choose one of this client's providers."
    if with_provider and direction == Direction.OUTBOUND and not information:
        errors["information"] = "Say what information was shared."
    if errors:
        raise ValidationError(errors)
    disclosure = None
    notice = ""
    if with_provider:
        consent = _consent_for(
            client=client,
            provider=provider,
            information=information or [InformationCategory.CONTACT],
        )
        if direction == Direction.OUTBOUND:
            labels = ", ".join(str(InformationCategory(c).label) for c in information)
            disclosure = disclosure_record(
                actor=actor,
                consent=consent,
                recipient=provider.recipient_name,
                description=f"{ContactKind(kind).label}: {labels}",
                purpose=Purpose.CARE_COORDINATION,
            )
            notice = disclosure.notice
    contact = Contact.objects.create(
        organization=client.organization,
        client=client,
        provider=provider,
        kind=kind,
        direction=direction if with_provider else Direction.OUTBOUND,
        summary=summary.strip(),
        information=information,
        occurred_at=occurred_at or timezone.now(),
        author=actor,
        disclosure=disclosure,
        notice=notice,
    )
    _audit(actor, "contact.recorded", contact, client, kind=kind, disclosed=bool(disclosure))
    _gaps_refresh(client)
    return contact


# --- appointments -----------------------------------------------------------------------


def _reminder_key(appointment: Appointment, user_id: int) -> str:
    return f"cm-appt:{appointment.public_id}:{user_id}:{appointment.starts_at:%Y%m%dT%H%M}"


def _reminder_recipients(appointment: Appointment) -> list:
    recipients = []
    if appointment.client.portal_user_id:
        recipients.append(appointment.client.portal_user)
    if appointment.accompanied_by_id:
        recipients.append(appointment.accompanied_by.user)
    return recipients


def _schedule_reminders(appointment: Appointment) -> None:
    organization = appointment.organization
    local = timezone.localtime(appointment.starts_at, org_zone(organization))
    for user in _reminder_recipients(appointment):
        is_client = user.pk == appointment.client.portal_user_id
        area = "portal:casemgmt_portal_appointments" if is_client else "staff:casemgmt_client"
        kwargs = {"org": organization.slug}
        if not is_client:
            kwargs["client_id"] = appointment.client.public_id
        notification_schedule(
            organization=organization,
            recipient=user,
            template="appointment_reminder",
            context={
                "when": local.isoformat(),
                "telehealth": bool(appointment.telehealth_url),
                "accompanying": not is_client,
                "url": reverse(area, kwargs=kwargs),
            },
            due_at=max(appointment.starts_at - REMINDER_BEFORE, timezone.now()),
            dedup_key=_reminder_key(appointment, user.pk),
        )


def _cancel_reminders(appointment: Appointment) -> None:
    for user in _reminder_recipients(appointment):
        notification_cancel(
            organization=appointment.organization, dedup_key=_reminder_key(appointment, user.pk)
        )


def _appointment_errors(
    *, client, provider, visit_type, starts_at, ends_at, transport, accompanied_by
):
    errors = {}
    if visit_type not in VisitType.values:
        errors["visit_type"] = "Choose the kind of visit."
    if transport not in Transport.values:
        errors["transport"] = "Choose how the client gets there."
    if starts_at is None:
        errors["starts_at"] = "Enter when the appointment starts."
    elif ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = "The appointment must end after it starts."
    if provider is not None and provider.client_id != client.pk:
        errors["provider"] = "Choose one of this client's providers."
    if accompanied_by is not None and (
        accompanied_by.organization_id != client.organization_id
        or not accompanied_by.is_active
        or not accompanied_by.is_staff_member
    ):
        errors["accompanied_by"] = "Choose an active staff member."
    return errors


@transaction.atomic
def appointment_schedule(
    *,
    actor,
    client: Client,
    visit_type: str,
    starts_at: datetime,
    ends_at: datetime,
    provider: Provider | None = None,
    location: str = "",
    telehealth_url: str = "",
    transport: str = Transport.NONE,
    accompanied_by: Membership | None = None,
) -> Appointment:
    errors = _appointment_errors(
        client=client,
        provider=provider,
        visit_type=visit_type,
        starts_at=starts_at,
        ends_at=ends_at,
        transport=transport,
        accompanied_by=accompanied_by,
    )
    if not location.strip() and not telehealth_url.strip():
        errors["location"] = "Give the place or the telehealth link."
    if errors:
        raise ValidationError(errors)
    appointment = Appointment.objects.create(
        organization=client.organization,
        client=client,
        provider=provider,
        visit_type=visit_type,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        telehealth_url=telehealth_url.strip(),
        transport=transport,
        accompanied_by=accompanied_by,
    )
    if starts_at > timezone.now():
        _schedule_reminders(appointment)
    _audit(actor, "appointment.scheduled", appointment, client)
    _gaps_refresh(client)
    return appointment


@transaction.atomic
def appointment_set_status(*, actor, appointment: Appointment, status: str) -> Appointment:
    """Attended, missed or cancelled. A missed appointment raises a task to reschedule."""
    allowed = {AppointmentStatus.ATTENDED, AppointmentStatus.MISSED, AppointmentStatus.CANCELLED}
    if status not in allowed:
        raise ValidationError({"status": "Mark it attended, missed or cancelled."})
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("client__organization", "accompanied_by__user", "client__portal_user")
        .get(pk=appointment.pk)
    )
    if appointment.status == AppointmentStatus.RESCHEDULED:
        raise ValidationError({"status": "This appointment was rescheduled; update the new one."})
    happened = appointment.starts_at <= timezone.now()
    if status in (AppointmentStatus.ATTENDED, AppointmentStatus.MISSED) and not happened:
        raise ValidationError({"status": "This appointment has not happened yet."})
    appointment.status = status
    appointment.status_changed_at = timezone.now()
    appointment.save(update_fields=["status", "status_changed_at"])
    if status == AppointmentStatus.CANCELLED:
        _cancel_reminders(appointment)
    if status == AppointmentStatus.MISSED:
        client = appointment.client
        _task_for(
            client=client,
            owner=plan_owner(client=client, plan=_active_plan(client)),
            title=f"Reschedule {client.display_name}'s missed appointment",
            # From the appointment, not from when it was marked: marked late, it is due now.
            due_at=appointment.starts_at + MISSED_RESCHEDULE_WITHIN,
            kind=TaskKind.DEADLINE,
            source="casemanagement.appointment_missed",
            dedup_key=f"cm-missed:{appointment.public_id}",
        )
    _audit(actor, "appointment.status_changed", appointment, appointment.client, status=status)
    _gaps_refresh(appointment.client)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, actor, appointment: Appointment, starts_at: datetime, ends_at: datetime
) -> Appointment:
    """Move an appointment: the old one is marked rescheduled and points to the new one."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("client__organization", "accompanied_by__user", "client__portal_user")
        .get(pk=appointment.pk)
    )
    if appointment.status in (AppointmentStatus.RESCHEDULED, AppointmentStatus.ATTENDED):
        raise ValidationError({"starts_at": "Only a scheduled, missed or cancelled one moves."})
    new = appointment_schedule(
        actor=actor,
        client=appointment.client,
        provider=appointment.provider,
        visit_type=appointment.visit_type,
        starts_at=starts_at,
        ends_at=ends_at,
        location=appointment.location,
        telehealth_url=appointment.telehealth_url,
        transport=appointment.transport,
        accompanied_by=appointment.accompanied_by,
    )
    if appointment.status == AppointmentStatus.SCHEDULED:
        _cancel_reminders(appointment)
    appointment.status = AppointmentStatus.RESCHEDULED
    appointment.rescheduled_to = new
    appointment.status_changed_at = timezone.now()
    appointment.save(update_fields=["status", "rescheduled_to", "status_changed_at"])
    missed_task = Task.objects.filter(
        organization=appointment.organization,
        dedup_key=f"cm-missed:{appointment.public_id}",
        status=TaskStatus.OPEN,
    ).first()
    if missed_task is not None:
        task_set_status(actor=actor, task=missed_task, status=TaskStatus.DONE)
    _audit(actor, "appointment.rescheduled", appointment, appointment.client)
    return new


def _active_plan(client: Client) -> CarePlan | None:
    return (
        CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE)
        .select_related("case_manager")
        .first()
    )


# --- medications ------------------------------------------------------------------------


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


# --- assessments ------------------------------------------------------------------------


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


# --- gaps in care -----------------------------------------------------------------------


def _gap_task_text(client: Client, findings: list) -> tuple[str, str]:
    from .models import GapRule

    if len(findings) == 1:
        title = f"Gap in care: {GapRule(findings[0].rule).label} ({client.display_name})"
    else:
        title = f"{len(findings)} gaps in care for {client.display_name}"
    lines = [f"- {GapRule(f.rule).label}: {f.detail}" for f in findings]
    detail = (
        "Found by the gap scan:\n"
        + "\n".join(lines)
        + "\nThe client's case page lists the gaps open now; each closes by itself when fixed."
    )
    return title[:200], detail


@transaction.atomic
def gaps_scan(
    *, organization, today: date | None = None, client: Client | None = None
) -> dict[str, int]:
    """Find every gap in care in the organization (with `client`, that client's only).
    Idempotent: a gap still open is found again, not added again; a gap no longer found
    is resolved. A client's gaps share one task: the new gaps of a scan join the client's
    open gap task, else open one task for all of them; the task closes with the last of
    its gaps."""
    from .models import Gap
    from .selectors import detect_gaps

    today = today or timezone.localdate()
    found = detect_gaps(organization=organization, today=today, client=client)
    open_gaps = {
        (g.rule, g.subject_key): g
        for g in Gap.objects.filter(
            organization=organization,
            resolved_at__isnull=True,
            **({"client": client} if client is not None else {}),
        )
        .select_related("task", "client")
        .select_for_update(of=("self",))
    }
    now = timezone.now()
    resolved = 0
    still_open_tasks: dict[int, Task] = {}  # client id -> an open task of a gap still open
    for key, gap in open_gaps.items():
        if key in found:
            if gap.task is not None and gap.task.status == TaskStatus.OPEN:
                still_open_tasks.setdefault(gap.client_id, gap.task)
            continue
        gap.resolved_at = now
        gap.save(update_fields=["resolved_at"])
        audit_record(
            actor=None,
            actor_email="system",
            organization=organization,
            action="gap.resolved",
            obj=gap,
            client_id=gap.client.public_id,
            detail={"rule": gap.rule},
        )
        resolved += 1
    # A task closes once none of its gaps is open any more.
    kept = {g.task_id for k, g in open_gaps.items() if k in found}
    for gap in open_gaps.values():
        task = gap.task
        closable = gap.resolved_at is not None and task is not None and task.pk not in kept
        if closable and task.status == TaskStatus.OPEN:
            task_set_status(actor=None, task=task, status=TaskStatus.DONE)

    new_by_client: dict[int, list] = {}
    for key, finding in found.items():
        if key not in open_gaps:
            new_by_client.setdefault(finding.client.pk, []).append(finding)
    created = 0
    for client_pk, findings in new_by_client.items():
        gap_client = findings[0].client
        plan = next((f.plan for f in findings if f.plan is not None), None)
        owner = plan_owner(client=gap_client, plan=plan)
        gaps = []
        for f in findings:
            # A write's re-check of this client and the hourly scan may find the same
            # gap at once: the one that records it second leaves it to the first, rather
            # than failing the write the case manager just made.
            try:
                with transaction.atomic():
                    gaps.append(
                        Gap.objects.create(
                            organization=organization,
                            client=gap_client,
                            rule=f.rule,
                            subject_key=f.subject_key,
                            detail=f.detail[:300],
                            owner=owner,
                        )
                    )
            except IntegrityError:
                continue
        if not gaps:
            continue
        recorded = {(g.rule, g.subject_key) for g in gaps}
        findings = [f for f in findings if (f.rule, f.subject_key) in recorded]
        task = still_open_tasks.get(client_pk)
        if task is None:
            title, detail = _gap_task_text(gap_client, findings)
            task = _task_for(
                client=gap_client,
                owner=owner,
                title=title,
                detail=detail,
                due_at=now + timedelta(days=1),
                # A 7- or 30-day follow-up among them makes the client's task a deadline.
                kind=TaskKind.DEADLINE
                if any(f.rule in GAP_TASK_KIND for f in findings)
                else TaskKind.FOLLOW_UP,
                source=f"casemanagement.gap.{findings[0].rule}"
                if len(findings) == 1
                else "casemanagement.gaps",
                dedup_key=f"cm-gap:{gaps[0].public_id}",
            )
        for gap in gaps:
            gap.task = task
            gap.save(update_fields=["task"])
            audit_record(
                actor=None,
                actor_email="system",
                organization=organization,
                action="gap.detected",
                obj=gap,
                client_id=gap_client.public_id,
                detail={"rule": gap.rule},
            )
            created += 1
    return {"found": len(found), "created": created, "resolved": resolved}


@transaction.atomic
def gaps_recheck(*, actor, client: Client) -> dict[str, int]:
    """A staff member asks for the client's gaps to be checked now, not at the next
    scan."""
    counts = gaps_scan(organization=client.organization, client=client)
    _audit(actor, "gaps.rechecked", client, client, **counts)
    return counts


def _gaps_refresh(client: Client) -> None:
    """After a write that may close a gap (a visit, a provider, a refill, a contact, a
    review, a step done): the client's gaps are re-evaluated in the same transaction, so
    the page the writer returns to is already right."""
    gaps_scan(organization=client.organization, client=client)


REFILL_REMINDER_AHEAD = timedelta(days=3)
REASSESS_EVERY = timedelta(days=30)


@transaction.atomic
def reminders_scan(*, organization, today: date | None = None) -> int:
    """Plan-review tasks, refill reminders and re-assessment reminders that are due.
    Idempotent through de-duplication keys."""
    from .selectors import reassessments_due

    today = today or timezone.localdate()
    count = 0
    for plan in CarePlan.objects.filter(
        organization=organization,
        status=PlanStatus.ACTIVE,
        next_review_on__lte=today + REVIEW_TASK_AHEAD,
    ).select_related("client__organization", "case_manager__user"):
        if plan_review_task_ensure(plan=plan, today=today):
            count += 1
    medications = Medication.objects.filter(
        organization=organization,
        refill_due_on__isnull=False,
        refill_due_on__lte=today + REFILL_REMINDER_AHEAD,
        refill_due_on__gte=today,
        client__portal_user__isnull=False,
    ).select_related("client__portal_user")
    for medication in medications:
        if medication.ended_on is not None and medication.ended_on < today:
            continue
        notification_schedule(
            organization=organization,
            recipient=medication.client.portal_user,
            template="refill_reminder",
            context={
                "due": medication.refill_due_on.isoformat(),
                "url": reverse(
                    "portal:casemgmt_portal_medications", kwargs={"org": organization.slug}
                ),
            },
            dedup_key=f"cm-refill:{medication.public_id}:{medication.refill_due_on.isoformat()}",
        )
        count += 1
    for client, instrument, due in reassessments_due(organization=organization, today=today):
        notification_schedule(
            organization=organization,
            recipient=client.portal_user,
            template="assessment_reminder",
            context={
                "instrument": instruments.INSTRUMENTS[instrument].short_name,
                "url": reverse(
                    "portal:casemgmt_portal_assessment",
                    kwargs={"org": organization.slug, "cm_instrument": instrument},
                ),
            },
            dedup_key=f"cm-reassess:{client.public_id}:{instrument}:{due.isoformat()}",
        )
        count += 1
    return count


# --- handoff ----------------------------------------------------------------------------

CARE_FIRST_CONTACT = "care.aftercare_first_contact"


@transaction.atomic
def aftercare_start(*, transition) -> CarePlan:
    """Entering aftercare: open the care plan from the discharge recommendations, assign
    a case manager and make sure the one "first contact within 72 hours" task is theirs.

    The care spine's own aftercare handoff creates that task under its de-duplication
    key; this one uses the same key, so whichever runs first creates it and the other
    finds it. If the spine's ran first and, with no case manager yet, queued it to
    intake, that task is cancelled in favour of one assigned to the case manager."""
    episode = transition.episode
    client = episode.client
    plan = careplan_open(
        actor=None, client=client, episode=episode, recommendations=transition.reason or ""
    )
    owner = plan_owner(client=client, plan=plan)
    values = {
        "title": f"First contact with {client.display_name} within 72 h of discharge",
        "client": client,
        "episode": episode,
        "due_at": episode.discharged_at(recorded_at=transition.at) + FIRST_CONTACT_WITHIN,
        "kind": TaskKind.DEADLINE,
        "source": f"handoff:{CARE_FIRST_CONTACT}",
    }
    care_key = f"handoff:{CARE_FIRST_CONTACT}:{transition.public_id}"
    existing = Task.objects.filter(organization=client.organization, dedup_key=care_key).first()
    if existing is not None and existing.assignee_id is None and owner is not None:
        # The spine's handoff ran before a case manager was assigned and queued the task
        # to intake: hand it over to the case manager, still one open task.
        if existing.status == TaskStatus.OPEN:
            task_set_status(actor=None, task=existing, status=TaskStatus.CANCELLED)
            task_create(
                actor=None,
                organization=client.organization,
                assignee=owner,
                dedup_key=f"handoff:casemanagement.first_contact:{transition.public_id}",
                **values,
            )
        return plan
    task_create(
        actor=None,
        organization=client.organization,
        assignee=owner,
        queue_role="" if owner else Role.INTAKE_COORDINATOR,
        dedup_key=care_key,
        **values,
    )
    return plan
