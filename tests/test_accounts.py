"""roi.accounts: handles bind to the account the user's own exports use, with a warning on a conflict."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import roi
from roi.accounts import HandleConflictWarning, account_id_for, account_ids_for
from roi.errors import ParameterError
from roi.io import ingest


def _page(tweets, users, retrieved):
    return json.dumps({"data": tweets, "includes": {"users": users}, "__twarc": {"retrieved_at": retrieved}}) + "\n"


def test_a_hostile_export_does_not_take_over_the_brand_handle(tmp_path):
    own = tmp_path / "own.jsonl"
    own.write_text(_page([{"id": str(i), "author_id": "42", "text": f"post {i}", "created_at": "2024-01-02T03:04:05Z"}
                          for i in range(1, 6)],
                         [{"id": "42", "username": "acme"}], "2024-01-03T00:00:00+00:00"))
    hostile = tmp_path / "hostile.jsonl"  # newer, a new account calling itself acme
    hostile.write_text(_page([{"id": "100", "author_id": "666", "text": "gotcha", "created_at": "2024-02-02T03:04:05Z"}],
                             [{"id": "666", "username": "ACME"}], "2024-03-01T00:00:00+00:00"))
    ingest([own, hostile], tmp_path / "s")
    ds = roi.load(tmp_path / "s")
    with pytest.warns(HandleConflictWarning, match=r"claimed by 2 accounts \(42, 666\); using 42, which wrote 5"):
        assert account_id_for(ds.accounts, "@Acme", posts=ds.posts) == "42"
    with pytest.warns(HandleConflictWarning, match="using 42, the first observed with it"):
        assert account_id_for(ds.accounts, "acme") == "42"  # no posts given: the first holder


def test_the_account_with_the_posts_wins_even_if_observed_later():
    acc = pd.DataFrame({"platform": ["x", "x"], "account_id": ["7", "42"], "handle": ["acme", "acme"],
                        "observed_at": pd.to_datetime(["2015-01-01", "2024-01-01"], utc=True)})
    posts = pd.DataFrame({"author_id": ["42"] * 3 + ["7"]})
    with pytest.warns(HandleConflictWarning):
        assert account_ids_for(acc, ["acme"], posts=posts) == ["42"]


def test_one_claim_no_warning_and_unknown_handles_are_named(recwarn):
    acc = pd.DataFrame({"platform": ["x"], "account_id": ["42"], "handle": ["Acme"],
                        "observed_at": pd.to_datetime(["2024-01-01"], utc=True)})
    assert account_id_for(acc, "acme", posts=pd.DataFrame({"author_id": ["1"]})) == "42"
    assert not recwarn.list
    with pytest.raises(ParameterError, match="account 'nobody' not found"):
        account_id_for(acc, "nobody")


def test_a_bare_handle_names_the_one_fediverse_account_with_that_user_part():
    acc = pd.DataFrame({"platform": ["mastodon"] * 3, "account_id": ["1", "2", "3"],
                        "handle": ["dealingwith@indieweb.social", "ada@mastodon.social", "ada@hachyderm.io"],
                        "observed_at": pd.to_datetime(["2026-01-01"] * 3, utc=True)})
    assert account_id_for(acc, "dealingwith") == "1"
    assert account_id_for(acc, "@DealingWith@indieweb.social") == "1"
    with pytest.raises(ParameterError, match="could be ada@hachyderm.io, ada@mastodon.social"):
        account_id_for(acc, "ada")


def test_a_handle_that_is_only_mentioned_is_said_to_be_so():
    acc = pd.DataFrame({"platform": ["x"], "account_id": ["1"], "handle": ["someone"],
                        "observed_at": pd.to_datetime(["2026-01-01"], utc=True)})
    posts = pd.DataFrame({"author_id": ["1", "1", "1"],
                          "mentions": [["megabrand"], ["MegaBrand", "x"], None]})
    with pytest.raises(ParameterError, match=r"'megabrand' has no profile in the store: it is only mentioned \(2 posts\)"):
        account_id_for(acc, "megabrand", posts=posts)
    with pytest.raises(ParameterError, match="not found in the store's accounts"):
        account_id_for(acc, "nobody", posts=posts)
