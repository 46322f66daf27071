"""The one place that opens an organization scope, and the one explicit way out of it."""

from contextlib import contextmanager

from django.utils import timezone
from django_scopes import scope

from . import rls
from .models import Organization
from .timezones import org_zone


@contextmanager
def organization_scope(organization: Organization):
    # django-scopes treats a None value as "no filter": refuse it, or a missing
    # organization would silently widen every query to all tenants.
    if organization is None or organization.pk is None:
        raise ValueError("An organization scope needs a saved organization.")
    # Whatever runs for an organization (a page, an API call, a task) reads and shows
    # times in its zone: form and serializer fields parse naive input in the current
    # zone, templates and `timezone.localdate()` use it. Setting it here, once, means no
    # form or task has to remember to.
    with scope(organization=organization.pk), timezone.override(org_zone(organization)):
        yield


@contextmanager
def across_organizations(reason: str):
    """Cross-tenant reads (the organization switcher, platform admin, beat sweeps) say why.

    The reason goes to the audit log, and the database admits reads of every organization
    for as long as the block runs; writes stay confined to the organization in scope."""
    with rls.cross_tenant(reason):
        yield
