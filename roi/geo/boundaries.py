"""Country boundaries shipped with roi (Natural Earth admin-0, 1:110m; see roi/geo/data/README.md).

Data, not drawing: the geocoder places coordinates with them and the maps draw them, so they live
here, below both.
"""

from __future__ import annotations

import functools

from roi.geo.gazetteer import DATA_DIR

__all__ = ["BOUNDARIES", "load_boundaries"]

BOUNDARIES = DATA_DIR / "naturalearth-admin0-110m.parquet"


@functools.lru_cache(maxsize=1)
def _boundaries():
    import geopandas as gpd

    world = gpd.read_parquet(BOUNDARIES)
    # Northern Cyprus and Somaliland share their state's code: one row (and one population) each.
    return world.dissolve(by="iso_a2", aggfunc={"iso_a3": "first", "name": "first",
                                                "continent": "first", "pop_est": "sum"},
                          as_index=False)


def load_boundaries():
    """Country boundaries (GeoDataFrame, EPSG:4326): iso_a2, iso_a3, name, continent, pop_est.

    Natural Earth admin-0 at 1:110m, shipped with roi (see roi/geo/data/README.md).

    >>> w = load_boundaries()
    >>> sorted(set(["FR", "NO", "XK"]) & set(w.iso_a2)), w.iso_a2.is_unique
    (['FR', 'NO', 'XK'], True)
    """
    return _boundaries().copy()
