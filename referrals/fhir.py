"""Referrals and the directory as HL7 FHIR R4 resources — ServiceRequest and its Task
(the SDOH Clinical Care referral pattern), HealthcareService, Organization and Location
for the listing — the reads behind them and their part of the Patient export bundle.
Registered with the FHIR core in `extensions.py` (continuum.fhir.resources)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from continuum.fhir.mapping import concept, day, instant, period, ref, resource, telecom
from continuum.fhir.resources import ExportPart

from . import selectors
from .models import ListingLocation

SERVICE_REQUEST_STATUS = {
    "draft": "draft",
    "requested": "active",
    "received": "active",
    "accepted": "active",
    "in_progress": "active",
    "on_hold": "on-hold",
    "rejected": "revoked",
    "cancelled": "revoked",
    "failed": "revoked",
    "completed": "completed",
}


def service_request(item) -> dict:
    listing = item.listing
    return resource(
        "ServiceRequest",
        item.public_id,
        status=SERVICE_REQUEST_STATUS[item.status],
        intent="order",
        category=[concept(listing.kind, listing.get_kind_display(), "listing-kind")],
        code={"text": str(listing.get_kind_display())},
        subject=ref("Patient", item.client.public_id),
        authoredOn=instant(item.created_at),
        performer=[ref("HealthcareService", listing.public_id, listing.name)],
        occurrenceDateTime=day(item.scheduled_for),
        note=[{"text": item.note}] if item.note else None,
    )


# Task.businessStatus as the HL7 SDOH Clinical Care guide uses it: where the referral is
# in the receiving provider's hands, in words, beside the Task status.
TASK_BUSINESS_STATUS = {
    "draft": "Referral being prepared",
    "requested": "Referral sent to the provider",
    "received": "Provider has received the referral",
    "accepted": "Provider accepted the referral",
    "in_progress": "First appointment scheduled",
    "on_hold": "Referral paused",
    "rejected": "Provider declined the referral",
    "cancelled": "Referral cancelled",
    "failed": "Provider could not be reached",
    "completed": "Service provided",
}


def referral_task(item) -> dict:
    business = TASK_BUSINESS_STATUS.get(item.status, "")
    return resource(
        "Task",
        item.public_id,
        status=item.status.replace("_", "-"),
        businessStatus=concept(item.status, business, "referral-business-status")
        if business
        else None,
        intent="order",
        # SDOH Clinical Care: a referral Task asks its owner to fulfill the ServiceRequest.
        code={
            "coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]
        },
        basedOn=[ref("ServiceRequest", item.public_id)],
        focus=ref("ServiceRequest", item.public_id),
        **{"for": ref("Patient", item.client.public_id)},
        authoredOn=instant(item.created_at),
        lastModified=instant(item.status_changed_at),
        owner=ref("HealthcareService", item.listing.public_id, item.listing.name),
        executionPeriod=period(item.sent_at, item.completed_at),
    )


def directory_organization(item) -> dict:
    contact_points = telecom(email=item.email, url=item.website)
    return resource(
        "Organization", item.public_id, active=True, name=item.name, telecom=contact_points
    )


def healthcare_service(listing) -> dict:
    return resource(
        "HealthcareService",
        listing.public_id,
        active=listing.status == "active",
        providedBy=(
            ref("Organization", listing.directory_organization.public_id)
            if listing.directory_organization_id
            else None
        ),
        category=[concept(listing.kind, listing.get_kind_display(), "listing-kind")],
        name=listing.name,
        comment=listing.description[:1000] if listing.description else None,
        telecom=telecom(phone=listing.phone, email=listing.email, url=listing.url),
        location=[ref("Location", loc.public_id) for loc in listing.locations.all()],
        appointmentRequired=None,
    )


def location(item) -> dict:
    address = {
        k: v
        for k, v in {
            "line": [p for p in [item.address_1, item.address_2] if p] or None,
            "city": item.city,
            "state": item.state,
            "postalCode": item.postal_code,
            "country": item.country,
        }.items()
        if v
    }
    position = (
        {"latitude": item.latitude, "longitude": item.longitude}
        if item.latitude is not None and item.longitude is not None
        else None
    )
    return resource(
        "Location",
        item.public_id,
        status="active",
        name=item.name or item.listing.name,
        address=address or None,
        position=position,
    )


def service_request_list_for(*, membership) -> QuerySet:
    # Family requests not yet tied to a client have no subject to export.
    return selectors.referral_list_for(membership=membership).filter(client__isnull=False)


def referrals_section(*, membership, client, today) -> ExportPart:
    """Each referral with its Task, then each listing, its organization and locations
    once however many referrals name them."""
    referrals = (
        selectors.referral_list_for_client(client=client)
        .select_related("listing__directory_organization")
        .prefetch_related(
            Prefetch(
                "listing__locations", queryset=ListingLocation.objects.select_related("listing")
            )
        )
    )
    resources: list[dict] = []
    directory: dict[str, dict] = {}
    for referral in referrals:
        resources += [service_request(referral), referral_task(referral)]
        listing = referral.listing
        directory[f"HealthcareService/{listing.pk}"] = healthcare_service(listing)
        if listing.directory_organization_id:
            org = listing.directory_organization
            directory[f"Organization/{org.pk}"] = directory_organization(org)
        for loc in listing.locations.all():
            directory[f"Location/{loc.pk}"] = location(loc)
    return ExportPart(resources + list(directory.values()))
