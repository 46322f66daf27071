"""The demo's clients and where each stands on the continuum, dated relative to today.

One function per character builds their record, family, care team, consents and the
episode's transitions, each on the day it happened (see `StoryClock`); the lines' demo
commands then add what each line did for them. A character whose client already exists
is left alone, so running this again changes nothing.

| character | phase | story |
|---|---|---|
| Cameron Client (client login) | aftercare, day 42 | doing well; mother Fran (family login) hears how |
| Danny Okafor | aftercare, day 24 | struggling: cravings back, a missed appointment |
| Rosa Alvarez | alumni | sober since her admission, ten months ago |

The families mid-intervention and in residential come from `demo_interventions`: their
episodes start with the family's request."""

from django.contrib.auth import get_user_model

from continuum.care.models import CareEpisode, Phase, Task, TaskStatus
from continuum.care.services import episode_open, episode_transition, task_set_status
from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.services import consent_create, consent_sign
from continuum.people.models import Client, FamilyMember
from continuum.people.services import (
    care_team_add,
    client_create,
    family_member_add,
    portal_account_link,
)
from continuum.tenancy.commands import (
    Cast,
    StoryCommand,
    run_pending_handoffs,
)
from continuum.tenancy.models import Role
from continuum.tenancy.services import portal_account_ensure

PROGRAM = "Harbor Light residential program"


def _client(cast: Cast, fields: dict, *, on: int) -> Client | None:
    """The client, created by intake `on` days from today; None when already there."""
    if Client.objects.filter(email=fields["email"]).exists():
        return None
    with cast.clock.back_to(cast.clock.at(on, 9, 30)):
        return client_create(actor=cast.intake.user, membership=cast.intake, **fields)


def _team(cast: Cast, client: Client, *, on: int, roles: list[str]) -> None:
    """Intake puts the staff on the client's care team (their e-mail's local part)."""
    role_of = {
        "casemanager": Role.CASE_MANAGER,
        "interventionist": Role.INTERVENTIONIST,
        "coach": Role.SOBER_COACH,
    }
    with cast.clock.back_to(cast.clock.at(on, 9, 45)):
        for name in roles:
            care_team_add(
                actor=cast.intake.user,
                client=client,
                membership=cast.staff[name],
                role=role_of[name],
                started_on=cast.clock.day(on),
            )


def _family(cast: Cast, client: Client, fields: dict, *, relationship: str, on: int):
    with cast.clock.back_to(cast.clock.at(on, 9, 50)):
        known = FamilyMember.objects.filter(email=fields["email"]).first()
        member = family_member_add(
            actor=cast.intake.user,
            client=client,
            relationship=relationship,
            is_primary_contact=True,
            **({"family_member": known} if known else fields),
        )
    return getattr(member, "family_member", member)


def _portal(cast: Cast, record, *, on: int) -> None:
    """Link the record to the demo login of the same address; a client without one gets a
    portal account of their own (signing in by e-mailed code), as staff would give."""
    if record.portal_user_id is not None:
        return
    with cast.clock.back_to(cast.clock.at(on, 11, 0)):
        user = get_user_model().objects.filter(email=record.email).first()
        if user is None:
            user = portal_account_ensure(
                organization=cast.organization,
                email=record.email,
                full_name=record.display_name,
                role=Role.CLIENT,
            )
        portal_account_link(actor=cast.admin.user, record=record, user=user)


def _done(cast: Cast, client: Client, by, *, on: int, hour: int = 15) -> None:
    """The open tasks of the phase behind the client were done, by `by`, that day."""
    with cast.clock.back_to(cast.clock.at(on, hour)):
        for task in Task.objects.filter(client=client, status=TaskStatus.OPEN):
            task_set_status(actor=by.user, task=task, status=TaskStatus.DONE)


def _journey(cast: Cast, client: Client, steps: list[tuple[int, str, str, dict]]) -> None:
    """Open the episode and move it along, each step on its day, with the handoffs the
    worker would run a moment later. The tasks a step leaves are done before the next."""
    episode = None
    for on, phase, reason, details in steps:
        if episode is not None:
            _done(cast, client, cast.intake, on=on, hour=9)
        with cast.clock.back_to(cast.clock.at(on, 10, 0)):
            if episode is None:
                episode = episode_open(actor=cast.intake.user, client=client, reason=reason)
            else:
                episode_transition(
                    actor=cast.admin.user,
                    episode=episode,
                    to_phase=phase,
                    reason=reason,
                    **details,
                )
                episode = CareEpisode.objects.get(pk=episode.pk)
            run_pending_handoffs(cast.organization)


def _family_consent(cast: Cast, client: Client, member: FamilyMember, *, on: int) -> None:
    """The client lets this family member hear how they are doing and write to the team."""
    with cast.clock.back_to(cast.clock.at(on, 14, 0)):
        consent = consent_create(
            actor=cast.staff["casemanager"].user,
            organization=cast.organization,
            client=client,
            disclosing_program=PROGRAM,
            information_categories=[InformationCategory.ATTENDANCE, InformationCategory.PROGRESS],
            recipient_kind=RecipientKind.FAMILY_MEMBER,
            recipient_family_member=member,
            purposes=[Purpose.FAMILY_INVOLVEMENT],
            expires_on=cast.clock.day(on + 365),
        )
    with cast.clock.back_to(cast.clock.at(on, 14, 20)):
        consent_sign(
            actor=client.portal_user or cast.staff["casemanager"].user,
            consent=consent,
            signed_name=client.display_name,
            revocation_acknowledged=True,
        )


def cameron(cast: Cast) -> bool:
    """The client login: six weeks out of residential and doing well."""
    client = _client(
        cast,
        {
            "first_name": "Cameron",
            "last_name": "Client",
            "email": "client@demo.example.com",
            "zip_code": "02138",
            "pronouns": "they/them",
            "primary_substances": ["cocaine", "alcohol"],
            "co_occurring_conditions": ["depression"],
        },
        on=-86,
    )
    if client is None:
        return False
    _team(cast, client, on=-86, roles=["interventionist", "casemanager"])
    fran = _family(
        cast,
        client,
        {"first_name": "Fran", "last_name": "Family", "email": "family@demo.example.com"},
        relationship="parent",
        on=-86,
    )
    _portal(cast, client, on=-74)
    _portal(cast, fran, on=-86)
    _journey(
        cast,
        client,
        [
            (-86, Phase.INQUIRY, "Mother called the intake line after a weekend binge", {}),
            (-84, Phase.PRE_TREATMENT, "Family intervention planned with Ivan", {}),
            (
                -76,
                Phase.RESIDENTIAL,
                "Accepted care at the intervention; admitted the same afternoon",
                {"residential_program": PROGRAM, "admission_date": cast.clock.day(-76)},
            ),
            (
                -42,
                Phase.AFTERCARE,
                "Completed the 34-day program: IOP three evenings a week, sober coaching, "
                "psychiatry follow-up for depression, weekly case management.",
                {"discharge_date": cast.clock.day(-42), "discharge_type": "planned"},
            ),
        ],
    )
    _family_consent(cast, client, fran, on=-45)
    # The case manager reached Cameron the day after discharge.
    _done(cast, client, cast.staff["casemanager"], on=-41, hour=11)
    return True


def danny(cast: Cast) -> bool:
    """Three weeks out and struggling: cravings are back and an appointment was missed."""
    client = _client(
        cast,
        {
            "first_name": "Daniel",
            "last_name": "Okafor",
            "preferred_name": "Danny",
            "email": "danny.okafor@demo.example.com",
            "zip_code": "02139",
            "pronouns": "he/him",
            "primary_substances": ["alcohol", "benzodiazepines"],
            "co_occurring_conditions": ["anxiety"],
            "risk_flags": ["withdrawal seizure history"],
        },
        on=-58,
    )
    if client is None:
        return False
    _team(cast, client, on=-58, roles=["interventionist", "casemanager"])
    _portal(cast, client, on=-25)
    grace = _family(
        cast,
        client,
        {"first_name": "Grace", "last_name": "Okafor", "email": "grace.okafor@demo.example.com"},
        relationship="parent",
        on=-58,
    )
    _journey(
        cast,
        client,
        [
            (-58, Phase.INQUIRY, "His mother Grace called after a fall at home", {}),
            (-56, Phase.PRE_TREATMENT, "Intervention planned with Grace and his sister", {}),
            (
                -52,
                Phase.RESIDENTIAL,
                "Medically managed withdrawal, then residential",
                {"residential_program": PROGRAM, "admission_date": cast.clock.day(-52)},
            ),
            (
                -24,
                Phase.AFTERCARE,
                "IOP three evenings a week for 8 weeks; psychiatry for anxiety; sober "
                "living; weekly case management.",
                {"discharge_date": cast.clock.day(-24), "discharge_type": "planned"},
            ),
        ],
    )
    _family_consent(cast, client, grace, on=-26)
    _done(cast, client, cast.staff["casemanager"], on=-23, hour=10)
    return True


def rosa(cast: Cast) -> bool:
    """An alumna: the whole continuum, sober since her admission ten months ago."""
    client = _client(
        cast,
        {
            "first_name": "Rosa",
            "last_name": "Alvarez",
            "email": "rosa.alvarez@demo.example.com",
            "zip_code": "02115",
            "pronouns": "she/her",
            "primary_substances": ["alcohol"],
            "preferred_language": "es",
        },
        on=-312,
    )
    if client is None:
        return False
    _team(cast, client, on=-312, roles=["casemanager"])
    _portal(cast, client, on=-276)
    _journey(
        cast,
        client,
        [
            (-312, Phase.INQUIRY, "Called the intake line herself", {}),
            (-310, Phase.PRE_TREATMENT, "Chose residential after the assessment", {}),
            (
                -305,
                Phase.RESIDENTIAL,
                "Admitted; last drink the night before",
                {"residential_program": PROGRAM, "admission_date": cast.clock.day(-305)},
            ),
            (
                -275,
                Phase.AFTERCARE,
                "IOP, a home group, monthly case management",
                {"discharge_date": cast.clock.day(-275), "discharge_type": "planned"},
            ),
            (-95, Phase.ALUMNI, "Six months of aftercare completed; alumni follow-up", {}),
        ],
    )
    _done(cast, client, cast.staff["casemanager"], on=-95, hour=11)
    return True


CHARACTERS = [cameron, danny, rosa]


class Command(StoryCommand):
    help = "Add the demo clients, their families, care teams and episodes. Safe to run repeatedly."
    characters = CHARACTERS
    ready = "Demo clients are ready"
