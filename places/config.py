"""The places settings from the agency's config file (`[places]`): same-problem radius and meaning thresholds, joining
known problems, the agency's area, the categories that are physical problems (proof of fix)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from places.geo import Box

THAILAND = Box(5.6, 97.3, 20.5, 105.7)


@dataclass(frozen=True)
class PlacesConfig:
    """How the places room decides "the same problem" and where the agency serves."""

    radius_m: float = 250.0  # same category within this distance (FixMyStreet's nearby reports use 250 m)
    area_radius_m: float = 1000.0  # "the same area" for a match by meaning
    similarity: float = 0.9  # e5 cosine of the opening messages counted as the same meaning
    recent_days: int = 30  # resolved cases this recent are still candidates
    area: Box = THAILAND  # a pin outside is refused
    physical_categories: tuple[str, ...] = field(default=())
    auto_join: bool = True  # a new case that is plainly a known problem (near, same category, same meaning) joins it
    join_similarity: float = 0.945  # the meaning that close, for joining without an officer
    public_map: bool = False  # opt-in: GET /map shows open and resolved problems by category, places rounded


@lru_cache
def load_places_config(path: Path) -> PlacesConfig:
    """The `[places]` table of the agency config file (defaults where it is absent)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh).get("places", {})
    return parse_places_config(data)


def parse_places_config(data: dict) -> PlacesConfig:
    """Validate a `[places]` table; ValueError names the wrong key."""
    area = data.get("area")
    box = THAILAND
    if area is not None:
        south, west, north, east = (float(area[k]) for k in ("south", "west", "north", "east"))
        if not (south < north and west < east):
            raise ValueError("places.area must have south < north and west < east")
        box = Box(south, west, north, east)
    config = PlacesConfig(
        radius_m=float(data.get("radius_m", 250.0)), area_radius_m=float(data.get("area_radius_m", 1000.0)),
        similarity=float(data.get("similarity", 0.9)), recent_days=int(data.get("recent_days", 30)), area=box,
        physical_categories=tuple(str(c) for c in data.get("physical_categories", ())),
        auto_join=bool(data.get("auto_join", True)),
        join_similarity=float(data.get("join_similarity", 0.945)),
        public_map=bool(data.get("public_map", False)),
    )
    if config.radius_m <= 0 or config.area_radius_m < config.radius_m or not 0 < config.similarity <= 1:
        raise ValueError("places: radius_m > 0, area_radius_m >= radius_m and 0 < similarity <= 1")
    return config


def config_for(settings: object) -> PlacesConfig:
    """The `[places]` settings of the agency config file the service runs with."""
    return load_places_config(getattr(settings, "fangsiang_agency_config"))
