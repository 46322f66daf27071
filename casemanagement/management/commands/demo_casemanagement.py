"""Demo content for case management: Danny Okafor (from demo_care) in aftercare with a
full plan, providers, appointments, medications, assessments and open gaps. Safe to run
repeatedly: a plan that already has goals is left alone."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from casemanagement import services
from casemanagement.models import Assessment, CarePlan, PlanStatus
from continuum.people.models import Client
from continuum.tenancy.commands import organization_named
from continuum.tenancy.models import Membership
from continuum.tenancy.scoping import organization_scope

CLIENT_EMAIL = "danny.okafor@demo.example.com"
CASE_MANAGER_EMAIL = "casemanager@demo.example.com"

GOALS = [
    (
        "recovery",
        "Stay abstinent from alcohol and benzodiazepines",
        "Days abstinent (BAM use = 0)",
        [
            ("Attend IOP three evenings a week", "client", 14),
            ("Find a home AA group and a sponsor", "client", 21),
        ],
    ),
    (
        "mental_health",
        "Manage anxiety without benzodiazepines",
        "GAD-7 under 10",
        [("Book a psychiatry intake", "case_manager", 7)],
    ),
    (
        "housing",
        "Move into sober living",
        "Lease signed",
        [("Tour two sober-living houses", "client", 10)],
    ),
    (
        "employment_education",
        "Return to work part-time",
        "20 hours a week",
        [("Update résumé with the vocational counselor", "client", 30)],
    ),
    (
        "life_skills",
        "Build a weekly budget",
        "Budget kept for 4 weeks",
        [("Budgeting session with the case manager", "case_manager", 12)],
    ),
]

# (days ago, PHQ-9 answers q1..q9, GAD-7 answers q1..q7)
SCORES = [
    (60, [2, 2, 2, 2, 1, 2, 2, 1, 0], [3, 2, 3, 2, 2, 2, 2]),
    (30, [1, 2, 1, 2, 1, 1, 1, 0, 0], [2, 2, 2, 2, 1, 2, 1]),
    (2, [1, 1, 2, 2, 1, 1, 1, 1, 0], [2, 2, 2, 2, 2, 2, 2]),
]


PROVIDERS = [
    {
        "kind": "iop_php",
        "name": "Evening IOP",
        "practice": "Bayside Outpatient Clinic",
        "phone": "617-555-0140",
        "address": "40 Harbor St, Cambridge",
    },
    {
        "kind": "primary_care",
        "name": "Dr. Priya Shah",
        "practice": "Inman Family Medicine",
        "phone": "617-555-0177",
    },
    {"kind": "sober_living", "name": "Maple House", "phone": "617-555-0102"},
]
IOP_VISIT = {"location": "40 Harbor St, Cambridge", "transport": "public_transit"}
PCP_VISIT = {"location": "Inman Family Medicine"}

NALTREXONE = {"name": "Naltrexone", "dose": "50 mg", "schedule": "once daily", "is_moud": True}
HYDROXYZINE = {
    "name": "Hydroxyzine",
    "dose": "25 mg",
    "schedule": "as needed for anxiety, up to 3 times a day",
}

CONTACTS = [
    ("emotional_support", "Check-in call after a hard weekend; reviewed coping plan."),
    ("life_skills", "Opened a bank account together."),
]


class Command(BaseCommand):
    help = "Add a demo aftercare client with a full case-management record. Idempotent."

    def handle(self, *args, **options):
        organization = organization_named(missing="Run demo_setup and demo_care first.")
        with organization_scope(organization):
            client = Client.objects.filter(email=CLIENT_EMAIL).first()
            manager = (
                Membership.objects.filter(organization=organization, user__email=CASE_MANAGER_EMAIL)
                .select_related("user")
                .first()
            )
            if client is None or manager is None:
                raise CommandError("Run demo_care first: the demo aftercare client is missing.")
            with transaction.atomic():
                plan = services.careplan_open(
                    actor=manager.user,
                    client=client,
                    case_manager=manager,
                    recommendations=(
                        "IOP three evenings a week for 8 weeks; psychiatry for anxiety; "
                        "sober living; weekly case management."
                    ),
                )
                plan = CarePlan.objects.get(pk=plan.pk, status=PlanStatus.ACTIVE)
                if not plan.goals.exists():
                    self._fill(plan, client, manager)
            counts = services.gaps_scan(organization=organization)
            services.reminders_scan(organization=organization)
        self.stdout.write(
            self.style.SUCCESS(f"Case management demo ready: {counts['found']} open gaps in care.")
        )

    def _fill(self, plan, client, manager) -> None:
        actor = manager.user
        today = timezone.localdate()
        now = timezone.now()
        for domain, title, measure, steps in GOALS:
            goal = services.goal_add(
                actor=actor, plan=plan, domain=domain, title=title, measure=measure
            )
            for description, owner, days in steps:
                services.step_add(
                    actor=actor,
                    goal=goal,
                    description=description,
                    owner=owner,
                    due_on=today + timedelta(days=days),
                )
        services.progress_note_add(
            actor=actor,
            goal=plan.goals.get(domain="recovery"),
            body="Attended 3 of 3 IOP groups this week; reports strong cravings on Fridays.",
        )
        iop, pcp, _ = [
            services.provider_add(actor=actor, client=client, **fields) for fields in PROVIDERS
        ]
        accompanied = {"transport": "case_manager", "accompanied_by": manager}
        # Each visit with its length in minutes; the last one was missed.
        visits = [
            (iop, "iop", now + timedelta(days=1, hours=2), 180, IOP_VISIT),
            (pcp, "outpatient", now + timedelta(days=4), 30, {**PCP_VISIT, **accompanied}),
            (pcp, "outpatient", now - timedelta(days=6), 30, PCP_VISIT),
        ]
        for provider, visit_type, starts_at, minutes, details in visits:
            fields = {"provider": provider, "visit_type": visit_type, "starts_at": starts_at}
            appointment = services.appointment_schedule(
                actor=actor,
                client=client,
                ends_at=starts_at + timedelta(minutes=minutes),
                **fields,
                **details,
            )
        services.appointment_set_status(actor=actor, appointment=appointment, status="missed")
        # With the number of days from today until each refill is due.
        for fields, refill_in_days in ((NALTREXONE, -2), ({**HYDROXYZINE, "prescriber": pcp}, 12)):
            services.medication_add(
                actor=actor,
                client=client,
                started_on=today - timedelta(days=20),
                refill_due_on=today + timedelta(days=refill_in_days),
                **fields,
            )
        for days_ago, phq9, gad7 in SCORES:
            for code, values in (("phq9", phq9), ("gad7", gad7)):
                assessment = services.assessment_record(
                    actor=actor,
                    client=client,
                    instrument=code,
                    source="staff",
                    answers={f"q{n}": v for n, v in enumerate(values, start=1)},
                )
                # Demo history: the answers were given on earlier days.
                Assessment.objects.filter(pk=assessment.pk).update(
                    completed_at=now - timedelta(days=days_ago)
                )
        bam = {
            "q1": 2,
            "q2": 2,
            "q3": 2,
            "q4": 1,
            "q5": 0,
            "q6": 0,
            "q8": 3,
            "q9": 2,
            "q10": 3,
            "q11": 2,
            "q12": 1,
            "q13": 0,
            "q14": 0,
            "q15": 2,
            "q16": 3,
            "q17": 2,
        }
        services.assessment_record(
            actor=actor, client=client, instrument="bam", answers=bam, source="staff"
        )
        for kind, summary in CONTACTS:
            services.contact_record(actor=actor, client=client, kind=kind, summary=summary)
