"""Distances on the earth and the agency's area: haversine metres, bounding boxes, rounding for public maps."""
from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
METRES_PER_DEGREE_LAT = 111_320.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    """A latitude/longitude rectangle (south, west, north, east)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside (edges included)."""
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def box_around(lat: float, lon: float, radius_m: float) -> Box:
    """The rectangle holding every point within radius_m of (lat, lon): a cheap prefilter before haversine."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    return Box(lat - dlat, lon - dlon, lat + dlat, lon + dlon)


def valid_point(lat: float, lon: float) -> bool:
    """A real coordinate (finite, on the globe)."""
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def rounded(value: float, *, digits: int = 3) -> float:
    """A coordinate rounded for the public (3 decimals: about 110 m), never the exact spot."""
    return round(value, digits)
