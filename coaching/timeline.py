"""Coaching's entries on the client's timeline: contacts, check-ins that stand out
(reported use or craving at the threshold) and alerts. One query per slice each."""

from django.db.models import F, Q
from django.urls import reverse

from continuum.care.timeline import QuerySetSource, TimelineEntry

from .models import Alert, CheckIn, Contact


def _url(organization, engagement) -> str:
    return reverse(
        "staff:coaching_engagement",
        kwargs={"org": organization.slug, "engagement_id": engagement.public_id},
    )


def contacts_provider(client, organization):
    def entry(contact):
        detail = f"{contact.duration_minutes} min"
        if contact.accompaniment:
            detail += f" · {contact.get_accompaniment_display()}"
        detail += f" · risk: {contact.get_risk_observed_display().lower()}"
        return TimelineEntry(
            time=contact.started_at,
            kind="coaching_contact",
            title=f"Coach contact: {contact.get_kind_display()}",
            detail=detail,
            url=_url(organization, contact.engagement),
        )

    queryset = (
        Contact.objects.filter(organization=organization, engagement__client=client)
        .select_related("engagement")
        .order_by("-started_at", "-id")
    )
    return QuerySetSource(queryset, entry)


def checkin_outliers_provider(client, organization):
    def entry(checkin):
        parts = []
        if not checkin.sober:
            parts.append("reported use")
        if checkin.craving >= checkin.engagement.craving_threshold:
            parts.append(f"craving {checkin.craving}/10")
        return TimelineEntry(
            time=checkin.created_at,
            kind="coaching_checkin",
            title="Check-in: " + ", ".join(parts),
            url=_url(organization, checkin.engagement),
        )

    queryset = (
        CheckIn.objects.filter(organization=organization, engagement__client=client)
        .filter(Q(sober=False) | Q(craving__gte=F("engagement__craving_threshold")))
        .select_related("engagement")
        .order_by("-created_at", "-id")
    )
    return QuerySetSource(queryset, entry)


def alerts_provider(client, organization):
    def entry(alert):
        detail = alert.get_status_display()
        if alert.escalated_at:
            detail += " · escalated"
        return TimelineEntry(
            time=alert.raised_at,
            kind="coaching_alert",
            title=f"Coaching alert: {alert.get_cause_display()}",
            detail=detail,
            url=_url(organization, alert.engagement),
        )

    queryset = (
        Alert.objects.filter(organization=organization, engagement__client=client)
        .select_related("engagement")
        .order_by("-raised_at", "-id")
    )
    return QuerySetSource(queryset, entry)


PROVIDERS = (contacts_provider, checkin_outliers_provider, alerts_provider)
