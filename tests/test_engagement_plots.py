"""Plots: each returns its Axes (Agg), draws what its table holds, and never saves or shows."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from roi.engagement import conversion_funnel, engagement_by_hashtag_count, engagement_by_slot  # noqa: E402
from roi.engagement.plots import (  # noqa: E402
    plot_audience_hours,
    plot_funnel,
    plot_irr_forest,
    plot_rate_by_hashtag_count,
    plot_slot_heatmap,
)
from roi.errors import ParameterError  # noqa: E402


@pytest.fixture()
def metrics():
    rng = np.random.default_rng(0)
    n = 60
    return pd.DataFrame({
        "post_id": [str(i) for i in range(n)],
        "created_at": pd.Timestamp("2026-10-05", tz="UTC") + pd.to_timedelta(rng.integers(0, 14 * 24, n), unit="h"),
        "impressions": rng.integers(100, 1000, n), "engagements": rng.integers(0, 50, n),
        "hashtag_count": rng.integers(0, 5, n), "link_clicks": rng.integers(0, 10, n),
        "web_clicks": rng.integers(0, 10, n), "conversions": rng.integers(0, 2, n), "has_link": True,
    })


def test_heatmap_annotates_counts(metrics):
    table = engagement_by_slot(metrics, tz="UTC")
    fig, ax = plt.subplots()
    assert plot_slot_heatmap(table, ax=ax) is ax
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == int((table.posts > 0).sum())
    assert sum(int(t) for t in texts) == len(metrics)
    plt.close(fig)


def test_heatmap_draws_no_colour_scale_when_no_cell_has_enough_posts(metrics):
    """Every cell under min_posts: the cells are grey, and no scale is drawn (it used to run from
    -10% to 10%, a rate no post can have)."""
    table = engagement_by_slot(metrics, tz="UTC")
    fig, ax = plt.subplots()
    plot_slot_heatmap(table, ax=ax, min_posts=1000)
    assert len(fig.axes) == 1
    plot_slot_heatmap(table, ax=ax, min_posts=1)
    assert len(fig.axes) == 2  # the colour bar, once a cell is coloured
    plt.close(fig)


def test_hashtag_count_bars(metrics):
    ax = plot_rate_by_hashtag_count(engagement_by_hashtag_count(metrics))
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["0", "1", "2", "3", "4+"]
    assert ax.containers  # the interval bars
    plt.close(ax.figure)


def test_forest_and_planted():
    effects = pd.DataFrame({"term": ["hour=18", "mention"], "irr": [1.5, 1.2], "ci_low": [1.2, 1.0],
                            "ci_high": [1.9, 1.4], "reference": ["hour=9", "no mention"]})
    ax = plot_irr_forest(effects, planted={"mention": 1.25})
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["mention (vs no mention)", "18:00 (vs 09:00)"]
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1×", "1.5×", "2×"]  # readable, not 4×10⁻¹
    from roi.plotting import description

    assert "18:00 (vs 09:00) 1.50×" in description(ax)
    assert len(ax.collections[-1].get_offsets()) == 1  # one planted cross
    plt.close(ax.figure)
    with pytest.raises(ParameterError):
        plot_irr_forest(effects.drop(columns="irr"))


def test_funnel_and_audience(metrics):
    ax = plot_funnel(conversion_funnel(metrics))
    assert len(ax.patches) == 4
    plt.close(ax.figure)
    active = pd.DataFrame({"hour": range(24), "share": np.full(24, 1 / 24)})
    slots = pd.DataFrame({"hour": range(24), "rate": 0.05, "ci_low": 0.04, "ci_high": 0.06})
    ax = plot_audience_hours(active, slots=slots)
    assert len(ax.patches) == 24
    plt.close(ax.figure)
