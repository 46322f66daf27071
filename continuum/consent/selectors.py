from django.db.models import QuerySet

from continuum.tenancy.selectors import get_or_404

from .models import Consent, Disclosure


def consent_list(*, client) -> QuerySet[Consent]:
    return Consent.objects.filter(organization=client.organization_id, client=client).order_by(
        "-created_at", "-id"
    )


def consent_get(*, client, consent_id) -> Consent:
    """A consent of this (already visible) client; 404 for any other."""
    return get_or_404(consent_list(client=client), consent_id, what="consent")


def disclosure_list(*, client) -> QuerySet[Disclosure]:
    return (
        Disclosure.objects.filter(organization=client.organization_id, client=client)
        .select_related("consent", "actor")
        .order_by("-disclosed_at", "-id")
    )
