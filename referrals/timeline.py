"""Referral status changes on the client's timeline."""

from django.urls import reverse

from continuum.care.timeline import QuerySetSource, TimelineEntry

from .models import ReferralStatus, ReferralStatusChange


def referral_changes_provider(client, organization):
    def entry(change):
        who = (
            change.changed_by.email
            if change.changed_by_id
            else (change.changed_by_label or "System")
        )
        title = (
            f"Referral to {change.referral.listing.name}: {ReferralStatus(change.to_status).label}"
        )
        url = reverse(
            "staff:referral_detail",
            kwargs={"org": organization.slug, "referral_id": change.referral.public_id},
        )
        detail = who + (f": {change.reason}" if change.reason else "")
        return TimelineEntry(
            time=change.created_at, kind="referral", title=title, detail=detail, url=url
        )

    queryset = (
        ReferralStatusChange.objects.filter(organization=organization, referral__client=client)
        .select_related("referral__listing", "changed_by")
        .order_by("-created_at", "-id")
    )
    return QuerySetSource(queryset, entry)
