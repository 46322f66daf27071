"""A fully populated aftercare client: every record kind the FHIR export maps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casemanagement import instruments
from casemanagement.models import Assessment, Contact
from coaching.models import Contact as CoachContact
from continuum.consent.models import InformationCategory
from continuum.people.models import Client
from continuum.tenancy.models import Membership, Role
from tests.care.factories import EpisodeFactory, PhaseTransitionFactory
from tests.casemanagement.factories import (
    AppointmentFactory,
    CarePlanFactory,
    GoalFactory,
    GoalStepFactory,
    MedicationFactory,
    ProviderFactory,
)
from tests.coaching.factories import EngagementFactory
from tests.consent.factories import ConsentFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory, FamilyMemberFactory
from tests.referrals.factories import ListingFactory, ReferralFactory

RECIPIENT = "Bayside Outpatient Clinic"
ALL_CATEGORIES = [
    InformationCategory.CONTACT,
    InformationCategory.STATUS,
    InformationCategory.TREATMENT_PLAN,
    InformationCategory.APPOINTMENTS,
    InformationCategory.MEDICATIONS,
    InformationCategory.ASSESSMENTS,
    InformationCategory.ATTENDANCE,
]


def _assessment(client, code, author, **extra):
    instrument = instruments.INSTRUMENTS[code]
    answers = {item.key: item.choices[1].value for item in instrument.items}
    result = instruments.score(code, answers, **extra)
    return Assessment.objects.create(
        organization=client.organization,
        client=client,
        instrument=code,
        answers=answers,
        total=result.total,
        band=result.band,
        subscales=result.subscales,
        source="staff",
        entered_by=author,
        **extra,
    )


def populate(org, members) -> Client:
    now = timezone.now()
    case_manager = Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])
    coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
    client = ClientFactory(
        organization=org,
        first_name="Jordan",
        last_name="Reyes",
        preferred_name="Jo",
        date_of_birth=now.date().replace(year=1990),
        email="jordan@example.com",
        phone="+1 305 555 0101",
        zip_code="33139",
        primary_substances=[],
    )
    FamilyMemberFactory(
        organization=org,
        related_to=client,
        first_name="Ana",
        last_name="Reyes",
        email="ana@example.com",
    )
    for membership, role in [(case_manager, Role.CASE_MANAGER), (coach, Role.SOBER_COACH)]:
        CareTeamMemberFactory(organization=org, client=client, membership=membership, role=role)
    episode = EpisodeFactory(
        organization=org, client=client, phase="aftercare", opened_at=now - timedelta(days=60)
    )
    for days, (before, after) in zip(
        (60, 45, 30, 5),
        [
            ("", "inquiry"),
            ("inquiry", "pre_treatment"),
            ("pre_treatment", "residential"),
            ("residential", "aftercare"),
        ],
        strict=True,
    ):
        PhaseTransitionFactory(
            organization=org,
            episode=episode,
            from_phase=before,
            to_phase=after,
            at=now - timedelta(days=days),
        )
    plan = CarePlanFactory(
        client=client,
        case_manager=case_manager,
        episode=episode,
        recommendations="IOP three times a week; weekly therapy.",
    )
    goal = GoalFactory(plan=plan, measure="Signed lease")
    GoalStepFactory(
        organization=org,
        goal=goal,
        description="Tour two houses",
        owner="client",
        due_on=now.date() + timedelta(days=7),
    )
    GoalFactory(
        plan=plan, domain="recovery", title="Attend four meetings a week", status="achieved"
    )
    therapist = ProviderFactory(client=client)
    AppointmentFactory(client=client, provider=therapist, accompanied_by=case_manager)
    AppointmentFactory(client=client, starts_at=now - timedelta(days=3), status="attended")
    MedicationFactory(client=client, prescriber=therapist, is_moud=True)
    MedicationFactory(client=client, name="Sertraline", dose="50 mg", ended_on=now.date())
    author = members[Role.CASE_MANAGER]
    _assessment(client, "phq9", author)
    _assessment(client, "gad7", author)
    _assessment(client, "auditc", author, sex="female")
    Contact.objects.create(
        organization=org,
        client=client,
        kind="client_contact",
        summary="Weekly check-in",
        author=author,
    )
    Contact.objects.create(
        organization=org,
        client=client,
        kind="call",
        provider=therapist,
        summary="Coordinated intake",
        author=author,
    )
    engagement = EngagementFactory(organization=org, client=client, coach=coach, episode=episode)
    CoachContact.objects.create(
        organization=org,
        engagement=engagement,
        kind="phone",
        started_at=now - timedelta(days=1),
        duration_minutes=30,
        logged_by=members[Role.SOBER_COACH],
    )
    listing = ListingFactory(
        organization=org, name="Bayside IOP", kind="iop_php", phone="+1 305 555 0199"
    )
    ReferralFactory(organization=org, listing=listing, client=client, note="Starts Monday")
    ConsentFactory(client=client, recipient_name=RECIPIENT, information_categories=ALL_CATEGORIES)
    return client


@pytest.fixture
def full_client(in_org, members):
    return populate(in_org, members)
