"""Helpers every subcommand shares for printing results (the CLI prints; the library does not)."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pandas as pd


def _default(value: Any) -> Any:
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _clean(value: Any) -> Any:
    """Replace NaN/NA by None recursively so the output is strict JSON."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return _clean(value.item())
        except (ValueError, AttributeError):
            pass
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Convert a DataFrame to a list of JSON-ready dicts (nulls as None, timestamps as ISO 8601)."""
    out = frame.astype(object).where(frame.notna(), None)
    return _clean(out.to_dict("records"))


def print_json(payload: Any) -> None:
    """Print strict JSON (no NaN) to stdout."""
    json.dump(_clean(payload), sys.stdout, indent=2, ensure_ascii=False, default=_default, allow_nan=False)
    sys.stdout.write("\n")


def print_table(frame: pd.DataFrame, *, max_rows: int = 50) -> None:
    """Print a DataFrame as plain text to stdout."""
    with pd.option_context("display.max_rows", max_rows, "display.max_columns", None, "display.width", 120):
        print(frame.to_string(index=False) if len(frame) else "(no rows)")
