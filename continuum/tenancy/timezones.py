"""An organization's local time: the one place that turns its days into moments.

Pages, API calls and tasks run with the organization's zone active (see
`scoping.organization_scope`), so naive form input and `timezone.localdate()` already mean
local time. What remains are date-only fields that stand for a moment (a discharge, an
admission): they are read here, in the organization's zone, never in UTC."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


def org_zone(organization) -> ZoneInfo:
    return ZoneInfo(organization.timezone or "UTC")


def local_now(organization, now: datetime | None = None) -> datetime:
    """`now` (the present by default) on the organization's clock, whatever zone is active."""
    return timezone.localtime(now or timezone.now(), org_zone(organization))


def local_date(moment: datetime, organization) -> date:
    return timezone.localtime(moment, org_zone(organization)).date()


def day_start(day: date, organization) -> datetime:
    """Local midnight that begins `day`, as a UTC moment: the zone decides the offset of
    that very day, and arithmetic on the result counts elapsed hours (Python adds to a
    zoned datetime by the wall clock, so 72 h across a DST change would be 71 or 73)."""
    return datetime.combine(day, time.min, tzinfo=org_zone(organization)).astimezone(UTC)


def day_end(day: date, organization) -> datetime:
    """The last second of `day`, local time."""
    return day_start(day + timedelta(days=1), organization) - timedelta(seconds=1)


def moment_of(day: date, *, recorded_at: datetime, organization) -> datetime:
    """When an event known only by its date happened. Entered on the day itself, the
    moment it was entered; backdated, the start of that local day: the hour is unknown,
    and a clock that starts earlier never lets a deadline slip past what was promised."""
    if local_date(recorded_at, organization) <= day:
        return recorded_at
    return day_start(day, organization)
