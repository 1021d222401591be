"""roi's version: the installed distribution's, or ``0.0.0+unknown`` in a source tree not installed.

Its own module so that library modules stamping it (the store's manifest, ingest's source
entries) need not import the top-level :mod:`roi` package, which imports them.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

__all__ = ["__version__"]

try:
    __version__ = _version("roi")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
