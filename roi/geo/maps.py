"""Maps of where followers are, from the shipped Natural Earth boundaries only (no tiles).

Every plot function takes a table and an optional ``ax`` and returns the Axes; nothing is saved
or shown. matplotlib is imported inside the plot functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from roi.errors import ParameterError
from roi.geo.boundaries import load_boundaries
from roi.plotting import describe

if TYPE_CHECKING:  # matplotlib is imported only where a plot is drawn
    from matplotlib.axes import Axes

__all__ = ["load_boundaries", "plot_country_choropleth", "plot_city_points", "located_title"]


def located_title(n_located: int, n_followers: int) -> str:
    """``"N of M followers located (P%)"`` -- every map says how much of the audience it shows.

    >>> located_title(1234, 2000)
    '1,234 of 2,000 followers located (62%)'
    """
    pct = f" ({n_located / n_followers:.0%})" if n_followers else ""
    return f"{n_located:,} of {n_followers:,} followers located{pct}"


def plot_country_choropleth(by_country: pd.DataFrame, *, ax=None, per_capita: bool = False,
                            cmap: str = "Blues", title: str | None = None) -> Axes:
    """Choropleth of followers by country (absolute, or per million people).

    Parameters
    ----------
    by_country : DataFrame
        Output of :func:`roi.geo.followers_by_country` (needs ``country_code``, ``followers``,
        ``located_followers``, ``all_followers``; ``followers_per_million`` for per capita).
    ax : matplotlib Axes, optional
        Draw here; default: a new figure.
    per_capita : bool
        Colour by followers per million people (Natural Earth population) instead of followers.
    cmap : str, default "Blues"
        Matplotlib colour map of the countries.
    title : str, optional
        Default: "N of M followers located".

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    need = {"country_code", "followers", "located_followers", "all_followers"}
    if not need <= set(by_country.columns):
        raise ParameterError(f"by_country: expected the columns of followers_by_country(), missing "
                             f"{', '.join(sorted(need - set(by_country.columns)))}")
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5.5))
    from matplotlib.colors import LogNorm

    world = load_boundaries()
    column = "followers_per_million" if per_capita else "followers"
    values = by_country.set_index(by_country["country_code"].astype(str))[column].astype(float)
    world["value"] = world["iso_a2"].map(values)
    world.plot(ax=ax, color="#eeeeee", edgecolor="#bbbbbb", linewidth=0.3)
    has = world[world["value"].notna() & (world["value"] > 0)]
    label = "followers per million people (log scale)" if per_capita else "followers (log scale)"
    if len(has):
        # A log scale: one big home market would otherwise saturate and leave every other country white.
        lo, hi = float(has["value"].min()), float(has["value"].max())
        norm = LogNorm(vmin=lo, vmax=hi if hi > lo else lo * 10)
        before = set(ax.figure.axes)
        has.plot(ax=ax, column="value", cmap=cmap, norm=norm, edgecolor="#666666", linewidth=0.3, legend=True,
                 legend_kwds={"label": label, "shrink": 0.6})
        from matplotlib.ticker import FuncFormatter, NullFormatter

        for cax in set(ax.figure.axes) - before:  # the colour bar: 1, 10, 100, 1,000 rather than 10⁰…10³
            cax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
            cax.yaxis.set_minor_formatter(NullFormatter())
    n_loc = int(by_country["located_followers"].iloc[0]) if len(by_country) else 0
    n_all = int(by_country["all_followers"].iloc[0]) if len(by_country) else 0
    ax.set_title(title or located_title(n_loc, n_all) + (" - per million people" if per_capita else ""))
    ax.set_axis_off()
    ax.set_xlim(-180, 180)
    ax.set_ylim(-60, 85)
    ranked = by_country.dropna(subset=[column]).sort_values(column, ascending=False)
    name = "country" if "country" in ranked.columns else "country_code"
    top = ", ".join(f"{r[name]} {r[column]:,.0f}" for _, r in ranked.head(5).iterrows())
    describe(ax, f"World map of {label}: {len(has)} countries coloured, grey where none. "
                 f"{n_loc:,} of {n_all:,} followers located." + (f" Most: {top}." if top else ""))
    return ax


def plot_city_points(by_city: pd.DataFrame, *, ax=None, max_size: float = 400.0, top: int | None = None,
                     n_followers: int | None = None, title: str | None = None, color: str = "#c0392b") -> Axes:
    """City points sized by followers, over the shipped country outlines.

    Parameters
    ----------
    by_city : DataFrame
        Output of :func:`roi.geo.followers_by_city` (``lat``, ``lon``, ``followers``, ``city``).
    ax : matplotlib Axes, optional
        Draw here; default: a new figure.
    max_size : float
        Marker area of the largest city.
    top : int, optional
        Label the ``top`` largest cities.
    n_followers : int, optional
        All followers (M) for the "N of M followers located" title.
    title : str, optional
        Default: "N of M followers located" when ``n_followers`` is given, else "followers by city".
    color : str, default "#c0392b"
        Colour of the points.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    need = {"lat", "lon", "followers", "city"}
    if not need <= set(by_city.columns):
        raise ParameterError(f"by_city: expected the columns of followers_by_city(), missing "
                             f"{', '.join(sorted(need - set(by_city.columns)))}")
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5.5))
    load_boundaries().plot(ax=ax, color="#f2f2f2", edgecolor="#aaaaaa", linewidth=0.3)
    pts = by_city.dropna(subset=["lat", "lon"])
    if len(pts):
        size = pts["followers"].astype(float) / float(pts["followers"].max()) * max_size
        ax.scatter(pts["lon"].astype(float), pts["lat"].astype(float), s=size.clip(lower=4), color=color,
                   alpha=0.55, edgecolor="white", linewidth=0.4, zorder=3)
        for row in pts.head(top or 0).itertuples():
            ax.annotate(str(row.city), (float(row.lon), float(row.lat)), fontsize=7, xytext=(3, 3),
                        textcoords="offset points", zorder=4)
    if title is None:
        n_loc = int(by_city["located_followers"].iloc[0]) if len(by_city) and "located_followers" in by_city else 0
        title = located_title(n_loc, n_followers) if n_followers else "followers by city"
    ax.set_title(title)
    ax.set_axis_off()
    ax.set_xlim(-180, 180)
    ax.set_ylim(-60, 85)
    return ax
