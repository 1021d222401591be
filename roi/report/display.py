"""Turning section results into safe HTML for the notebook and the rendered report.

Every piece of text that may come from users (post text, names, bios, locations, hashtags) is
HTML-escaped here or in :mod:`roi.report.format`. Figures are embedded as PNG data with the alt
text written when the figure was drawn; details a manager does not need first go into
``<details>`` blocks.
"""

from __future__ import annotations

import base64
import html
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from roi.report.format import MISSING_NOTE, FormattedTable, format_table

__all__ = ["Section", "Chart", "show", "escape", "warning_sentence"]


def escape(text: Any) -> str:
    """HTML-escape any value for display.

    >>> escape('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape("" if text is None else str(text), quote=True)


@dataclass
class Chart:
    """A matplotlib Figure with the alt text that says what it shows (written with the figure)."""

    figure: Any
    alt: str
    caption: str = ""
    small: bool = False  # small multiples sit side by side on a desktop, stacked on a phone

    def png(self) -> bytes:
        """Return the figure as PNG bytes (110 dpi)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()

    def html(self) -> str:
        """Return the figure as a self-contained ``<figure>``: inline PNG, escaped alt text and caption."""
        data = base64.b64encode(self.png()).decode("ascii")
        cap = f"<figcaption>{escape(self.caption)}</figcaption>" if self.caption else ""
        css = "roi-figure roi-small" if self.small else "roi-figure"
        return (f'<figure class="{css}"><img src="data:image/png;base64,{data}" alt="{escape(self.alt)}">'
                f"{cap}</figure>")


@dataclass
class Section:
    """What a report section shows.

    ``title`` is an ``<h2>`` (``<h3>`` inside details); ``notes`` are plain sentences; ``html``
    holds pre-built, already-escaped blocks (KPI cards, finding lists); ``tables`` are
    ``(caption, DataFrame)`` pairs or :class:`~roi.report.format.FormattedTable`; ``charts`` are
    :class:`Chart`; ``details`` are sub-sections folded away under their title.
    """

    title: str = ""
    notes: list[str] = field(default_factory=list)
    tables: list[Any] = field(default_factory=list)
    figure: Any = None  # a bare Figure (kept for notebooks); prefer charts with alt text
    max_rows: int = 15
    html: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    details: list[Section] = field(default_factory=list)
    tz: str = "UTC"
    level: int = 2
    anchor: str = ""
    warnings: list[str] = field(default_factory=list)

    def _tables(self) -> list[FormattedTable]:
        out = []
        for t in self.tables:
            if isinstance(t, FormattedTable):
                out.append(t)
            else:
                caption, frame = t
                out.append(format_table(frame, caption=caption, tz=self.tz, max_rows=self.max_rows))
        return out

    def _body(self) -> str:
        parts = [f'<p class="roi-lead">{escape(n)}</p>' for n in self.notes]
        parts.extend(self.html)
        small = [c for c in self.charts if c.small]
        if small:
            parts.append('<div class="roi-charts">' + "".join(c.html() for c in small) + "</div>")
        for chart in self.charts:
            if not chart.small:
                parts.append(chart.html())
        if self.figure is not None:
            parts.append(Chart(self.figure, alt=self.title or "figure").html())
        tables = self._tables()
        parts.extend(t.html for t in tables)
        if any(t.has_missing for t in tables):
            parts.append(f'<p class="roi-footnote">{escape(MISSING_NOTE)}</p>')
        for d in self.details:
            d.level = self.level + 1
            h = f"h{min(d.level, 6)}"
            parts.append(f'<details class="roi-details"><summary><{h}>{escape(d.title)}</{h}></summary>'
                         f"{d._body()}</details>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        h = f"h{min(self.level, 6)}"
        anchor = f' id="{escape(self.anchor)}"' if self.anchor else ""
        title = f"<{h}{anchor}>{escape(self.title)}</{h}>" if self.title else ""
        return f'<section class="roi-section">{title}{self._body()}</section>'


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[^\s:'\"]+)+\.py(?::\d+)?")


def warning_sentence(w: warnings.WarningMessage, *, where: str) -> str:
    """Word a captured warning as one sentence for the data-quality section: no paths, no code.

    >>> import warnings
    >>> m = warnings.WarningMessage(RuntimeWarning("overflow in exp"), RuntimeWarning, "/x/y.py", 3)
    >>> warning_sentence(m, where="the best-time section")
    'While computing the best-time section, a calculation warned: overflow in exp. Treat its numbers with care.'
    """
    text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else w.category.__name__
    text = _PATH.sub("", text).strip().rstrip(".")
    module = (getattr(w.category, "__module__", "") or "").split(".")[0]
    source = {"statsmodels": "the statistical model", "sklearn": "the classifier", "numpy": "a calculation",
              "builtins": "a calculation", "pandas": "a table operation"}.get(module, "a calculation")
    if "converge" in text.lower() or "ConvergenceWarning" in w.category.__name__:
        source = "the statistical model"
        text = f"it did not fully converge ({text})"
    return f"While computing {where}, {source} warned: {text}. Treat its numbers with care."


def show(section: Section | Callable[..., Section], ctx: Any = None, /, **options: Any) -> None:
    """Display a section in a notebook.

    Pass a section, or a section function and its context: the function then runs with its
    warnings captured (as sentences on ``ctx.warnings`` for the data-quality section) so no
    library warning, file path or source line reaches the page. If the function fails on data
    it cannot handle, the page says so in one sentence under the part's name (and the
    data-quality section lists it) instead of the whole report failing.
    """
    from IPython.display import HTML, display

    if callable(section) and not isinstance(section, Section):
        name = getattr(section, "__name__", "section").replace("_", " ")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                section = section(ctx, **options)
            except Exception as exc:  # noqa: BLE001 - one part failing on odd data must not sink the report
                reason = _PATH.sub("", str(exc).strip().splitlines()[0] if str(exc).strip() else "").strip()
                sentence = (f"The {name} part could not be computed from this store ({type(exc).__name__}"
                            f"{': ' + reason if reason else ''}); the rest of the report is unaffected.")
                if ctx is not None and hasattr(ctx, "warnings"):
                    ctx.warnings.append(sentence)
                section = Section(title=name.capitalize(), notes=[sentence])
        where = f"“{section.title}”" if section.title else "the report"
        if ctx is not None and hasattr(ctx, "warnings"):
            for w in caught:
                sentence = warning_sentence(w, where=where)
                if sentence not in ctx.warnings:
                    ctx.warnings.append(sentence)
    display(HTML(section._repr_html_()))
