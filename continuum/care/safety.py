"""Safety events: the registry the service lines declare their kinds in.

A line registers each kind of safety event from its `extensions.py`
(continuum.extensions), naming the care-team role that answers for it first:

    from continuum.care import safety
    safety.register("help_now", "Asked for help now", line=Role.SOBER_COACH)

and raises one with `continuum.care.services.safety_event_raise(...)`. The spine decides
who is responsible right now (`selectors.responsible_for`), tells them at once on every
channel, grants them access to the client, keeps one safety task per client and day, and
escalates until someone acknowledges.

A line may also say when one of its people cannot answer right now (a coach outside their
working hours): `safety.register_availability(func)`, `func(membership, when)` returning
False for "skip them", None when it has no opinion."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from continuum.extensions import Registry
from continuum.tenancy.models import Role

NOTIFICATION_KIND = "safety_event"
# How long the person asked may open the client's record, when they could not already.
FOLLOW_UP_ACCESS_HOURS = 24

# Care-team roles asked after the event's own line, in this order.
CARE_TEAM_ORDER = (Role.CASE_MANAGER, Role.SOBER_COACH, Role.INTERVENTIONIST)


class Door:
    """Where the event came in: shown on the timeline and in the audit trail."""

    PORTAL = "portal"
    STAFF = "staff"
    API = "api"
    SYSTEM = "system"
    ALL = (PORTAL, STAFF, API, SYSTEM)


@dataclass(frozen=True)
class SafetyKind:
    name: str
    label: str  # staff-facing only (timeline, My work, the task), so English
    line: str  # the care-team role that answers first


KINDS: Registry[SafetyKind] = Registry(
    "safety_kinds", key="name", holds="SafetyKind: an event a line raises"
)
AVAILABILITY: Registry[Callable] = Registry(
    "safety_availability", holds="func(membership, when) -> False: cannot answer now"
)


def register(name: str, label: str, *, line: str) -> SafetyKind:
    if line not in CARE_TEAM_ORDER:
        raise ValueError(f"Safety kind {name!r}: {line!r} is not a care-team line.")
    existing = KINDS.get(name)
    if existing is not None and existing.line != line:
        raise ValueError(f"Safety kind {name!r} is already registered for {existing.line}.")
    return KINDS.register(SafetyKind(name=name, label=label, line=line), replace=True)


def get(name: str) -> SafetyKind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(
            f"No safety kind {name!r} is registered; known: {', '.join(sorted(KINDS))}."
        ) from None


register_availability = AVAILABILITY.register
unregister_availability = AVAILABILITY.unregister


def available(membership, when: datetime) -> bool:
    return all(func(membership, when) is not False for func in AVAILABILITY)


# --- what the person who answered is told ---------------------------------------------

_RELATION = {
    Role.CASE_MANAGER: "case_manager",
    Role.SOBER_COACH: "sober_coach",
    Role.INTERVENTIONIST: "interventionist",
}


def told_sentence(event) -> str:
    """The truth about who was told, for the client's page, in the active language.
    Empty when nobody could be reached: the page then shows the crisis lines first."""
    from .models import AskedAs

    if event is None or event.asked_as == AskedAs.NOBODY:
        return ""
    organization = event.organization.name
    if event.asked_as == AskedAs.ADMINS:
        return _("We have let the %(organization)s team know; someone will call you today.") % {
            "organization": organization
        }
    name = event.asked.user.get_full_name() or _("a team member")
    if event.asked_as == AskedAs.CARE_TEAM:
        role = event.asked_role
        if role == Role.CASE_MANAGER:
            return _(
                "We have let %(name)s, your case manager, know; %(name)s will call you today."
            ) % {"name": name}
        if role == Role.SOBER_COACH:
            return _(
                "We have let %(name)s, your sober coach, know; %(name)s will call you today."
            ) % {"name": name}
        if role == Role.INTERVENTIONIST:
            return _(
                "We have let %(name)s, your interventionist, know; %(name)s will call you today."
            ) % {"name": name}
    return _(
        "We have let %(name)s, who is on call at %(organization)s, know; "
        "%(name)s will call you today."
    ) % {"name": name, "organization": organization}


def told_or_crisis_sentence(event) -> str:
    """For a one-line message (a flash message, an API answer): who was told, or, with
    nobody to tell, the crisis lines first."""
    told = told_sentence(event)
    if told:
        return told
    return _(
        "Call or text 988 now (911 if you are in danger): nobody at %(organization)s can "
        "be reached through this site right now."
    ) % {"organization": event.organization.name if event is not None else _("your program")}


def staff_told_sentence(event) -> str:
    """The same truth for the staff member who entered the answer (staff pages are
    English)."""
    from .models import AskedAs

    if event is None:
        return ""
    if event.asked_as == AskedAs.NOBODY:
        return (
            "Nobody could be asked to follow up: there is no care team, no one on call and "
            "no active admin. Call the client now, and set up the on-call rota."
        )
    if event.asked_as == AskedAs.ADMINS:
        return f"Every admin of {event.organization.name} has been asked to follow up today."
    name = event.asked.user.get_full_name() or event.asked.user.email
    return f"{name} ({AskedAs(event.asked_as).label}) has been asked to follow up today."
