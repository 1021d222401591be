"""The native line scanner: pyarrow's table exactly, or a decline -- never a third answer."""

from __future__ import annotations

import json
import os
import random
import shutil
import sysconfig
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pajson
import pytest

from roi.io import _json_lines
from roi.io._json_lines import decline_reason, parse_lines
from roi.io._x_v2_arrow import FLAT_SCHEMA, PAGE_SCHEMA

native = pytest.mark.skipif(not _json_lines.AVAILABLE, reason="roi.io._linescan is not built here")

SCHEMA = pa.schema([
    ("id", pa.string()),
    ("n", pa.int64()),
    ("ok", pa.bool_()),
    ("tags", pa.list_(pa.string())),
    ("user", pa.struct([("name", pa.string()), ("m", pa.struct([("followers", pa.int64())])),
                        ("links", pa.list_(pa.struct([("url", pa.string())])))])),
])


def _pyarrow(block: bytes, schema: pa.Schema) -> pa.Table | None:
    try:
        return pajson.read_json(pa.BufferReader(block), parse_options=pajson.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None


def test_the_extension_is_built_where_a_c_compiler_is():
    if not (shutil.which("cc") or shutil.which("gcc")) or not sysconfig.get_paths().get("include"):
        pytest.skip("no C compiler here: roi installs without the scanner and parses with pyarrow")
    assert _json_lines.AVAILABLE, "setup.py builds roi.io._linescan with the C compiler found here"


def test_the_scanner_under_test_is_the_requested_build():
    """`make sanitize` names its ASan/UBSan build in ROI_REQUIRE_NATIVE: the tests must run on it."""
    wanted = os.environ.get("ROI_REQUIRE_NATIVE")
    if not wanted:
        pytest.skip("only under `make sanitize`, which sets ROI_REQUIRE_NATIVE to its build folder")
    from roi.io import _linescan

    assert Path(_linescan.__file__).resolve().is_relative_to(Path(wanted).resolve())


@native
def test_hand_checked_rows():
    lines = [
        {"id": "a", "n": -12, "ok": True, "tags": ["x", "", "ü"], "extra": {"deep": [1, 2.5e3, None, "s"]},
         "user": {"name": "Zoë \"Z\"\\\n\t", "m": {"followers": 0}, "links": [{"url": "u1"}, {"url": None}]}},
        {"id": None, "ok": False, "tags": [], "user": None},
        {"user": {"m": None, "links": None}, "n": 9007199254740993},
        {},
    ]
    block = "".join(json.dumps(x) + "\n" for x in lines).encode()
    table = parse_lines(block, SCHEMA)
    assert table.to_pylist() == [
        {"id": "a", "n": -12, "ok": True, "tags": ["x", "", "ü"],
         "user": {"name": "Zoë \"Z\"\\\n\t", "m": {"followers": 0}, "links": [{"url": "u1"}, {"url": None}]}},
        {"id": None, "n": None, "ok": False, "tags": [], "user": None},
        {"id": None, "n": 9007199254740993, "ok": None, "tags": None, "user": {"name": None, "m": None, "links": None}},
        {"id": None, "n": None, "ok": None, "tags": None, "user": None},
    ]
    assert table.equals(_pyarrow(block, SCHEMA))
    assert parse_lines(b"", SCHEMA).num_rows == 0


@native
def test_escapes_and_unicode_decode_as_json_says():
    block = b'{"id": "\\u00e9\\ud83d\\ude00\\/\\b\\f\\r\\u0000 \xf0\x9f\x98\x80 \xe2\x82\xac"}\r\n{"id": "last line, no newline"}'
    table = parse_lines(block, SCHEMA)
    assert table.column("id").to_pylist() == ["é😀/\b\f\r\x00 😀 €", "last line, no newline"]
    assert table.equals(_pyarrow(block, SCHEMA))


@native
@pytest.mark.parametrize("line, reason", [
    (b'{"id": 1}', "not a string"),
    (b'{"id": {"a": 1}}', "not a string"),
    (b'{"n": "5"}', "not an int64"),
    (b'{"n": 1.0}', "non-integer"),
    (b'{"n": 1e3}', "non-integer"),
    (b'{"n": 1234567890123456789}', "more than 18 digits"),
    (b'{"ok": 1}', "not a boolean"),
    (b'{"tags": "a"}', "not a list"),
    (b'{"tags": [null]}', "null list item"),
    (b'{"user": []}', "not an object"),
    (b'{"id": "a", "id": "b"}', "duplicated key"),
    (b'{"\\u0069d": "a"}', "escaped key"),
    (b'{"id": "\\ud800"}', "lone surrogate"),
    (b'{"id": "\\udc00x"}', "lone surrogate"),
    (b'{"id": "\\ud800\\u0041"}', "lone surrogate"),
    (b'{"id": "\xff"}', "invalid UTF-8"),
    (b'{"id": "\xc0\xaf"}', "invalid UTF-8"),
    (b'{"id": "\xed\xa0\x80"}', "invalid UTF-8"),
    (b'{"id": "\xf4\x90\x80\x80"}', "invalid UTF-8"),
    (b'{"x": "\xe2\x82"}', "invalid UTF-8"),
    (b'{"id": "a\tb"}', "control character"),
    (b'{"id": "\\x"}', "bad escape"),
    (b'{"id": "\\u12"}', "escape"),
    (b'{"id": "a}', "unterminated"),
    (b'{"id": "a"', "invalid JSON"),
    (b'{"id": "a"} x', "text after"),
    (b'{"id": "a"}{}', "text after"),
    (b'["id"]', "not an object"),
    (b'\xef\xbb\xbf{"id": "a"}', "not an object"),
    (b'{"x": [1, 2,]}', "invalid JSON"),
    (b'{"x": 01}', "invalid JSON"),
    (b'{"x": -}', "invalid JSON"),
    (b'{"x": 1.}', "invalid JSON"),
    (b'{"x": tru}', "invalid JSON"),
    (b'{"x": NaN}', "invalid JSON"),
    (b'{"x": 1e1000}', "exponent"),
    (b'{"x": ' + b"[" * 200 + b"]" * 200 + b"}", "nesting"),
    (b'{"id": "a",}', "invalid JSON"),
])
def test_declines_what_it_cannot_read_exactly(line, reason):
    block = b'{"id": "fine"}\n' + line + b"\n"
    assert parse_lines(block, SCHEMA) is None
    assert reason in decline_reason(block, SCHEMA)


@native
def test_a_blank_line_is_declined():
    # pyarrow skips blank lines, which would shift every later row off its line number.
    assert "blank line" in decline_reason(b'{"id": "a"}\n\n{"id": "b"}\n', SCHEMA)
    assert "blank line" in decline_reason(b'{"id": "a"}\n  \r\n', SCHEMA)


def _tweet_lines(rng: random.Random, n: int) -> list[bytes]:
    lines = []
    for i in range(n):
        tweet = {"id": str(1000 + i), "author_id": str(rng.randint(1, 9)), "text": rng.choice(["hi #a", "RT @b: x", "ü € 😀"]),
                 "created_at": "2024-01-02T03:04:05.000Z", "lang": "en", "edit_history_tweet_ids": [str(1000 + i)],
                 "entities": {"hashtags": [{"start": 3, "end": 5, "tag": "a"}], "mentions": [{"start": 3, "username": "b"}],
                              "urls": [{"url": "https://t.co/x", "expanded_url": "https://e.example/?a=1&b=2"}]},
                 "public_metrics": {"like_count": rng.randint(0, 9), "retweet_count": 0, "reply_count": 1,
                                    "quote_count": 0, "impression_count": rng.randint(0, 999)},
                 "referenced_tweets": [{"type": "quoted", "id": "7", "text": "q", "author": {"id": "3", "username": "c"}}],
                 "author": {"id": "1", "username": "u", "name": "U", "verified": rng.random() < 0.5,
                            "public_metrics": {"followers_count": 5, "following_count": 1, "tweet_count": 2}},
                 "__twarc": {"retrieved_at": "2024-01-03T00:00:00+00:00", "version": "2.14.0"}}
        lines.append(json.dumps(tweet, ensure_ascii=rng.random() < 0.5).encode())
    return lines


_NOISE = [b'"', b"\\", b"{", b"}", b"[", b"]", b",", b":", b"1", b"-", b".", b"e", b"n", b"u", b"\\u", b"\xff",
          b"\xc3", b"\x00", b"\n", b" ", b"null", b"true", b'"x"', b"\\ud83d"]


@native
@pytest.mark.parametrize("schema", [FLAT_SCHEMA, PAGE_SCHEMA], ids=["flattened", "pages"])
def test_mutated_lines_give_pyarrows_table_or_a_decline(schema):
    """2,000 lines with random damage (a byte flipped, cut, or a JSON-significant token inserted or
    dropped): wherever the scanner answers, pyarrow answers the same; it may decline more often."""
    rng = random.Random(20261126)
    base = _tweet_lines(rng, 40)
    if schema is PAGE_SCHEMA:
        base = [b'{"data": [' + b", ".join(base[i:i + 4]) + b'], "includes": {"users": [{"id": "1", "username": "u"}]}, '
                b'"__twarc": {"retrieved_at": "2024-01-03T00:00:00+00:00"}}' for i in range(0, 40, 4)]
    answered = declined = 0
    for _ in range(2000):
        line = bytearray(rng.choice(base))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(max(1, len(line)))
            move = rng.random()
            if move < 0.3:
                line[at] = rng.randrange(256)
            elif move < 0.6:
                line[at:at] = rng.choice(_NOISE)
            elif move < 0.8:
                del line[at:at + rng.randint(1, 4)]
            else:
                del line[at:]
        block = rng.choice(base) + b"\n" + bytes(line) + b"\n"
        ours = parse_lines(block, schema)
        if ours is None:
            declined += 1
            continue
        answered += 1
        theirs = _pyarrow(block, schema)
        assert theirs is not None, block
        assert ours.equals(theirs), block
    assert answered > 100 and declined > 1000  # both branches were exercised


@native
def test_generated_twarc_files_read_as_pyarrow_reads_them(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from bench_ingest import generate

    for shape, schema in (("expanded", PAGE_SCHEMA), ("data-only", PAGE_SCHEMA), ("flattened", FLAT_SCHEMA)):
        path = tmp_path / f"{shape}.jsonl"
        generate(path, 1500, shape=shape, seed=3)
        block = path.read_bytes()
        ours = parse_lines(block, schema)
        assert ours is not None, decline_reason(block, schema)
        assert ours.equals(_pyarrow(block, schema)), shape


@native
def test_string_hashes_equal_strings_hash_equal_wherever_they_lie():
    values = ["1700000000000000001", "", None, "ü" * 9, "1700000000000000001", "a", "a" * 8, "a" * 9, None, ""]
    whole = _json_lines.string_hashes(pa.array(values, pa.string()))
    by_value: dict = {}
    for v, h in zip(values, whole.tolist(), strict=True):
        by_value.setdefault("" if v is None else v, set()).add(h)
    assert all(len(hs) == 1 for hs in by_value.values())  # nulls hash as ""
    assert len({next(iter(hs)) for hs in by_value.values()}) == len(by_value)  # distinct here
    sliced = pa.array(values, pa.string()).slice(3, 5)  # an offset into shared buffers
    assert _json_lines.string_hashes(sliced).tolist() == whole[3:8].tolist()
    assert _json_lines.string_hashes(pa.array([], pa.string())).tolist() == []
    assert _json_lines.string_hashes(pa.array(["", None], pa.string())).tolist() == [by_value[""].pop()] * 2


@native
def test_string_hashes_check_the_buffers():
    from roi.io import _linescan

    offsets = pa.array([0, 3, 99], pa.int32()).buffers()[1]  # the last string ends past the data
    with pytest.raises(ValueError, match="outside the data buffer"):
        _linescan.hash_strings(offsets, b"abc", 0, 2)
    with pytest.raises(ValueError, match="shorter than"):
        _linescan.hash_strings(offsets, b"abc", 1, 2)
    with pytest.raises(TypeError, match="expected a string array"):
        _json_lines.string_hashes(pa.array([1]))
