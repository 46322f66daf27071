"""Case management's records as HL7 FHIR R4 resources — CarePlan and Goal,
Appointment, MedicationStatement, QuestionnaireResponse and its score Observation,
Encounter for case contacts — the reads behind them, and the parts of the Patient export
bundle they make. Registered with the FHIR core in `extensions.py`
(continuum.fhir.resources). Pure mapping over prefetched objects, as in
continuum.fhir.mapping."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from continuum.fhir.mapping import (
    LOINC,
    OBSERVATION_CATEGORY,
    concept,
    contact_encounter,
    day,
    instant,
    period,
    ref,
    resource,
    staff_name,
)
from continuum.fhir.resources import ExportPart

from . import selectors
from .instruments import INSTRUMENTS
from .models import PROVIDER_CONTACT_KINDS, Goal, GoalStep

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


GOAL_STATUS = {"active": "active", "achieved": "completed", "discontinued": "cancelled"}


STEP_STATUS = {
    "todo": "not-started",
    "in_progress": "in-progress",
    "done": "completed",
    "dropped": "cancelled",
}


def goal(item, *, client) -> dict:
    return resource(
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
        category=[concept(item.domain, item.get_domain_display(), "care-domain")],
        description={"text": item.title},
        subject=ref("Patient", client.public_id),
        startDate=day(item.created_at.date()),
        target=[{"measure": {"text": item.measure}}] if item.measure else None,
    )


def care_plan(plan, *, goals, steps) -> dict:
    return resource(
        "CarePlan",
        plan.public_id,
        status="active" if plan.status == "active" else "completed",
        intent="plan",
        title="Aftercare plan",
        description=plan.recommendations,
        subject=ref("Patient", plan.client.public_id),
        encounter=None,
        period=period(plan.opened_at),
        created=instant(plan.opened_at),
        author=(
            ref("Practitioner", plan.case_manager.public_id, staff_name(plan.case_manager))
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
                    "Practitioner", item.accompanied_by.public_id, staff_name(item.accompanied_by)
                ),
                "status": "accepted",
            }
        )
    return resource(
        "Appointment",
        item.public_id,
        status=APPOINTMENT_STATUS[item.status],
        serviceType=[concept(item.visit_type, item.get_visit_type_display(), "visit-type")],
        description=" · ".join(
            p
            for p in [
                str(item.get_visit_type_display()),
                item.provider.name if item.provider_id else "",
                item.location,
            ]
            if p
        ),
        start=instant(item.starts_at),
        end=instant(item.ends_at),
        created=instant(item.created_at),
        participant=participants,
    )


def medication_statement(item, *, today: date) -> dict:
    ended = item.ended_on is not None and item.ended_on <= today
    return resource(
        "MedicationStatement",
        item.public_id,
        status="completed" if ended else "active",
        category=(
            concept("moud", "Medication for addiction treatment", "medication-category")
            if item.is_moud
            else None
        ),
        medicationCodeableConcept={"text": item.name},
        subject=ref("Patient", item.client.public_id),
        effectivePeriod=period(item.started_on, item.ended_on),
        dateAsserted=instant(item.created_at),
        informationSource=({"display": item.prescriber.name} if item.prescriber_id else None),
        dosage=[{"text": f"{item.dose}, {item.schedule}"}],
    )


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
    return resource(
        "QuestionnaireResponse",
        item.public_id,
        questionnaire=(f"http://loinc.org/q/{codes['panel'][0]}" if codes else None),
        status="completed",
        subject=ref("Patient", item.client.public_id),
        authored=instant(item.completed_at),
        item=answers,
    )


def score_observation(item, *, instrument) -> dict:
    codes = INSTRUMENT_LOINC.get(item.instrument)
    if codes:
        code, display = codes["total"]
        code_concept = {
            "coding": [{"system": LOINC, "code": code, "display": display}],
            "text": f"{instrument.short_name} total score",
        }
    else:
        code_concept = concept(
            f"{item.instrument}-total", f"{instrument.short_name} total score", "instrument-score"
        )
    components = [
        {
            "code": concept(
                f"{item.instrument}-{name}", name.replace("_", " ").capitalize(), "instrument-score"
            ),
            "valueInteger": value,
        }
        for name, value in sorted((item.subscales or {}).items())
        if isinstance(value, int)
    ]
    return resource(
        "Observation",
        item.public_id,
        status="final",
        category=[
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        code=code_concept,
        subject=ref("Patient", item.client.public_id),
        effectiveDateTime=instant(item.completed_at),
        valueInteger=item.total,
        interpretation=[{"text": item.band}] if item.band else None,
        derivedFrom=[ref("QuestionnaireResponse", item.public_id)],
        component=components,
    )


def case_encounter(contact, *, client) -> dict:
    return contact_encounter(
        contact,
        client=client,
        act_class=("AMB", "ambulatory"),
        kind=f"case-{contact.kind}",
        label=f"Case management: {contact.get_kind_display()}",
        by=contact.author,
        span=period(contact.occurred_at),
    )


# --- reads and the export bundle --------------------------------------------------------


def care_plan_list_for(*, membership) -> QuerySet:
    return selectors.plan_list_for(membership=membership).prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("domain", "created_at", "id")),
        Prefetch("goals__steps", queryset=GoalStep.objects.select_related("goal").order_by("id")),
    )


def appointment_list_for(*, membership) -> QuerySet:
    return selectors.appointment_list_for(membership=membership)


def care_plan_read(plan) -> dict:
    return care_plan(
        plan,
        goals=list(plan.goals.all()),
        steps=[s for g in plan.goals.all() for s in g.steps.all()],
    )


def care_plans_section(*, membership, client, today) -> ExportPart:
    part = ExportPart([])
    for plan in care_plan_list_for(membership=membership).filter(client=client):
        goals = list(plan.goals.all())
        steps = [s for g in goals for s in g.steps.all()]
        part.resources.append(care_plan(plan, goals=goals, steps=steps))
        part.resources += [goal(g, client=client) for g in goals]
        if plan.case_manager_id:
            part.staff.append(plan.case_manager)
    return part


def appointments_section(*, membership, client, today) -> ExportPart:
    part = ExportPart([])
    for item in selectors.appointments_for(client=client).order_by("starts_at", "id"):
        part.resources.append(appointment(item))
        if item.accompanied_by_id:
            part.staff.append(item.accompanied_by)
    return part


def medications_section(*, membership, client, today) -> ExportPart:
    return ExportPart(
        [medication_statement(m, today=today) for m in selectors.medications_for(client=client)]
    )


def assessments_section(*, membership, client, today) -> ExportPart:
    part = ExportPart([])
    for item in selectors.assessments_for(client=client):
        instrument = INSTRUMENTS[item.instrument]
        part.resources.append(questionnaire_response(item, instrument=instrument))
        part.resources.append(score_observation(item, instrument=instrument))
    return part


def case_contacts_section(*, membership, client, today) -> ExportPart:
    return ExportPart(
        [
            case_encounter(c, client=client)
            for c in selectors.contacts_for(client=client)
            if c.kind not in PROVIDER_CONTACT_KINDS
        ]
    )
