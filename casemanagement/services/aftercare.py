"""What case management does when an episode enters aftercare."""

from datetime import timedelta

from django.db import transaction

from continuum.care.handoffs import first_contact_title
from continuum.care.models import Task, TaskKind, TaskStatus
from continuum.care.services import task_create, task_set_status
from continuum.tenancy.models import Role

from ..models import (
    CarePlan,
)
from ._shared import plan_owner
from .careplans import careplan_open

FIRST_CONTACT_WITHIN = timedelta(hours=72)


CARE_FIRST_CONTACT = "care.aftercare_first_contact"


@transaction.atomic
def aftercare_start(*, transition) -> CarePlan:
    """Entering aftercare: open the care plan from the discharge recommendations, assign
    a case manager and make sure the one "first contact within 72 hours" task is theirs.

    The care spine's own aftercare handoff creates that task under its de-duplication
    key; this one uses the same key, so whichever runs first creates it and the other
    finds it. If the spine's ran first and, with no case manager yet, queued it to
    intake, that task is cancelled in favour of one assigned to the case manager."""
    episode = transition.episode
    client = episode.client
    plan = careplan_open(
        actor=None, client=client, episode=episode, recommendations=transition.reason or ""
    )
    owner = plan_owner(client=client, plan=plan)
    values = {
        "title": first_contact_title(transition),
        "client": client,
        "episode": episode,
        "due_at": transition.first_contact_due(FIRST_CONTACT_WITHIN),
        "kind": TaskKind.DEADLINE,
        "source": f"handoff:{CARE_FIRST_CONTACT}",
    }
    care_key = f"handoff:{CARE_FIRST_CONTACT}:{transition.public_id}"
    existing = Task.objects.filter(organization=client.organization, dedup_key=care_key).first()
    if existing is not None and existing.assignee_id is None and owner is not None:
        # The spine's handoff ran before a case manager was assigned and queued the task
        # to intake: hand it over to the case manager, still one open task.
        if existing.status == TaskStatus.OPEN:
            task_set_status(actor=None, task=existing, status=TaskStatus.CANCELLED)
            task_create(
                actor=None,
                organization=client.organization,
                assignee=owner,
                dedup_key=f"handoff:casemanagement.first_contact:{transition.public_id}",
                **values,
            )
        return plan
    task_create(
        actor=None,
        organization=client.organization,
        assignee=owner,
        queue_role="" if owner else Role.INTAKE_COORDINATOR,
        dedup_key=care_key,
        **values,
    )
    return plan
