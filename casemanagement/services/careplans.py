"""Care plans: opened, goals and steps, progress notes, reviews and the client's acknowledgement."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum.care.models import CareEpisode, Task, TaskKind, TaskStatus
from continuum.care.services import task_set_status
from continuum.people.models import Client
from continuum.people.selectors import case_manager_for
from continuum.people.services import care_team_add
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.timezones import day_end

from ..models import (
    CarePlan,
    Domain,
    Goal,
    GoalStatus,
    GoalStep,
    PlanReview,
    PlanStatus,
    ProgressNote,
    Provider,
    StepOwner,
    StepStatus,
)
from ..selectors import case_manager_pick
from ._shared import _audit, _task_for, _touch, plan_owner
from .gaps import _gaps_refresh

REVIEW_TASK_AHEAD = timedelta(days=5)


@transaction.atomic
def careplan_open(
    *,
    actor,
    client: Client,
    episode: CareEpisode | None = None,
    case_manager: Membership | None = None,
    recommendations: str = "",
    review_interval_days: int = 30,
) -> CarePlan:
    """Open the client's care plan and make sure a case manager serves them. Returns the
    active plan unchanged if there is one already (handoffs may run twice)."""
    existing = CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE).first()
    if existing is not None:
        return existing
    if not 7 <= review_interval_days <= 180:
        raise ValidationError({"review_interval_days": "Review every 7 to 180 days."})
    organization = client.organization
    current = case_manager_for(client=client)
    if case_manager is None:
        case_manager = current or case_manager_pick(organization=organization)
    elif not case_manager.has_role(Role.CASE_MANAGER) or not case_manager.is_active:
        raise ValidationError({"case_manager": "Choose an active case manager."})
    if case_manager is not None and (current is None or current.pk != case_manager.pk):
        care_team_add(actor=actor, client=client, membership=case_manager, role=Role.CASE_MANAGER)
    now = timezone.now()
    plan = CarePlan.objects.create(
        organization=organization,
        client=client,
        episode=episode,
        case_manager=case_manager,
        recommendations=recommendations.strip(),
        review_interval_days=review_interval_days,
        next_review_on=timezone.localdate(now) + timedelta(days=review_interval_days),
        opened_at=now,
        updated_at=now,
    )
    _audit(actor, "careplan.opened", plan, client)
    return plan


@transaction.atomic
def goal_add(*, actor, plan: CarePlan, domain: str, title: str, measure: str = "") -> Goal:
    errors = {}
    if domain not in Domain.values:
        errors["domain"] = "Choose a domain."
    if not title.strip():
        errors["title"] = "Say what the goal is."
    if plan.status != PlanStatus.ACTIVE:
        errors["plan"] = "This plan is closed."
    if errors:
        raise ValidationError(errors)
    goal = Goal.objects.create(
        organization=plan.organization,
        plan=plan,
        domain=domain,
        title=title.strip(),
        measure=measure.strip(),
    )
    _touch(plan)
    _audit(actor, "goal.added", goal, plan.client, domain=domain)
    return goal


@transaction.atomic
def goal_set_status(*, actor, goal: Goal, status: str) -> Goal:
    if status not in GoalStatus.values:
        raise ValidationError({"status": "Choose active, achieved or discontinued."})
    goal.status = status
    goal.save(update_fields=["status"])
    _touch(goal.plan)
    _audit(actor, "goal.status_changed", goal, goal.plan.client, status=status)
    return goal


@transaction.atomic
def step_add(
    *,
    actor,
    goal: Goal,
    description: str,
    owner: str,
    due_on: date | None = None,
    provider: Provider | None = None,
) -> GoalStep:
    errors = {}
    if not description.strip():
        errors["description"] = "Describe the step."
    if owner not in StepOwner.values:
        errors["owner"] = "Choose who owns the step."
    elif owner == StepOwner.PROVIDER and provider is None:
        errors["provider"] = "Choose the provider who owns this step."
    if provider is not None and provider.client_id != goal.plan.client_id:
        errors["provider"] = "Choose one of this client's providers."
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = "The due date is in the past."
    if errors:
        raise ValidationError(errors)
    step = GoalStep.objects.create(
        organization=goal.organization,
        goal=goal,
        description=description.strip(),
        owner=owner,
        provider=provider if owner == StepOwner.PROVIDER else None,
        due_on=due_on,
    )
    _touch(goal.plan)
    _audit(actor, "goal_step.added", step, goal.plan.client)
    return step


@transaction.atomic
def step_set_status(*, actor, step: GoalStep, status: str) -> GoalStep:
    if status not in StepStatus.values:
        raise ValidationError({"status": "Choose a status."})
    step.status = status
    step.completed_at = timezone.now() if status == StepStatus.DONE else None
    step.save(update_fields=["status", "completed_at"])
    _touch(step.goal.plan)
    _audit(actor, "goal_step.status_changed", step, step.goal.plan.client, status=status)
    _gaps_refresh(step.goal.plan.client)
    return step


@transaction.atomic
def progress_note_add(*, actor, goal: Goal, body: str) -> ProgressNote:
    if not body.strip():
        raise ValidationError({"body": "Write the progress note."})
    note = ProgressNote.objects.create(
        organization=goal.organization, goal=goal, author=actor, body=body.strip()
    )
    _audit(actor, "progress_note.added", note, goal.plan.client)
    return note


def _review_task_key(plan: CarePlan) -> str:
    return f"cm-review:{plan.public_id}:{plan.next_review_on.isoformat()}"


@transaction.atomic
def plan_review(*, actor, plan: CarePlan, summary: str) -> PlanReview:
    """Record the periodic review and set the next one."""
    plan = CarePlan.objects.select_for_update().select_related("client").get(pk=plan.pk)
    if not summary.strip():
        raise ValidationError({"summary": "Summarise the review."})
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError("This plan is closed.")
    review = PlanReview.objects.create(
        organization=plan.organization, plan=plan, reviewer=actor, summary=summary.strip()
    )
    due_task = Task.objects.filter(
        organization=plan.organization, dedup_key=_review_task_key(plan), status=TaskStatus.OPEN
    ).first()
    if due_task is not None:
        task_set_status(actor=actor, task=due_task, status=TaskStatus.DONE)
    now = timezone.now()
    plan.last_reviewed_at = now
    plan.next_review_on = timezone.localdate(now) + timedelta(days=plan.review_interval_days)
    plan.updated_at = now
    plan.save(update_fields=["last_reviewed_at", "next_review_on", "updated_at"])
    _audit(actor, "careplan.reviewed", review, plan.client)
    _gaps_refresh(plan.client)
    return review


@transaction.atomic
def plan_review_task_ensure(*, plan: CarePlan, today: date) -> Task | None:
    """Raise the review task a few days before the review is due (once per due date)."""
    if plan.status != PlanStatus.ACTIVE or plan.next_review_on - REVIEW_TASK_AHEAD > today:
        return None
    return _task_for(
        client=plan.client,
        owner=plan_owner(client=plan.client, plan=plan),
        title=f"Review {plan.client.display_name}'s care plan",
        due_at=day_end(plan.next_review_on, plan.organization),
        kind=TaskKind.ROUTINE,
        source="casemanagement.plan_review",
        dedup_key=_review_task_key(plan),
    )


@transaction.atomic
def plan_acknowledge(*, actor, plan: CarePlan) -> CarePlan:
    """The client has read the plan as it stands now."""
    if plan.client.portal_user_id != actor.pk:
        raise ValidationError("Only the client can acknowledge their plan.")
    plan.acknowledged_at = timezone.now()
    plan.save(update_fields=["acknowledged_at"])
    _audit(actor, "careplan.acknowledged", plan, plan.client)
    return plan
