"""Reads of the directory and of referrals."""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import (
    Avg,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.http import Http404
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from continuum.paging import MAX_PAGE
from continuum.tenancy.models import Role
from continuum.tenancy.selectors import get_or_404

from . import search_sql
from .geo import (
    EARTH_RADIUS_MILES,
    MILES_PER_DEGREE_LATITUDE,
    Point,
    bounding_box,
    distance_expression,
    latitude_bands,
    zip_lookup,
)
from .languages import label as language_label
from .models import (
    CAPACITY_FRESH_DAYS,
    VERIFY_EVERY_DAYS,
    DirectorySettings,
    ImportJob,
    Kind,
    Listing,
    ListingLocation,
    ListingStatus,
    Payment,
    Population,
    Referral,
    ReferralSource,
    ReferralStatus,
    ServiceAreaKind,
    TaxonomyMapping,
)

DISTANCE_CHOICES = (5, 10, 25, 50, 100, 250, 500)


@dataclass
class SearchParams:
    zip_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    distance: int = 25
    kind: str = ""
    payment: str = ""
    language: str = ""
    population: str = ""
    accepting: bool = False
    telehealth: bool = False
    openings_first: bool = False
    q: str = ""
    point: Point | None = field(default=None, repr=False)

    def resolve(self) -> Point | None:
        if self.latitude is not None and self.longitude is not None:
            state = zip_lookup(self.zip_code).state if zip_lookup(self.zip_code) else ""
            self.point = Point(self.latitude, self.longitude, state)
        elif self.zip_code:
            self.point = zip_lookup(self.zip_code)
        return self.point


def listing_list(*, organization, include_closed: bool = False) -> QuerySet[Listing]:
    statuses = [ListingStatus.ACTIVE]
    if include_closed:
        statuses.append(ListingStatus.TEMPORARILY_CLOSED)
    return Listing.objects.filter(organization=organization, status__in=statuses)


def listing_admin_list(*, organization) -> QuerySet[Listing]:
    return Listing.objects.filter(organization=organization).order_by("name")


def listing_get(*, organization, listing_id, public: bool = False) -> Listing:
    qs = Listing.objects.filter(organization=organization).prefetch_related("locations")
    if public:
        qs = qs.exclude(status=ListingStatus.INACTIVE)
    try:
        return (
            qs.select_related("directory_organization")
            .annotate(capacity_fresh_days=capacity_fresh_days())
            .get(public_id=listing_id)
        )
    except (Listing.DoesNotExist, ValueError, TypeError):
        raise Http404("No such listing.") from None


def listings_needing_review(*, organization, now=None) -> QuerySet[Listing]:
    now = now or timezone.now()
    return Listing.objects.filter(organization=organization).filter(
        Q(last_verified_at__isnull=True)
        | Q(last_verified_at__lte=now - timedelta(days=VERIFY_EVERY_DAYS))
    )


NEAREST_FIELDS = ("address_1", "city", "state", "postal_code", "placed_by_zip")


def _nearest_location(point: Point | None) -> Subquery:
    """The listing's nearest location (its first, without a place): its distance to sort
    by and what a result card shows of it, as one JSON value from one sub-select."""
    locations = ListingLocation.objects.filter(listing=OuterRef("pk"))
    if point is not None:
        locations = (
            locations.filter(latitude__isnull=False)
            .annotate(miles=distance_expression(point))
            .order_by("miles")
        )
    else:
        locations = locations.order_by("pk")
    fields = {name: F(name) for name in NEAREST_FIELDS}
    if point is not None:
        fields["miles"] = F("miles")
    return Subquery(
        locations.annotate(card=JSONObject(**fields)).values("card")[:1], output_field=JSONField()
    )


def distance_label(listing) -> str:
    """How far, as honestly as the data allows: a location placed at the centre of its ZIP
    code is "about", in whole miles, and never "0.0 miles"."""
    distance = getattr(listing, "distance", None)
    if distance is None:
        return ""
    nearest = getattr(listing, "nearest", None) or {}
    if nearest.get("placed_by_zip"):
        miles = round(distance)
        if miles < 1:
            return _("in ZIP code %(zip)s (placed by ZIP code)") % {
                "zip": nearest.get("postal_code")
            }
        return ngettext(
            "about %(miles)s mile away, by ZIP", "about %(miles)s miles away, by ZIP", miles
        ) % {"miles": miles}
    if distance < 0.1:
        return _("less than 0.1 miles away")
    return _("%(miles)s miles away") % {"miles": floatformat(distance, 1)}


def _distance_sql(point: Point, alias: str) -> tuple[str, list[float]]:
    """Great-circle miles from the point to a location row (geo.distance_expression)."""
    lat, lng = math.radians(point.latitude), math.radians(point.longitude)
    return (
        f"{EARTH_RADIUS_MILES} * acos(least(greatest("
        f"%s * sin(radians({alias}.latitude)) + %s * cos(radians({alias}.latitude))"
        f" * cos(radians({alias}.longitude) - %s), -1.0), 1.0))",
        [math.sin(lat), math.cos(lat), lng],
    )


# The ids of the listings that serve a place, as one UNION: each service-area kind is read
# from its own index, and the listings are then fetched by primary key, instead of every
# listing of the organization being tested against each kind. Written as SQL because
# building it from querysets (four sub-queries, each with the distance expression, copied
# and relabelled into the outer query) cost as much Python time as the database spent.
# Every condition is a B-tree comparison of a column with constants or with a call of a
# function without column arguments, so each stays an index condition under row-level
# security (docs/rls.md); the locations' parts read the listing's kind and radius copied
# onto the location and are answered from `referrals_location_kind_geo` when a kind is
# given, from `referrals_location_geo` otherwise.
_AREA_SQL = """
SELECT l.listing_id FROM referrals_listinglocation l
WHERE l.organization_id = %s{kind} AND l.latitude_band = ANY(%s::smallint[])
  AND l.latitude >= %s AND l.latitude <= %s
  AND l.longitude >= %s AND l.longitude <= %s AND {distance} <= %s
UNION
SELECT l.listing_id FROM referrals_listinglocation l
WHERE l.organization_id = %s{kind}
  AND l.latitude_band = ANY({bands}(%s - {widest} / 69.0, %s + {widest} / 69.0))
  AND l.latitude >= %s - {widest} / 69.0 AND l.latitude <= %s + {widest} / 69.0
  AND l.longitude >= %s - {widest} / %s AND l.longitude <= %s + {widest} / %s
  AND l.listing_reach_miles > %s AND {distance} <= l.listing_reach_miles
UNION
SELECT s.id FROM referrals_listing s
WHERE s.organization_id = %s{listing}
  AND ((s.service_area_kind = 'telehealth_only' AND s.service_state = '')
       OR (s.service_area_kind IN ('statewide', 'telehealth_only') AND s.service_state = %s))
"""
_ZIP_SQL = """
UNION
SELECT s.id FROM referrals_listing s
WHERE s.organization_id = %s{listing} AND s.id IN (SELECT referrals_listing_zip_match(%s))
"""


def _serving_area(organization, params: SearchParams, statuses: list[str]) -> RawSQL:
    point = params.point
    org = getattr(organization, "pk", organization)
    distance, distance_params = _distance_sql(point, "l")
    kind, kind_params = (" AND l.listing_kind = %s", [params.kind]) if params.kind else ("", [])
    listing, listing_params = " AND s.status = ANY(%s)", [list(statuses)]
    if params.kind:
        listing, listing_params = listing + " AND s.kind = %s", [*listing_params, params.kind]
    for column, value in (
        ("payment_options", params.payment),
        ("languages", params.language),
        ("populations", params.population),
    ):
        if value:
            listing += f" AND s.{column} @> %s::varchar[]"
            listing_params = [*listing_params, [value]]
    if params.accepting:
        listing += " AND s.accepting_new_clients"
    if params.telehealth:
        listing += " AND s.telehealth"
    min_lat, max_lat, min_lng, max_lng = bounding_box(point, params.distance)
    miles_per_degree_longitude = MILES_PER_DEGREE_LATITUDE * max(
        math.cos(math.radians(point.latitude)), 0.01
    )
    widest = f"{search_sql.WIDEST_RADIUS_FUNCTION}()"
    sql = _AREA_SQL.format(
        kind=kind,
        distance=distance,
        widest=widest,
        bands=search_sql.LATITUDE_BANDS_FUNCTION,
        listing=listing,
    )
    sql_params = [
        *(org, *kind_params, latitude_bands(min_lat, max_lat)),
        *(min_lat, max_lat, min_lng, max_lng, *distance_params, params.distance),
        *(org, *kind_params, point.latitude, point.latitude, point.latitude, point.latitude),
        *(point.longitude, miles_per_degree_longitude, point.longitude),
        *(miles_per_degree_longitude, params.distance, *distance_params),
        *(org, *listing_params, point.state or None),
    ]
    if params.zip_code:
        sql += _ZIP_SQL.format(listing=listing)
        sql_params += [org, *listing_params, params.zip_code]
    return RawSQL(sql, sql_params)  # noqa: S611 - fixed text; every value is a parameter


def _matching(params: SearchParams, statuses: list[str]) -> dict:
    """The listing filters of the search as lookups on Listing."""
    lookups = {"status__in": statuses}
    if params.kind:
        lookups["kind"] = params.kind
    if params.payment:
        lookups["payment_options__contains"] = [params.payment]
    if params.language:
        lookups["languages__contains"] = [params.language]
    if params.population:
        lookups["populations__contains"] = [params.population]
    if params.accepting:
        lookups["accepting_new_clients"] = True
    if params.telehealth:
        lookups["telehealth"] = True
    return lookups


ACCENTED, PLAIN = "áàâäéèêëíìîïóòôöúùûüñç", "aaaaeeeeiiiioooouuuunc"


def unaccent(text: str) -> str:
    """As services.Unaccent does in SQL."""
    return text.lower().translate(str.maketrans(ACCENTED, PLAIN))


def text_query(q: str) -> SearchQuery:
    """The words as English, or as Spanish without accents (families write both, and
    often leave the accents out)."""
    return SearchQuery(q, search_type="websearch", config="english") | SearchQuery(
        unaccent(q), search_type="websearch", config="spanish"
    )


def listing_search(
    *, organization, params: SearchParams, include_closed: bool = False
) -> QuerySet[Listing]:
    """Listings matching the search, nearest first when a place is given, best text match
    first otherwise."""
    statuses = [ListingStatus.ACTIVE]
    if include_closed:
        statuses.append(ListingStatus.TEMPORARILY_CLOSED)
    matching = _matching(params, statuses)
    query = text_query(params.q) if params.q else None
    point = params.point
    qs = (
        Listing.objects.filter(organization=organization, **matching)
        .select_related("directory_organization")
        .annotate(capacity_fresh_days=capacity_fresh_days())
    )
    if params.accepting:
        # Openings a provider reported long ago are unknown now, not "accepting".
        qs = qs.filter(_capacity_fresh())
    order = []
    if point is not None:
        if query is not None:
            # The listings of the area are few; each is tested as it is read.
            qs = qs.filter(search_vector=query)
        qs = qs.filter(pk__in=_serving_area(organization, params, statuses)).annotate(
            nearest=_nearest_location(point),
            distance=Cast(KeyTextTransform("miles", "nearest"), FloatField()),
        )

        order.append(F("distance").asc(nulls_last=True))
    elif query is not None:
        # Nothing else narrows the search: the GIN index finds the matches.
        qs = qs.filter(
            pk__in=RawSQL(
                "SELECT referrals_listing_text_match(websearch_to_tsquery('english', %s)"
                " || websearch_to_tsquery('spanish', %s))",
                (params.q, unaccent(params.q)),
            )
        )
    if query is not None:
        qs = qs.annotate(rank=SearchRank(F("search_vector"), query))
        order.append(F("rank").desc())
    if params.openings_first:
        # Openings now first, then a waiting list, then the rest (unknown included).
        qs = qs.annotate(has_openings=_openings())
        order.insert(0, F("has_openings").desc())
    if point is None:
        qs = qs.annotate(nearest=_nearest_location(None))
    return qs.order_by(*order, "name", "pk")


def capacity_fresh_days():
    """The organization's days before reported openings age out, read in the listing's own
    query (no query of its own)."""
    setting = DirectorySettings.objects.filter(organization=OuterRef("organization")).values(
        "capacity_fresh_days"
    )[:1]
    return Coalesce(Subquery(setting), Value(CAPACITY_FRESH_DAYS))


def directory_settings_get(*, organization) -> DirectorySettings:
    return DirectorySettings.objects.filter(organization=organization).first() or (
        DirectorySettings(organization=organization)
    )


def _capacity_fresh() -> Q:
    """Capacity from the data (never reported through the link), or reported within the
    organization's days. Needs the capacity_fresh_days annotation."""
    return Q(capacity_updated_at__isnull=True) | Q(
        capacity_updated_at__gt=ExpressionWrapper(
            Value(timezone.now())
            - ExpressionWrapper(
                F("capacity_fresh_days") * Value(timedelta(days=1)),
                output_field=DurationField(),
            ),
            output_field=DateTimeField(),
        )
    )


def _openings() -> Case:
    fresh = _capacity_fresh()
    accepting = Q(accepting_new_clients=True) & fresh
    no_wait = Q(waitlist_weeks__isnull=True) | Q(waitlist_weeks=0)
    return Case(
        When(accepting & no_wait, then=Value(2)),
        When(accepting, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


class SearchPaginator(Paginator):
    """Pages of search results whose total comes with the page: `COUNT(*) OVER ()` over
    the whole result, read from the page's first row. The search's work (the area's
    union, the filters, the distances to sort by) is then done once per page view, not
    once for the count and again for the rows. A page past the end costs the usual
    COUNT, to say how many pages there are."""

    def page(self, number):
        if self.orphans:
            return super().page(number)
        try:  # as Paginator.validate_number, which would count first
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        # A page past the ceiling is past the end: its OFFSET must still fit a bigint.
        number = min(number, MAX_PAGE)
        bottom = (number - 1) * self.per_page
        rows = list(
            self.object_list.annotate(search_total=Window(Count("pk")))[
                bottom : bottom + self.per_page
            ]
        )
        if rows:
            self.__dict__["count"] = rows[0].search_total
        elif number == 1:
            self.__dict__["count"] = 0
        else:
            return super().page(number)
        return self._get_page(rows, number, self)

    def get_page(self, number):
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(max(self.num_pages, 1))


TREATMENT_PROGRAM_KINDS = (Kind.RESIDENTIAL, Kind.DETOX, Kind.IOP_PHP)


def treatment_program_choices(*, organization) -> list[tuple[str, str]]:
    """Programs a loved one can be admitted to, for pickers: (public id, name)."""
    programs = listing_list(organization=organization).filter(kind__in=TREATMENT_PROGRAM_KINDS)
    return [
        (str(pk), name) for pk, name in programs.order_by("name").values_list("public_id", "name")
    ]


def listing_pick(*, organization, text: str = "", listing_id=None, limit: int = 8) -> list[dict]:
    """The directory as a picker: listings whose name holds `text` (or the one
    `listing_id`), with what a provider record copies from them: name, kind, phone,
    e-mail and the first address."""
    listings = listing_list(organization=organization, include_closed=True)
    if listing_id is not None:
        listings = listings.filter(public_id=listing_id)
    elif text.strip():
        words = text.strip()[:100]
        listings = listings.filter(Q(name__icontains=words) | Q(alternate_name__icontains=words))
    else:
        return []
    found = []
    for listing in listings.prefetch_related("locations").order_by("name", "id")[:limit]:
        location = next(iter(listing.locations.all()), None)
        address = ""
        if location is not None:
            parts = [location.address_1, location.city, location.state, location.postal_code]
            address = ", ".join(part for part in parts if part)
        found.append(
            {
                "id": str(listing.public_id),
                "name": listing.name,
                "kind": listing.get_kind_display(),
                "kind_code": listing.kind,
                "phone": listing.phone,
                "email": listing.email,
                "address": address,
            }
        )
    return found


def family_support_near(*, organization, zip_code: str, limit: int = 5) -> list[Listing]:
    """Family-support groups that serve this ZIP (within 50 miles, or by service area),
    nearest first; all of the organization's groups when the ZIP is unknown."""
    params = SearchParams(zip_code=zip_code, distance=50, kind=Kind.FAMILY_SUPPORT)
    params.resolve()
    return list(listing_search(organization=organization, params=params)[:limit])


def match_reasons(listing: Listing, params: SearchParams) -> list[str]:
    """Why a listing is in the results, in words a family understands."""
    reasons = []
    point = params.point
    distance = getattr(listing, "distance", None)
    if point is not None:
        if distance is not None and distance <= params.distance:
            reasons.append(distance_label(listing))
        elif (
            listing.service_area_kind == ServiceAreaKind.ZIP_LIST
            and params.zip_code in listing.service_zip_codes
        ):
            reasons.append(_("Serves ZIP %(zip)s") % {"zip": params.zip_code})
        elif listing.service_area_kind == ServiceAreaKind.STATEWIDE:
            reasons.append(_("Serves all of %(state)s") % {"state": listing.service_state})
        elif listing.service_area_kind == ServiceAreaKind.TELEHEALTH_ONLY:
            reasons.append(
                _("Telehealth across %(state)s") % {"state": listing.service_state}
                if listing.service_state
                else _("Telehealth")
            )
        elif listing.service_area_kind == ServiceAreaKind.RADIUS and distance is not None:
            reasons.append(
                _("Serves within %(miles)s miles of its office")
                % {"miles": listing.service_radius_miles}
            )
    if params.kind:
        reasons.append(str(listing.kind_label()))
    if params.payment:
        reasons.append(_("Accepts %(payment)s") % {"payment": Payment(params.payment).label})
    if params.language:
        language = language_label(params.language)
        reasons.append(_("Speaks %(language)s") % {"language": language})
    if params.population:
        population = str(Population(params.population).label).lower()
        reasons.append(_("Serves %(population)s") % {"population": population})
    if params.accepting:
        reasons.append(_("Accepting new clients"))
    if params.telehealth:
        reasons.append(_("Offers telehealth"))
    if params.q:
        reasons.append(_("Matches “%(text)s”") % {"text": params.q})
    return reasons


def import_job_get(*, organization, job_id) -> ImportJob:
    return get_or_404(
        ImportJob.objects.filter(organization=organization).defer("payload"), job_id, what="import"
    )


def import_job_list(*, organization) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organization=organization).defer("payload")


def import_report(job: ImportJob) -> list[dict]:
    """The job's notices grouped by kind, largest group first: label, count, examples."""
    from .hsds import NOTICE_KINDS

    groups: dict[str, dict] = {}
    for item in job.warnings or []:
        kind = item.get("kind") or "other"
        group = groups.setdefault(
            kind,
            {
                "kind": kind,
                "label": NOTICE_KINDS.get(kind, "Other notes"),
                "count": 0,
                "examples": [],
            },
        )
        group["count"] += 1
        if len(group["examples"]) < 3:
            group["examples"].append(item)
    return sorted(groups.values(), key=lambda g: (-g["count"], g["label"]))


def taxonomy_mapping_list(*, organization) -> QuerySet[TaxonomyMapping]:
    return TaxonomyMapping.objects.filter(organization=organization).order_by("term_key", "field")


def taxonomy_mapping_get(*, organization, mapping_id) -> TaxonomyMapping:
    return get_or_404(taxonomy_mapping_list(organization=organization), mapping_id, what="mapping")


def taxonomy_mapping_rules(*, organization) -> dict[str, list[tuple[str, str]]]:
    """The organization's mapping as taxonomy.classify reads it: term key -> rules."""
    rules: dict[str, list[tuple[str, str]]] = {}
    for key, field_name, value in taxonomy_mapping_list(organization=organization).values_list(
        "term_key", "field", "value"
    ):
        rules.setdefault(key, []).append((field_name, value))
    return rules


# --- referrals ------------------------------------------------------------------------


def _sees_all(membership) -> bool:
    return membership.has_role(Role.ORG_ADMIN, Role.INTAKE_COORDINATOR)


def referral_list_for(*, membership) -> QuerySet[Referral]:
    """Staff see referrals of the clients they may see; admins and intake see all,
    including families' requests not yet tied to a client."""
    from continuum.people.selectors import client_list_for

    qs = Referral.objects.filter(organization=membership.organization_id).select_related(
        "listing", "client", "created_by"
    )
    if not _sees_all(membership):
        qs = qs.filter(client__in=client_list_for(membership=membership))
    return qs.order_by("-created_at", "-pk")


def referral_get_for(*, membership, referral_id) -> Referral:
    return get_or_404(referral_list_for(membership=membership), referral_id, what="referral")


def referral_list_for_requester(*, membership) -> QuerySet[Referral]:
    """The requests a signed-in family member made themselves. A request that staff have
    tied to a client is that client's record (42 CFR Part 2), so it leaves this list."""
    return (
        Referral.objects.filter(
            organization=membership.organization_id,
            created_by=membership.user_id,
            source=ReferralSource.FAMILY,
            client__isnull=True,
        )
        .select_related("listing")
        .order_by("-created_at", "-pk")
    )


def referral_list_for_client(*, client) -> QuerySet[Referral]:
    return Referral.objects.filter(client=client).select_related("listing").order_by("-created_at")


def referral_report(*, organization) -> dict:
    referrals = Referral.objects.filter(organization=organization)
    by_kind_status = list(
        referrals.values("listing__kind", "status")
        .annotate(n=Count("pk"))
        .order_by("listing__kind", "status")
    )
    accepted = referrals.filter(accepted_at__isnull=False, sent_at__isnull=False).aggregate(
        avg=Avg(ExpressionWrapper(F("accepted_at") - F("sent_at"), output_field=DurationField()))
    )["avg"]
    by_listing = list(
        referrals.exclude(status=ReferralStatus.DRAFT)
        .values("listing__name", "listing__public_id")
        .annotate(
            sent=Count("pk"),
            completed=Count("pk", filter=Q(status=ReferralStatus.COMPLETED)),
        )
        .order_by("-sent", "listing__name")
    )
    for row in by_listing:
        row["rate"] = round(100 * row["completed"] / row["sent"]) if row["sent"] else 0
    for row in by_kind_status:
        row["kind_label"] = (
            Kind(row["listing__kind"]).label
            if row["listing__kind"] in Kind.values
            else row["listing__kind"]
        )
        row["status_label"] = ReferralStatus(row["status"]).label
    return {
        "by_kind_status": by_kind_status,
        "time_to_acceptance": accepted,
        "by_listing": by_listing,
    }
