"""Continuum records as HL7 FHIR R4 resources (plain JSON-ready dicts): the spine's own
resources (Patient, RelatedPerson, CareTeam, Practitioner, Organization, EpisodeOfCare,
Consent) and the helpers every line's `<line>/fhir.py` builds its resources with
(`resource`, `ref`, `concept`, `telecom`, `contact_encounter`, `instant`, `day`, `period`,
`staff_name`).

One function per resource type. Resource ids are the records' public ids, so a
reference `Patient/<id>` resolves inside an exported bundle and against the read API.
Every resource carries the 42 CFR Part 2 security labels: the recipient must not
redisclose it without consent. Pure functions over already-loaded objects: no queries
beyond the related objects the selectors prefetched."""

from __future__ import annotations

from datetime import date, datetime

from continuum.consent.models import ConsentStatus
from continuum.consent.notice import PART2_NOTICE

# Our own code systems, for vocabularies without a standard code.
CODE_BASE = "https://continuum.example.org/fhir/CodeSystem"
NOTICE_EXTENSION = "https://continuum.example.org/fhir/StructureDefinition/part2-notice"

LOINC = "http://loinc.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PART2_POLICY = "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"

# R: restricted; 42CFRPart2 and NORDSCLCD: no redisclosure without the patient's consent.
SECURITY_LABELS = [
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
    {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {
        "system": ACT_CODE,
        "code": "NORDSCLCD",
        "display": "no redisclosure without consent directive",
    },
]


def ref(resource_type: str, public_id, display: str = "") -> dict:
    reference = {"reference": f"{resource_type}/{public_id}"}
    if display:
        reference["display"] = display
    return reference


def _meta() -> dict:
    return {"security": [dict(label) for label in SECURITY_LABELS]}


def resource(resource_type: str, public_id, **fields) -> dict:
    body = {"resourceType": resource_type, "id": str(public_id), "meta": _meta()}
    body.update({k: v for k, v in fields.items() if v not in (None, "", [], {})})
    return body


def instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def period(start, end=None) -> dict | None:
    span = {}
    if start:
        span["start"] = start.isoformat()
    if end:
        span["end"] = end.isoformat()
    return span or None


def concept(code: str, display: str, system: str) -> dict:
    return {
        # Choice labels are translatable (lazy); JSON needs the text itself.
        "coding": [{"system": f"{CODE_BASE}/{system}", "code": code, "display": str(display)}],
        "text": str(display),
    }


def contact_encounter(
    contact, *, client, act_class: tuple[str, str], kind: str, label: str, by, span, **fields
) -> dict:
    """A contact that took place with the client, as an Encounter: its ActCode class
    (code, display), its kind in our contact-kind codes, who made it and when."""
    code, display = act_class
    return resource(
        "Encounter",
        contact.public_id,
        status="finished",
        **{"class": {"system": ACT_CODE, "code": code, "display": display}},
        type=[concept(kind, label, "contact-kind")],
        subject=ref("Patient", client.public_id),
        participant=[{"individual": {"display": str(by)}}],
        period=span,
        **fields,
    )


def staff_name(membership) -> str:
    return str(membership.user) if membership is not None else ""


def notice_extension() -> dict:
    return {"url": NOTICE_EXTENSION, "valueString": PART2_NOTICE}


# --- people -----------------------------------------------------------------------------


def organization(org) -> dict:
    return resource("Organization", org.public_id, active=True, name=org.name)


def practitioner(membership) -> dict:
    return resource(
        "Practitioner",
        membership.public_id,
        active=membership.is_active,
        name=[{"text": staff_name(membership)}],
    )


def telecom(**points) -> list[dict]:
    """ContactPoints by system (`email=`, `phone=`, `url=`), in the order given; the
    empty ones are left out."""
    return [{"system": system, "value": value} for system, value in points.items() if value]


def patient(client, *, include_contact: bool) -> dict:
    names = [
        {
            "use": "official",
            "family": client.last_name,
            "given": [client.first_name],
            "text": f"{client.first_name} {client.last_name}",
        }
    ]
    if client.preferred_name:
        names.append({"use": "usual", "family": client.last_name, "given": [client.preferred_name]})
    contact_points, address = [], []
    if include_contact:
        contact_points = telecom(email=client.email, phone=client.phone)
        if client.zip_code:
            address.append({"postalCode": client.zip_code, "country": "US"})
    return resource(
        "Patient",
        client.public_id,
        active=True,
        name=names,
        telecom=contact_points,
        address=address,
        birthDate=day(client.date_of_birth),
        communication=[
            {
                "language": {
                    "coding": [{"system": "urn:ietf:bcp:47", "code": client.preferred_language}]
                }
            }
        ],
        managingOrganization=ref("Organization", client.organization.public_id),
    )


RELATIONSHIP_CODES = {
    "parent": ("PRN", "parent"),
    "spouse_partner": ("SPS", "spouse"),
    "sibling": ("SIB", "sibling"),
    "child": ("CHILD", "child"),
    "grandparent": ("GRPRN", "grandparent"),
    "other_relative": ("FAMMEMB", "family member"),
    "friend": ("FRND", "unrelated friend"),
}


def related_person(link, *, include_contact: bool) -> dict:
    member = link.family_member
    relationship = {"text": str(link.get_relationship_display())}
    if link.relationship in RELATIONSHIP_CODES:
        code, display = RELATIONSHIP_CODES[link.relationship]
        relationship["coding"] = [{"system": ROLE_CODE, "code": code, "display": display}]
    contact_points = telecom(email=member.email, phone=member.phone) if include_contact else []
    # The link, not the person, is the resource: one person may be family to two clients.
    return resource(
        "RelatedPerson",
        link.public_id,
        active=True,
        patient=ref("Patient", link.client.public_id),
        relationship=[relationship],
        name=[{"family": member.last_name, "given": [member.first_name]}],
        telecom=contact_points,
    )


def care_team(client, members) -> dict:
    return resource(
        "CareTeam",
        client.public_id,
        status="active",
        name=f"Care team of {client.display_name}",
        subject=ref("Patient", client.public_id),
        participant=[
            {
                "role": [concept(m.role, m.get_role_display(), "staff-role")],
                "member": ref("Practitioner", m.membership.public_id, staff_name(m.membership)),
                "period": period(m.started_on, m.ended_on),
            }
            for m in members
        ],
        managingOrganization=[ref("Organization", client.organization.public_id)],
    )


# --- the episode ------------------------------------------------------------------------

EPISODE_STATUS = {
    "inquiry": "planned",
    "pre_treatment": "waitlist",
    "residential": "active",
    "aftercare": "active",
    "alumni": "active",
    "closed": "finished",
}


def episode_of_care(episode, transitions) -> dict:
    """`transitions` oldest first; each phase lasted until the next transition."""
    history = []
    for i, step in enumerate(transitions):
        until = transitions[i + 1].at if i + 1 < len(transitions) else None
        history.append({"status": EPISODE_STATUS[step.to_phase], "period": period(step.at, until)})
    return resource(
        "EpisodeOfCare",
        episode.public_id,
        status=EPISODE_STATUS[episode.phase],
        statusHistory=history,
        type=[concept(episode.phase, episode.get_phase_display(), "care-phase")],
        patient=ref("Patient", episode.client.public_id),
        managingOrganization=ref("Organization", episode.organization.public_id),
        period=period(episode.opened_at, episode.closed_at),
    )


# --- consent ----------------------------------------------------------------------------

CONSENT_STATUS = {
    ConsentStatus.AWAITING_SIGNATURE: "proposed",
    ConsentStatus.ACTIVE: "active",
    ConsentStatus.EXPIRED: "inactive",
    ConsentStatus.REVOKED: "inactive",
}
PURPOSE_CODES = {
    "treatment": "TREAT",
    "payment": "HPAYMT",
    "health_care_operations": "HOPERAT",
    "care_coordination": "CAREMGT",
    "family_involvement": "FAMRQT",
}


def consent(item) -> dict:
    purposes = [
        {"system": ACT_REASON, "code": PURPOSE_CODES[p]}
        if p in PURPOSE_CODES
        else {"system": f"{CODE_BASE}/disclosure-purpose", "code": p}
        for p in item.purposes
    ]
    provision = {
        "type": "permit",
        "period": period(item.signed_at, item.expires_on),
        "actor": [
            {
                "role": {
                    "coding": [
                        {
                            "system": PARTICIPATION_TYPE,
                            "code": "IRCP",
                            "display": "information recipient",
                        }
                    ]
                },
                "reference": {"display": item.recipient_name},
            }
        ],
        "purpose": purposes,
        "code": [
            concept(c, label, "information-category")
            for c, label in zip(item.information_categories, item.information_labels, strict=True)
        ],
    }
    return resource(
        "Consent",
        item.public_id,
        status=CONSENT_STATUS[item.status],
        scope={
            "coding": [
                {"system": CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent"}
            ]
        },
        category=[{"coding": [{"system": LOINC, "code": "59284-0", "display": "Patient Consent"}]}],
        patient=ref("Patient", item.client.public_id),
        dateTime=instant(item.signed_at or item.created_at),
        organization=[ref("Organization", item.organization.public_id)],
        policy=[{"authority": "https://www.ecfr.gov", "uri": PART2_POLICY}],
        provision=provision,
    )
