"""Exporting a client's record as a FHIR R4 Bundle is a disclosure: it passes the
consent gate, is entered in the accounting of disclosures with the 42 CFR 2.32 notice,
and is audited, all in one transaction."""

from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum.audit.services import audit_record
from continuum.consent.models import InformationCategory
from continuum.consent.services import consent_require, disclosure_record
from continuum.people import selectors as people_selectors

from . import mapping, selectors
from .resources import ExportPart, export_sections

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
    """The resources of one client's export, each once, referenced ones included: the
    patient, the organization and the consent, then every registered section of the
    chosen categories (continuum.fhir.resources), then the staff they name."""
    today = timezone.localdate()
    resources: list[dict] = [
        mapping.patient(client, include_contact=Category.CONTACT in categories),
        mapping.organization(client.organization),
        mapping.consent(consent),
    ]
    staff: dict[int, object] = {}
    for section in export_sections(categories=categories, order=EXPORT_CATEGORIES):
        part = section.build(membership=membership, client=client, today=today)
        resources += part.resources
        staff.update({member.pk: member for member in part.staff})
    resources += [mapping.practitioner(m) for m in staff.values()]
    return resources


# --- the spine's own sections and reads (registered in extensions.py) -----------------


def family_section(*, membership, client, today) -> ExportPart:
    return ExportPart(
        [
            mapping.related_person(link, include_contact=True)
            for link in people_selectors.family_for(client=client)
        ]
    )


def episodes_section(*, membership, client, today) -> ExportPart:
    return ExportPart(
        [
            mapping.episode_of_care(e, e.fhir_transitions)
            for e in selectors.episode_list_for(membership=membership).filter(client=client)
        ]
    )


def care_team_section(*, membership, client, today) -> ExportPart:
    members = list(people_selectors.care_team_for(client=client, current_only=False))
    if not members:
        return ExportPart([])
    return ExportPart([mapping.care_team(client, members)], [m.membership for m in members])


def patient_read(client) -> dict:
    return mapping.patient(client, include_contact=True)


def episode_read(episode) -> dict:
    return mapping.episode_of_care(episode, episode.fhir_transitions)


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
    audit_record(
        actor=actor,
        organization=client.organization,
        action="fhir.bundle_exported",
        obj=client,
        client_id=client.public_id,
        detail={
            "disclosure": str(disclosure.public_id),
            "consent": str(consent.public_id),
            "resources": dict(sorted(counts.items())),
        },
    )
    return bundle, disclosure
