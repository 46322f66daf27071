"""What coaching puts on the staff dashboard and in My work (registered from
`extensions.py`): the coach's open alerts, in red, with the button that acknowledges
them; their clients by risk, each score with its parts and the scale; and, in My work,
the engagements they coach."""

from django.urls import reverse
from django.utils.timesince import timesince

from continuum.audit.mixins import record_mixed_reads
from continuum.people.models import client_display_name
from continuum.tenancy.dashboard import CardContent, CardItem

from . import selectors
from .models import Alert, AlertCause, AlertStatus, Engagement, EngagementStatus

SHOWN = 5
LISTED = 50
RED_CAUSES = {AlertCause.HELP_NOW, AlertCause.REPORTED_USE}


def _engagement_url(org: str, public_id) -> str:
    return reverse("staff:coaching_engagement", kwargs={"org": org, "engagement_id": public_id})


def alerts_card(request) -> CardContent:
    org = request.organization.slug
    outstanding = selectors.coach_open_alerts(membership=request.membership)
    alerts = list(outstanding[:LISTED])
    count = outstanding.count() if len(alerts) == LISTED else len(alerts)
    # The ones nobody has acknowledged yet first, newest first within each.
    shown = sorted(alerts, key=lambda alert: alert.status != AlertStatus.OPEN)[:SHOWN]
    record_mixed_reads(
        request, [(Alert, a.public_id, a.engagement.client.public_id) for a in shown]
    )
    items = []
    for alert in shown:
        is_open = alert.status == AlertStatus.OPEN
        red = is_open and (alert.cause in RED_CAUSES or alert.escalated_at is not None)
        items.append(
            CardItem(
                title=f"{alert.engagement.client.display_name}: {alert.get_cause_display()}",
                url=_engagement_url(org, alert.engagement.public_id),
                detail=f"{timesince(alert.raised_at)} ago"
                + (" · escalated" if alert.escalated_at else ""),
                badge=alert.get_status_display(),
                severity="urgent" if red else ("high" if is_open else "normal"),
                action_url=reverse(
                    "staff:coaching_alert_acknowledge",
                    kwargs={"org": org, "coaching_alert_id": alert.public_id},
                )
                if is_open
                else "",
                action_label="Acknowledge",
                action_hidden=f": {alert.engagement.client.display_name}",
            )
        )
    if len(alerts) == LISTED:
        waiting = outstanding.filter(status=AlertStatus.OPEN).count()
    else:
        waiting = sum(1 for alert in alerts if alert.status == AlertStatus.OPEN)
    return CardContent(
        title="Coaching alerts",
        count=count,
        items=items,
        url=reverse("staff:coaching_dashboard", kwargs={"org": org}),
        link_label="Open the coaching dashboard",
        severity="urgent" if waiting else "normal",
        empty="No coaching alert is open.",
        explain=f"{waiting} not yet acknowledged." if waiting else "",
    )


def caseload_card(request) -> CardContent:
    org = request.organization.slug
    caseload = selectors.coach_caseload(
        membership=request.membership, organization=request.organization
    )
    rows = caseload[:SHOWN]
    record_mixed_reads(
        request, [(Engagement, row["public_id"], row["client_public_id"]) for row in rows]
    )
    items = []
    for row in rows:
        risk = int(row["risk"])
        band, severity = selectors.risk_band(risk)
        parts = selectors.risk_parts(row)
        name = client_display_name(
            row["client_first_name"], row["client_last_name"], row["client_preferred_name"]
        )
        items.append(
            CardItem(
                title=name,
                url=_engagement_url(org, row["public_id"]),
                badge=f"Risk {risk}: {band}",
                severity=severity,
                detail=" + ".join(parts) if parts else "Nothing adds to the risk.",
            )
        )
    return CardContent(
        title="My clients by risk",
        count=caseload.count(),
        items=items,
        url=reverse("staff:coaching_dashboard", kwargs={"org": org}),
        link_label="See the whole caseload",
        empty="You have no active engagements.",
        explain=selectors.RISK_SCALE,
    )


def engagements_work(request) -> CardContent:
    """My work: the engagements this coach runs that are not over."""
    org = request.organization.slug
    engagements = Engagement.objects.filter(
        organization=request.organization,
        coach=request.membership,
        status__in=[EngagementStatus.PROPOSED, EngagementStatus.ACTIVE, EngagementStatus.PAUSED],
    ).select_related("client")
    shown = list(engagements.order_by("status", "-starts_on")[:20])
    return CardContent(
        title="Engagements I coach",
        count=engagements.count(),
        items=[
            CardItem(
                title=e.client.display_name,
                url=_engagement_url(org, e.public_id),
                badge=e.get_status_display(),
                severity="high" if e.status == EngagementStatus.PROPOSED else "normal",
                detail=e.get_intensity_display(),
            )
            for e in shown
        ],
        url=reverse("staff:coaching_engagements", kwargs={"org": org}),
        link_label="All engagements",
        empty="You coach no engagement yet.",
    )
