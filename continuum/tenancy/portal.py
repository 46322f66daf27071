"""What the portal's home page shows: each app contributes sections from its
`extensions.py` (continuum.extensions), so the spine's home page knows no line.

A section is shown to a member holding any of its roles. `context(request)` returns the
template context the section needs, or None when it has nothing to say to this member
(no engagement, no intervention): an empty card on the home page would answer nothing.
Sections are ordered by `position` (what to do today first, then what is coming, then
the rest), then by registration."""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from continuum.extensions import Registry


@dataclass(frozen=True)
class PortalSection:
    key: str
    template: str
    roles: frozenset
    context: Callable
    position: int = 500


PORTAL_HOME: Registry[PortalSection] = Registry(
    "portal_home", key="key", holds="PortalSection: a section of the portal's home page"
)
register = PORTAL_HOME.register


def sections_for(request, membership) -> list[str]:
    """The rendered sections the home page shows this member, in order."""
    if membership is None:
        return []
    roles = set(membership.roles)
    rendered = []
    for section in sorted(PORTAL_HOME.values(), key=lambda section: section.position):
        if not roles & section.roles:
            continue
        context = section.context(request)
        if context is None:
            continue
        rendered.append(render_to_string(section.template, context, request=request))
    return rendered
