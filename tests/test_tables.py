import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.tables import TABLES, arrow_schema, conform, empty


@pytest.mark.parametrize("name", list(TABLES))
def test_empty_has_declared_columns_and_dtypes(name):
    frame = empty(name)
    assert list(frame.columns) == TABLES[name].column_names
    assert len(frame) == 0
    assert arrow_schema(name).names == TABLES[name].column_names


def test_conform_keeps_19_digit_ids_exact():
    big = "1234567890123456789"
    frame = conform("posts", {"platform": ["x"], "post_id": [big], "author_id": [int(big)]})
    assert frame.post_id.iloc[0] == big
    assert frame.author_id.iloc[0] == big


def test_conform_refuses_float_ids():
    with pytest.raises(ParameterError, match="post_id"):
        conform("posts", {"platform": ["x"], "post_id": [1.234e18]})


def test_conform_converts_times_to_utc():
    frame = conform("posts", {"platform": ["x"], "post_id": ["1"], "created_at": ["2024-03-10T09:00:00+01:00"]})
    assert frame.created_at.iloc[0] == pd.Timestamp("2024-03-10T08:00:00Z")
    assert str(frame.created_at.dtype) == "datetime64[us, UTC]"


def test_conform_counts_are_nullable_not_zero():
    frame = conform("posts", {"platform": ["x", "x"], "post_id": ["1", "2"], "likes": [3, None]})
    assert frame.likes.iloc[0] == 3
    assert frame.likes.isna().iloc[1]


def test_conform_does_not_mutate_input():
    src = pd.DataFrame({"experiment_id": ["e"], "arm": ["A"], "post_id": [5]})
    before = src.copy()
    conform("experiments", src)
    pd.testing.assert_frame_equal(src, before)


def test_unknown_table_names_the_choices():
    with pytest.raises(ParameterError, match="expected one of"):
        empty("tweets")
