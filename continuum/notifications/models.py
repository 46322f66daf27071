"""The outbox. A notification is a row with a due time and a status; delivery workers
claim rows with a lease, so a worker that dies mid-delivery leaves the row reclaimable
rather than lost, and every channel's delivery is recorded once per notification."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.tenancy.models import TenantModel
from continuum.tenancy.schema import tenant_constraints, tenant_index, tenant_unique, user_ref


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Notification(TenantModel):
    # A member of the organization, or, for a letter (kinds.register_letter), nobody:
    # the letter goes to `to_address`, someone outside it (a listing, an invitee).
    recipient = user_ref(null=True, blank=False, on_delete=models.CASCADE)
    to_address = models.EmailField(blank=True)
    # The template name doubles as the notification kind that preferences refer to.
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict, blank=True)
    channels = ArrayField(models.CharField(max_length=16, choices=Channel.choices))
    urgent = models.BooleanField(default=False)
    dedup_key = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    # When the next delivery attempt may start: the due time, moved by quiet hours and backoff.
    available_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The in-app copy, rendered when it is delivered.
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    in_app_delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("dedup_key", name="notifications_notification_dedup"),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(to_address=""),
                name="notifications_notification_addressed",
            ),
        )
        indexes = [
            # The drain's scan: only rows still waiting or in flight, small by construction.
            tenant_index(
                "available_at",
                name="notif_org_claimable",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # The urgent slot's own sweep: without it, finding the few urgent rows walks
            # every reminder due before them (a backlog of 100,000 is 80-140 ms a sweep,
            # during which the one urgent process delivers nothing).
            tenant_index(
                "available_at",
                name="notif_org_urgent_claimable",
                condition=Q(urgent=True, status__in=["pending", "sending"]),
            ),
            tenant_index(
                "recipient",
                "-in_app_delivered_at",
                name="notif_org_inbox",
                condition=Q(in_app_delivered_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        whom = f"user {self.recipient_id}" if self.recipient_id else "an address"
        return f"{self.template} for {whom} ({self.status})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Delivery(TenantModel):
    """One channel's delivery of one notification. The unique constraint is what makes a
    retry after a crash skip the channels that already went out."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    delivered_at = models.DateTimeField(default=timezone.now)
    reference = models.CharField(max_length=200, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "notification",
                "channel",
                name="notifications_delivery_once",
            ),
        )


class NotificationPreference(TenantModel):
    """A user's choices within one organization. `channels_by_kind` maps a notification
    kind to the channels it should use; kinds not listed use the defaults."""

    user = user_ref(on_delete=models.CASCADE)
    channels_by_kind = models.JSONField(default=dict, blank=True)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    sms_number = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("user", name="notifications_preference_user"),
        )


class CalendarFeed(TenantModel):
    """A secret calendar URL. Only a hash of the token is stored; at most one live feed
    per user and organization."""

    user = user_ref(on_delete=models.CASCADE)
    # The membership and roles that allowed the link: it ends with them.
    membership = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    roles = ArrayField(models.CharField(max_length=32), default=list)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("token_hash", name="notifications_feed_token"),
            tenant_unique(
                "user",
                condition=Q(revoked_at__isnull=True),
                name="notifications_feed_one_live",
            ),
        )

    def still_allowed(self) -> bool:
        """The membership that made the link is active and holds every role it held then."""
        membership = self.membership
        return membership.is_active and set(self.roles) <= set(membership.roles)
