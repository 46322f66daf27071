"""The demo's case management, one function per client, dated relative to today:

| client | care plan | story |
|---|---|---|
| Cameron Client (client login) | six weeks | PHQ-9 down from 16 to 4, IOP kept, psychiatry follow-up this week |
| Danny Okafor | three weeks | PHQ-9 and GAD-7 rising, a missed primary-care visit with its reschedule task, a refill overdue |
| Rosa Alvarez | ten months | goals achieved; reviewed when she moved to alumni follow-up |

Aftercare's handoff opened each plan and assigned Casey on the day of discharge; the
goals, providers, visits, medicines and questionnaires follow through the case-management
services on their days (`StoryClock.back_to`). A plan that already has goals is left
alone, so running this again changes nothing."""

from datetime import timedelta

from casemanagement import services
from casemanagement.models import CarePlan, PlanStatus
from continuum.people.models import Client
from continuum.tenancy.commands import Cast, StoryCommand

BAYSIDE_IOP = {
    "kind": "iop_php",
    "name": "Evening IOP",
    "practice": "Bayside Outpatient Clinic",
    "phone": "617-555-0140",
    "address": "40 Harbor St, Cambridge",
}
PCP = {
    "kind": "primary_care",
    "name": "Dr. Priya Shah",
    "practice": "Inman Family Medicine",
    "phone": "617-555-0177",
}
PSYCHIATRY = {
    "kind": "psychiatrist",
    "name": "Dr. Omar Haddad",
    "practice": "Charles River Psychiatry",
    "phone": "617-555-0191",
}


def _plan(cast: Cast, email: str) -> CarePlan | None:
    """The active plan aftercare opened for this client; None when it is already filled."""
    client = Client.objects.filter(email=email).first()
    plan = CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE).first()
    if client is None or plan is None or plan.goals.exists():
        return None
    return plan


def _manager(cast: Cast):
    return cast.staff["casemanager"].user


def _goals(cast: Cast, plan: CarePlan, *, on: int, goals) -> dict:
    """Goals with their steps; a step given a `done` day was completed that day."""
    made = {}
    with cast.clock.back_to(cast.clock.at(on, 14, 0)):
        for domain, title, measure, steps in goals:
            goal = services.goal_add(
                actor=_manager(cast), plan=plan, domain=domain, title=title, measure=measure
            )
            made[domain] = goal
            for description, owner, due, done in steps:
                step = services.step_add(
                    actor=_manager(cast),
                    goal=goal,
                    description=description,
                    owner=owner,
                    due_on=cast.clock.day(due),
                )
                if done is not None:
                    with cast.clock.back_to(cast.clock.at(done, 16, 0)):
                        services.step_set_status(actor=_manager(cast), step=step, status="done")
    return made


def _providers(cast: Cast, client: Client, *, on: int, providers) -> list:
    with cast.clock.back_to(cast.clock.at(on, 15, 0)):
        return [
            services.provider_add(actor=_manager(cast), client=client, **fields)
            for fields in providers
        ]


def _visit(cast: Cast, client, provider, *, booked: int, on: int, hour: int, minutes: int, **kw):
    """A visit booked `booked` days from today for `on`; `status` says how it went."""
    status = kw.pop("status", None)
    with cast.clock.back_to(cast.clock.at(booked, 11, 0)):
        starts = cast.clock.at(on, hour)
        appointment = services.appointment_schedule(
            actor=_manager(cast),
            client=client,
            provider=provider,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            **kw,
        )
    if status is not None:
        with cast.clock.back_to(starts + timedelta(minutes=minutes, hours=2)):
            services.appointment_set_status(
                actor=_manager(cast), appointment=appointment, status=status
            )
    return appointment


def _questionnaires(cast: Cast, client: Client, scores) -> None:
    """Item answers by day; PHQ-9's item 9 stays 0 (above it is a safety event)."""
    for on, instrument, answers in scores:
        with cast.clock.back_to(cast.clock.at(on, 15, 30)):
            services.assessment_record(
                actor=_manager(cast),
                client=client,
                instrument=instrument,
                source="staff",
                answers={f"q{n}": v for n, v in enumerate(answers, start=1)},
            )


def _contacts(cast: Cast, client: Client, contacts) -> None:
    for on, kind, summary in contacts:
        with cast.clock.back_to(cast.clock.at(on, 16, 30)):
            services.contact_record(actor=_manager(cast), client=client, kind=kind, summary=summary)


def cameron(cast: Cast) -> bool:
    """Doing well: depression lifting, IOP kept, every visit attended."""
    plan = _plan(cast, "client@demo.example.com")
    if plan is None:
        return False
    client = plan.client
    goals = _goals(
        cast,
        plan,
        on=-41,
        goals=[
            (
                "recovery",
                "Stay free of cocaine and alcohol",
                "Days abstinent; negative tests",
                [
                    ("Attend IOP three evenings a week", "client", -13, -13),
                    ("Find a home group and a sponsor", "client", -27, -30),
                ],
            ),
            (
                "mental_health",
                "Treat depression",
                "PHQ-9 under 5",
                [("Psychiatry follow-up every four weeks", "case_manager", 3, None)],
            ),
            (
                "employment_education",
                "Back to work full-time",
                "40 hours a week",
                [("Agree a phased return with HR", "client", -20, -22)],
            ),
        ],
    )
    iop, pcp, psychiatrist = _providers(
        cast, client, on=-41, providers=[BAYSIDE_IOP, PCP, PSYCHIATRY]
    )
    iop_visit = {"visit_type": "iop", "location": "40 Harbor St, Cambridge"}
    # Weekly IOP from the second day home (the program keeps the other evenings).
    for on in range(-40, 0, 7):
        _visit(
            cast,
            client,
            iop,
            booked=-41,
            on=on,
            hour=18,
            minutes=180,
            status="attended",
            **iop_visit,
        )
    _visit(cast, client, iop, booked=-6, on=1, hour=18, minutes=180, **iop_visit)
    psych = {"visit_type": "outpatient", "location": "Charles River Psychiatry"}
    _visit(
        cast,
        client,
        psychiatrist,
        booked=-40,
        on=-31,
        hour=9,
        minutes=45,
        status="attended",
        **psych,
    )
    _visit(
        cast,
        client,
        psychiatrist,
        booked=-31,
        on=-3,
        hour=9,
        minutes=30,
        status="attended",
        **psych,
    )
    _visit(cast, client, psychiatrist, booked=-3, on=25, hour=9, minutes=30, **psych)
    _visit(
        cast,
        client,
        pcp,
        booked=-10,
        on=3,
        hour=8,
        minutes=30,
        visit_type="outpatient",
        location="Inman Family Medicine",
    )
    with cast.clock.back_to(cast.clock.at(-31, 10, 0)):
        services.medication_add(
            actor=_manager(cast),
            client=client,
            name="Sertraline",
            dose="50 mg",
            schedule="once daily, morning",
            prescriber=psychiatrist,
            started_on=cast.clock.day(-31),
            refill_due_on=cast.clock.day(14),
        )
    _questionnaires(
        cast,
        client,
        [
            (-41, "phq9", [2, 2, 2, 2, 2, 2, 2, 2, 0]),
            (-27, "phq9", [2, 1, 2, 2, 1, 2, 1, 1, 0]),
            (-13, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0]),
            (-2, "phq9", [1, 0, 1, 1, 0, 1, 0, 0, 0]),
            (-41, "gad7", [2, 1, 2, 1, 1, 1, 1]),
            (-2, "gad7", [1, 0, 1, 0, 0, 1, 0]),
        ],
    )
    with cast.clock.back_to(cast.clock.at(-13, 17, 0)):
        services.progress_note_add(
            actor=_manager(cast),
            goal=goals["mental_health"],
            body="Sleeping through the night; says the fog is lifting. PHQ-9 down to 8.",
        )
    _contacts(
        cast,
        client,
        [
            (-41, "emotional_support", "First-week call: settling in at home, IOP starts tonight."),
            (-20, "life_skills", "Planned the phased return to work with Cameron."),
            (-6, "emotional_support", "Weekly call: proud of a month sober at work."),
        ],
    )
    with cast.clock.back_to(cast.clock.at(-12, 10, 0)):
        services.plan_review(
            actor=_manager(cast),
            plan=plan,
            summary="Month one: every IOP session attended, mood improving, back at work.",
        )
    return True


def danny(cast: Cast) -> bool:
    """Struggling: scores rising, a missed visit waiting to be rescheduled, a refill late."""
    plan = _plan(cast, "danny.okafor@demo.example.com")
    if plan is None:
        return False
    client = plan.client
    goals = _goals(
        cast,
        plan,
        on=-23,
        goals=[
            (
                "recovery",
                "Stay abstinent from alcohol and benzodiazepines",
                "Days abstinent (BAM use = 0)",
                [
                    ("Attend IOP three evenings a week", "client", -9, None),
                    ("Find a home AA group and a sponsor", "client", -2, None),
                ],
            ),
            (
                "mental_health",
                "Manage anxiety without benzodiazepines",
                "GAD-7 under 10",
                [("Book a psychiatry intake", "case_manager", -16, None)],
            ),
            (
                "housing",
                "Move into sober living",
                "Lease signed",
                [("Tour two sober-living houses", "client", -13, -15)],
            ),
        ],
    )
    iop, pcp, _sober_living = _providers(
        cast,
        client,
        on=-23,
        providers=[
            BAYSIDE_IOP,
            PCP,
            {"kind": "sober_living", "name": "Maple House", "phone": "617-555-0102"},
        ],
    )
    iop_visit = {"visit_type": "iop", "location": "40 Harbor St, Cambridge"}
    for on, status in ((-20, "attended"), (-13, "attended"), (-6, "attended")):
        _visit(
            cast, client, iop, booked=-23, on=on, hour=18, minutes=180, status=status, **iop_visit
        )
    _visit(cast, client, iop, booked=-23, on=1, hour=18, minutes=180, **iop_visit)
    # The visit Casey was to drive him to; he did not answer the door.
    _visit(
        cast,
        client,
        pcp,
        booked=-20,
        on=-4,
        hour=10,
        minutes=30,
        status="missed",
        visit_type="outpatient",
        location="Inman Family Medicine",
        transport="case_manager",
        accompanied_by=cast.staff["casemanager"],
    )
    with cast.clock.back_to(cast.clock.at(-23, 10, 0)):
        for name, dose, schedule, moud, prescriber, refill in (
            ("Naltrexone", "50 mg", "once daily", True, None, -2),
            ("Hydroxyzine", "25 mg", "as needed for anxiety, up to 3 times a day", False, pcp, 12),
        ):
            services.medication_add(
                actor=_manager(cast),
                client=client,
                name=name,
                dose=dose,
                schedule=schedule,
                is_moud=moud,
                prescriber=prescriber,
                started_on=cast.clock.day(-24),
                refill_due_on=cast.clock.day(refill),
            )
    _questionnaires(
        cast,
        client,
        [
            (-23, "phq9", [1, 1, 2, 1, 1, 1, 1, 1, 0]),
            (-9, "phq9", [2, 2, 2, 2, 1, 2, 1, 1, 0]),
            (-23, "gad7", [2, 2, 1, 2, 1, 1, 1]),
            (-9, "gad7", [3, 2, 2, 3, 2, 2, 2]),
        ],
    )
    with cast.clock.back_to(cast.clock.at(-5, 17, 0)):
        services.progress_note_add(
            actor=_manager(cast),
            goal=goals["recovery"],
            body="Missed an IOP evening this week; says work is piling up. Cravings worse in the evenings.",
        )
    _contacts(
        cast,
        client,
        [
            (-23, "emotional_support", "First contact after discharge: back home, IOP booked."),
            (-12, "life_skills", "Opened a bank account together."),
            (
                -4,
                "emotional_support",
                "No answer at the door for the doctor's visit; left a voicemail.",
            ),
        ],
    )
    with cast.clock.back_to(cast.clock.at(-1, 7, 0)):
        services.gaps_scan(organization=cast.organization)
    return True


def rosa(cast: Cast) -> bool:
    """An alumna: the aftercare goals met, the plan reviewed when she moved on."""
    plan = _plan(cast, "rosa.alvarez@demo.example.com")
    if plan is None:
        return False
    goals = _goals(
        cast,
        plan,
        on=-274,
        goals=[
            (
                "recovery",
                "A year sober",
                "Days abstinent",
                [("Home group every week", "client", -200, -240)],
            ),
            (
                "employment_education",
                "Reopen the catering business",
                "First paid booking",
                [("Renew the food-service licence", "client", -180, -190)],
            ),
        ],
    )
    with cast.clock.back_to(cast.clock.at(-96, 14, 0)):
        for goal in goals.values():
            services.goal_set_status(actor=_manager(cast), goal=goal, status="achieved")
    client = plan.client
    _contacts(
        cast,
        client,
        [
            (on, "client_contact", "Monthly call: well, busy with bookings.")
            for on in range(-245, 0, 30)
        ],
    )
    for on, summary in (
        (-95, "Six months of aftercare completed; goals met. Alumni follow-up monthly."),
        (-65, "Alumni follow-up: steady; sponsoring a newcomer at her home group."),
        (-35, "Alumni follow-up: seven months sober, catering business reopened."),
        (-5, "Alumni follow-up: nine months sober; asked to speak at the alumni evening."),
    ):
        with cast.clock.back_to(cast.clock.at(on, 10, 0)):
            services.plan_review(actor=_manager(cast), plan=plan, summary=summary)
    return True


CHARACTERS = [cameron, danny, rosa]


class Command(StoryCommand):
    help = "Add the demo's case management: three care plans with their weeks of history."
    characters = CHARACTERS
    ready = "Case management demo ready"
    missing = "Run demo_setup and demo_care first."

    def finish(self, cast, added):
        # What the nightly scans have found by now in the new story: gaps in care,
        # reminders due. Later runs leave that to the scans themselves.
        services.gaps_scan(organization=cast.organization)
        services.reminders_scan(organization=cast.organization)
