"""roi — return on influence: honest reach and influence analytics for a brand's social presence.

The public surface: :func:`load` a store into a :class:`Dataset`, the canonical table
declarations in :mod:`roi.tables`, and the analysis modules (``roi.graph``, ``roi.geo``,
``roi.cascades``, ``roi.engagement``, ``roi.abtest``, ``roi.listening``, ``roi.ledger``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("roi")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

from roi.errors import InputError, ParameterError, RoiError, StoreError  # noqa: E402
from roi.store import Dataset, Store, load  # noqa: E402

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
