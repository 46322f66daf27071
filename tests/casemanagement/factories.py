"""Case-management objects for tests and the isolation matrix. Built through the models
directly so a test sets up exactly the state it needs."""

from datetime import timedelta

from django.utils import timezone

from casemanagement.models import (
    Appointment,
    CarePlan,
    Goal,
    GoalStep,
    Medication,
    Provider,
)
from tests.people.factories import ClientFactory


def plan_for(client, *, case_manager=None, **values) -> CarePlan:
    values.setdefault("next_review_on", timezone.localdate() + timedelta(days=30))
    return CarePlan.objects.create(
        organization=client.organization, client=client, case_manager=case_manager, **values
    )


def goal_for(plan, **values) -> Goal:
    values.setdefault("domain", "housing")
    values.setdefault("title", "Move into sober living")
    return Goal.objects.create(organization=plan.organization, plan=plan, **values)


def step_for(goal, **values) -> GoalStep:
    values.setdefault("description", "Visit two sober-living houses")
    values.setdefault("owner", "client")
    return GoalStep.objects.create(organization=goal.organization, goal=goal, **values)


def provider_for(client, **values) -> Provider:
    values.setdefault("kind", "therapist")
    values.setdefault("name", "Dana Ortiz, LCSW")
    return Provider.objects.create(organization=client.organization, client=client, **values)


def appointment_for(client, **values) -> Appointment:
    start = values.pop("starts_at", timezone.now() + timedelta(days=2))
    values.setdefault("visit_type", "outpatient")
    values.setdefault("location", "12 Main St")
    return Appointment.objects.create(
        organization=client.organization,
        client=client,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        **values,
    )


def medication_for(client, **values) -> Medication:
    values.setdefault("name", "Buprenorphine/naloxone")
    values.setdefault("dose", "8 mg/2 mg")
    values.setdefault("schedule", "once daily")
    return Medication.objects.create(organization=client.organization, client=client, **values)


# --- the isolation matrix ---------------------------------------------------------------


def goal_for_matrix(org):
    return goal_for(plan_for(ClientFactory(organization=org)))


def step_for_matrix(org):
    return step_for(goal_for_matrix(org))


def appointment_for_matrix(org):
    return appointment_for(ClientFactory(organization=org))


def medication_for_matrix(org):
    return medication_for(ClientFactory(organization=org))
