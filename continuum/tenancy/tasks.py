"""Base classes for Celery tasks, and the one way a beat task reaches every organization.

Shaped after pretix's `TransactionAwareTask` and `EventTask`
(src/pretix/base/services/tasks.py)."""

from functools import partial

from celery import Task, shared_task
from celery._state import _task_stack
from django.db import transaction

from .models import Organization
from .scoping import across_organizations, organization_scope


class TransactionAwareTask(Task):
    """Sent only once the surrounding transaction commits.

    A task enqueued inside `transaction.atomic` would otherwise reach a worker that cannot
    yet see the rows it was sent for, or that never will if the transaction rolls back."""

    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(partial(super().apply_async, args, kwargs, **options))
            return None
        return super().apply_async(args, kwargs, **options)


class TenantTask(TransactionAwareTask):
    """Runs the task inside the scope of the `organization_id` it is sent with, and hands
    the body the `organization` itself.

    Callers send `organization_id=` (messages carry ids, never objects); the body is
    written `def body(*, organization, ...)`. The scope also sets the connection's
    row-level-security organization and the organization's time zone.

    Tasks must be idempotent: with acks_late a task may run again after a worker dies
    mid-way."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    # Callers send `organization_id`, the body takes `organization`: Celery's check of the
    # call against the body's signature would refuse every call.
    typing = False

    def __call__(self, *args, **kwargs):
        organization_id = kwargs.get("organization_id")
        if organization_id is None:
            raise TypeError(f"{self.name} needs an organization_id keyword argument.")
        organization = Organization.objects.get(pk=organization_id)
        body_kwargs = {k: v for k, v in kwargs.items() if k != "organization_id"}
        # As Task.__call__ does, but the request keeps the kwargs the task was sent with:
        # a retry re-sends `self.request.kwargs`, and it must carry the id, not the object.
        _task_stack.push(self)
        self.push_request(args=args, kwargs=kwargs)
        try:
            with organization_scope(organization):
                return self.run(*args, organization=organization, **body_kwargs)
        finally:
            self.pop_request()
            _task_stack.pop()


def beat_fan_out(per_organization: Task, *, name: str, reason: str, **filters):
    """A beat task that sends `per_organization` once for every active organization
    (narrowed by `filters`, e.g. `intake_open=True`), and returns how many it sent.

    Each organization's work runs in its own task and scope, so one organization's
    failure or size never holds back another's."""

    @shared_task(name=name, acks_late=True, ignore_result=True)
    def fan_out() -> int:
        with across_organizations(reason):
            ids = list(
                Organization.objects.filter(is_active=True, **filters)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        for organization_id in ids:
            per_organization.delay(organization_id=organization_id)
        return len(ids)

    fan_out.__doc__ = f"Beat: {per_organization.name} for every active organization ({reason})."
    return fan_out
