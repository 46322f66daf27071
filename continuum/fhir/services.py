"""Exporting a client's record as a FHIR R4 Bundle is a disclosure: it passes the
consent gate, is entered in the accounting of disclosures with the 42 CFR 2.32 notice,
and is audited, all in one transaction."""

from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemanagement.instruments import INSTRUMENTS
from continuum.audit.services import audit_change
from continuum.consent.models import InformationCategory
from continuum.consent.services import consent_require, disclosure_record

from . import mapping
from .selectors import client_record

Category = InformationCategory

# What each kind of information brings into the bundle. Patient, the organization and
# the consent under which the bundle is disclosed always go.
EXPORT_CATEGORIES = (
    Category.CONTACT,
    Category.STATUS,
    Category.TREATMENT_PLAN,
    Category.APPOINTMENTS,
    Category.MEDICATIONS,
    Category.ASSESSMENTS,
    Category.ATTENDANCE,
)


def _categories(information: Iterable[str] | None) -> set[str]:
    if information is None:
        return set(EXPORT_CATEGORIES)
    chosen = set(information)
    unknown = chosen - set(EXPORT_CATEGORIES)
    if not chosen or unknown:
        raise ValidationError(
            {
                "information": "Choose one or more of: "
                + ", ".join(str(c) for c in EXPORT_CATEGORIES)
                + "."
            }
        )
    return chosen


def bundle_resources(*, membership, client, consent, categories: set[str]) -> list[dict]:
    """The resources of one client's export, each once, referenced ones included."""
    record = client_record(membership=membership, client=client)
    today = timezone.localdate()
    resources: list[dict] = [
        mapping.patient(client, include_contact=Category.CONTACT in categories),
        mapping.organization(client.organization),
        mapping.consent(consent),
    ]
    staff: dict[int, object] = {}
    if Category.CONTACT in categories:
        resources += [
            mapping.related_person(link, include_contact=True) for link in record["family"]
        ]
    if Category.STATUS in categories:
        resources += [mapping.episode_of_care(e, e.fhir_transitions) for e in record["episodes"]]
    if Category.TREATMENT_PLAN in categories:
        if record["care_team"]:
            resources.append(mapping.care_team(client, record["care_team"]))
            staff.update({m.membership_id: m.membership for m in record["care_team"]})
        for plan in record["care_plans"]:
            goals = list(plan.goals.all())
            steps = [s for g in goals for s in g.steps.all()]
            resources.append(mapping.care_plan(plan, goals=goals, steps=steps))
            resources += [mapping.goal(g, client=client) for g in goals]
            if plan.case_manager_id:
                staff[plan.case_manager_id] = plan.case_manager
    if Category.APPOINTMENTS in categories:
        for item in record["appointments"]:
            resources.append(mapping.appointment(item))
            if item.accompanied_by_id:
                staff[item.accompanied_by_id] = item.accompanied_by
        directory: dict[str, dict] = {}
        for referral in record["referrals"]:
            resources += [mapping.service_request(referral), mapping.referral_task(referral)]
            listing = referral.listing
            directory[f"HealthcareService/{listing.pk}"] = mapping.healthcare_service(listing)
            if listing.directory_organization_id:
                org = listing.directory_organization
                directory[f"Organization/{org.pk}"] = mapping.directory_organization(org)
            for loc in listing.locations.all():
                directory[f"Location/{loc.pk}"] = mapping.location(loc)
        resources += list(directory.values())
    if Category.MEDICATIONS in categories:
        resources += [mapping.medication_statement(m, today=today) for m in record["medications"]]
    if Category.ASSESSMENTS in categories:
        for item in record["assessments"]:
            instrument = INSTRUMENTS[item.instrument]
            resources.append(mapping.questionnaire_response(item, instrument=instrument))
            resources.append(mapping.score_observation(item, instrument=instrument))
    if Category.ATTENDANCE in categories:
        resources += [mapping.coach_encounter(c, client=client) for c in record["coach_contacts"]]
        resources += [mapping.case_encounter(c, client=client) for c in record["case_contacts"]]
    resources += [mapping.practitioner(m) for m in staff.values()]
    return resources


def bundle_build(*, resources: list[dict], base_url: str, identifier, timestamp) -> dict:
    base = base_url.rstrip("/")
    return {
        "resourceType": "Bundle",
        "id": str(identifier),
        "meta": {
            "security": [dict(label) for label in mapping.SECURITY_LABELS],
            "extension": [mapping.notice_extension()],
        },
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{identifier}"},
        "type": "collection",
        "timestamp": timestamp.isoformat(),
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }


@transaction.atomic
def fhir_export_client(
    *,
    actor,
    membership,
    client,
    recipient_kind: str,
    recipient_name: str,
    purpose: str,
    base_url: str,
    information: Iterable[str] | None = None,
    recipient_family_member=None,
) -> tuple[dict, object]:
    """Disclose `client`'s record to a recipient as a FHIR Bundle (type collection).
    Raises ConsentRequired when no signed, current consent covers the recipient, purpose
    and every kind of information asked for; nothing is recorded then."""
    categories = _categories(information)
    consent = consent_require(
        organization=client.organization,
        client=client,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        recipient_family_member=recipient_family_member,
        purpose=purpose,
        information=sorted(categories),
    )
    resources = bundle_resources(
        membership=membership, client=client, consent=consent, categories=categories
    )
    counts = Counter(r["resourceType"] for r in resources)
    disclosure = disclosure_record(
        actor=actor,
        consent=consent,
        recipient=recipient_name,
        purpose=purpose,
        description="FHIR R4 bundle: "
        + ", ".join(f"{kind} ({n})" for kind, n in sorted(counts.items())),
    )
    bundle = bundle_build(
        resources=resources,
        base_url=base_url,
        identifier=disclosure.public_id,
        timestamp=disclosure.disclosed_at,
    )
    audit_change(
        actor,
        client.organization,
        "fhir.bundle_exported",
        client,
        client.public_id,
        detail={
            "disclosure": str(disclosure.public_id),
            "consent": str(consent.public_id),
            "resources": dict(sorted(counts.items())),
        },
    )
    return bundle, disclosure
