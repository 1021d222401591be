"""Readers: one module per export format, all producing the same canonical records.

Each format module exposes ``read(path, *, as_of=None) -> Iterator[ReadResult]`` and yields its
records in chunks so a large file streams in bounded memory. :func:`roi.io.ingest` (in
``roi/io/ingest.py``) detects formats, merges chunks into the store and keeps the accounting.
"""

from roi.io.detect import FORMATS, Detection, detect
from roi.io.ingest import IngestResult, SourceReport, ingest

__all__ = ["ingest", "IngestResult", "SourceReport", "detect", "Detection", "FORMATS"]
