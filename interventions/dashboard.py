"""What the intervention line puts on the staff dashboard and in My work (registered
from `extensions.py`): for intake and interventionists, the request pipeline as a board
by stage — urgent first, each request's age against the organization's response time —
and, in My work, the interventions assigned to me."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from continuum.tenancy.dashboard import BoardColumn, CardContent, CardItem

from . import selectors
from .models import Outcome, RequestStatus

SHOWN = 5


def _age(delta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return "less than an hour"
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def _request_item(org: str, request_row, *, now, limit_hours: int, waiting: bool) -> CardItem:
    age = now - request_row.submitted_at
    late = waiting and age.total_seconds() > limit_hours * 3600
    if request_row.is_urgent:
        badge, severity = "Urgent", "urgent"
    elif late:
        badge, severity = "Past the response time", "high"
    else:
        badge, severity = "", ""
    detail = f"{_age(age)} old"
    if waiting:
        detail += f" · respond within {limit_hours} h"
    return CardItem(
        title=f"{request_row.client.display_name} ({request_row.reference})",
        url=reverse(
            "staff:intervention_request_detail",
            kwargs={"org": org, "request_id": request_row.public_id},
        ),
        detail=detail,
        badge=badge,
        severity=severity,
    )


def _intervention_item(org: str, intervention, *, now) -> CardItem:
    when = intervention.scheduled_at
    detail = (
        f"{timezone.localtime(when):%-d %b %Y, %H:%M}"
        if when
        else f"planning for {_age(now - intervention.created_at)}"
    )
    return CardItem(
        title=intervention.client.display_name,
        url=reverse(
            "staff:intervention_detail",
            kwargs={"org": org, "intervention_id": intervention.public_id},
        ),
        detail=f"{detail} · {intervention.interventionist.user.get_full_name()}",
        badge="Urgent" if intervention.request.is_urgent else "",
        severity="urgent" if intervention.request.is_urgent else "",
    )


def pipeline_card(request) -> CardContent:
    org = request.organization.slug
    membership = request.membership
    now = timezone.now()
    limit = request.organization.response_time_hours
    new = selectors.request_list_for(membership=membership, status=RequestStatus.NEW)
    open_interventions = selectors.intervention_list_for(membership=membership).filter(
        Q(outcome="") | Q(outcome=Outcome.POSTPONED)
    )
    stages = [
        ("New: not yet contacted", new.filter(first_contact_at__isnull=True), "request", True),
        ("Contacted: deciding", new.filter(first_contact_at__isnull=False), "request", False),
        (
            "Planning",
            open_interventions.filter(scheduled_at__isnull=True).order_by(
                "-request__is_urgent", "created_at", "pk"
            ),
            "intervention",
            False,
        ),
        (
            "Scheduled",
            open_interventions.filter(scheduled_at__isnull=False).order_by(
                "-request__is_urgent", "scheduled_at", "pk"
            ),
            "intervention",
            False,
        ),
    ]
    columns = []
    for title, queryset, kind, waiting in stages:
        rows = list(queryset[:SHOWN])
        count = queryset.count()
        if kind == "request":
            items = [
                _request_item(org, r, now=now, limit_hours=limit, waiting=waiting) for r in rows
            ]
        else:
            items = [_intervention_item(org, i, now=now) for i in rows]
        columns.append(BoardColumn(title=title, count=count, items=items))
    late = any(item.severity in ("urgent", "high") for item in columns[0].items)
    return CardContent(
        title="Request pipeline",
        count=sum(column.count for column in columns),
        columns=columns,
        url=reverse("staff:intervention_requests", kwargs={"org": org}),
        link_label="Open the request queue",
        severity="high" if late else "normal",
        explain=f"Urgent first, then oldest. Families are called back within {limit} hours.",
    )


def interventions_work(request) -> CardContent:
    """My work: the interventions I run that have no final outcome yet."""
    org = request.organization.slug
    now = timezone.now()
    mine = (
        selectors.intervention_list_for(membership=request.membership)
        .filter(interventionist=request.membership)
        .filter(Q(outcome="") | Q(outcome=Outcome.POSTPONED))
        .order_by("-request__is_urgent", "scheduled_at", "created_at", "pk")
    )
    shown = list(mine[:20])
    return CardContent(
        title="Interventions assigned to me",
        count=mine.count(),
        items=[_intervention_item(org, i, now=now) for i in shown],
        url=reverse("staff:intervention_list", kwargs={"org": org}),
        link_label="All interventions",
        empty="No intervention is assigned to you.",
    )
