"""What the management commands share: the organization a command works in, named by
slug, and its staff."""

from django.core.management.base import CommandError

from .models import Membership, Organization

NO_DEMO_ORGANIZATION = "Run demo_setup first: the demo organization does not exist."


def organization_named(slug: str = "demo", *, missing: str = NO_DEMO_ORGANIZATION):
    """The organization with this slug; the command stops with `missing` otherwise."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise CommandError(missing)
    return organization


def members_by_email(organization) -> dict[str, Membership]:
    """The organization's memberships by their user's e-mail. Call inside its scope."""
    return {
        m.user.email: m
        for m in Membership.objects.filter(organization=organization).select_related("user")
    }
