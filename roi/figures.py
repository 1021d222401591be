"""How roi writes a number for a person: the one rule for percentages and changes.

The report's tables (:mod:`roi.report.format`) and the sentences analyses write themselves
(:func:`roi.ledger.ledger_findings`) use these, so a sentence never says "15%" beside a table
saying "14.8%". A base module, below every step: analyses may not import the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MISSING", "is_missing", "percent", "signed_percent"]

#: What an unknown value reads as.
MISSING = "—"


def is_missing(value: Any) -> bool:
    """Tell whether a scalar is unknown (None, NA, NaT or NaN).

    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing(0)
    (True, True, True, False)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def percent(value: Any, *, digits: int | None = None) -> str:
    """Format a fraction as a percentage with enough digits to be read (5.0%, 0.62%, 100%).

    >>> percent(0.05046), percent(0.0062), percent(1), percent(float("nan"))
    ('5.0%', '0.62%', '100%', '—')
    """
    if is_missing(value):
        return MISSING
    v = float(value) * 100
    if digits is None:
        digits = 0 if abs(v) >= 99.95 or v == 0 else 1 if abs(v) >= 1 else 2
    return f"{v:,.{digits}f}%"


def signed_percent(value: Any) -> str:
    """Format a relative change as a signed whole percentage ("+35%", "−44%").

    >>> signed_percent(0.3456), signed_percent(-0.44), signed_percent(0.0004)
    ('+35%', '−44%', '±0%')
    """
    if is_missing(value) or not np.isfinite(float(value)):
        return MISSING
    v = round(float(value) * 100)
    return "±0%" if v == 0 else f"+{v:,}%" if v > 0 else f"−{-v:,}%"
