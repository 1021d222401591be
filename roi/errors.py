"""The small exception tree of roi.

Every error a user can cause is a :class:`RoiError`; the command line prints its one-line
message and exits with status 2, never a traceback.
"""

from __future__ import annotations

__all__ = ["RoiError", "InputError", "ParameterError", "StoreError"]


class RoiError(Exception):
    """Base class of every error roi raises on purpose.

    The message is a single line that names the file, line or parameter at fault and says what
    was expected, so that a user can fix the problem without reading code.
    """


class InputError(RoiError):
    """An input file could not be read as the format it claims (or was detected) to be."""


class ParameterError(RoiError, ValueError):
    """A parameter (command-line option, notebook parameter, function argument) is invalid."""


class StoreError(RoiError):
    """A store is missing, empty or corrupt, or cannot be written."""
