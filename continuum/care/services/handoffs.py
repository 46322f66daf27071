"""Handoff runs: started with a transition, sent after commit, run exactly once, run again by hand."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum.audit.services import audit_change

from ..models import (
    HandoffRun,
    HandoffStatus,
    PhaseTransition,
)
from ..registry import registry
from ._shared import logger


def handoff_enqueue(run: HandoffRun) -> None:
    """Hand the run to a worker. A broker outage must not undo the committed transition:
    the run stays pending and the periodic sweep enqueues it again."""
    from continuum.operations.broker import publish

    from ..tasks import handoff_run_task

    publish(
        handoff_run_task,
        kwargs={"organization_id": run.organization_id, "run_id": run.pk},
        why=f"handoff run {run.pk} stays pending; the sweep enqueues it within a minute",
    )


def _start_handoffs(transition: PhaseTransition) -> list[HandoffRun]:
    runs = [
        HandoffRun.objects.create(
            organization_id=transition.organization_id, transition=transition, name=h.name
        )
        for h in registry.for_transition(
            from_phase=transition.from_phase, to_phase=transition.to_phase
        )
    ]
    for run in runs:
        transaction.on_commit(lambda run=run: handoff_enqueue(run))
    return runs


def handoff_execute(*, run_id: int) -> HandoffRun:
    """Run one handoff inside the organization scope the caller opened. Its writes and
    its `succeeded` mark commit together, so a success is never repeated; a failure is
    recorded and left for a retry."""
    with transaction.atomic():
        run = (
            HandoffRun.objects.select_for_update(of=("self",))
            .select_related("transition__episode__client", "organization")
            .get(pk=run_id)
        )
        if run.status == HandoffStatus.SUCCEEDED:
            return run
        handoff = registry.get(run.name)
        run.attempts += 1
        run.last_attempt_at = timezone.now()
        try:
            if handoff is None:
                raise LookupError(f"No handoff named {run.name!r} is registered.")
            with transaction.atomic():
                handoff.func(transition=run.transition)
        except Exception as exc:
            logger.exception("Handoff %s failed for transition %s", run.name, run.transition_id)
            run.status = HandoffStatus.FAILED
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            run.status = HandoffStatus.SUCCEEDED
            run.error = ""
            run.succeeded_at = timezone.now()
        run.save(update_fields=["status", "attempts", "last_attempt_at", "error", "succeeded_at"])
    return run


@transaction.atomic
def handoff_rerun(*, actor, run: HandoffRun) -> HandoffRun:
    """An admin asks for a failed handoff to be tried again."""
    run = (
        HandoffRun.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=run.pk)
    )
    if run.status != HandoffStatus.FAILED:
        raise ValidationError("Only a failed handoff can be run again.")
    run.status = HandoffStatus.PENDING
    run.save(update_fields=["status"])
    audit_change(actor, run.organization, "handoff.rerun_requested", run, detail={"name": run.name})
    transaction.on_commit(lambda: handoff_enqueue(run))
    return run
