"""Readers: one module per export format, all producing the same canonical records.

Each format module exposes ``read(path, *, as_of=None) -> Iterator[ReadResult]`` and yields its
records in chunks so a large file streams in bounded memory. :func:`roi.io.ingest` (in
``roi/io/ingest.py``) runs the steps: discover the sources (``sources.py``), read them
(``reading.py``), merge with the store (``roi/store_merge.py``, spilling through
``roi/store_spill.py``), account (``accounting.py``) and write.
"""

from roi.io.detect import FORMATS, Detection, detect
from roi.io.ingest import IngestResult, SourceReport, ingest

__all__ = ["ingest", "IngestResult", "SourceReport", "detect", "Detection", "FORMATS"]
