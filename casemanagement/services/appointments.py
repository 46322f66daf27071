"""Appointments: scheduled, rescheduled, kept or missed, with their reminders."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from continuum.care.models import Task, TaskKind, TaskStatus
from continuum.care.services import task_set_status
from continuum.notifications.services import notification_cancel, notification_schedule
from continuum.people.models import Client
from continuum.tenancy.models import Membership
from continuum.tenancy.timezones import org_zone

from ..models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    PlanStatus,
    Provider,
    Transport,
    VisitType,
)
from ._shared import _audit, _task_for, plan_owner
from .gaps import _gaps_refresh

REMINDER_BEFORE = timedelta(hours=24)


MISSED_RESCHEDULE_WITHIN = timedelta(days=1)


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
    # Checked as given, then stored as checked.
    visit = {
        "client": client,
        "provider": provider,
        "visit_type": visit_type,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "transport": transport,
        "accompanied_by": accompanied_by,
    }
    errors = _appointment_errors(**visit)
    if not location.strip() and not telehealth_url.strip():
        errors["location"] = "Give the place or the telehealth link."
    if errors:
        raise ValidationError(errors)
    appointment = Appointment.objects.create(
        organization=client.organization,
        location=location.strip(),
        telehealth_url=telehealth_url.strip(),
        **visit,
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


# What a moved appointment keeps: everything but the time.
_CARRIED_OVER = (
    "client",
    "provider",
    "visit_type",
    "location",
    "telehealth_url",
    "transport",
    "accompanied_by",
)


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
    carried = {name: getattr(appointment, name) for name in _CARRIED_OVER}
    new = appointment_schedule(actor=actor, starts_at=starts_at, ends_at=ends_at, **carried)
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
