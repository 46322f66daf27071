"""Navigation by role. Each app registers its entries from its `extensions.py`
(continuum.extensions); an entry shows when the member holds any of its roles.

An area's menu is ordered by `position`, then by registration: the spine's own pages
sit at 10-90, the lines at 100-599 (directory, coaching, interventions, case
management, referral requests), and what closes the menu (emergency access) at 900."""

from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

from continuum.extensions import Registry


@dataclass(frozen=True)
class NavEntry:
    area: str
    label: str
    url_name: str
    roles: frozenset
    position: int = 500


NAVIGATION: Registry[NavEntry] = Registry(
    "navigation", key=("area", "url_name"), holds="NavEntry: a menu entry of an area"
)
register = NAVIGATION.register
register_all = NAVIGATION.register_all


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
        for entry in sorted(NAVIGATION.values(), key=lambda entry: entry.position)
        if entry.area == area and roles & entry.roles
    )


URL_MARKER = "00000000-0000-0000-0000-000000000000"


def detail_urls(url_name: str, ids, *, id_kwarg: str, **kwargs) -> list[str]:
    """The URLs of one page for many objects by public id, reversing once: on a list
    page a `{% url %}` per row costs more than the rest of the row."""
    pattern = reverse(url_name, kwargs={**kwargs, id_kwarg: URL_MARKER})
    return [pattern.replace(URL_MARKER, str(public_id)) for public_id in ids]
