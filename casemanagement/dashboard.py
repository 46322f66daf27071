"""What case management puts on the staff dashboard and in My work (registered from
`extensions.py`): the open gaps in care of my clients, the appointments I accompany
this week, and, in My work, the care plans I manage."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from continuum.tenancy.dashboard import CardContent, CardItem

from . import selectors
from .models import GapRule

SHOWN = 5
URGENT_GAPS = {GapRule.FOLLOW_UP_7, GapRule.MISSED_NOT_RESCHEDULED}


def _case_url(org: str, client) -> str:
    return reverse("staff:casemgmt_client", kwargs={"org": org, "client_id": client.public_id})


def gaps_card(request) -> CardContent:
    org = request.organization.slug
    gaps = selectors.gap_list_for(membership=request.membership)
    count = gaps.count()
    items = [
        CardItem(
            title=f"{gap.client.display_name}: {gap.get_rule_display()}",
            url=_case_url(org, gap.client),
            detail=gap.detail,
            badge="Found " + timezone.localtime(gap.detected_at).strftime("%-d %b"),
            severity="high" if gap.rule in URGENT_GAPS else "normal",
        )
        for gap in gaps[:SHOWN]
    ]
    return CardContent(
        title="Gaps in care",
        count=count,
        items=items,
        url=reverse("staff:casemgmt_gaps", kwargs={"org": org}),
        link_label="All gaps in care",
        severity="high" if count else "ok",
        empty="None of your clients has an open gap in care.",
        explain="A gap closes as soon as the visit, provider, refill or contact that fills "
        "it is recorded."
        if count
        else "",
    )


def accompany_card(request) -> CardContent:
    org = request.organization.slug
    now = timezone.now()
    appointments = selectors.appointments_to_accompany(
        membership=request.membership, now=now, days=7
    )
    count = appointments.count()
    items = []
    for a in appointments[:SHOWN]:
        when = timezone.localtime(a.starts_at)
        soon = a.starts_at - now < timedelta(days=1)
        items.append(
            CardItem(
                title=f"{a.client.display_name}: "
                + (a.provider.name if a.provider_id else a.get_visit_type_display()),
                url=_case_url(org, a.client),
                detail=f"{when:%-d %b %Y, %H:%M} · {a.get_transport_display()}",
                badge="Within 24 h" if soon else "",
                severity="high" if soon else "",
            )
        )
    return CardContent(
        title="Appointments I accompany (7 days)",
        count=count,
        items=items,
        empty="No appointment to accompany this week.",
    )


def plans_work(request) -> CardContent:
    org = request.organization.slug
    plans = selectors.caseload_for(membership=request.membership)
    shown = list(plans[:20])
    return CardContent(
        title="Care plans I manage",
        count=plans.count(),
        items=[
            CardItem(
                title=plan.client.display_name,
                url=_case_url(org, plan.client),
                badge=f"{plan.open_gaps} open gap{'s' if plan.open_gaps != 1 else ''}"
                if plan.open_gaps
                else "",
                severity="high" if plan.open_gaps else "",
                detail="Review due " + plan.next_review_on.strftime("%-d %b %Y")
                if plan.next_review_on
                else "",
            )
            for plan in shown
        ],
        url=reverse("staff:casemgmt_dashboard", kwargs={"org": org}),
        link_label="Case management",
        empty="You manage no active care plan.",
    )
