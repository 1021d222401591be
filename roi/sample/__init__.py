"""The sample brand: realistic raw exports with planted, recorded effects.

:func:`write_sample` writes what ``roi ingest`` reads (X API v2 pages as twarc2 writes them,
follower snapshots, follow edges, a web-analytics CSV, an A/B experiment CSV) and ``truth.json``,
which records every planted parameter and effect so that each analysis can test itself against
it. The same seed gives byte-identical files.

Modules, one step each: :mod:`~roi.sample.gazetteer` (where people live and how they write it),
:mod:`~roi.sample.population` (accounts), :mod:`~roi.sample.graph` (who follows whom),
:mod:`~roi.sample.activity` (calendar, clocks, the brand's schedule), :mod:`~roi.sample.effects`
(the planted numbers), :mod:`~roi.sample.engagement` and :mod:`~roi.sample.cascades` (exposure,
engagement, reposts), :mod:`~roi.sample.complaints` and :mod:`~roi.sample.conversations` (every
post), :mod:`~roi.sample.writers` (the files).
"""

from __future__ import annotations

from roi.sample.generate import DEFAULTS, validate_options, write_sample

__all__ = ["write_sample", "validate_options", "DEFAULTS"]
