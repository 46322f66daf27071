"""Reads for the FHIR export and read API of the spine's own resources, always through
the caller's visibility (the same selectors the pages use). The lines read theirs in
their own `<line>/fhir.py`."""

from django.db.models import Prefetch, QuerySet

from continuum.care import selectors as care_selectors
from continuum.care.models import PhaseTransition
from continuum.consent.models import Consent
from continuum.people import selectors as people_selectors


def _transitions_oldest_first() -> Prefetch:
    return Prefetch(
        "transitions",
        queryset=PhaseTransition.objects.order_by("at", "id"),
        to_attr="fhir_transitions",
    )


def patient_list_for(*, membership) -> QuerySet:
    return people_selectors.client_list_for(membership=membership).select_related("organization")


def episode_list_for(*, membership) -> QuerySet:
    return (
        care_selectors.episode_list_for(membership=membership)
        .select_related("organization")
        .prefetch_related(_transitions_oldest_first())
    )


def consent_list_for(*, membership) -> QuerySet:
    visible = people_selectors.client_list_for(membership=membership).values("pk")
    return (
        Consent.objects.filter(organization=membership.organization_id, client__in=visible)
        .select_related("client", "organization")
        .order_by("-created_at", "-id")
    )
