"""What every plot function shares: a fresh Axes when none is given, and its description.

A chart in the report needs alt text that states what it shows. The plot function knows that best
(it has the table it drew), so it writes the description when it draws, with :func:`describe`;
the report reads it back with :func:`description`. matplotlib is imported only when needed.
"""

from __future__ import annotations

import weakref
from typing import Any

__all__ = ["new_axes", "describe", "description"]

_DESCRIPTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def new_axes(ax: Any = None, *, figsize: tuple[float, float] = (8, 4)) -> Any:
    """``ax`` itself, or the Axes of a new pyplot figure of ``figsize`` when ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def describe(ax: Any, text: str) -> Any:
    """Record what the chart on ``ax`` shows (its alt text); returns ``ax``.

    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> description(describe(ax, "Bars of posts per day.")), description(Figure().subplots(), default="?")
    ('Bars of posts per day.', '?')
    """
    _DESCRIPTIONS[ax] = " ".join(str(text).split())
    return ax


def description(ax: Any, *, default: str = "") -> str:
    """Return the description recorded for ``ax`` by its plot function, else ``default``."""
    return _DESCRIPTIONS.get(ax, default)
