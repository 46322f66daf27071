import factory
from django.utils import timezone

from continuum.care.models import (
    CareEpisode,
    HandoffRun,
    HandoffStatus,
    Phase,
    PhaseTransition,
    Task,
)
from continuum.tenancy.models import Membership, Role
from tests.factories import TenantFactory, UserFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory


class EpisodeFactory(TenantFactory):
    class Meta:
        model = CareEpisode

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    phase = Phase.INQUIRY


class TaskFactory(TenantFactory):
    class Meta:
        model = Task

    organization = factory.SelfAttribute("assignee.organization")
    title = factory.Sequence(lambda n: f"Call back family {n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=1))


# --- objects for the isolation matrix -------------------------------------------------


def episode_for_matrix(org):
    return EpisodeFactory(client=ClientFactory(organization=org))


def task_for_matrix(org):
    return Task.objects.create(
        organization=org, title="Matrix task", queue_role=Role.INTAKE_COORDINATOR
    )


def handoff_run_for_matrix(org):
    episode = episode_for_matrix(org)
    transition = PhaseTransition.objects.create(
        organization=org, episode=episode, to_phase=Phase.INQUIRY
    )
    return HandoffRun.objects.create(
        organization=org,
        transition=transition,
        name="care.inquiry_triage",
        status=HandoffStatus.FAILED,
    )


def care_team_member_for_matrix(org):
    membership = Membership.objects.create(
        organization=org, user=UserFactory(), roles=[Role.SOBER_COACH]
    )
    return CareTeamMemberFactory(client=ClientFactory(organization=org), membership=membership)


def safety_event_for_matrix(org):
    from continuum.care.services import safety_event_raise
    from tests.people.factories import ClientFactory

    return safety_event_raise(
        actor=None, client=ClientFactory(organization=org), kind="help_now", door="staff"
    )
