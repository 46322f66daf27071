"""Notification kinds, so people can choose channels per kind. Apps register theirs from
their `extensions.py` (continuum.extensions):

    from continuum.notifications import kinds
    kinds.register("appointment_reminder", "Appointment reminders")

and ship the inbox copy's templates in
`templates/notifications/messages/<kind>/{subject.txt,body.txt}`. A notification's
template name is its kind. E-mail and text messages are not the kind's to word: they are
written by `services.render_outbound` and say only who the message is from and how to
sign in. `crisis_line=True` adds the 911/988 line to an urgent one (a family's request
for help). `outbound_line` is one fixed sentence, never filled from a context, that
tells a staff recipient what to do without saying anything about anyone ("A client on
your caseload needs a same-day call.")."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from continuum.extensions import Registry

from .models import Channel

DEFAULT_CHANNELS = (Channel.IN_APP.value, Channel.EMAIL.value)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    default_channels: tuple[str, ...] = field(default=DEFAULT_CHANNELS)
    crisis_line: bool = False
    outbound_line: str = ""


KINDS: Registry[Kind] = Registry(
    "notification_kinds", key="name", holds="Kind: what people choose channels for"
)


def register(
    name: str,
    label: str,
    default_channels=DEFAULT_CHANNELS,
    *,
    crisis_line: bool = False,
    outbound_line: str = "",
) -> Kind:
    if not _NAME.match(name):
        raise ValueError(f"Notification kind {name!r} must be lower_snake_case.")
    unknown = set(default_channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"Unknown channels for {name!r}: {sorted(unknown)}")
    kind = Kind(
        name=name,
        label=label,
        default_channels=tuple(default_channels),
        crisis_line=crisis_line,
        outbound_line=outbound_line,
    )
    return KINDS.register(kind, replace=True)


def default_channels_for(name: str) -> tuple[str, ...]:
    kind = KINDS.get(name)
    return kind.default_channels if kind else DEFAULT_CHANNELS


# Built in, so it exists before any app registers its own.
register("general", _("General messages"))
