"""The alumni of the demo, dated relative to today (see `StoryClock`):

| character | story |
|---|---|
| Alex Alumni (alumni login) | sober for almost a year: the one-year anniversary in ten days; said yes to next week's alumni evening; checked in last month |
| Rosa Alvarez (from demo_care) | sober since her admission, ten months ago |

Two alumni events are planned: an evening at the house next week and an online meeting
in three weeks. A character already there is left alone: running this again changes
nothing."""

from datetime import timedelta

from alumni import milestones, services
from alumni.models import AlumniEvent, MonthlyCheckIn
from continuum.care.management.commands.demo_care import (
    PROGRAM,
    _client,
    _done,
    _journey,
    _portal,
    _team,
)
from continuum.care.models import Phase
from continuum.people.models import Client
from continuum.tenancy.commands import Cast, StoryCommand

ALUMNI_EMAIL = "alumni@demo.example.com"


def events(cast: Cast) -> bool:
    if AlumniEvent.objects.exists():
        return False
    clock = cast.clock
    with clock.back_to(clock.at(-6, 15, 0)):
        services.event_create(
            actor=cast.staff["casemanager"].user,
            organization=cast.organization,
            title="Alumni evening: sharing circle and supper",
            starts_at=clock.at(7, 18, 30),
            location="Harbor Light House, community room, 40 Wharf Street",
            description="An hour of sharing, then supper together. Bring someone who supports you.",
            capacity=30,
        )
        services.event_create(
            actor=cast.staff["coach"].user,
            organization=cast.organization,
            title="Online alumni meeting",
            starts_at=clock.at(21, 19, 0),
            online_url="https://meet.example.org/harbor-light-alumni",
            description="Open to every alumnus, camera optional.",
        )
    return True


def alex(cast: Cast) -> bool:
    """The alumni login: a year of sobriety in ten days."""
    client = _client(
        cast,
        {
            "first_name": "Alex",
            "last_name": "Alumni",
            "email": ALUMNI_EMAIL,
            "zip_code": "02139",
            "pronouns": "he/him",
            "primary_substances": ["opioids"],
        },
        on=-360,
    )
    if client is None:
        return False
    _team(cast, client, on=-360, roles=["casemanager", "coach"])
    _portal(cast, client, on=-330)
    _journey(
        cast,
        client,
        [
            (-360, Phase.INQUIRY, "His sister called after an overdose scare", {}),
            (-358, Phase.PRE_TREATMENT, "Chose residential after the assessment", {}),
            (
                -356,
                Phase.RESIDENTIAL,
                "Admitted after detox",
                {"residential_program": PROGRAM, "admission_date": cast.clock.day(-356)},
            ),
            (
                -326,
                Phase.AFTERCARE,
                "IOP, medication for opioid use disorder, sober coaching",
                {"discharge_date": cast.clock.day(-326), "discharge_type": "planned"},
            ),
            (-60, Phase.ALUMNI, "Aftercare completed; alumni follow-up", {}),
        ],
    )
    _done(cast, client, cast.staff["casemanager"], on=-60, hour=11)
    user = Client.objects.get(pk=client.pk).portal_user
    with cast.clock.back_to(cast.clock.at(-58, 20, 0)):
        services.profile_save(
            actor=user,
            client=client,
            # Ten days before the first anniversary, whatever the year's length.
            sobriety_date=milestones.add_months(cast.clock.day(10), -12),
            milestone_messages=True,
            monthly_checkin=True,
        )
    last_month = services.this_month(cast.clock.today) - timedelta(days=1)
    with cast.clock.back_to(cast.clock.at((last_month - cast.clock.today).days, 19, 0)):
        if not MonthlyCheckIn.objects.filter(client=client).exists():
            services.checkin_record(
                actor=user,
                client=client,
                doing=4,
                still_sober=True,
                unsafe=False,
                needs="A ride to the alumni evening, if anyone is driving.",
            )
    evening = AlumniEvent.objects.order_by("starts_at").first()
    if evening is not None:
        with cast.clock.back_to(cast.clock.ago(days=2)):
            services.rsvp_set(actor=user, event=evening, client=client, answer="yes")
    return True


def rosa(cast: Cast) -> bool:
    client = Client.objects.filter(email="rosa.alvarez@demo.example.com").first()
    if client is None or services.profile_for(client=client) is not None:
        return False
    with cast.clock.back_to(cast.clock.at(-90, 18, 0)):
        services.profile_save(
            actor=client.portal_user or cast.staff["casemanager"].user,
            client=client,
            sobriety_date=cast.clock.day(-306),
            milestone_messages=True,
        )
    return True


class Command(StoryCommand):
    help = (
        "Add the demo alumni, their sobriety dates and the alumni events. Safe to run repeatedly."
    )
    characters = [events, alex, rosa]
    ready = "Demo alumni are ready"
    missing = "Run demo_setup and demo_care first."
