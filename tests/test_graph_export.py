"""roi.graph.export and plots: GEXF/GraphML round trips, CSV/xlsx with every column, Axes-returning plots."""

from __future__ import annotations

import matplotlib
import networkx as nx
import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.graph import (
    communities,
    export_table,
    follower_graph,
    growth_churn,
    influence,
    write_gexf,
    write_graphml,
)
from roi.graph.plots import plot_community_sizes, plot_followers_vs_pagerank, plot_growth_churn
from roi.tables import conform

matplotlib.use("Agg")


@pytest.fixture
def data():
    accounts = conform("accounts", {
        "platform": ["x", "x"], "account_id": ["1", "2"], "handle": ["acme", "bob"],
        "location": ["NYC", None], "followers_count": [10, None], "verified": [True, None],
        "created_at": ["2020-01-01T00:00Z", None], "observed_at": ["2026-01-01T00:00Z"] * 2,
    })
    follows = conform("follows", {"platform": ["x"] * 3, "follower_id": ["2", "3", "1"],
                                  "followee_id": ["1", "1", "2"], "first_seen": ["2026-01-01T00:00Z"] * 3,
                                  "last_seen": ["2026-01-08T00:00Z"] * 3})
    return {"accounts": accounts, "follows": follows}


@pytest.mark.parametrize("write, read", [(write_gexf, nx.read_gexf), (write_graphml, nx.read_graphml)],
                         ids=["gexf", "graphml"])
def test_graph_round_trips_with_safe_attributes(data, tmp_path, write, read):
    G = follower_graph(data)
    table = influence(G)
    path = write(G, tmp_path / f"g.{write.__name__[6:]}", node_table=table)
    H = read(path)
    assert sorted(H.edges()) == sorted(G.edges())
    assert H.nodes["1"]["handle"] == "acme" and H.nodes["1"]["created_at"].startswith("2020-01-01")
    assert "location" not in H.nodes["2"]  # missing stays missing, never "None"
    assert float(H.nodes["1"]["pagerank"]) == pytest.approx(table.set_index("account_id").loc["1", "pagerank"])
    assert H.edges["2", "1"]["first_seen"].startswith("2026-01-01")


def test_tables_export_every_column_to_csv_and_xlsx(data, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    table = growth_churn(data, "acme").assign(tags=pd.Series([["a", "b"]] * 1, dtype=object))
    csv = pd.read_csv(export_table(table, tmp_path / "growth.csv"))
    assert list(csv.columns) == list(table.columns)
    sheet = openpyxl.load_workbook(export_table(table, tmp_path / "growth.xlsx")).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == [f"{c} (UTC)" if c in ("week_start", "week_end") else c for c in table.columns]
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][0] == table["week"].iloc[0]
    with pytest.raises(ParameterError, match=".csv or .xlsx"):
        export_table(table, tmp_path / "growth.json")


def test_plots_return_axes(data):
    import matplotlib.pyplot as plt

    G = follower_graph(data)
    for ax in (plot_followers_vs_pagerank(influence(G), followers="in_degree"),
               plot_community_sizes(communities(G)),
               plot_growth_churn(growth_churn(data, "acme"))):
        assert isinstance(ax, matplotlib.axes.Axes)
    fig, ax = plt.subplots()
    assert plot_followers_vs_pagerank(influence(G), ax=ax) is ax
    with pytest.raises(ParameterError, match="lacks column"):
        plot_growth_churn(pd.DataFrame({"week": []}))
    plt.close("all")
