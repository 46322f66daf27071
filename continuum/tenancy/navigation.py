"""Navigation by role. Each app appends its entries to NAVIGATION; an entry shows when
the member holds any of its roles."""

from dataclasses import dataclass

from django.urls import reverse

from .models import STAFF_ROLES, Role


@dataclass(frozen=True)
class NavEntry:
    area: str
    label: str
    url_name: str
    roles: frozenset


NAVIGATION: list[NavEntry] = [
    NavEntry("staff", "Dashboard", "staff:dashboard", STAFF_ROLES),
    NavEntry("staff", "Team", "staff:team", frozenset({Role.ORG_ADMIN})),
    NavEntry("staff", "Settings", "staff:settings", frozenset({Role.ORG_ADMIN})),
    NavEntry("portal", "Home", "portal:home", frozenset({Role.FAMILY_MEMBER, Role.CLIENT})),
]


def navigation_for(request, membership, *, area: str) -> list[dict]:
    if membership is None or request.organization is None:
        return []
    current = request.path
    entries = []
    for entry in NAVIGATION:
        if entry.area != area or not membership.has_role(*entry.roles):
            continue
        url = reverse(entry.url_name, kwargs={"org": request.organization.slug})
        entries.append({"label": entry.label, "url": url, "current": current == url})
    return entries
