"""Base class for every Celery task that touches an organization's records."""

from celery import Task

from .models import Organization
from .scoping import organization_scope


class TenantTask(Task):
    """Runs the task inside the scope of the `organization_id` it is given.

    Tasks take ids, never objects, and must be idempotent: with acks_late a task may
    run again after a worker dies mid-way."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        organization_id = kwargs.get("organization_id")
        if organization_id is None:
            raise TypeError(f"{self.name} needs an organization_id keyword argument.")
        organization = Organization.objects.get(pk=organization_id)
        with organization_scope(organization):
            return super().__call__(*args, **kwargs)
