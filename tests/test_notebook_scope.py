"""The preamble every notebook shares (issue 23): ``roi.report.scope`` loads the store, checks the time
zone, finds the account and the week once, the way ``roi report`` does."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from test_report import tiny_store

import roi
from roi.accounts import HandleConflictWarning
from roi.errors import ParameterError
from roi.report import default_week, prepare, scope
from roi.store import Store
from roi.tables import conform


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_store(tmp_path_factory.mktemp("tiny") / "store")


def test_a_named_week_is_bounded_in_local_time(tiny):
    s = scope(tiny, account="@Acme", tz="America/New_York", week="2026-W47")
    assert (s.account, s.account_id, s.week) == ("acme", "1", "2026-W47")
    assert s.start == pd.Timestamp("2026-11-16T05:00Z") and s.end == pd.Timestamp("2026-11-23T05:00Z")
    line = s.describe()
    assert "@acme (account 1)" in line and "4 posts" in line and "2 follow records" in line
    assert "week 2026-W47: Mon 16 Nov 2026 to Sun 22 Nov 2026, America/New_York" in line


def test_an_empty_week_is_the_week_the_report_picks(tiny):
    s = scope(tiny, account="acme", tz="Asia/Tokyo", week="")
    assert s.week == default_week(roi.load(tiny), tz="Asia/Tokyo")
    assert s.week == prepare(tiny, account="acme", tz="Asia/Tokyo").week


def test_no_week_opens_the_store_and_account_only(tiny):
    s = scope(roi.load(tiny), account="acme", tz="Europe/Berlin")
    assert (s.week, s.start, s.end) == (None, None, None)
    assert s.describe().endswith("; times in Europe/Berlin") and "week" not in s.describe()


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"tz": "Mars/Olympus"}, "tz="), ({"week": "2026-47"}, "week="), ({"week": 47}, "week="),
    ({"account": "nobody"}, "not found"), ({"account": "../x"}, "account="),
])
def test_bad_parameters_are_one_line_parameter_errors(tiny, kwargs, named):
    with pytest.raises(ParameterError, match=named):
        scope(tiny, **{"account": "acme", **kwargs})


def test_a_handle_two_accounts_claim_binds_as_in_the_report(tmp_path):
    """A renamed account: '1' held 'acme' first, '9' holds it now and authors the store's posts. The
    account whose timeline the store holds keeps the handle, in the notebooks as in the report (the
    notebooks used to take the first holder, '1')."""
    t = pd.Timestamp
    store = Store(tmp_path / "s", create=True)
    store.write({
        "accounts": conform("accounts", {
            "platform": ["x", "x"], "account_id": ["1", "9"], "handle": ["acme", "acme"],
            "observed_at": [t("2026-11-01T00:00Z"), t("2026-11-20T00:00Z")],
        }),
        "posts": conform("posts", {
            "platform": ["x"] * 3, "post_id": ["10", "11", "12"], "author_id": ["9", "9", "1"],
            "created_at": [t("2026-11-10T14:00Z"), t("2026-11-11T14:00Z"), t("2026-11-12T14:00Z")],
            "text": ["a", "b", "c"], "kind": ["original"] * 3,
        }),
    }, sources=[{"path": "/raw/x.jsonl", "format": "x-v2", "read": 3, "ingested": 3, "duplicates": 0,
                 "rejected": 0}])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HandleConflictWarning)
        assert scope(store.path, account="acme", week="2026-W46").account_id == "9"
        assert prepare(store.path, account="acme", week="2026-W46").account_id == "9"
