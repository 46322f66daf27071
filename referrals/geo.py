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


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    state: str = ""
    city: str = ""


@lru_cache(maxsize=4096)
def zip_lookup(zip_code: str) -> Point | None:
    """The centroid of a US ZIP code, or None when it is unknown."""
    zip_code = (zip_code or "").strip()[:5]
    if not ZIP_RE.match(zip_code):
        return None
    import zipcodes  # imported lazily: loading its table takes a moment

    try:
        matches = zipcodes.matching(zip_code)
    except (TypeError, ValueError):
        return None
    for match in matches:
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
