import secrets

import factory
from django.utils import timezone
from django_scopes import scope

from continuum.notifications.models import CalendarFeed, Channel, Notification, Status
from continuum.notifications.services import hash_token
from continuum.tenancy.models import Membership
from tests.factories import MembershipFactory, TenantFactory, UserFactory


class NotificationFactory(TenantFactory):
    """A notification already delivered to the recipient's in-app inbox."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    template = "general"
    context = factory.LazyAttribute(lambda n: {"subject": n.subject, "body": n.body})
    channels = factory.LazyFunction(lambda: [Channel.IN_APP])
    dedup_key = factory.Sequence(lambda n: f"test-{n}")
    due_at = factory.LazyFunction(timezone.now)
    available_at = factory.SelfAttribute("due_at")
    status = Status.SENT
    sent_at = factory.SelfAttribute("due_at")
    in_app_delivered_at = factory.SelfAttribute("due_at")
    subject = factory.Sequence(lambda n: f"Reminder {n}")
    body = "Your check-in is due."


class CalendarFeedFactory(TenantFactory):
    """A feed of the membership's roles; pass the `token_hash` of a token you keep."""

    class Meta:
        model = CalendarFeed

    membership = factory.SubFactory(MembershipFactory)
    organization = factory.SelfAttribute("membership.organization")
    user = factory.SelfAttribute("membership.user")
    roles = factory.LazyAttribute(lambda feed: sorted(feed.membership.roles))
    token_hash = factory.LazyFunction(lambda: hash_token(secrets.token_urlsafe(32)))


def calendar_feed_with_token(org, user) -> str:
    """The token of a new calendar feed for `user`'s membership in `org`."""
    token = secrets.token_urlsafe(32)
    with scope(organization=org.pk):
        membership = Membership.objects.get(organization=org, user=user)
    CalendarFeedFactory(membership=membership, token_hash=hash_token(token))
    return token


def feed_token_for_matrix(org) -> str:
    membership = MembershipFactory(organization=org, roles=["case_manager"])
    return calendar_feed_with_token(org, membership.user)
