"""The reads of the alumni line: scoped, prefetched, one query each."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from continuum.people.models import Client
from continuum.people.selectors import client_for_portal_request, client_list_for
from continuum.tenancy.models import Membership
from continuum.tenancy.selectors import get_or_404

from .models import AlumniEvent, AlumniProfile, Answer, HelpRequest, MonthlyCheckIn, Rsvp
from .services import alumni_episode, this_month


def portal_alumnus(request) -> Client | None:
    """The signed-in client while their episode is in the alumni phase, else None:
    the alumni pages and home sections are theirs only."""
    if not hasattr(request, "_portal_alumnus"):
        client = client_for_portal_request(request)
        request._portal_alumnus = (
            client if client is not None and alumni_episode(client) is not None else None
        )
    return request._portal_alumnus


def portal_profile(request):
    """The signed-in alumnus's profile, looked up once per request for the home's
    sections."""
    if not hasattr(request, "_alumni_profile"):
        client = portal_alumnus(request)
        request._alumni_profile = (
            AlumniProfile.objects.filter(client=client).first() if client is not None else None
        )
    return request._alumni_profile


def _with_counts(events: QuerySet) -> QuerySet:
    return events.annotate(
        yes_count=Count("rsvps", filter=Q(rsvps__answer=Answer.YES)),
        maybe_count=Count("rsvps", filter=Q(rsvps__answer=Answer.MAYBE)),
        no_count=Count("rsvps", filter=Q(rsvps__answer=Answer.NO)),
    )


def events_upcoming_for_client(*, client: Client) -> QuerySet[AlumniEvent]:
    """Events still ahead, soonest first, each with the client's own answer and the
    number of yeses (for the places left)."""
    mine = Rsvp.objects.filter(event=OuterRef("pk"), client=client).values("answer")[:1]
    return (
        AlumniEvent.objects.filter(starts_at__gt=timezone.now())
        .annotate(
            my_answer=Subquery(mine),
            yes_count=Count("rsvps", filter=Q(rsvps__answer=Answer.YES)),
        )
        .order_by("starts_at", "id")
    )


def portal_event_get(*, client: Client, event_id) -> AlumniEvent:
    return get_or_404(events_upcoming_for_client(client=client), event_id, what="event")


def event_list(*, upcoming: bool = True) -> QuerySet[AlumniEvent]:
    now = timezone.now()
    if upcoming:
        events = AlumniEvent.objects.filter(starts_at__gt=now)
    else:
        events = AlumniEvent.objects.filter(starts_at__lte=now)
    order = ("starts_at", "id") if upcoming else ("-starts_at", "-id")
    return _with_counts(events).order_by(*order)


def event_get(*, event_id) -> AlumniEvent:
    return get_or_404(_with_counts(AlumniEvent.objects.all()), event_id, what="event")


def event_rsvps_for(*, membership: Membership, event: AlumniEvent) -> QuerySet[Rsvp]:
    """Who answered, among the clients this member may see: the counts cover everyone,
    the names only the member's own clients."""
    return (
        Rsvp.objects.filter(event=event, client__in=client_list_for(membership=membership))
        .select_related("client")
        .order_by("answer", "client__last_name", "client__first_name", "id")
    )


def checkins_for(*, client: Client) -> QuerySet[MonthlyCheckIn]:
    return MonthlyCheckIn.objects.filter(client=client).order_by("-month")


def checkin_this_month(*, client: Client) -> MonthlyCheckIn | None:
    return MonthlyCheckIn.objects.filter(client=client, month=this_month()).first()


def help_requests_for(*, client: Client) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(client=client).order_by("-created_at", "-id")


def help_request_get(*, client: Client, help_request_id) -> HelpRequest:
    return get_or_404(
        help_requests_for(client=client).select_related(
            "transition__episode__client", "safety_event__asked__user", "safety_event__organization"
        ),
        help_request_id,
        what="request",
    )
