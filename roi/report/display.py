"""Turning section results into safe HTML for the notebook and the rendered report.

Every piece of text that may come from users (post text, names, bios, locations, hashtags) is
HTML-escaped here; pandas tables are rendered with ``escape=True``. Figures are separate
matplotlib Figures displayed as PNG.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Section", "show", "escape"]


def escape(text: Any) -> str:
    """HTML-escape any value for display.

    >>> escape('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape("" if text is None else str(text), quote=True)


def _number(v: float) -> str:
    """Readable numbers: thousands separated, small values with 4 significant digits."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _table_html(frame: pd.DataFrame, max_rows: int) -> str:
    shown = frame.head(max_rows)
    body = shown.to_html(index=False, escape=True, na_rep="–", border=0, classes="roi-table",
                         float_format=_number)
    more = f'<p class="roi-note">{len(frame) - max_rows:,} more rows not shown.</p>' if len(frame) > max_rows else ""
    return body + more


@dataclass
class Section:
    """What a report section shows: notes (plain text), tables and an optional figure."""

    title: str = ""
    notes: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figure: Any = None  # a matplotlib Figure (not registered with pyplot)
    max_rows: int = 15

    def _repr_html_(self) -> str:
        parts = []
        if self.title:
            parts.append(f"<h3>{escape(self.title)}</h3>")
        parts.extend(f'<p class="roi-note">{escape(n)}</p>' for n in self.notes)
        for caption, frame in self.tables:
            if caption:
                parts.append(f"<h4>{escape(caption)}</h4>")
            parts.append(_table_html(frame, self.max_rows) if len(frame) else '<p class="roi-note">No rows.</p>')
        return "\n".join(parts)


def show(section: Section) -> None:
    """Display a section in a notebook: its HTML, then its figure as PNG."""
    from IPython.display import HTML, display

    display(HTML(section._repr_html_()))
    if section.figure is not None:
        display(section.figure)
