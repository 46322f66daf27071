"""What the management commands share: the organization a command works in, named by
slug, and its staff; and for the demo commands, the day the story is told from."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from .models import Membership, Organization
from .scoping import organization_scope
from .timezones import local_now, org_zone

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


@dataclass(frozen=True)
class StoryClock:
    """The demo's weeks of history, told from the moment the command runs: every record
    is dated so many days before (or after) today, in the organization's time zone, so
    a demo loaded on any day reads as a story happening now.

    `back_to(moment)` runs the services as they would have run then: the records, their
    audit events, tasks and notifications all carry that moment, as if staff and clients
    had entered them on the day. No write is backdated afterwards."""

    organization: Organization
    now: datetime

    @classmethod
    def for_organization(cls, organization) -> "StoryClock":
        return cls(organization=organization, now=timezone.now())

    @property
    def zone(self):
        return org_zone(self.organization)

    @property
    def today(self) -> date:
        return local_now(self.organization, self.now).date()

    def day(self, offset: int) -> date:
        """Today plus `offset` days (negative: in the past)."""
        return self.today + timedelta(days=offset)

    def at(self, offset: int, hour: int = 10, minute: int = 0) -> datetime:
        """That wall-clock time, `offset` days from today, in the organization's zone.
        Today's times that have not come yet are moved to just before now, so nothing in
        the past half of the story happens in the future."""
        moment = datetime.combine(self.day(offset), time(hour, minute), org_zone(self.organization))
        if offset == 0 and moment > self.now:
            moment = self.now - timedelta(minutes=5)
        return moment

    def ago(self, **delta) -> datetime:
        return self.now - timedelta(**delta)

    def earlier_today(self, **delta) -> datetime:
        """That long ago, but never before today began: what happened "this morning"
        stays on today's date even when the demo is loaded just after midnight."""
        midnight = datetime.combine(self.today, time(0, 1), org_zone(self.organization))
        return max(self.now - timedelta(**delta), min(midnight, self.now))

    def ahead(self, **delta) -> datetime:
        return self.now + timedelta(**delta)

    @contextmanager
    def back_to(self, moment: datetime) -> Iterator[None]:
        """Run what follows as of `moment` (at most now: the story's future is only ever
        scheduled, never recorded)."""
        import time_machine

        with time_machine.travel(min(moment, self.now), tick=False):
            yield


class Cast:
    """What each character's function of the demo is handed: the organization, the
    story's clock and the demo staff by the local part of their e-mail ("coach")."""

    def __init__(self, organization, clock: StoryClock):
        self.organization = organization
        self.clock = clock
        self.staff = {email.split("@")[0]: m for email, m in members_by_email(organization).items()}
        if "admin" not in self.staff or "intake" not in self.staff:
            raise CommandError("Run demo_setup first: the demo staff are missing.")
        self.admin = self.staff["admin"]
        self.intake = self.staff["intake"]

    @classmethod
    def of(cls, organization) -> "Cast":
        return cls(organization, StoryClock.for_organization(organization))


def run_characters(characters: list[Callable[..., bool]], **context) -> list[str]:
    """Call each character's function: it returns True when it added its part of the
    story and False when that part was already there. The names of those added."""
    return [c.__name__ for c in characters if c(**context)]


class StoryCommand(BaseCommand):
    """A demo command: adds its line's `characters` to the demo organization's story, each
    in a transaction of its own, so one that fails leaves the others told and a second run
    adds only what is missing. `prepare` runs first (what every character needs),
    `finish` after, when a character was added; `ready` names the result."""

    characters: list[Callable[..., bool]] = []
    ready = "Demo ready"
    missing = NO_DEMO_ORGANIZATION

    def prepare(self, cast: "Cast") -> None:
        pass

    def finish(self, cast: "Cast", added: list[str]) -> None:
        pass

    def handle(self, *args, **options):
        organization = organization_named(missing=self.missing)
        with organization_scope(organization):
            cast = Cast.of(organization)
            with transaction.atomic():
                self.prepare(cast)
            added = []
            for character in self.characters:
                with transaction.atomic():
                    added += run_characters([character], cast=cast)
            if added:
                with transaction.atomic():
                    self.finish(cast, added)
        self.stdout.write(self.style.SUCCESS(f"{self.ready} ({', '.join(added) or 'no'} new)."))


def run_pending_handoffs(organization) -> None:
    """Do now what the worker would do a moment after a transition, so the phase's next
    steps (care plan, coaching proposal, tasks) are dated with the transition. Each run is
    exactly-once: the worker finding them later changes nothing."""
    from continuum.care.models import HandoffRun, HandoffStatus
    from continuum.care.services import handoff_execute

    pending = HandoffRun.objects.filter(organization=organization, status=HandoffStatus.PENDING)
    for run_id in pending.order_by("pk").values_list("pk", flat=True):
        handoff_execute(run_id=run_id)


def deliver_story_notifications(cast: Cast, *, after_id: int) -> int:
    """Deliver each notification the story made due (those above `after_id`), at the
    moment it fell due, as the worker would have on the day: a reminder of a visit weeks
    ago reached its reader the day before that visit, not today. What reached someone
    more than two days ago they have read since, a few hours later; the newer ones wait
    unread. E-mails and texts of the past go to the development backends with their
    console output held back, so the start-up log stays readable. Returns how many."""
    import io
    from contextlib import redirect_stdout

    from continuum.notifications.engine.batch import notification_deliver_now
    from continuum.notifications.models import Notification, Status
    from continuum.notifications.services import notification_mark_read

    due = Notification.objects.filter(
        organization=cast.organization,
        pk__gt=after_id,
        status=Status.PENDING,
        available_at__lte=cast.clock.now,
    ).order_by("available_at", "pk")
    read_before = cast.clock.ago(days=2)
    delivered = 0
    for notification in list(due.select_related("recipient")):
        moment = max(notification.available_at, notification.created_at)
        with cast.clock.back_to(moment), redirect_stdout(io.StringIO()):
            delivered += notification_deliver_now(
                notification_id=notification.pk, worker="demo_setup"
            )
        if moment < read_before:
            with cast.clock.back_to(moment + timedelta(hours=4)):
                notification.refresh_from_db()
                notification_mark_read(actor=notification.recipient, notification=notification)
    return delivered
