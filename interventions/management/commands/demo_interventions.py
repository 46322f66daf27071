"""The demo's intervention cases, dated relative to today, one function per family:

| family | loved one | where it stands |
|---|---|---|
| Fran Family (family login) | Jordan Ellis, her son | planning: letters in review, the second education meeting in two days, the intervention in six |
| Erik Lindqvist | Maya, his wife | held two weeks ago; Maya accepted and is in residential |
| Dana Bell | Marcus, her husband | declined three weeks ago; the family's response plan is shared |
| Luis Moreno | Tess, his daughter | an urgent request this morning, waiting for triage |

Each step runs through the interventions services on the day it happened
(`StoryClock.back_to`). A family whose loved one already has a request is left alone,
so running this again changes nothing."""

from continuum.care.models import Task, TaskStatus
from continuum.care.services import task_set_status
from continuum.people.services import care_team_add
from continuum.tenancy.commands import (
    Cast,
    StoryCommand,
    run_pending_handoffs,
)
from continuum.tenancy.models import Role
from interventions import services
from interventions.models import InterventionRequest, Letter, Participant

BASE = {
    "requester_phone": "+1 555 0142",
    "preferred_contact_times": "Weekday evenings after 6",
    "consent_to_contact": True,
}

JORDAN = {
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
    "recent_events": "Arrested for driving under the influence; missed work for a week.",
    "others_involved": "His sister Priya, his best friend Marcus, his manager at the shop.",
    "urgency": "this_month",
    "insurance": "Blue Cross PPO (through his employer)",
}

MAYA = {
    **BASE,
    "requester_first_name": "Erik",
    "requester_last_name": "Lindqvist",
    "requester_email": "erik.lindqvist@demo.example.com",
    "relationship": "spouse_partner",
    "loved_one_first_name": "Maya",
    "loved_one_last_name": "Lindqvist",
    "loved_one_age": 36,
    "substances": "opioids",
    "duration": "Three years, since a back surgery",
    "prior_treatment": "A week of detox in 2023.",
    "recent_events": "An overdose in the car last month; naloxone from a stranger.",
    "others_involved": "Her sister Annika; her father.",
    "urgency": "this_week",
    "insurance": "Aetna (through Erik's employer)",
}

MARCUS = {
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

TESS = {
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
    "recent_events": "Found unresponsive two days ago; revived with naloxone.",
    "danger_signs": ["overdose"],
    "urgency": "this_week",
}

AGENDA = [
    ("Welcome and purpose, by the interventionist", 5),
    ("Letters, in speaking order", 30),
    ("The offer of treatment: the bed is ready today", 10),
    ("Answers to objections", 10),
    ("Departure with the escort", 5),
]


def _request(cast: Cast, case: dict, *, on: int, hour: int = 20):
    """The family's request, sent from the public page `on` days from today; None when
    this loved one already has one."""
    if InterventionRequest.objects.filter(
        client__first_name=case["loved_one_first_name"],
        client__last_name=case["loved_one_last_name"],
    ).exists():
        return None
    with cast.clock.back_to(cast.clock.at(on, hour, 10)):
        request, _merged = services.request_submit(organization=cast.organization, **case)
        run_pending_handoffs(cast.organization)
    return request


def _accept(cast: Cast, request, *, on: int):
    """Intake calls the family back the next morning and hands the case to Ivan."""
    intake = cast.intake.user
    with cast.clock.back_to(cast.clock.at(on, 9, 20)):
        services.request_record_contact(actor=intake, request=request)
    with cast.clock.back_to(cast.clock.at(on, 9, 55)):
        intervention = services.request_accept(
            actor=intake,
            request=request,
            interventionist=cast.staff["interventionist"],
            note="Family ready to plan; spoke for forty minutes.",
        )
        run_pending_handoffs(cast.organization)
        # Triage is over once the case has its interventionist.
        for task in Task.objects.filter(client=request.client, status=TaskStatus.OPEN):
            task_set_status(actor=intake, task=task, status=TaskStatus.DONE)
    return intervention


def _plan(cast: Cast, intervention, *, on: int, day_of: int, model: str, participants):
    """Intake questions, the plan, the agenda and the people around the table, written
    by the interventionist `on` days from today for an intervention on `day_of`."""
    case = {"actor": cast.staff["interventionist"].user, "intervention": intervention}
    name = intervention.client.first_name
    with cast.clock.back_to(cast.clock.at(on, 11, 0)):
        services.intervention_intake_update(
            **case,
            addiction_nature=f"{name} uses daily and hides it; tolerance is rising.",
            family_impact="Arguments at every family dinner; the family is exhausted and afraid.",
            history="One short attempt at outpatient care; no medically managed withdrawal.",
            risks="Withdrawal risk: plan for medical detox on admission. No weapons at home.",
        )
    with cast.clock.back_to(cast.clock.at(on, 11, 30)):
        services.intervention_plan_update(
            **case,
            model=model,
            scheduled_at=cast.clock.at(day_of, 10, 0),
            location="The family home, living room",
        )
        services.agenda_set(**case, items=AGENDA)
        for order, (person, email, role, relationship) in enumerate(participants, 2):
            participant = services.participant_add(
                **case,
                name=person,
                email=email,
                role=role,
                relationship=relationship,
                speaking_order=order,
            )
            if email:
                services.participant_invite_to_portal(actor=case["actor"], participant=participant)
    requester = intervention.request.requester
    with cast.clock.back_to(cast.clock.at(on, 20, 0)):
        services.participant_rsvp(
            actor=requester.portal_user,
            participant=_participant(intervention, requester),
            rsvp="yes",
        )


def _participant(intervention, family_member) -> Participant:
    return Participant.objects.get(intervention=intervention, family_member=family_member)


def _education(cast: Cast, intervention, *, scheduled_on: int, held_on: int, topics: str):
    """A family education meeting scheduled `scheduled_on` for the evening of `held_on`;
    when that evening has passed, everyone came and the interventionist says so."""
    actor = cast.staff["interventionist"].user
    with cast.clock.back_to(cast.clock.at(scheduled_on, 12, 0)):
        session = services.session_schedule(
            actor=actor,
            intervention=intervention,
            kind="education",
            starts_at=cast.clock.at(held_on, 18, 30),
            topics=topics,
            materials="Family guide, chapters 1-3; sample letters.",
        )
    if held_on < 0:
        with cast.clock.back_to(cast.clock.at(held_on, 20, 30)):
            services.session_record_attendance(
                actor=actor,
                session=session,
                participant_ids=list(
                    Participant.objects.filter(intervention=intervention).values_list(
                        "public_id", flat=True
                    )
                ),
            )
    return session


def _letter(cast: Cast, participant: Participant, body: str, *, on: int, hour: int = 21):
    with cast.clock.back_to(cast.clock.at(on, hour, 0)):
        return services.letter_save(
            actor=participant.family_member.portal_user,
            participant=participant,
            body=body,
            submit=True,
        )


def _review(cast: Cast, letter: Letter, *, on: int, approve: bool = True, comment: str = ""):
    with cast.clock.back_to(cast.clock.at(on, 9, 0)):
        return services.letter_review(
            actor=cast.staff["interventionist"].user,
            letter=letter,
            approve=approve,
            comment=comment,
        )


def _treatment(cast: Cast, intervention, *, on: int, bed_on: int, verified: str):
    actor = cast.staff["interventionist"].user
    with cast.clock.back_to(cast.clock.at(on, 15, 0)):
        services.intervention_treatment_update(
            actor=actor,
            intervention=intervention,
            program_name="Harbor Light Residential",
            bed_hold_date=cast.clock.day(bed_on),
            insurance_verification=verified,
            admission_contact="Dr. Lena Reyes, admissions, +1 555 0170",
        )
        services.intervention_transport_update(
            actor=actor,
            intervention=intervention,
            transport_provider="SafeRide Recovery Transport",
            pickup_at=cast.clock.at(bed_on, 12, 0),
            pickup_place="The family home",
            escort="Jim Alvarez (certified escort)",
        )


def _checkins(cast: Cast, family_member, days: list[tuple[int, int, int, str]]):
    """The family member's own evening check-ins: (day, mood, calm, note)."""
    for on, mood, calm, note in days:
        with cast.clock.back_to(cast.clock.at(on, 21, 30)):
            services.family_checkin_record(
                actor=family_member.portal_user,
                family_member=family_member,
                mood=mood,
                stress=calm,
                note=note,
            )


def fran_for_jordan(cast: Cast) -> bool:
    """The family login, mid-intervention: both letters waiting for Ivan's review, the
    second education meeting in two days, the intervention in six."""
    request = _request(cast, JORDAN, on=-10)
    if request is None:
        return False
    intervention = _accept(cast, request, on=-9)
    _plan(
        cast,
        intervention,
        on=-8,
        day_of=6,
        model="johnson",
        participants=[
            ("Priya Ellis", "priya.ellis@demo.example.com", "family", "Sister"),
            ("Marcus Hale", "", "friend", "Best friend"),
            ("Gail Porter", "", "employer", "Shop manager"),
        ],
    )
    _education(
        cast,
        intervention,
        scheduled_on=-8,
        held_on=-4,
        topics="Addiction as an illness; what to expect on the day; writing your letter.",
    )
    _education(
        cast,
        intervention,
        scheduled_on=-4,
        held_on=2,
        topics="Reading the letters aloud; answers to objections; the plan if he says no.",
    )
    _treatment(cast, intervention, on=-3, bed_on=6, verified="pending")
    fran = _participant(intervention, request.requester)
    priya = Participant.objects.get(intervention=intervention, name="Priya Ellis")
    first = _letter(
        cast,
        priya,
        "Jordan, you taught me to drive. Last month you could not drive me home. I miss my "
        "brother and I am scared of the phone ringing at night.",
        on=-3,
    )
    _review(
        cast,
        first,
        on=-2,
        approve=False,
        comment="A strong start. Add one memory of him at his best, and end with the ask: "
        "will you accept the help we have arranged, today?",
    )
    _letter(
        cast,
        priya,
        "Jordan, you taught me to drive, and you cheered loudest at my graduation. Last month "
        "you could not drive me home. I miss my brother and I am scared of the phone ringing "
        "at night. Will you accept the help we have arranged, today?",
        on=-1,
        hour=22,
    )
    _letter(
        cast,
        fran,
        "Jordan, I remember teaching you to ride a bike on Elm Street. You were fearless. "
        "Lately I have watched you miss your daughter's games and I am scared for you. I "
        "love you, and I am asking you to accept help today.",
        on=-1,
    )
    _checkins(
        cast,
        request.requester,
        [(-9, 2, 1, "Could not sleep after the meeting."), (-5, 3, 2, ""), (-1, 4, 2, "")],
    )
    return True


def erik_for_maya(cast: Cast) -> bool:
    """Held two weeks ago: Maya accepted and was admitted that afternoon."""
    request = _request(cast, MAYA, on=-31)
    if request is None:
        return False
    intervention = _accept(cast, request, on=-30)
    _plan(
        cast,
        intervention,
        on=-29,
        day_of=-14,
        model="johnson",
        participants=[("Annika Berg", "", "family", "Sister")],
    )
    _education(
        cast,
        intervention,
        scheduled_on=-29,
        held_on=-22,
        topics="Opioid use disorder and medication; naloxone at home; writing your letter.",
    )
    _treatment(cast, intervention, on=-18, bed_on=-14, verified="verified")
    erik = _participant(intervention, request.requester)
    letter = _letter(
        cast,
        erik,
        "Maya, the night in the car I held your hand until the ambulance came. I want our "
        "life back, and I want you here for it. Please take the bed that is waiting today.",
        on=-17,
    )
    _review(cast, letter, on=-16)
    actor = cast.staff["interventionist"].user
    with cast.clock.back_to(cast.clock.at(-14, 12, 40)):
        services.outcome_record(
            actor=actor,
            intervention=intervention,
            outcome="accepted",
            notes="Agreed after Erik's letter; left with the escort at 12:30.",
        )
        run_pending_handoffs(cast.organization)
    _tasks_done(cast, request.client, cast.staff["interventionist"], on=-13, title="Hand ")
    with cast.clock.back_to(cast.clock.at(-9, 11, 0)):
        care_team_add(
            actor=cast.intake.user,
            client=request.client,
            membership=cast.staff["casemanager"],
            role=Role.CASE_MANAGER,
        )
    _tasks_done(cast, request.client, cast.intake, on=-9, title="Form the aftercare team")
    _checkins(
        cast,
        request.requester,
        [(-20, 2, 1, ""), (-13, 4, 3, "Maya called from the program."), (-6, 4, 4, "")],
    )
    return True


def _tasks_done(cast: Cast, client, member, *, on: int, title: str) -> None:
    with cast.clock.back_to(cast.clock.at(on, 12, 0)):
        for task in Task.objects.filter(
            client=client, status=TaskStatus.OPEN, title__startswith=title
        ):
            task_set_status(actor=member.user, task=task, status=TaskStatus.DONE)


def dana_for_marcus(cast: Cast) -> bool:
    """Held three weeks ago and declined; the family keeps to its response plan."""
    request = _request(cast, MARCUS, on=-45)
    if request is None:
        return False
    intervention = _accept(cast, request, on=-44)
    _plan(
        cast,
        intervention,
        on=-43,
        day_of=-21,
        model="arise",
        participants=[("Theo Bell", "", "family", "Brother")],
    )
    _education(
        cast,
        intervention,
        scheduled_on=-43,
        held_on=-30,
        topics="Stimulant use; boundaries that hold; CRAFT basics.",
    )
    _treatment(cast, intervention, on=-25, bed_on=-21, verified="verified")
    letter = _letter(
        cast,
        _participant(intervention, request.requester),
        "Marcus, I married the man who fixed the neighbours' porch for free. I want him back.",
        on=-24,
    )
    _review(cast, letter, on=-23)
    case = {"actor": cast.staff["interventionist"].user, "intervention": intervention}
    with cast.clock.back_to(cast.clock.at(-21, 13, 0)):
        services.outcome_record(
            **case,
            outcome="declined",
            notes="Listened to every letter, then left. Said he would think about it.",
        )
        run_pending_handoffs(cast.organization)
    with cast.clock.back_to(cast.clock.at(-20, 16, 0)):
        services.response_plan_save(
            **case,
            boundaries="No money or paid bills. No using in the house. We stop covering at work.",
            consequences="If he uses at home, he stays with his brother until he enters care.",
            responsibilities="Dana: weekly check-in call. Theo: rides only to treatment.",
            next_checkin_on=cast.clock.day(3),
            support_resources="Nar-Anon, Thursdays 7 pm at St. Mark's; CRAFT group online.",
            share=True,
        )
    return True


def luis_for_tess(cast: Cast) -> bool:
    """This morning: an urgent request, after an overdose, for intake to triage."""
    if InterventionRequest.objects.filter(client__first_name="Tess").exists():
        return False
    with cast.clock.back_to(cast.clock.earlier_today(hours=2)):
        services.request_submit(organization=cast.organization, **TESS)
        run_pending_handoffs(cast.organization)
    return True


CHARACTERS = [fran_for_jordan, erik_for_maya, dana_for_marcus, luis_for_tess]


class Command(StoryCommand):
    help = "Create the demo intervention cases. Safe to run repeatedly."
    characters = CHARACTERS
    ready = "Demo interventions ready"
