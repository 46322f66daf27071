"""Secure messaging: every change to a conversation is one function here.

Threads are between a client's team and one counterpart (the client, or one family
member). A family member's thread exists only under the client's consent naming them
(42 CFR Part 2): every message either way checks it again, and each message staff send
them is accounted as a disclosure. What leaves the platform about a message (e-mail,
text) never carries its words: the outbox's one renderer writes those."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import audit_change, audit_read_rows
from continuum.care import services as care_services
from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.services import consent_require, disclosure_record
from continuum.notifications import selectors as notification_selectors
from continuum.notifications import services as notification_services
from continuum.notifications.models import Channel
from continuum.people import selectors as people_selectors
from continuum.people import services as people_services
from continuum.people.models import Client, FamilyMember
from continuum.tenancy import services as tenancy_services
from continuum.tenancy.models import Membership, Role

from .models import URGENT_KIND_CLIENT, URGENT_KIND_FAMILY, Message, Participant, Thread
from .selectors import NEVER, messages_for

# A phone's screenful or two of a conversation; earlier messages are a page away.
THREAD_PAGE_SIZE = 25

MAX_BODY = 5000
NOTIFICATION_KIND = "message_received"
INVITATION_KIND = "portal_invitation"
# The care-team roles a thread's counterpart talks to: a family with the interventionist
# (before admission), a client with the aftercare team.
FAMILY_LINE = (Role.INTERVENTIONIST,)
CLIENT_LINE = (Role.SOBER_COACH, Role.CASE_MANAGER)
# What a conversation with a family member discloses at the least: that the client is in
# care and how it goes. The consent must name the family member for this purpose.
FAMILY_PURPOSE = Purpose.FAMILY_INVOLVEMENT
FAMILY_INFORMATION = (InformationCategory.PROGRESS,)


def family_consent(*, client: Client, family_member: FamilyMember):
    """The client's active consent to converse with this family member, or raises
    ConsentRequired (with what to record, for the staff page's link)."""
    return consent_require(
        organization=client.organization,
        client=client,
        recipient_kind=RecipientKind.FAMILY_MEMBER,
        recipient_name=family_member.display_name,
        recipient_family_member=family_member,
        purpose=FAMILY_PURPOSE,
        information=list(FAMILY_INFORMATION),
    )


def _line(thread: Thread) -> tuple[str, ...]:
    return FAMILY_LINE if thread.is_with_family else CLIENT_LINE


def _counterpart(thread: Thread) -> Client | FamilyMember:
    return thread.family_member if thread.is_with_family else thread.client


def _seat(thread: Thread, user, side: str) -> Participant:
    seat, _created = Participant.objects.get_or_create(
        organization=thread.organization, thread=thread, user=user, defaults={"side": side}
    )
    return seat


def _seats_sync(thread: Thread) -> None:
    """Seat the client's current care team for the thread's line, and the counterpart's
    portal login: a coach who joins the team later finds the conversation."""
    wanted = {
        link.membership.user_id: Participant.Side.STAFF
        for link in people_selectors.care_team_for(client=thread.client)
        if link.role in _line(thread) and link.membership.is_active
    }
    counterpart = _counterpart(thread)
    if counterpart.portal_user_id:
        wanted.setdefault(counterpart.portal_user_id, Participant.Side.COUNTERPART)
    Participant.objects.bulk_create(
        [
            Participant(organization=thread.organization, thread=thread, user_id=user, side=side)
            for user, side in wanted.items()
        ],
        ignore_conflicts=True,
    )


def _is_counterpart(membership: Membership, thread: Thread) -> bool:
    counterpart = _counterpart(thread)
    return membership.is_portal_member and counterpart.portal_user_id == membership.user_id


@transaction.atomic
def thread_start(
    *, actor, membership: Membership, client: Client, family_member: FamilyMember | None = None
) -> Thread:
    """The conversation between `client`'s team and the client (or `family_member`),
    opened by a staff member who sees the client, or by the counterpart in the portal.
    Returns the existing one when there is one: one thread per pair."""
    organization = client.organization
    if family_member is not None:
        linked = people_selectors.family_for(client=client).filter(family_member=family_member)
        if not linked.exists():
            raise ValidationError(
                {"family_member": "This family member is not linked to this client."}
            )
        family_consent(client=client, family_member=family_member)
    thread = Thread(organization=organization, client=client, family_member=family_member)
    if not membership.is_staff_member and not _is_counterpart(membership, thread):
        raise ValidationError(_("Only the client, their family and their team can write here."))
    existing = Thread.objects.filter(
        organization=organization, client=client, family_member=family_member
    ).first()
    if existing is not None:
        thread = existing
    else:
        thread.created_by = actor
        try:
            with transaction.atomic():
                thread.save(force_insert=True)
        except IntegrityError:
            # Opened at the same moment by the other side: theirs is the thread.
            thread = Thread.objects.get(
                organization=organization, client=client, family_member=family_member
            )
        else:
            audit_change(
                actor,
                organization,
                "message_thread.started",
                thread,
                client.public_id,
                detail={"with": "family_member" if family_member else "client"},
            )
    side = Participant.Side.STAFF if membership.is_staff_member else Participant.Side.COUNTERPART
    _seat(thread, actor, side)
    _seats_sync(thread)
    if not thread.participants.filter(side=Participant.Side.STAFF).exists():
        values = {"organization": organization.name, "phone": organization.contact_phone}
        if organization.contact_phone:
            raise ValidationError(
                _(
                    "Nobody on the team can receive messages yet. Please call "
                    "%(organization)s at %(phone)s; the team will set this up."
                )
                % values
            )
        raise ValidationError(
            _(
                "Nobody on the team can receive messages yet. Please call %(organization)s; "
                "the team will set this up."
            )
            % values
        )
    return thread


def _notify(*, thread: Thread, message: Message, author) -> None:
    """Tell the others a message is waiting: one notification per recipient and unread
    stretch (a second message before they read the first adds nothing), on the channels
    their preferences choose, text only where they gave a mobile number."""
    seats = list(
        thread.participants.exclude(user=author).filter(
            user__in=Membership.objects.filter(
                organization=thread.organization, is_active=True
            ).values("user")
        )
    )
    organization = thread.organization
    for seat in seats:
        first_unread = (
            Message.objects.filter(thread=thread, sent_at__gt=Coalesce(seat.last_read_at, NEVER))
            .exclude(author=seat.user_id)
            .order_by("sent_at", "id")
            .values_list("public_id", flat=True)
            .first()
        ) or message.public_id
        area = "staff" if seat.side == Participant.Side.STAFF else "portal"
        url = reverse(
            f"{area}:messaging_thread",
            kwargs={"org": organization.slug, "thread_id": thread.public_id},
        )
        preference = notification_selectors.preferences_get(
            organization=organization, user=seat.user
        )
        channels = notification_services.channels_for(preference=preference, kind=NOTIFICATION_KIND)
        for channel in channels:
            if channel == Channel.SMS and not preference.sms_number:
                continue
            notification_services.notification_schedule(
                organization=organization,
                recipient=seat.user,
                template=NOTIFICATION_KIND,
                context={"url": url, "from": author.get_full_name() or ""},
                channel=channel,
                dedup_key=f"message:{first_unread}:{seat.user_id}:{channel}",
                actor=author,
            )


@transaction.atomic
def message_send(*, actor, membership: Membership, seat: Participant, body: str) -> Message:
    """Send a message in the thread `seat` sits in. It cannot be changed afterwards."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message before sending.")})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": _("Keep a message under %(count)s characters.") % {"count": MAX_BODY}}
        )
    if seat.user_id != actor.pk:
        raise ValidationError("This is not your seat in the conversation.")
    # One message after the other per thread: the unread stretch and order stay exact.
    thread = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("client", "family_member", "organization")
        .get(pk=seat.thread_id)
    )
    consent = None
    if thread.is_with_family:
        consent = family_consent(client=thread.client, family_member=thread.family_member)
    now = timezone.now()
    message = Message.objects.create(
        organization=thread.organization,
        thread=thread,
        author=actor,
        side=seat.side,
        body=body,
        sent_at=now,
    )
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
    # Your own message is read by you.
    Participant.objects.filter(pk=seat.pk).update(last_read_at=now)
    _seats_sync(thread)
    audit_change(
        actor,
        thread.organization,
        "message.sent",
        message,
        thread.client.public_id,
        detail={"thread": str(thread.public_id), "side": seat.side},
    )
    if consent is not None and seat.side == Participant.Side.STAFF:
        disclosure_record(
            actor=actor,
            consent=consent,
            recipient=thread.family_member.display_name,
            description=f"Secure message {message.public_id} in the family portal",
            purpose=FAMILY_PURPOSE,
        )
    _notify(thread=thread, message=message, author=actor)
    return message


@transaction.atomic
def thread_mark_read(*, actor, seat: Participant) -> Participant:
    now = timezone.now()
    Participant.objects.filter(pk=seat.pk).update(last_read_at=now)
    seat.last_read_at = now
    audit_change(
        actor,
        seat.thread.organization,
        "message_thread.read",
        seat.thread,
        seat.thread.client.public_id,
    )
    return seat


@transaction.atomic
def thread_open(*, actor, seat: Participant, mark_read: bool = True) -> list[Message]:
    """The messages of `seat`'s thread as shown to its reader: every one is audited as
    read, and (unless `mark_read` is False) the thread is marked read. A family member's thread shows nothing once
    the client's consent for them has ended (ConsentRequired)."""
    _consent_to_read(seat)
    messages = list(messages_for(thread=seat.thread))
    _shown(actor=actor, seat=seat, messages=messages, mark_read=mark_read)
    return messages


@transaction.atomic
def thread_page_open(
    *, actor, seat: Participant, page: int = 1, per_page: int = THREAD_PAGE_SIZE
) -> tuple[Page, list[Message]]:
    """One page of `seat`'s thread, as `thread_open` shows the whole: page 1 is the latest
    `per_page` messages, page 2 the ones before them. Returns the page (for its links) and
    its messages oldest first, as a conversation reads. Only the messages shown are
    audited as read, and only the latest page marks the thread read: paging back through
    older messages leaves the newest ones unread."""
    _consent_to_read(seat)
    newest_first = messages_for(thread=seat.thread).order_by("-sent_at", "-id")
    shown_page = Paginator(newest_first, per_page).get_page(page)
    messages = list(shown_page.object_list)[::-1]
    _shown(actor=actor, seat=seat, messages=messages, mark_read=shown_page.number == 1)
    return shown_page, messages


def _consent_to_read(seat: Participant) -> None:
    thread = seat.thread
    if thread.is_with_family and seat.side == Participant.Side.COUNTERPART:
        family_consent(client=thread.client, family_member=thread.family_member)


def _shown(*, actor, seat: Participant, messages: list[Message], mark_read: bool) -> None:
    thread = seat.thread
    audit_read_rows(
        actor=actor,
        organization=thread.organization,
        model=Message,
        rows=[(m.public_id, thread.client.public_id) for m in messages],
    )
    if mark_read:
        thread_mark_read(actor=actor, seat=seat)


@dataclass(frozen=True)
class Urgent:
    thread: Thread
    event: object  # the care spine's SafetyEvent


@transaction.atomic
def thread_mark_urgent(*, actor, membership: Membership, seat: Participant) -> Urgent:
    """Staff flag a conversation as needing a same-day call: the safety service asks the
    person responsible right now (the thread's line first) and escalates until someone
    acknowledges."""
    if not membership.is_staff_member or seat.side != Participant.Side.STAFF:
        raise ValidationError("Only the team can mark a conversation urgent.")
    thread = Thread.objects.select_for_update(of=("self",)).get(pk=seat.thread_id)
    now = timezone.now()
    thread.urgent_at = now
    thread.urgent_by = actor
    thread.save(update_fields=["urgent_at", "urgent_by"])
    kind = URGENT_KIND_FAMILY if seat.thread.is_with_family else URGENT_KIND_CLIENT
    event = care_services.safety_event_raise(
        actor=actor, client=seat.thread.client, kind=kind, door="staff", now=now
    )
    audit_change(
        actor,
        thread.organization,
        "message_thread.marked_urgent",
        thread,
        seat.thread.client.public_id,
        detail={"safety_event": str(event.public_id)},
    )
    return Urgent(thread=thread, event=event)


# --- portal access ------------------------------------------------------------------------


@transaction.atomic
def portal_invite(*, actor, record: Client | FamilyMember, email: str):
    """Give a client or family member a portal login and e-mail them the way in: a
    passwordless account (they sign in with a code sent to this address), linked to
    their record, announced through the outbox. Inviting again the same day sends
    nothing new."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Enter the e-mail address the invitation goes to."})
    organization = record.organization
    staff_login = Membership.objects.filter(
        organization=organization, user__email__iexact=email, is_active=True
    ).first()
    if staff_login is not None and staff_login.is_staff_member:
        raise ValidationError(
            {"email": "This address belongs to a staff member. Use the person's own address."}
        )
    role = Role.CLIENT if isinstance(record, Client) else Role.FAMILY_MEMBER
    user = tenancy_services.portal_account_ensure(
        organization=organization, email=email, full_name=record.display_name, role=role
    )
    if record.portal_user_id != user.pk:
        people_services.portal_account_link(actor=actor, record=record, user=user)
    threads = Thread.objects.filter(organization=organization)
    threads = (
        threads.filter(family_member=record)
        if role == Role.FAMILY_MEMBER
        else threads.filter(client=record, family_member__isnull=True)
    )
    for thread in threads:
        _seats_sync(thread)
    client_id = record.public_id if role == Role.CLIENT else None
    audit_change(
        actor, organization, "portal_invitation.sent", record, client_id, detail={"role": role}
    )
    notification_services.notification_schedule(
        organization=organization,
        recipient=user,
        template=INVITATION_KIND,
        context={"url": reverse("portal:home", kwargs={"org": organization.slug})},
        channel=None,
        dedup_key=f"portal-invitation:{record.public_id}:{user.pk}:{timezone.localdate()}",
        actor=actor,
    )
    return user
