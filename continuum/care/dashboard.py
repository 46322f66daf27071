"""The care spine's dashboard cards (registered from `extensions.py`): the safety events
waiting for this member first, then today's tasks and the overdue ones."""

from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from continuum.tenancy.dashboard import CardContent, CardItem
from continuum.tenancy.timezones import day_end

from . import safety
from .models import TaskPriority
from .selectors import safety_events_waiting_for, task_list_for

SHOWN = 6
LISTED = 50
PRIORITY_SEVERITY = {
    TaskPriority.URGENT: "urgent",
    TaskPriority.HIGH: "high",
    TaskPriority.NORMAL: "normal",
    TaskPriority.LOW: "low",
}


def safety_card(request) -> CardContent:
    org = request.organization.slug
    waiting = safety_events_waiting_for(membership=request.membership)
    events = list(waiting[:LISTED])
    # Counted apart only past what was read, so the usual day costs one query.
    count = waiting.count() if len(events) == LISTED else len(events)
    items = []
    for event in events[:SHOWN]:
        kind = safety.KINDS.get(event.latest_kind)
        detail = (kind.label if kind else event.latest_kind) + (
            f" · {event.count} today" if event.count > 1 else ""
        )
        url = reverse("staff:safety_event", kwargs={"org": org, "safety_event_id": event.public_id})
        items.append(
            CardItem(
                title=f"Same-day call: {event.client.display_name}",
                url=url,
                detail=f"{detail} · {timesince(event.raised_at)} ago",
                badge="Urgent",
                severity="urgent",
                action_url=reverse(
                    "staff:safety_event_acknowledge",
                    kwargs={"org": org, "safety_event_id": event.public_id},
                ),
                action_label="Acknowledge",
                action_hidden=f": {event.client.display_name}",
            )
        )
    return CardContent(
        title="Safety alerts waiting for you",
        count=count,
        items=items,
        severity="urgent" if events else "ok",
        empty="No safety alert is waiting for you.",
        explain=(
            "Acknowledge each one: until you do, the next person in line is asked after "
            f"{request.organization.safety_escalation_minutes} minutes."
            if events
            else ""
        ),
    )


def _task_item(task, org: str) -> CardItem:
    due = ""
    if task.due_at:
        due = "due " + timezone.localtime(task.due_at).strftime("%H:%M")
        if task.overdue == 0:
            due = f"overdue by {timesince(task.due_at)}"
    client = task.client.display_name if task.client_id else ""
    return CardItem(
        title=task.title,
        url=reverse("staff:client_detail", kwargs={"org": org, "client_id": task.client.public_id})
        if task.client_id
        else "",
        detail=" · ".join(part for part in (client, due) if part),
        badge=task.get_priority_display(),
        severity=PRIORITY_SEVERITY.get(task.priority, "normal"),
    )


def _tasks_card(request, *, title, tasks, empty, severity) -> CardContent:
    org = request.organization.slug
    count = tasks.count()
    return CardContent(
        title=title,
        count=count,
        items=[_task_item(task, org) for task in tasks[:SHOWN]],
        url=reverse("staff:my_work", kwargs={"org": org}),
        link_label="Open My work",
        severity=severity if count else "normal",
        empty=empty,
    )


def today_card(request) -> CardContent:
    now = timezone.now()
    tasks = task_list_for(membership=request.membership).filter(
        due_at__gte=now, due_at__lte=day_end(timezone.localdate(), request.organization)
    )
    return _tasks_card(
        request,
        title="Due today",
        tasks=tasks,
        empty="Nothing else is due today.",
        severity="normal",
    )


def overdue_card(request) -> CardContent:
    tasks = task_list_for(membership=request.membership).filter(due_at__lt=timezone.now())
    return _tasks_card(
        request, title="Overdue", tasks=tasks, empty="Nothing is overdue.", severity="high"
    )
