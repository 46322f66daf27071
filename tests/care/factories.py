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
from tests.factories import TenantFactory
from tests.people.factories import ClientFactory, ClientRecordFactory


class EpisodeFactory(ClientRecordFactory):
    class Meta:
        model = CareEpisode

    phase = Phase.INQUIRY


class TaskFactory(TenantFactory):
    class Meta:
        model = Task

    organization = factory.SelfAttribute("assignee.organization")
    title = factory.Sequence(lambda n: f"Call back family {n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=1))


class PhaseTransitionFactory(TenantFactory):
    class Meta:
        model = PhaseTransition

    episode = factory.SubFactory(EpisodeFactory)
    organization = factory.SelfAttribute("episode.organization")
    to_phase = Phase.INQUIRY


class HandoffRunFactory(TenantFactory):
    """The inquiry triage handoff, failed: the state staff are asked to retry."""

    class Meta:
        model = HandoffRun

    transition = factory.SubFactory(PhaseTransitionFactory)
    organization = factory.SelfAttribute("transition.organization")
    name = "care.inquiry_triage"
    status = HandoffStatus.FAILED


def safety_event_for_matrix(org):
    """A help-now event as the safety service raises it."""
    from continuum.care.services import safety_event_raise

    return safety_event_raise(
        actor=None, client=ClientFactory(organization=org), kind="help_now", door="staff"
    )
