from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.tenancy.models import TenantModel

# Safety kinds a thread marked urgent raises (registered in MessagingConfig.ready): the
# line asked first is the one the conversation is with.
URGENT_KIND_FAMILY = "urgent_message_family"
URGENT_KIND_CLIENT = "urgent_message"


class Thread(TenantModel):
    """One conversation between a client's team and one counterpart: the client
    themselves (no family member) or one family member. At most one per pair."""

    client = models.ForeignKey("people.Client", on_delete=models.PROTECT, related_name="+")
    family_member = models.ForeignKey(
        "people.FamilyMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    urgent_at = models.DateTimeField(null=True, blank=True)
    urgent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["organization", "client"],
                condition=models.Q(family_member__isnull=True),
                name="messaging_thread_one_with_client",
            ),
            models.UniqueConstraint(
                fields=["organization", "client", "family_member"],
                condition=models.Q(family_member__isnull=False),
                name="messaging_thread_one_with_family_member",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "client", "-last_message_at"],
                name="messaging_thread_client",
            ),
        ]

    def __str__(self) -> str:
        return f"thread {self.public_id}"

    @property
    def is_with_family(self) -> bool:
        return self.family_member_id is not None

    @property
    def counterpart_name(self) -> str:
        return (self.family_member or self.client).display_name


class Side(models.TextChoices):
    STAFF = "staff", _("Staff")
    COUNTERPART = "counterpart", _("Client or family member")


class Participant(TenantModel):
    """Someone in a thread: a staff member of the client's care team, or the
    counterpart's portal login. Holds their read state, for unread counts."""

    Side = Side

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=16, choices=Side.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["organization", "thread", "user"], name="messaging_participant_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "user", "thread"], name="messaging_participant_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.thread_id}"


class Message(TenantModel):
    """A message as sent. Never changed afterwards: the service has no edit, and the
    database refuses UPDATE on the table (migration 0002)."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Which side wrote it, as it was when sent (a portal login may be unlinked later).
    side = models.CharField(max_length=16, choices=Side.choices)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(
                fields=["organization", "thread", "sent_at"], name="messaging_message_thread"
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.public_id}"
