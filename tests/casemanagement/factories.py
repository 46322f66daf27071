"""Case-management objects for tests: each belongs to its client's (or plan's, or goal's)
organization, so a test sets up exactly the state it needs."""

from datetime import timedelta

import factory
from django.utils import timezone

from casemanagement.models import (
    Appointment,
    CarePlan,
    Goal,
    GoalStep,
    Medication,
    Provider,
    QuestionnaireAssignment,
)
from tests.factories import MembershipFactory, TenantFactory
from tests.people.factories import ClientRecordFactory


class CarePlanFactory(ClientRecordFactory):
    class Meta:
        model = CarePlan

    next_review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class GoalFactory(TenantFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(CarePlanFactory)
    organization = factory.SelfAttribute("plan.organization")
    domain = "housing"
    title = "Move into sober living"


class GoalStepFactory(TenantFactory):
    class Meta:
        model = GoalStep

    goal = factory.SubFactory(GoalFactory)
    organization = factory.SelfAttribute("goal.organization")
    description = "Visit two sober-living houses"
    owner = "client"


class ProviderFactory(ClientRecordFactory):
    class Meta:
        model = Provider

    kind = "therapist"
    name = "Dana Ortiz, LCSW"


class AppointmentFactory(ClientRecordFactory):
    """An hour-long outpatient visit two days from now."""

    class Meta:
        model = Appointment

    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(hours=1))
    visit_type = "outpatient"
    location = "12 Main St"


class MedicationFactory(ClientRecordFactory):
    class Meta:
        model = Medication

    name = "Buprenorphine/naloxone"
    dose = "8 mg/2 mg"
    schedule = "once daily"
    # Taken for a fortnight already: a start on "today" would depend on whose today.
    started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=14))


class QuestionnaireAssignmentFactory(ClientRecordFactory):
    """An open PHQ-9 asked by a case manager of the client's organization, due in a week."""

    class Meta:
        model = QuestionnaireAssignment

    instrument = "phq9"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    assigned_by = factory.SubFactory(
        MembershipFactory,
        organization=factory.SelfAttribute("..organization"),
        roles=["case_manager"],
    )
