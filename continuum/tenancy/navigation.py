"""Navigation by role. Each app appends its entries to NAVIGATION; an entry shows when
the member holds any of its roles."""

from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

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
    NavEntry("portal", _("Home"), "portal:home", frozenset({Role.FAMILY_MEMBER, Role.CLIENT})),
    NavEntry("staff", "Audit trail", "staff:audit_list", frozenset({Role.ORG_ADMIN})),
    NavEntry("portal", _("Consents"), "portal:consent_list", frozenset({Role.CLIENT})),
    NavEntry("portal", _("Shared records"), "portal:disclosure_list", frozenset({Role.CLIENT})),
    NavEntry("staff", "Clients", "staff:client_list", STAFF_ROLES),
    NavEntry("staff", "My work", "staff:my_work", STAFF_ROLES),
    NavEntry("staff", "Failed handoffs", "staff:handoff_failures", frozenset({Role.ORG_ADMIN})),
    NavEntry("staff", "Operations", "staff:operations", frozenset({Role.ORG_ADMIN})),
    NavEntry("portal", _("My care"), "portal:my_care", frozenset({Role.CLIENT})),
    NavEntry("staff", "Directory", "staff:directory_search", STAFF_ROLES),
    NavEntry("staff", "Referrals", "staff:referral_list", STAFF_ROLES),
    NavEntry(
        "staff",
        "Coaching",
        "staff:coaching_dashboard",
        frozenset({Role.SOBER_COACH, Role.CASE_MANAGER, Role.ORG_ADMIN}),
    ),
    NavEntry("portal", _("My recovery"), "portal:coaching_home", frozenset({Role.CLIENT})),
    NavEntry(
        "staff",
        "Interventions",
        "staff:intervention_requests",
        frozenset({Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.INTERVENTIONIST}),
    ),
    NavEntry(
        "portal", _("Our intervention"), "portal:interventions", frozenset({Role.FAMILY_MEMBER})
    ),
    NavEntry(
        "staff",
        "Case management",
        "staff:casemgmt_dashboard",
        frozenset({Role.CASE_MANAGER, Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.SOBER_COACH}),
    ),
    NavEntry("portal", _("My care plan"), "portal:casemgmt_portal_plan", frozenset({Role.CLIENT})),
    NavEntry(
        "portal", _("Appointments"), "portal:casemgmt_portal_appointments", frozenset({Role.CLIENT})
    ),
    NavEntry(
        "portal", _("Medications"), "portal:casemgmt_portal_medications", frozenset({Role.CLIENT})
    ),
    NavEntry("portal", _("Referral requests"), "portal:referrals", frozenset({Role.FAMILY_MEMBER})),
    NavEntry("staff", "Emergency access", "staff:break_glass", STAFF_ROLES),
    NavEntry("staff", "Emergency access log", "staff:break_glass_log", frozenset({Role.ORG_ADMIN})),
]


def navigation_for(request, membership, *, area: str) -> list[dict]:
    if membership is None or request.organization is None:
        return []
    current = request.path
    return [
        {"label": label, "url": url, "current": current == url}
        for label, url in _entries(
            area,
            request.organization.slug,
            frozenset(membership.roles),
            get_urlconf(),
            get_script_prefix(),
            len(NAVIGATION),
        )
    ]


@lru_cache(maxsize=4096)
def _entries(area: str, slug: str, roles: frozenset, urlconf, prefix: str, size: int) -> tuple:
    """The (label, url) pairs of an area's navigation for a set of roles: the same for
    every page view of every member with those roles, so reversed once per process (the
    key holds everything the URLs depend on, and the number of entries apps added)."""
    return tuple(
        (entry.label, reverse(entry.url_name, kwargs={"org": slug}))
        for entry in NAVIGATION
        if entry.area == area and roles & entry.roles
    )


URL_MARKER = "00000000-0000-0000-0000-000000000000"


def detail_urls(url_name: str, ids, *, id_kwarg: str, **kwargs) -> list[str]:
    """The URLs of one page for many objects by public id, reversing once: on a list
    page a `{% url %}` per row costs more than the rest of the row."""
    pattern = reverse(url_name, kwargs={**kwargs, id_kwarg: URL_MARKER})
    return [pattern.replace(URL_MARKER, str(public_id)) for public_id in ids]
