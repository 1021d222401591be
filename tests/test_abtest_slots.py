"""Slots: parsing with one-line errors, membership in local time across DST, wrap past midnight."""

import pandas as pd
import pytest

from roi.abtest import Slot, parse_slot
from roi.errors import ParameterError


@pytest.mark.parametrize("text, expected", [
    ("18:00-20:00", Slot(1080, 1200, None)),
    ("Tue 09:00-11:00", Slot(540, 660, 1)),
    ("tuesday 9:00-11:30", Slot(540, 690, 1)),
    ("SUN 22:00-24:00", Slot(1320, 1440, 6)),
    ("Fri. 23:00-01:00", Slot(1380, 60, 4)),
    ("  wed 07:15 - 08:45 ", Slot(435, 525, 2)),
])
def test_parse_valid(text, expected):
    assert parse_slot(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("18-20", "expected a local time window"),
    ("Tus 09:00-11:00", "is not a weekday"),
    ("T 09:00-11:00", "is not a weekday"),
    ("25:00-26:00", "not a time of day"),
    ("09:60-10:00", "not a time of day"),
    ("24:00-01:00", "not a time of day"),
    ("10:00-10:00", "empty"),
    ("", "expected a local time window"),
])
def test_parse_errors_are_one_line(text, fragment):
    with pytest.raises(ParameterError) as info:
        parse_slot(text)
    message = str(info.value)
    assert fragment in message and "\n" not in message and repr(text) in message


def test_str_round_trips():
    for text in ["Tue 09:00-11:00", "18:00-20:00", "Sat 22:00-02:00"]:
        assert str(parse_slot(text)) == text
        assert parse_slot(str(parse_slot(text))) == parse_slot(text)


def test_contains_is_local_time_on_both_sides_of_dst():
    # New York: EDT (UTC-4) until 1 Nov 2026, EST (UTC-5) after. 09:30 local is 13:30Z then 14:30Z.
    ts = pd.Series(pd.to_datetime(["2026-10-27T13:30Z", "2026-11-03T14:30Z", "2026-11-03T13:30Z"], utc=True))
    assert parse_slot("Tue 09:00-10:00").contains(ts, tz="America/New_York").tolist() == [True, True, False]
    assert parse_slot("09:00-10:00").contains(ts, tz="UTC").tolist() == [False, False, False]
    assert parse_slot("13:00-14:00").contains(ts, tz="UTC").tolist() == [True, False, True]


def test_contains_wrapping_slot_with_weekday():
    slot = parse_slot("Sat 22:00-02:00")
    ts = pd.Series(pd.to_datetime([
        "2026-10-03T23:00Z",  # Sat 23:00 -> in
        "2026-10-04T01:00Z",  # Sun 01:00 -> in (after midnight of the Saturday slot)
        "2026-10-04T23:00Z",  # Sun 23:00 -> out
        "2026-10-03T01:00Z",  # Sat 01:00 -> out (belongs to Friday's night)
        None,
    ], utc=True))
    assert slot.contains(ts, tz="UTC").tolist() == [True, True, False, False, False]


def test_bad_tz_is_parameter_error():
    with pytest.raises(ParameterError, match="tz="):
        parse_slot("09:00-10:00").contains(pd.Series(pd.to_datetime(["2026-10-01"], utc=True)), tz="Mars/Base")
