"""Demo content for follow-up after discharge: Danny Okafor (from demo_care, in aftercare)
has agreed to follow-up contact, recorded by his case manager, so his schedule from the
discharge date is on his follow-up page. A cohort of 36 past clients discharged to
aftercare in the latest complete quarter (and 24 in the one before), with their follow-up answers, gives the
cohort page ("What the center learns") real figures; some cells are small and show as
hidden. Safe to run repeatedly."""

import random
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from continuum.care.models import CareEpisode, Phase, PhaseTransition
from continuum.people.models import Client
from continuum.tenancy.commands import organization_named
from continuum.tenancy.models import Membership
from continuum.tenancy.scoping import organization_scope
from outcomes import services
from outcomes.cohort import latest_complete_quarter
from outcomes.models import (
    AgreementSource,
    FollowUp,
    FollowUpAgreement,
    FollowUpStatus,
    Housing,
    Method,
    WorkSchool,
)

CLIENT_EMAIL = "danny.okafor@demo.example.com"
CASE_MANAGER_EMAIL = "casemanager@demo.example.com"


class Command(BaseCommand):
    help = "Record the demo aftercare client's agreement to follow-up contact. Idempotent."

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
            made = demo_cohort(organization=organization, recorder=manager.user)
            if services.has_agreed(client=client):
                self.stdout.write("Follow-up demo already in place.")
                return
            services.agreement_record(
                actor=manager.user, client=client, agreed=True, source=AgreementSource.STAFF
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Follow-up demo: Danny Okafor agreed to follow-up contact; {made} past "
                "clients in the outcomes cohort."
            )
        )


COHORT, EARLIER = 36, 24
COHORT_EMAIL = "past-client-{n:02d}@demo.example.com"
# Names the story's people do not have, so no past client is taken for one of them.
FIRST = ["Bea", "Cal", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lu", "Noor"]
LAST = ["Nash", "Ortiz", "Price", "Quinn", "Reyes", "Sato"]
PROGRAMS = ["Harbor House", "Harbor House", "Lakeside Residential"]


@transaction.atomic
def demo_cohort(*, organization, recorder) -> int:
    """Past clients discharged to aftercare in the latest complete quarter, agreed to
    follow-up, with the follow-ups whose day has come answered or not reached; the
    answers drawn from a fixed seed, so every run makes the same cohort. Returns how many
    clients it made (0 when they are there already)."""
    if Client.objects.filter(email=COHORT_EMAIL.format(n=0)).exists():
        return 0
    draw = random.Random(2026)  # noqa: S311 (demo answers, not secrets)
    today = timezone.localdate()
    latest = latest_complete_quarter(today)
    # The quarter before too: early in a quarter, the latest one's follow-ups are not due.
    earlier = latest_complete_quarter(latest.start)
    settings = services.outcomes_settings_for(organization=organization)
    planned = [(latest, n, COHORT) for n in range(COHORT)]
    planned += [(earlier, n, EARLIER) for n in range(EARLIER)]
    for number, (quarter, n, size) in enumerate(planned):
        span = (quarter.end - quarter.start).days
        client = Client.objects.create(
            organization=organization,
            first_name=FIRST[number % len(FIRST)],
            last_name=LAST[number % len(LAST)],
            email=COHORT_EMAIL.format(n=number),
        )
        discharged = quarter.start + timedelta(days=(n * span) // size)
        episode = CareEpisode.objects.create(
            organization=organization,
            client=client,
            phase=Phase.AFTERCARE,
            opened_at=_moment(discharged - timedelta(days=45)),
            admission_date=discharged - timedelta(days=30),
            discharge_date=discharged,
            residential_program=PROGRAMS[number % len(PROGRAMS)],
            phase_changed_at=_moment(discharged),
        )
        PhaseTransition.objects.create(
            organization=organization,
            episode=episode,
            from_phase=Phase.RESIDENTIAL,
            to_phase=Phase.AFTERCARE,
            actor=recorder,
            at=_moment(discharged),
        )
        FollowUpAgreement.objects.create(
            organization=organization,
            client=client,
            agreed=True,
            source=AgreementSource.STAFF,
            recorded_by=recorder,
            recorded_at=_moment(discharged),
        )
        barc = draw.randint(28, 44)
        for offset in settings.offsets_days:
            due = discharged + timedelta(days=offset)
            closes = due + timedelta(days=settings.expire_after_days)
            if closes >= today:
                FollowUp.objects.create(
                    organization=organization,
                    client=client,
                    episode=episode,
                    offset_days=offset,
                    due_on=due,
                )
                continue
            follow_up = FollowUp(
                organization=organization,
                client=client,
                episode=episode,
                offset_days=offset,
                due_on=due,
                sent_at=_moment(due),
                expires_at=_moment(closes),
                status=FollowUpStatus.UNREACHED,
            )
            if draw.random() < 0.72:
                barc = min(60, barc + draw.randint(-2, 7))
                using = draw.random() < 0.35
                follow_up.status = FollowUpStatus.COMPLETED
                follow_up.completed_at = _moment(due + timedelta(days=draw.randint(0, 6)))
                follow_up.method = Method.LINK if draw.random() < 0.8 else Method.PHONE
                follow_up.days_of_use = {
                    "alcohol": draw.randint(1, 8) if using else 0,
                    "cannabis": 0,
                    "opioids": draw.randint(0, 3) if using else 0,
                    "stimulants": 0,
                    "sedatives": 0,
                    "other_drugs": 0,
                }
                follow_up.returned_to_treatment = draw.random() < 0.1
                follow_up.emergency_care = draw.random() < 0.12
                follow_up.legal_trouble = False
                follow_up.housing = draw.choice(
                    [
                        Housing.OWN,
                        Housing.FAMILY,
                        Housing.RECOVERY,
                        Housing.RECOVERY,
                        Housing.UNSTABLE,
                    ]
                )
                follow_up.work_school = draw.choice(
                    [
                        WorkSchool.FULL_TIME,
                        WorkSchool.PART_TIME,
                        WorkSchool.SCHOOL,
                        WorkSchool.LOOKING,
                    ]
                )
                follow_up.quality_of_life = draw.randint(3, 5)
                answers = _barc_answers(barc)
                follow_up.barc10_answers = answers
                follow_up.barc10_total = sum(answers.values())
            follow_up.save()
    return len(planned)


def _moment(day):
    return timezone.make_aware(datetime.combine(day, time(10)))


def _barc_answers(total: int) -> dict:
    """Ten answers of 1-6 adding up to `total` (10-60), spread evenly."""
    base, extra = divmod(total, 10)
    return {f"q{n}": base + (1 if n <= extra else 0) for n in range(1, 11)}
