"""Where an audience is: offline geocoding of profile locations, spread metrics and maps.

Public names::

    geocode, geocode_one, reverse_geocode, GEOCODE_COLUMNS     (roi.geo.geocode)
    load_gazetteer, normalise                                 (roi.geo.gazetteer)
    followers_at, locate_followers, followers_by_country, followers_by_city,
    spread_summary, spread_change                             (roi.geo.spread)
    load_boundaries (roi.geo.boundaries); plot_country_choropleth, plot_city_points (roi.geo.maps)
    activity_offsets, location_offsets, timezone_mismatches   (roi.geo.timezone_check)
"""

from roi.geo.boundaries import load_boundaries
from roi.geo.gazetteer import load_gazetteer, normalise
from roi.geo.geocode import GEOCODE_COLUMNS, geocode, geocode_one, reverse_geocode
from roi.geo.maps import located_title, plot_city_points, plot_country_choropleth
from roi.geo.spread import (
    followers_at,
    followers_by_city,
    followers_by_country,
    locate_followers,
    spread_change,
    spread_summary,
)
from roi.geo.timezone_check import activity_offsets, location_offsets, timezone_mismatches

__all__ = [
    "GEOCODE_COLUMNS", "geocode", "geocode_one", "reverse_geocode", "load_gazetteer", "normalise",
    "followers_at", "locate_followers", "followers_by_country", "followers_by_city",
    "spread_summary", "spread_change",
    "load_boundaries", "located_title", "plot_country_choropleth", "plot_city_points",
    "activity_offsets", "location_offsets", "timezone_mismatches",
]
