"""Reads for the FHIR export and read API, always through the caller's visibility
(the same selectors the pages use)."""

from django.db.models import Prefetch, QuerySet

from casemanagement import selectors as casemanagement_selectors
from casemanagement.models import PROVIDER_CONTACT_KINDS, Goal, GoalStep
from coaching import selectors as coaching_selectors
from continuum.care import selectors as care_selectors
from continuum.care.models import PhaseTransition
from continuum.consent.models import Consent
from continuum.people import selectors as people_selectors
from referrals import selectors as referral_selectors
from referrals.models import ListingLocation


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


def care_plan_list_for(*, membership) -> QuerySet:
    return casemanagement_selectors.plan_list_for(membership=membership).prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("domain", "created_at", "id")),
        Prefetch("goals__steps", queryset=GoalStep.objects.select_related("goal").order_by("id")),
    )


def appointment_list_for(*, membership) -> QuerySet:
    return casemanagement_selectors.appointment_list_for(membership=membership)


def consent_list_for(*, membership) -> QuerySet:
    visible = people_selectors.client_list_for(membership=membership).values("pk")
    return (
        Consent.objects.filter(organization=membership.organization_id, client__in=visible)
        .select_related("client", "organization")
        .order_by("-created_at", "-id")
    )


def service_request_list_for(*, membership) -> QuerySet:
    # Family requests not yet tied to a client have no subject to export.
    return referral_selectors.referral_list_for(membership=membership).filter(client__isnull=False)


def client_record(*, membership, client) -> dict:
    """Everything about one visible client that the export can map, as lists."""
    engagements = list(
        coaching_selectors.engagement_list_for(membership=membership)
        .filter(client=client)
        .select_related("episode")
    )
    coach_contacts = [
        contact
        for engagement in engagements
        for contact in coaching_selectors.contacts_for(engagement=engagement).order_by(
            "started_at", "id"
        )
    ]
    for contact in coach_contacts:
        contact.engagement = next(e for e in engagements if e.pk == contact.engagement_id)
    referrals = list(
        referral_selectors.referral_list_for_client(client=client)
        .select_related("listing__directory_organization")
        .prefetch_related(
            Prefetch(
                "listing__locations", queryset=ListingLocation.objects.select_related("listing")
            )
        )
    )
    return {
        "family": list(people_selectors.family_for(client=client)),
        "care_team": list(people_selectors.care_team_for(client=client, current_only=False)),
        "episodes": list(episode_list_for(membership=membership).filter(client=client)),
        "care_plans": list(care_plan_list_for(membership=membership).filter(client=client)),
        "appointments": list(
            casemanagement_selectors.appointments_for(client=client).order_by("starts_at", "id")
        ),
        "medications": list(casemanagement_selectors.medications_for(client=client)),
        "assessments": list(casemanagement_selectors.assessments_for(client=client)),
        "case_contacts": [
            c
            for c in casemanagement_selectors.contacts_for(client=client)
            if c.kind not in PROVIDER_CONTACT_KINDS
        ],
        "coach_contacts": coach_contacts,
        "referrals": referrals,
    }
