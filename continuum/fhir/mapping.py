"""Continuum records as HL7 FHIR R4 resources (plain JSON-ready dicts).

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

# LOINC codes of the instruments' panels and total scores. BAM has no LOINC total.
INSTRUMENT_LOINC = {
    "phq9": {
        "panel": ("44249-1", "PHQ-9 quick depression assessment panel"),
        "total": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score"),
    },
    "gad7": {
        "panel": ("69737-5", "Generalized anxiety disorder 7 item (GAD-7)"),
        "total": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score"),
    },
    "auditc": {
        "panel": ("72109-2", "Alcohol Use Disorder Identification Test - Consumption"),
        "total": ("75626-2", "Total score [AUDIT-C]"),
    },
}


def ref(resource_type: str, public_id, display: str = "") -> dict:
    reference = {"reference": f"{resource_type}/{public_id}"}
    if display:
        reference["display"] = display
    return reference


def _meta() -> dict:
    return {"security": [dict(label) for label in SECURITY_LABELS]}


def _resource(resource_type: str, public_id, **fields) -> dict:
    body = {"resourceType": resource_type, "id": str(public_id), "meta": _meta()}
    body.update({k: v for k, v in fields.items() if v not in (None, "", [], {})})
    return body


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _period(start, end=None) -> dict | None:
    period = {}
    if start:
        period["start"] = start.isoformat()
    if end:
        period["end"] = end.isoformat()
    return period or None


def _concept(code: str, display: str, system: str) -> dict:
    return {
        # Choice labels are translatable (lazy); JSON needs the text itself.
        "coding": [{"system": f"{CODE_BASE}/{system}", "code": code, "display": str(display)}],
        "text": str(display),
    }


def _staff_name(membership) -> str:
    return str(membership.user) if membership is not None else ""


def notice_extension() -> dict:
    return {"url": NOTICE_EXTENSION, "valueString": PART2_NOTICE}


# --- people -----------------------------------------------------------------------------


def organization(org) -> dict:
    return _resource("Organization", org.public_id, active=True, name=org.name)


def practitioner(membership) -> dict:
    return _resource(
        "Practitioner",
        membership.public_id,
        active=membership.is_active,
        name=[{"text": _staff_name(membership)}],
    )


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
    telecom, address = [], []
    if include_contact:
        if client.email:
            telecom.append({"system": "email", "value": client.email})
        if client.phone:
            telecom.append({"system": "phone", "value": client.phone})
        if client.zip_code:
            address.append({"postalCode": client.zip_code, "country": "US"})
    return _resource(
        "Patient",
        client.public_id,
        active=True,
        name=names,
        telecom=telecom,
        address=address,
        birthDate=_date(client.date_of_birth),
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
    telecom = []
    if include_contact:
        if member.email:
            telecom.append({"system": "email", "value": member.email})
        if member.phone:
            telecom.append({"system": "phone", "value": member.phone})
    # The link, not the person, is the resource: one person may be family to two clients.
    return _resource(
        "RelatedPerson",
        link.public_id,
        active=True,
        patient=ref("Patient", link.client.public_id),
        relationship=[relationship],
        name=[{"family": member.last_name, "given": [member.first_name]}],
        telecom=telecom,
    )


def care_team(client, members) -> dict:
    return _resource(
        "CareTeam",
        client.public_id,
        status="active",
        name=f"Care team of {client.display_name}",
        subject=ref("Patient", client.public_id),
        participant=[
            {
                "role": [_concept(m.role, m.get_role_display(), "staff-role")],
                "member": ref("Practitioner", m.membership.public_id, _staff_name(m.membership)),
                "period": _period(m.started_on, m.ended_on),
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
        history.append({"status": EPISODE_STATUS[step.to_phase], "period": _period(step.at, until)})
    return _resource(
        "EpisodeOfCare",
        episode.public_id,
        status=EPISODE_STATUS[episode.phase],
        statusHistory=history,
        type=[_concept(episode.phase, episode.get_phase_display(), "care-phase")],
        patient=ref("Patient", episode.client.public_id),
        managingOrganization=ref("Organization", episode.organization.public_id),
        period=_period(episode.opened_at, episode.closed_at),
    )


# --- care plan --------------------------------------------------------------------------

GOAL_STATUS = {"active": "active", "achieved": "completed", "discontinued": "cancelled"}
STEP_STATUS = {
    "todo": "not-started",
    "in_progress": "in-progress",
    "done": "completed",
    "dropped": "cancelled",
}


def goal(item, *, client) -> dict:
    return _resource(
        "Goal",
        item.public_id,
        lifecycleStatus=GOAL_STATUS[item.status],
        achievementStatus=(
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                        "code": "achieved",
                        "display": "Achieved",
                    }
                ]
            }
            if item.status == "achieved"
            else None
        ),
        category=[_concept(item.domain, item.get_domain_display(), "care-domain")],
        description={"text": item.title},
        subject=ref("Patient", client.public_id),
        startDate=_date(item.created_at.date()),
        target=[{"measure": {"text": item.measure}}] if item.measure else None,
    )


def care_plan(plan, *, goals, steps) -> dict:
    return _resource(
        "CarePlan",
        plan.public_id,
        status="active" if plan.status == "active" else "completed",
        intent="plan",
        title="Aftercare plan",
        description=plan.recommendations,
        subject=ref("Patient", plan.client.public_id),
        encounter=None,
        period=_period(plan.opened_at),
        created=_instant(plan.opened_at),
        author=(
            ref("Practitioner", plan.case_manager.public_id, _staff_name(plan.case_manager))
            if plan.case_manager_id
            else None
        ),
        careTeam=[ref("CareTeam", plan.client.public_id)],
        goal=[ref("Goal", g.public_id) for g in goals],
        activity=[
            {
                "detail": {
                    "status": STEP_STATUS[s.status],
                    "description": s.description,
                    "goal": [ref("Goal", s.goal.public_id)],
                    **({"scheduledString": f"Due {s.due_on.isoformat()}"} if s.due_on else {}),
                }
            }
            for s in steps
        ],
    )


APPOINTMENT_STATUS = {
    "scheduled": "booked",
    "attended": "fulfilled",
    "missed": "noshow",
    "cancelled": "cancelled",
    "rescheduled": "cancelled",
}


def appointment(item) -> dict:
    participants = [
        {
            "actor": ref("Patient", item.client.public_id),
            "status": "accepted",
            "required": "required",
        }
    ]
    if item.provider_id:
        participants.append({"actor": {"display": item.provider.name}, "status": "accepted"})
    if item.accompanied_by_id:
        participants.append(
            {
                "actor": ref(
                    "Practitioner", item.accompanied_by.public_id, _staff_name(item.accompanied_by)
                ),
                "status": "accepted",
            }
        )
    return _resource(
        "Appointment",
        item.public_id,
        status=APPOINTMENT_STATUS[item.status],
        serviceType=[_concept(item.visit_type, item.get_visit_type_display(), "visit-type")],
        description=" · ".join(
            p
            for p in [
                str(item.get_visit_type_display()),
                item.provider.name if item.provider_id else "",
                item.location,
            ]
            if p
        ),
        start=_instant(item.starts_at),
        end=_instant(item.ends_at),
        created=_instant(item.created_at),
        participant=participants,
    )


def medication_statement(item, *, today: date) -> dict:
    ended = item.ended_on is not None and item.ended_on <= today
    return _resource(
        "MedicationStatement",
        item.public_id,
        status="completed" if ended else "active",
        category=(
            _concept("moud", "Medication for addiction treatment", "medication-category")
            if item.is_moud
            else None
        ),
        medicationCodeableConcept={"text": item.name},
        subject=ref("Patient", item.client.public_id),
        effectivePeriod=_period(item.started_on, item.ended_on),
        dateAsserted=_instant(item.created_at),
        informationSource=({"display": item.prescriber.name} if item.prescriber_id else None),
        dosage=[{"text": f"{item.dose}, {item.schedule}"}],
    )


# --- assessments ------------------------------------------------------------------------


def questionnaire_response(item, *, instrument) -> dict:
    codes = INSTRUMENT_LOINC.get(item.instrument)
    answers = []
    for question in instrument.items:
        if question.key not in item.answers:
            continue
        value = item.answers[question.key]
        label = next((c.label for c in question.choices if c.value == value), str(value))
        answers.append(
            {
                "linkId": question.key,
                "text": question.text,
                "answer": [{"valueCoding": {"code": str(value), "display": label}}],
            }
        )
    return _resource(
        "QuestionnaireResponse",
        item.public_id,
        questionnaire=(f"http://loinc.org/q/{codes['panel'][0]}" if codes else None),
        status="completed",
        subject=ref("Patient", item.client.public_id),
        authored=_instant(item.completed_at),
        item=answers,
    )


def score_observation(item, *, instrument) -> dict:
    codes = INSTRUMENT_LOINC.get(item.instrument)
    if codes:
        code, display = codes["total"]
        concept = {
            "coding": [{"system": LOINC, "code": code, "display": display}],
            "text": f"{instrument.short_name} total score",
        }
    else:
        concept = _concept(
            f"{item.instrument}-total", f"{instrument.short_name} total score", "instrument-score"
        )
    components = [
        {
            "code": _concept(
                f"{item.instrument}-{name}", name.replace("_", " ").capitalize(), "instrument-score"
            ),
            "valueInteger": value,
        }
        for name, value in sorted((item.subscales or {}).items())
        if isinstance(value, int)
    ]
    return _resource(
        "Observation",
        item.public_id,
        status="final",
        category=[
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        code=concept,
        subject=ref("Patient", item.client.public_id),
        effectiveDateTime=_instant(item.completed_at),
        valueInteger=item.total,
        interpretation=[{"text": item.band}] if item.band else None,
        derivedFrom=[ref("QuestionnaireResponse", item.public_id)],
        component=components,
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
        "period": _period(item.signed_at, item.expires_on),
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
            _concept(c, label, "information-category")
            for c, label in zip(item.information_categories, item.information_labels, strict=True)
        ],
    }
    return _resource(
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
        dateTime=_instant(item.signed_at or item.created_at),
        organization=[ref("Organization", item.organization.public_id)],
        policy=[{"authority": "https://www.ecfr.gov", "uri": PART2_POLICY}],
        provision=provision,
    )


# --- referrals and the directory --------------------------------------------------------

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
    return _resource(
        "ServiceRequest",
        item.public_id,
        status=SERVICE_REQUEST_STATUS[item.status],
        intent="order",
        category=[_concept(listing.kind, listing.get_kind_display(), "listing-kind")],
        code={"text": str(listing.get_kind_display())},
        subject=ref("Patient", item.client.public_id),
        authoredOn=_instant(item.created_at),
        performer=[ref("HealthcareService", listing.public_id, listing.name)],
        occurrenceDateTime=_date(item.scheduled_for),
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
    return _resource(
        "Task",
        item.public_id,
        status=item.status.replace("_", "-"),
        businessStatus=_concept(item.status, business, "referral-business-status")
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
        authoredOn=_instant(item.created_at),
        lastModified=_instant(item.status_changed_at),
        owner=ref("HealthcareService", item.listing.public_id, item.listing.name),
        executionPeriod=_period(item.sent_at, item.completed_at),
    )


def directory_organization(item) -> dict:
    telecom = [{"system": "email", "value": item.email}] if item.email else []
    if item.website:
        telecom.append({"system": "url", "value": item.website})
    return _resource("Organization", item.public_id, active=True, name=item.name, telecom=telecom)


def healthcare_service(listing) -> dict:
    telecom = []
    if listing.phone:
        telecom.append({"system": "phone", "value": listing.phone})
    if listing.email:
        telecom.append({"system": "email", "value": listing.email})
    if listing.url:
        telecom.append({"system": "url", "value": listing.url})
    return _resource(
        "HealthcareService",
        listing.public_id,
        active=listing.status == "active",
        providedBy=(
            ref("Organization", listing.directory_organization.public_id)
            if listing.directory_organization_id
            else None
        ),
        category=[_concept(listing.kind, listing.get_kind_display(), "listing-kind")],
        name=listing.name,
        comment=listing.description[:1000] if listing.description else None,
        telecom=telecom,
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
    return _resource(
        "Location",
        item.public_id,
        status="active",
        name=item.name or item.listing.name,
        address=address or None,
        position=position,
    )


# --- contacts ---------------------------------------------------------------------------

VIRTUAL = {"phone", "video", "text"}


def coach_encounter(contact, *, client) -> dict:
    from datetime import timedelta

    virtual = contact.kind in VIRTUAL
    engagement = contact.engagement
    return _resource(
        "Encounter",
        contact.public_id,
        status="finished",
        **{
            "class": {
                "system": ACT_CODE,
                "code": "VR" if virtual else "FLD",
                "display": "virtual" if virtual else "field",
            }
        },
        type=[
            _concept(
                f"coaching-{contact.kind}",
                f"Sober coaching: {contact.get_kind_display()}",
                "contact-kind",
            )
        ],
        subject=ref("Patient", client.public_id),
        episodeOfCare=(
            [ref("EpisodeOfCare", engagement.episode.public_id)] if engagement.episode_id else None
        ),
        participant=[{"individual": {"display": str(contact.logged_by)}}],
        period=_period(
            contact.started_at, contact.started_at + timedelta(minutes=contact.duration_minutes)
        ),
        length={
            "value": contact.duration_minutes,
            "unit": "min",
            "system": "http://unitsofmeasure.org",
            "code": "min",
        },
    )


def case_encounter(contact, *, client) -> dict:
    return _resource(
        "Encounter",
        contact.public_id,
        status="finished",
        **{"class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"}},
        type=[
            _concept(
                f"case-{contact.kind}",
                f"Case management: {contact.get_kind_display()}",
                "contact-kind",
            )
        ],
        subject=ref("Patient", client.public_id),
        participant=[{"individual": {"display": str(contact.author)}}],
        period=_period(contact.occurred_at),
    )
