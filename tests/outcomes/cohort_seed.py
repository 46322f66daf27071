"""A discharge cohort with chosen answers, for the cohort page's tests: 40 clients
discharged to aftercare in July 2026 (quarter 3), seen on 20 November 2026.

Client i (0-39), discharged on July 1 + (i mod 31):
- 30-day follow-up answered by i < 28 (12 not reached). Of those 28:
  no use (abstinent) for i < 11; back in treatment nobody; an emergency-room visit for
  11 <= i < 21; stable housing for i < 25; work or school for i < 20; BARC-10 40 for
  even i, 44 for odd i.
- 90-day follow-up answered by i < 26 and by 28 <= i < 33 (31 answered, 9 not reached).
  No use for i < 11 and 28 <= i < 32 (15); of the 17 with use at 30 days (11 <= i < 28),
  those answering at 90 with use at baseline are 11 <= i < 26 (15): fewer days for
  11 <= i < 23 (12). BARC-10 at 90 days: the 30-day total + 4 (even i) or + 6 (odd i);
  50 for the five with no 30-day answer.
- Case management: an attended outpatient visit 3 days after discharge for i < 22, 20
  days after for 22 <= i < 28; an OUD medication from the day after discharge for
  i < 13, supplied for 200 days (i < 11) or 14 days (11, 12).
- Interventions: Johnson-style for i < 15 (accepted i < 12, declined 12-14), ARISE
  accepted for 15 <= i < 19; admitted i + 1 days after the family's request.
- Residential program "Harbor House" for even i, "Lakeside" for odd i; a coaching
  engagement (active) for i < 20.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from casemanagement.models import AppointmentStatus, MedicationFill
from coaching.models import EngagementStatus
from continuum.care.models import Phase
from interventions.models import InterventionOutcome, Outcome
from outcomes.models import FollowUpStatus, Housing, Method, WorkSchool
from tests.care.factories import EpisodeFactory, PhaseTransitionFactory
from tests.casemanagement.factories import AppointmentFactory, MedicationFactory
from tests.coaching.factories import EngagementFactory
from tests.interventions.factories import InterventionFactory
from tests.people.factories import ClientFactory

from .factories import FollowUpFactory

TODAY = "2026-11-20T17:00:00Z"
COHORT_SIZE = 40


def _days(use: int) -> dict:
    return {
        "alcohol": use,
        "cannabis": 0,
        "opioids": 0,
        "stimulants": 0,
        "sedatives": 0,
        "other_drugs": 0,
    }


def _answered(episode, offset, *, use, emergency, housing, work, barc):
    discharge = episode.discharge_date
    return FollowUpFactory(
        episode=episode,
        offset_days=offset,
        due_on=discharge + timedelta(days=offset),
        status=FollowUpStatus.COMPLETED,
        completed_at=timezone.make_aware(
            datetime.combine(discharge + timedelta(days=offset + 1), datetime.min.time())
        ),
        link_nonce="",
        method=Method.LINK,
        days_of_use=_days(use),
        returned_to_treatment=False,
        emergency_care=emergency,
        housing=housing,
        work_school=work,
        legal_trouble=False,
        quality_of_life=4,
        barc10_answers={f"q{n}": 4 for n in range(1, 11)},
        barc10_total=barc,
    )


def seed_client(org, i: int, *, recorder, extra: bool = False):
    """Client i of the cohort, with everything each line records (see the module)."""
    client = ClientFactory(organization=org)
    discharge = date(2026, 7, 1) + timedelta(days=i % 31)
    episode = EpisodeFactory(
        client=client,
        phase=Phase.AFTERCARE,
        admission_date=discharge - timedelta(days=30),
        discharge_date=discharge,
        residential_program="Harbor House" if i % 2 == 0 else "Lakeside",
    )
    PhaseTransitionFactory(episode=episode, from_phase=Phase.RESIDENTIAL, to_phase=Phase.AFTERCARE)
    barc30 = 40 if i % 2 == 0 else 44
    if i < 28:
        _answered(
            episode,
            30,
            use=0 if i < 11 else 6,
            emergency=11 <= i < 21,
            housing=Housing.OWN if i < 25 else Housing.UNSTABLE,
            work=WorkSchool.PART_TIME if i < 20 else WorkSchool.LOOKING,
            barc=barc30,
        )
    if i < 26 or 28 <= i < 33:
        no_use = i < 11 or 28 <= i < 32
        _answered(
            episode,
            90,
            use=0 if no_use else (3 if i < 23 else 8),
            emergency=False,
            housing=Housing.FAMILY,
            work=WorkSchool.FULL_TIME,
            barc=(barc30 + (4 if i % 2 == 0 else 6)) if i < 28 else 50,
        )
    if i < 28:
        AppointmentFactory(
            client=client,
            status=AppointmentStatus.ATTENDED,
            starts_at=timezone.make_aware(
                datetime.combine(
                    discharge + timedelta(days=3 if i < 22 else 20), datetime.min.time()
                )
                + timedelta(hours=10)
            ),
        )
    if i < 13:
        medication = MedicationFactory(
            client=client, name="Buprenorphine", is_moud=True, started_on=discharge
        )
        MedicationFill.objects.create(
            organization=org,
            medication=medication,
            filled_on=discharge + timedelta(days=1),
            next_refill_due_on=discharge + timedelta(days=201 if i < 11 else 15),
            recorded_by=recorder,
        )
    if i < 19:
        intervention = InterventionFactory(
            organization=org,
            request__client=client,
            request__episode=episode,
            model="johnson" if i < 15 else "arise",
            outcome=Outcome.DECLINED if 12 <= i < 15 else Outcome.ACCEPTED,
        )
        admitted = episode.admission_date
        requested = timezone.make_aware(
            datetime.combine(admitted - timedelta(days=i + 1), datetime.min.time())
            + timedelta(hours=12)
        )
        type(intervention.request).objects.filter(pk=intervention.request.pk).update(
            submitted_at=requested
        )
        InterventionOutcome.objects.create(
            organization=org,
            intervention=intervention,
            outcome=intervention.outcome,
            recorded_by=recorder,
            admission_date=admitted if intervention.outcome == Outcome.ACCEPTED else None,
        )
    if i < 20:
        EngagementFactory(
            organization=org, client=client, episode=episode, status=EngagementStatus.ACTIVE
        )
    return episode


def seed_cohort(org, *, recorder, size: int = COHORT_SIZE) -> list:
    return [seed_client(org, i, recorder=recorder) for i in range(size)]
