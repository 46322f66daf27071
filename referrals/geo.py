"""Offline geocoding of US ZIP codes and distance in SQL.

ZIP centroids come from the `zipcodes` package, which ships its data inside the wheel:
no network at run time."""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import F, FloatField, Value
from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.0
ZIP_RE = re.compile(r"^\d{5}$")
# Locations carry their latitude in bands this many to a degree (about 17 miles each):
# a 25-mile search box crosses three or four.
LATITUDE_BANDS_PER_DEGREE = 4


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    state: str = ""
    city: str = ""


@lru_cache(maxsize=1)
def _zip_table() -> dict[str, list[dict]]:
    """The package's ZIP codes by code, read once per process: `zipcodes.matching` scans
    the whole table on every call (milliseconds each), which an import of thousands of
    locations placed by ZIP code paid once per distinct code."""
    import zipcodes  # imported lazily: loading its table takes a moment

    table: dict[str, list[dict]] = {}
    for entry in zipcodes.list_all():
        table.setdefault(entry.get("zip_code", ""), []).append(entry)
    return table


@lru_cache(maxsize=4096)
def zip_lookup(zip_code: str) -> Point | None:
    """The centroid of a US ZIP code, or None when it is unknown."""
    zip_code = (zip_code or "").strip()[:5]
    if not ZIP_RE.match(zip_code):
        return None
    for match in _zip_table().get(zip_code, ()):
        try:
            return Point(
                float(match["lat"]), float(match["long"]), match.get("state", ""), match["city"]
            )
        except (KeyError, TypeError, ValueError):
            continue
    return None


def bounding_box(point: Point, miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing a circle of `miles` around point."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(point.latitude)), 0.01)
    dlng = min(miles / (MILES_PER_DEGREE_LATITUDE * cos_lat), 180.0)
    return (
        point.latitude - dlat,
        point.latitude + dlat,
        point.longitude - dlng,
        point.longitude + dlng,
    )


def latitude_bands(min_lat: float, max_lat: float) -> list[int]:
    """The bands (ListingLocation.latitude_band) a box from min_lat to max_lat crosses."""
    low = math.floor(max(min_lat, -90.0) * LATITUDE_BANDS_PER_DEGREE)
    high = math.floor(min(max_lat, 90.0) * LATITUDE_BANDS_PER_DEGREE)
    return list(range(low, high + 1))


def distance_expression(point: Point, lat_field: str = "latitude", lng_field: str = "longitude"):
    """Great-circle distance in miles (spherical law of cosines, clamped for acos)."""
    lat = Radians(Value(point.latitude, output_field=FloatField()))
    lng = Radians(Value(point.longitude, output_field=FloatField()))
    cosine = Sin(lat) * Sin(Radians(F(lat_field))) + Cos(lat) * Cos(Radians(F(lat_field))) * Cos(
        Radians(F(lng_field)) - lng
    )
    clamped = Least(Greatest(cosine, Value(-1.0)), Value(1.0))
    return Value(EARTH_RADIUS_MILES, output_field=FloatField()) * ACos(clamped)


def haversine_miles(a: Point, b: Point) -> float:
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlng = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))
