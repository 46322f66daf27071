"""Tasks ("My work"): created for a person or a role's queue, done, reassigned."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from continuum.audit.services import SYSTEM_ACTOR, audit_change
from continuum.people.models import Client
from continuum.tenancy.models import Membership, Organization, Role

from ..models import (
    CareEpisode,
    Task,
    TaskKind,
    TaskStatus,
    priority_for,
)


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
    audit_change(
        actor or SYSTEM_ACTOR,
        organization,
        "task.created",
        task,
        client.public_id if client else None,
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
    audit_change(
        actor,
        task.organization,
        "task.status_changed",
        task,
        task.client.public_id if task.client_id else None,
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
        audit_change(
            actor or SYSTEM_ACTOR,
            task.organization,
            "task.reassigned",
            task,
            task.client.public_id if task.client_id else None,
            detail={
                "to": str(assignee.public_id) if assignee is not None else task.queue_role,
            },
        )
    return task
