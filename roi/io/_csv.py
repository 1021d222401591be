"""Reading CSV exports in streamed blocks, every value as text, with the line of every row.

What the CSV readers (posts, conversions, follows, experiments) share:

* **encoding**: UTF-8 (a byte-order mark is dropped); a file that is not valid UTF-8 is read as
  Windows-1252 (what Excel writes on Western systems), or Latin-1 when it is not valid
  Windows-1252 either, and the source carries a note saying so (:attr:`CsvBlocks.note`);
* **ids stay strings**: every column is read as text; readers convert counts and times themselves,
  vectorised, and reject the rows whose values do not parse;
* **nothing vanishes**: a row with the wrong number of fields is rejected with its line, not
  dropped; the line of any row is exact even when quoted values span several lines (it is found
  by a second pass over the file, only when some row is rejected);
* **bounded memory**: the file streams in blocks (pyarrow's CSV reader).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pacompute
import pyarrow.csv as pacsv

from roi.errors import InputError
from roi.io._base import Rejected

__all__ = [
    "CsvBlocks",
    "CsvBlock",
    "open_csv",
    "parse_times",
    "parse_counts",
    "parse_floats",
    "Problems",
    "is_blank",
    "split_entities",
    "split_urls",
]

BLOCK_BYTES = 8 << 20
_RECORD_LIMIT = 4096


def _name(path: Any) -> str:
    return str(path)


def _sniff(path: Any) -> tuple[str, str | None, bool]:
    """Return (encoding, note when not UTF-8, whether every record is exactly one line).

    One pass over the bytes: UTF-8 is checked incrementally; a file without any quote character
    and without blank lines has record *r* on line *r*, so lines need no second pass.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, simple, last, first = True, True, b"", True
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            if utf8_ok:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    utf8_ok = False
            if simple:
                joined = (last + block).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                simple = (b'"' not in block and b"\n\n" not in joined.rstrip(b"\n")
                          and not (first and joined[:1] == b"\n"))
                last, first = block[-2:], False
        if utf8_ok:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    if utf8_ok:
        return "utf-8", None, simple
    try:
        with path.open("rb") as fh:
            codecs.decode(fh.read(), "cp1252")
        return "cp1252", f"{_name(path)}: not valid UTF-8; decoded as Windows-1252", simple
    except UnicodeDecodeError:
        return "latin-1", f"{_name(path)}: not valid UTF-8; decoded as Latin-1", simple


def _text(fh, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(fh, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")


def _read_header(path: Any, encoding: str) -> tuple[list[str], str]:
    """Read the header and the delimiter (``,`` unless the header line is split by ``;``, tab or ``|``)."""
    with path.open("rb") as fh:
        for line in _text(fh, encoding):
            if not line.strip():
                continue
            try:
                delimiter = csv.Sniffer().sniff(line, delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
            row = next(csv.reader([line], delimiter=delimiter))
            return [c.strip() for c in row], delimiter
    return [], ","


@dataclass
class CsvBlock:
    """A block of rows: every column as text (``string`` dtype; an empty cell is ``<NA>``)."""

    rows: pd.DataFrame
    records: np.ndarray  # 1-based CSV record number of each row (the header is record 1)
    bad: list[Rejected] = field(default_factory=list)  # rows with the wrong number of fields


class CsvBlocks:
    """A CSV file opened for streaming: its header, encoding note and blocks of rows."""

    def __init__(self, path: Any, *, block_bytes: int | None = None):
        self.path = path
        self.encoding, self.note, self._simple = _sniff(path)
        self.header, self.delimiter = _read_header(path, self.encoding)
        self.block_bytes = block_bytes or BLOCK_BYTES
        self._lines: np.ndarray | None = None

    @property
    def columns(self) -> list[str]:
        """Header names, lower-cased (readers match columns case-insensitively)."""
        return [h.lower() for h in self.header]

    def require(self, required: Sequence[str], *, expected_header: str) -> None:
        """Raise :class:`InputError` naming the missing columns (the whole file is rejected)."""
        missing = [c for c in required if c not in self.columns]
        if not self.header:
            raise InputError(f"{_name(self.path)}: empty CSV (no header); expected header: {expected_header}")
        if missing:
            raise InputError(
                f"{_name(self.path)}: missing required column(s) {', '.join(missing)}; "
                f"expected header: {expected_header}"
            )

    def blocks(self) -> Iterator[CsvBlock]:
        """Stream the rows block by block (columns renamed to lower case)."""
        if not self.header:
            return
        bad: list[tuple[int | None, str]] = []

        def on_invalid(row) -> str:
            bad.append((row.number, f"expected {row.expected_columns} fields, found "
                                    f"{row.actual_columns}", row.text))
            return "skip"

        names = self.columns
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise InputError(f"{_name(self.path)}: duplicate column(s) {', '.join(dupes)} in the header")
        reader = pacsv.open_csv(
            self.path.open("rb") if not isinstance(self.path, (str, Path)) else str(self.path),
            read_options=pacsv.ReadOptions(
                block_size=self.block_bytes, use_threads=False, encoding=self.encoding,
                column_names=names, skip_rows=self._header_records(),
            ),
            parse_options=pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True,
            ),
        )
        next_record = self._header_records() + 1
        seen_bad = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise InputError(f"{_name(self.path)}: not a readable CSV ({str(exc).splitlines()[0]})") from None
            new_bad = bad[seen_bad:]
            seen_bad = len(bad)
            # pyarrow numbers records from the top of the file, the skipped header included.
            bad_numbers = {n for n, _, _ in new_bad if n is not None}
            n = batch.num_rows
            candidates = np.arange(next_record, next_record + n + len(bad_numbers) + 1)
            if bad_numbers:
                candidates = candidates[~np.isin(candidates, list(bad_numbers))]
            records = candidates[:n]
            if n:
                next_record = int(records[-1]) + 1
            elif bad_numbers:
                next_record = max(bad_numbers) + 1
            rejected = [
                Rejected(None if num is None else self.lines_of([num])[0], reason, _clip(text))
                for num, reason, text in new_bad
            ]
            rows = batch.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
            for col in rows.columns:
                rows[col] = rows[col].str.strip().replace("", pd.NA)
            yield CsvBlock(rows, records, rejected)

    def annotate(self, result):
        """Attach the encoding note (if any) to the first chunk read; return the chunk."""
        if self.note and not getattr(self, "_noted", False):
            result.notes = [self.note]  # ingest reports a chunk's ``notes`` with its source
            self._noted = True
        return result

    def _header_records(self) -> int:
        return 1

    def lines_of(self, records: Sequence[int]) -> list[int]:
        """Return the 1-based line on which each CSV record starts (exact with multi-line values)."""
        if self._simple:
            return [int(r) for r in records]
        if self._lines is None:
            starts = [0]  # record 0 does not exist; index = record number
            with self.path.open("rb") as fh:
                reader = csv.reader(_text(fh, self.encoding), delimiter=self.delimiter)
                line_before = 0
                for row in reader:
                    if row:
                        starts.append(line_before + 1)
                    line_before = reader.line_num
            self._lines = np.asarray(starts, dtype=np.int64)
        lines = self._lines
        return [int(lines[r]) if 0 < r < len(lines) else int(r) for r in records]

    def reject_rows(self, block: CsvBlock, mask: np.ndarray, reasons: Sequence[str]) -> list[Rejected]:
        """Rejected records for the rows of ``block`` selected by ``mask``, with their lines."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return []
        lines = self.lines_of(block.records[idx].tolist())
        raw = _rows_as_csv(block.rows.iloc[idx])
        return [Rejected(line, reason, text) for line, reason, text in zip(lines, reasons, raw, strict=True)]


def open_csv(path: Any, *, block_bytes: int | None = None) -> CsvBlocks:
    """Open a CSV export for streaming (see :class:`CsvBlocks`)."""
    return CsvBlocks(path, block_bytes=block_bytes)


def _clip(text: str) -> str:
    return text if len(text) <= _RECORD_LIMIT else text[:_RECORD_LIMIT] + "...[truncated]"


def _rows_as_csv(rows: pd.DataFrame) -> list[str]:
    out = []
    for values in rows.astype(object).where(rows.notna(), "").itertuples(index=False):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(values)
        out.append(_clip(buf.getvalue()))
    return out


def is_blank(values: pd.Series) -> np.ndarray:
    """Boolean array: the cell is empty."""
    return values.isna().to_numpy()


class Problems:
    """The first problem found in each row of a block (one reason per rejected row)."""

    def __init__(self, n: int):
        self.reason = np.full(n, None, dtype=object)

    def add(self, mask, reasons) -> None:
        """Record a reason for the rows in ``mask`` that have no problem yet.

        ``reasons`` is one string, an array aligned with the block, or a callable returning
        such an array (called only when some row is affected, so clean blocks cost nothing).
        """
        mask = np.asarray(mask, dtype=bool) & pd.isna(self.reason)
        if not mask.any():
            return
        if callable(reasons):
            reasons = reasons()
        if isinstance(reasons, str):
            self.reason[mask] = reasons
        else:
            self.reason[mask] = np.asarray(reasons, dtype=object)[mask]

    @property
    def mask(self) -> np.ndarray:
        return ~pd.isna(self.reason)


def _quoted(values: pd.Series) -> np.ndarray:
    return ("'" + values.fillna("").astype(str).str.slice(0, 60) + "'").to_numpy(dtype=object)


def _described(values: pd.Series, column: str, what: str):
    return lambda: f"{column} " + pd.Series(_quoted(values)) + f" {what}"


def parse_times(values: pd.Series, column: str, problems: Problems, *, date_only: bool = False) -> pd.Series:
    """ISO 8601 text -> UTC timestamps; naive times are UTC. Unparseable non-empty cells are problems.

    Times written the way X's v1.1 API and archives write them (``Wed Jan 07 11:06:08 +0000 2015``,
    as CSVs made from them keep them) are read too.

    >>> parse_times(pd.Series(["2026-10-01 09:00", "Wed Jan 07 11:06:08 +0000 2015"]), "t", Problems(2)).tolist()
    [Timestamp('2026-10-01 09:00:00+0000', tz='UTC'), Timestamp('2015-01-07 11:06:08+0000', tz='UTC')]
    """
    parsed = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
    retry = values.notna().to_numpy() & parsed.isna().to_numpy()
    if retry.any() and not date_only:
        v1 = pd.to_datetime(values[retry], utc=True, format="%a %b %d %H:%M:%S %z %Y", errors="coerce")
        parsed = parsed.astype("datetime64[us, UTC]")
        parsed[retry] = v1.astype("datetime64[us, UTC]").to_numpy()
    bad = values.notna().to_numpy() & parsed.isna().to_numpy()
    expected = "an ISO 8601 date (YYYY-MM-DD)" if date_only else "an ISO 8601 time"
    problems.add(bad, _described(values, column, f"is not {expected}"))
    return parsed.astype("datetime64[us, UTC]")


def parse_counts(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    """Whole non-negative numbers (``12``, ``12.0``); anything else in a non-empty cell is a problem.

    Digits are read exactly (``9007199254740993`` stays itself, never via a float); a count
    beyond int64, ``inf`` or ``nan`` is a problem, never a wrapped-round number.

    >>> p = Problems(4)
    >>> parse_counts(pd.Series(["9007199254740993", "12.0", "9223372036854775808", "inf"]), "likes", p).tolist()
    [9007199254740993, 12, <NA>, <NA>]
    """
    present = values.notna().to_numpy()
    if not present.any():
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    text = values.astype("string[python]").str.strip().str.removeprefix("+")
    digits = text.str.fullmatch(r"[0-9]+").fillna(False).to_numpy(dtype=bool)
    long = text.str.lstrip("0").str.len().fillna(0).to_numpy()
    too_big = digits & ((long > 19) | ((long == 19) & (text.str.lstrip("0") > "9223372036854775807").fillna(False)
                                       .to_numpy(dtype=bool)))
    exact = digits & ~too_big
    numbers = pd.to_numeric(text.where(~digits), errors="coerce")
    nums = numbers.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    nums[digits] = 0.0
    not_number = present & ~digits & np.isnan(nums)
    with np.errstate(invalid="ignore"):
        infinite = present & ~digits & np.isinf(nums)
        negative = present & ~digits & (nums < 0)
        huge = present & ((~digits & ~infinite & (np.abs(nums) >= 2.0**63)) | too_big)
        fractional = present & ~digits & np.isfinite(nums) & (np.floor(nums) != nums)
    problems.add(not_number, _described(values, column, "is not a number"))
    problems.add(infinite, _described(values, column, "is not a finite number"))
    problems.add(negative & ~infinite, _described(values, column, "is negative; expected a count >= 0"))
    problems.add(huge & ~negative, _described(values, column, "is too large for a count (more than 2^63 - 1)"))
    problems.add(fractional, _described(values, column, "is not a whole number"))
    ok = present & ~not_number & ~infinite & ~negative & ~huge & ~fractional
    out = pd.array([pd.NA] * len(values), dtype="Int64")
    if exact.any():
        out[exact] = pd.array(text[exact].astype("int64").to_numpy(), dtype="Int64")
    rest = ok & ~digits
    if rest.any():
        out[rest] = pd.array(nums[rest].astype("int64"), dtype="Int64")
    return pd.Series(out, index=values.index)


def parse_floats(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    """Decimal numbers (revenue); non-numeric non-empty cells are problems."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna().to_numpy() & numbers.isna().to_numpy()
    problems.add(bad, _described(values, column, "is not a number"))
    return numbers.astype("Float64")


def split_entities(values: pd.Series) -> pd.Series:
    """Space- (or comma-) separated hashtags/handles -> canonical list<string> (casefolded, no #/@).

    An empty cell is an empty list: the column exists, so "none" is known.

    >>> split_entities(pd.Series(["#Sale, #NEW", None, "@Bob alice"], dtype="string")).tolist()
    [['sale', 'new'], [], ['bob', 'alice']]
    """
    from roi.text import LIST_OF_STRINGS

    arr = pa.array(values.fillna("").str.replace(",", " ", regex=False), type=pa.string())
    lists = pacompute.utf8_split_whitespace(arr)
    flat = lists.flatten().to_pandas()
    parents = pacompute.list_parent_indices(lists).to_numpy()
    codes, uniques = pd.factorize(flat)
    canon = np.asarray([u.lstrip("#\uff03@\uff20").casefold() for u in uniques] or [""], dtype=object)
    tokens = canon[codes] if len(codes) else np.zeros(0, dtype=object)
    keep = tokens != ""
    counts = np.bincount(parents[keep], minlength=len(lists))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype("int32")
    rebuilt = pa.ListArray.from_arrays(pa.array(offsets), pa.array(tokens[keep], type=pa.string()))
    return pd.Series(rebuilt, index=values.index, dtype=LIST_OF_STRINGS)


def split_urls(values: pd.Series) -> pd.Series:
    """Space-separated URLs -> canonical list<string>, kept as written; an empty cell is an empty list.

    >>> split_urls(pd.Series(["https://a.example/x https://b.example", None], dtype="string")).tolist()
    [['https://a.example/x', 'https://b.example'], []]
    """
    from roi.text import LIST_OF_STRINGS

    lists = [v.split() for v in values.fillna("").tolist()]
    return pd.Series(pa.array(lists, type=pa.list_(pa.string())), index=values.index, dtype=LIST_OF_STRINGS)


def with_accounting(frame: pd.DataFrame, lines, *, context: bool) -> pd.DataFrame:
    """Add the ``_line`` and ``_context`` columns ingest uses for accounting (dropped on write)."""
    out = frame.copy()
    out["_line"] = np.asarray(lines, dtype="int64") if len(out) else np.zeros(0, "int64")
    out["_context"] = np.full(len(out), context, dtype=bool)
    return out
