"""Reads of conversations, always through the caller's seat in them.

A staff member sees the threads they take part in while they may see the client (the
client's care team for the thread's line is seated as the thread goes on); a client sees their own thread; a family
member sees their own threads with the clients they are linked to. Missing and not-yours
are the same 404."""

from datetime import UTC, datetime

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from continuum.people.selectors import client_list_for
from continuum.tenancy.models import Membership
from continuum.tenancy.selectors import get_or_404

from .models import Message, Participant, Thread

# Read state before a first read: every message counts as unread.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _seat_filter(membership: Membership) -> Q:
    """The seats `membership` may use: a counterpart seat only while the login is still
    the client's or the family member's (unlinking a portal login ends it at once)."""
    if membership is None or not membership.is_active:
        return Q(pk__in=[])
    seats = Q(user=membership.user_id, organization=membership.organization_id)
    staff = Q(pk__in=[])
    if membership.is_staff_member:
        # A seat lasts while the client is visible to them: leaving the care team ends it
        # the same day, as it ends access to the record (a subquery, no extra query).
        staff = Q(side=Participant.Side.STAFF) & Q(
            thread__client__in=client_list_for(membership=membership).values("pk")
        )
    portal = Q(side=Participant.Side.COUNTERPART) & (
        Q(thread__family_member__isnull=True, thread__client__portal_user=membership.user_id)
        | Q(thread__family_member__portal_user=membership.user_id)
    )
    if not membership.is_portal_member:
        portal = Q(pk__in=[])
    return seats & (staff | portal)


def _unread(user_id) -> Coalesce:
    """A seat's unread count as a sub-select per row shown, not a join aggregated over
    every seat: PostgreSQL evaluates it after the ORDER BY and LIMIT, so a page of 20 costs
    20 small index reads whatever the number of conversations (10,000 seats aggregated
    first took 300 ms), and the paginator's COUNT leaves it out altogether."""
    newer = (
        Message.objects.filter(
            thread=OuterRef("thread_id"),
            sent_at__gt=Coalesce(OuterRef("last_read_at"), NEVER),
        )
        .exclude(author=user_id)
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(newer), 0)


def seat_list_for(*, membership: Membership) -> QuerySet[Participant]:
    """My conversations, newest first, each with its unread count: one query per page."""
    return (
        Participant.objects.filter(_seat_filter(membership))
        .select_related("thread__client", "thread__family_member")
        .annotate(unread=_unread(membership.user_id))
        .order_by(F("thread__last_message_at").desc(nulls_last=True), "-thread__id")
    )


def unread_total_for(*, membership: Membership) -> int:
    return (
        Participant.objects.filter(_seat_filter(membership))
        .filter(
            thread__messages__sent_at__gt=Coalesce(F("last_read_at"), NEVER),
        )
        .exclude(thread__messages__author=membership.user_id)
        .aggregate(total=Count("thread__messages"))["total"]
        or 0
    )


def seat_get_for(*, membership: Membership, thread_id) -> Participant:
    """My seat in one thread, with the thread, its client and counterpart."""
    seats = Participant.objects.filter(_seat_filter(membership)).select_related(
        "thread__client", "thread__family_member", "thread__organization"
    )
    # A seat is found by its thread's id: the thread is what the address names.
    return get_or_404(seats, thread_id, what="conversation", field="thread__public_id")


def messages_for(*, thread: Thread) -> QuerySet[Message]:
    return (
        Message.objects.filter(organization=thread.organization_id, thread=thread)
        .select_related("author")
        .order_by("sent_at", "id")
    )


def threads_for_client(*, membership: Membership, client) -> QuerySet[Participant]:
    """My seats in one client's threads (the client's messages page)."""
    return seat_list_for(membership=membership).filter(thread__client=client)


def staff_names_for(*, thread: Thread) -> list[str]:
    return [
        seat.user.get_full_name() or seat.user.email
        for seat in Participant.objects.filter(thread=thread, side=Participant.Side.STAFF)
        .select_related("user")
        .order_by("joined_at", "id")
    ]
