"""The client timeline: one newest-first stream merged from every app's providers.

An app registers a provider from its `extensions.py` (continuum.extensions):

    from continuum.care import timeline
    timeline.register(my_provider)

`my_provider(client, organization)` returns a source that supports slicing
(`source[:n]`) and yields entries (`time`, `kind`, `title`, `detail`, `url`) newest
first. A Django queryset wrapped in `QuerySetSource(queryset, to_entry, newest=field)`
does, at one query per slice.
The page asks each source for at most page*page_size + 1 entries, so the number of
queries depends on the number of providers, never on the number of rows."""

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.urls import reverse
from django.utils import timezone

from continuum.extensions import Registry

PAGE_SIZE = 20


@dataclass(frozen=True)
class TimelineEntry:
    time: datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""


class QuerySetSource:
    """A queryset mapped to entries lazily, slice by slice. `newest` names the field the
    entries' time comes from: the source orders by it, newest first and the later row
    first on a tie, so that pages never repeat or skip a row; without it the queryset
    must already be in that order."""

    def __init__(self, queryset, to_entry: Callable, *, newest: str = ""):
        self.queryset = queryset.order_by(f"-{newest}", "-id") if newest else queryset
        self.to_entry = to_entry

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("Timeline sources are read by slices.")
        return [self.to_entry(obj) for obj in self.queryset[key]]


PROVIDERS: Registry[Callable] = Registry(
    "timeline", holds="provider(client, organization) -> TimelineEntries"
)
register = PROVIDERS.register
register_all = PROVIDERS.register_all
unregister = PROVIDERS.unregister


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def client_timeline(
    *, client, organization, page: int = 1, page_size: int = PAGE_SIZE
) -> TimelinePage:
    page = max(1, page)
    wanted = page * page_size + 1
    streams = [list(provider(client, organization)[:wanted]) for provider in PROVIDERS]
    merged = list(islice(heapq.merge(*streams, key=lambda e: e.time, reverse=True), wanted))
    start = (page - 1) * page_size
    return TimelinePage(
        entries=merged[start : start + page_size],
        number=page,
        has_next=len(merged) > page * page_size,
    )


# --- the care spine's own providers ---------------------------------------------------


def transitions_provider(client, organization):
    from .models import Phase, PhaseTransition

    def entry(t):
        who = t.actor.get_full_name() if t.actor_id else "System"
        if t.from_phase:
            title = f"{Phase(t.from_phase).label} → {Phase(t.to_phase).label}"
        else:
            title = f"Episode opened in {Phase(t.to_phase).label}"
        detail = f"{who}" + (f": {t.reason}" if t.reason else "")
        return TimelineEntry(time=t.at, kind="phase", title=title, detail=detail)

    rows = PhaseTransition.objects.filter(organization=organization, episode__client=client)
    return QuerySetSource(rows.select_related("actor"), entry, newest="at")


def tasks_provider(client, organization):
    from .models import Task

    my_work = reverse("staff:my_work", kwargs={"org": organization.slug})

    def entry(task):
        if task.assignee_id:
            owner = task.assignee.user.get_full_name()
        else:
            owner = task.get_queue_role_display()
        detail = f"{task.get_status_display()} · {owner}"
        if task.due_at:
            detail += f" · due {timezone.localtime(task.due_at):%-d %b %Y, %H:%M}"
        return TimelineEntry(
            time=task.created_at, kind="task", title=task.title, detail=detail, url=my_work
        )

    rows = Task.objects.filter(organization=organization, client=client)
    return QuerySetSource(rows.select_related("assignee__user"), entry, newest="created_at")


def safety_timeline_provider(client, organization):
    """Every step of the client's safety events: who was asked, escalations, repeats, the
    acknowledgement. Staff-only page, so the kind is named."""
    from . import safety
    from .models import AskedAs, SafetyStep

    def entry(step):
        kind = safety.KINDS.get(step.kind)
        label = kind.label if kind else "Safety event"
        who = step.membership.user.get_full_name() if step.membership_id else ""
        as_label = AskedAs(step.asked_as).label if step.asked_as else ""
        if step.action == SafetyStep.Action.ACKNOWLEDGED:
            title, detail = "Safety event acknowledged", who
        elif step.action == SafetyStep.Action.REPEATED:
            title, detail = f"Safety event again: {label}", ""
        else:
            verb = "escalated to" if step.action == SafetyStep.Action.ESCALATED else "asked"
            title = f"Safety event: {label}"
            detail = f"{verb.capitalize()} {who or as_label}" + (
                f" ({as_label})" if who and as_label else ""
            )
        url = reverse(
            "staff:safety_event",
            kwargs={"org": organization.slug, "safety_event_id": step.event.public_id},
        )
        return TimelineEntry(time=step.at, kind="safety", title=title, detail=detail, url=url)

    rows = SafetyStep.objects.filter(organization=organization, event__client=client)
    return QuerySetSource(rows.select_related("membership__user", "event"), entry, newest="at")
