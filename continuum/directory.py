"""The directory as the other lines see it: the few reads they need, served by the app
that registers them (the referrals app, from its `extensions.py`). A line that needs the
organization's treatment programs or family support near a ZIP asks here, so the lines
meet only through the spine (docs/architecture.md, "Dependency rules")."""

from continuum.extensions import Registry

READS: Registry = Registry(
    "directory_reads", key="__name__", holds="directory reads other lines call"
)
register = READS.register


def _read(name: str):
    try:
        return READS[name]
    except KeyError:
        raise LookupError(f"No directory app has registered {name!r}.") from None


def treatment_program_choices(*, organization) -> list[tuple[str, str]]:
    """Programs a loved one can be admitted to, for pickers: (public id, name)."""
    return _read("treatment_program_choices")(organization=organization)


def family_support_near(*, organization, zip_code: str, limit: int = 5) -> list:
    """Family-support groups that serve this ZIP, nearest first."""
    return _read("family_support_near")(organization=organization, zip_code=zip_code, limit=limit)


def listing_get(*, organization, listing_id):
    """One listing by public id (Http404 when it is not the organization's)."""
    return _read("listing_get")(organization=organization, listing_id=listing_id)


def listing_pick(*, organization, text: str = "", listing_id=None, limit: int = 8) -> list[dict]:
    """Listings for a search picker, by name (or the one `listing_id`): each a dict of
    id, name, kind (its label), kind_code, phone, email and address."""
    return _read("listing_pick")(
        organization=organization, text=text, listing_id=listing_id, limit=limit
    )
