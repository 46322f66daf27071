"""Demo intervention cases in the `demo` organization: one that ends in admission, one
that ends in the family's response plan, and one urgent request waiting for triage.
Running it again changes nothing."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from continuum.tenancy.commands import members_by_email, organization_named
from continuum.tenancy.scoping import organization_scope
from interventions import services
from interventions.models import (
    EducationSession,
    Intervention,
    InterventionRequest,
    Participant,
)

BASE = {
    "requester_phone": "+1 555 0142",
    "preferred_contact_times": "Weekday evenings after 6",
    "consent_to_contact": True,
}

ACCEPTED_CASE = {
    **BASE,
    "requester_first_name": "Fran",
    "requester_last_name": "Family",
    "requester_email": "family@demo.example.com",
    "relationship": "parent",
    "loved_one_first_name": "Jordan",
    "loved_one_last_name": "Ellis",
    "loved_one_age": 29,
    "substances": "alcohol, oxycodone",
    "duration": "Five years, much worse since his divorce last spring",
    "prior_treatment": "Outpatient counselling in 2022; stopped after six weeks.",
    "recent_events": "Arrested for driving under the influence in May; missed work for a week.",
    "others_involved": "His sister Priya, his best friend Marcus, his manager at the shop.",
    "urgency": "this_week",
    "insurance": "Blue Cross PPO (through his employer)",
}

DECLINED_CASE = {
    **BASE,
    "requester_first_name": "Dana",
    "requester_last_name": "Bell",
    "requester_email": "dana.bell@demo.example.com",
    "relationship": "spouse_partner",
    "loved_one_first_name": "Marcus",
    "loved_one_last_name": "Bell",
    "loved_one_age": 44,
    "substances": "methamphetamine",
    "duration": "About two years",
    "prior_treatment": "None.",
    "recent_events": "Lost his contracting license; up for days at a time.",
    "others_involved": "His brother Theo and our pastor.",
    "urgency": "this_month",
    "insurance": "Self-pay",
}

URGENT_REQUEST = {
    **BASE,
    "requester_first_name": "Luis",
    "requester_last_name": "Moreno",
    "requester_email": "luis.moreno@demo.example.com",
    "relationship": "parent",
    "loved_one_first_name": "Tess",
    "loved_one_last_name": "Moreno",
    "loved_one_age": 22,
    "substances": "fentanyl",
    "duration": "About a year",
    "recent_events": "Found unresponsive on Saturday; revived with naloxone.",
    "danger_signs": ["overdose"],
    "urgency": "this_week",
}


class Command(BaseCommand):
    help = "Create the demo intervention cases. Safe to run repeatedly."

    @transaction.atomic
    def handle(self, *args, **options):
        organization = organization_named()
        with organization_scope(organization):
            staff = {email.split("@")[0]: m for email, m in members_by_email(organization).items()}
            if "interventionist" not in staff or "intake" not in staff:
                raise CommandError("Run demo_setup first: the demo staff are missing.")
            made = 0
            for case, build in (
                (ACCEPTED_CASE, self.accepted),
                (DECLINED_CASE, self.declined),
                (URGENT_REQUEST, None),
            ):
                if InterventionRequest.objects.filter(
                    organization=organization,
                    client__first_name=case["loved_one_first_name"],
                    client__last_name=case["loved_one_last_name"],
                ).exists():
                    continue
                request, _ = services.request_submit(organization=organization, **case)
                if build is not None:
                    build(request, staff)
                made += 1
        self.stdout.write(self.style.SUCCESS(f"Demo interventions ready ({made} new cases)."))

    def _plan(self, request, staff, *, model: str):
        intake, lead = staff["intake"].user, staff["interventionist"]
        services.request_record_contact(actor=intake, request=request)
        intervention = services.request_accept(
            actor=intake, request=request, interventionist=lead, note="Family ready to plan."
        )
        actor = lead.user
        client = request.client.first_name
        # Who writes and to which intervention: the same for each step of the plan.
        case = {"actor": actor, "intervention": intervention}
        services.intervention_intake_update(
            **case,
            addiction_nature=f"{client} drinks or uses daily and hides it; tolerance is rising.",
            family_impact="Arguments at every family dinner; the family is exhausted and afraid.",
            history="One short attempt at outpatient care; no medically managed withdrawal.",
            risks="Withdrawal risk: plan for medical detox on admission. No weapons at home.",
        )
        services.intervention_plan_update(
            **case,
            model=model,
            scheduled_at=timezone.now() + timedelta(days=2),
            location="The family home, living room",
        )
        services.agenda_set(
            **case,
            items=[
                ("Welcome and purpose, by the interventionist", 5),
                ("Letters, in speaking order", 30),
                ("The offer of treatment: the bed is ready today", 10),
                ("Answers to objections", 10),
                ("Departure with the escort", 5),
            ],
        )
        for order, (name, email, role, relationship) in enumerate(
            [
                ("Priya Ellis", "priya.ellis@demo.example.com", "family", "Sister"),
                ("Marcus Hale", "", "friend", "Best friend"),
                ("Gail Porter", "", "employer", "Shop manager"),
            ],
            2,
        ):
            services.participant_add(
                **case,
                name=name,
                email=email,
                role=role,
                relationship=relationship,
                speaking_order=order,
            )
        Participant.objects.filter(
            intervention=intervention, family_member=request.requester
        ).update(speaking_order=1, rsvp="yes")
        priya = Participant.objects.get(intervention=intervention, name="Priya Ellis")
        services.participant_invite_to_portal(actor=actor, participant=priya)
        session = services.session_schedule(
            **case,
            kind="education",
            starts_at=timezone.now() + timedelta(days=1),
            topics="Addiction as an illness; what to expect on the day; writing your letter.",
            materials="Family guide, chapters 1-3; sample letters.",
        )
        # The education meeting has been held: show it in the past, attended by all.
        EducationSession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - timedelta(days=3)
        )
        session.attendees.set(Participant.objects.filter(intervention=intervention))
        services.intervention_treatment_update(
            **case,
            program_name="Harbor Light Residential",
            bed_hold_date=timezone.localdate(),
            insurance_verification="verified",
            admission_contact="Dr. Lena Reyes, admissions, +1 555 0170",
        )
        services.intervention_transport_update(
            **case,
            transport_provider="SafeRide Recovery Transport",
            pickup_at=timezone.now() + timedelta(days=2, hours=2),
            pickup_place="The family home",
            escort="Jim Alvarez (certified escort)",
        )
        letter = services.letter_save(
            actor=request.requester.portal_user,
            participant=Participant.objects.get(
                intervention=intervention, family_member=request.requester
            ),
            body=(
                f"{client}, I remember teaching you to ride a bike on Elm Street. You were "
                "fearless. Lately I have watched you miss your daughter's games and I am "
                "scared for you. I love you, and I am asking you to accept help today."
            ),
            submit=True,
        )
        services.letter_review(actor=actor, letter=letter, approve=True)
        return intervention

    def _held(self, intervention):
        """The day has taken place: show it yesterday, so its outcome is on time."""
        intervention.scheduled_at = timezone.now() - timedelta(days=1)
        Intervention.objects.filter(pk=intervention.pk).update(
            scheduled_at=intervention.scheduled_at
        )
        return intervention

    def accepted(self, request, staff):
        intervention = self._held(self._plan(request, staff, model="johnson"))
        services.outcome_record(
            actor=staff["interventionist"].user,
            intervention=intervention,
            outcome="accepted",
            notes="Agreed after the third letter; left with the escort at 11:40.",
        )
        for mood, stress, note in ((1, 2, "A hard week."), (3, 4, "")):
            services.family_checkin_record(
                actor=request.requester.portal_user,
                family_member=request.requester,
                mood=mood,
                stress=stress,
                note=note,
            )

    def declined(self, request, staff):
        intervention = self._held(self._plan(request, staff, model="arise"))
        case = {"actor": staff["interventionist"].user, "intervention": intervention}
        services.outcome_record(
            **case,
            outcome="declined",
            notes="Listened to every letter, then left. Said he would think about it.",
        )
        services.response_plan_save(
            **case,
            boundaries="No money or paid bills. No using in the house. We stop covering at work.",
            consequences="If he uses at home, he stays with his brother until he enters care.",
            responsibilities="Dana: weekly check-in call. Theo: rides only to treatment.",
            next_checkin_on=timezone.localdate() + timedelta(days=7),
            support_resources="Nar-Anon, Thursdays 7 pm at St. Mark's; CRAFT group online.",
            share=True,
        )
