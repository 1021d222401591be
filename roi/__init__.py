"""roi — return on influence: honest reach and influence analytics for a brand's social presence.

The public surface: :func:`load` a store into a :class:`Dataset`, the canonical table
declarations in :mod:`roi.tables`, and the analysis modules (``roi.graph``, ``roi.geo``,
``roi.cascades``, ``roi.engagement``, ``roi.abtest``, ``roi.listening``, ``roi.ledger``).
"""

from __future__ import annotations

from roi._version import __version__
from roi.errors import InputError, ParameterError, RoiError, StoreError
from roi.store import Dataset, Store, load

__all__ = [
    "__version__",
    "load",
    "Dataset",
    "Store",
    "RoiError",
    "InputError",
    "ParameterError",
    "StoreError",
]
