"""What the case-management line's use cases share: the audit record, the plan's owner and the tasks made for them."""

from django.utils import timezone

from continuum.audit.services import SYSTEM_ACTOR, audit_change
from continuum.care.models import Task
from continuum.care.services import task_create
from continuum.people.models import Client
from continuum.people.selectors import case_manager_for
from continuum.tenancy.models import Membership, Role

from ..models import (
    CarePlan,
)

SAFETY_ITEM9 = "phq9_item9"


def _audit(actor, action: str, obj, client: Client, **detail) -> None:
    audit_change(
        actor or SYSTEM_ACTOR,
        client.organization,
        action,
        obj,
        client.public_id,
        detail=detail or None,
    )


def plan_owner(*, client: Client, plan: CarePlan | None = None) -> Membership | None:
    """Whose work the client's case-management tasks are: the plan's case manager, else
    the case manager on the care team."""
    if plan is not None and plan.case_manager_id and plan.case_manager.is_active:
        return plan.case_manager
    return case_manager_for(client=client)


def _task_for(*, client: Client, owner: Membership | None, title: str, **values) -> Task:
    return task_create(
        actor=None,
        organization=client.organization,
        title=title,
        assignee=owner,
        queue_role="" if owner else Role.CASE_MANAGER,
        client=client,
        **values,
    )


def _touch(plan: CarePlan) -> None:
    plan.updated_at = timezone.now()
    plan.save(update_fields=["updated_at"])
