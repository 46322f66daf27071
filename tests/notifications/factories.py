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


def calendar_feed_with_token(org, user) -> str:
    token = secrets.token_urlsafe(32)
    with scope(organization=org.pk):
        membership = Membership.objects.get(organization=org, user=user)
        CalendarFeed.objects.create(
            organization=org,
            user=user,
            membership=membership,
            roles=sorted(membership.roles),
            token_hash=hash_token(token),
        )
    return token


def notification_id_for_matrix(org) -> str:
    return str(NotificationFactory(organization=org).public_id)


def feed_token_for_matrix(org) -> str:
    user = UserFactory()
    MembershipFactory(organization=org, user=user, roles=["case_manager"])
    return calendar_feed_with_token(org, user)
