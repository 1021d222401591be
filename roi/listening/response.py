"""Response times: from a complaint addressed to the brand to the brand's first reply.

A brand reply answers a complaint when it is a ``reply`` by one of the brand's accounts, created
at or after the complaint, and either replies to the complaint itself (``referenced_id``) or
replies, in the same conversation (``conversation_id``), to another post by the complainant (the
thread went on before the brand answered). The first such reply counts.

Only complaints addressed to the brand are owed an answer, so they are the denominator. A
complaint younger than 24 h at the end of the data cannot yet have missed the 24 h mark; it is
counted (``open``) so the shares can be read honestly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from roi.errors import ParameterError

__all__ = ["response_times", "response_summary"]

_NEEDED = ("post_id", "author_id", "created_at", "kind", "referenced_id", "conversation_id")


def response_times(complaints: pd.DataFrame, posts: pd.DataFrame, *, brand_ids: Iterable[str]) -> pd.DataFrame:
    """Find the brand's first reply to each addressed complaint, and how long it took.

    Parameters
    ----------
    complaints : DataFrame
        Complaints with ``post_id``, ``author_id``, ``created_at``, ``conversation_id`` and
        ``addressed`` (e.g. :func:`roi.listening.triage_queue`); only addressed ones are used.
    posts : DataFrame
        The canonical ``posts`` table (where the brand's replies are).
    brand_ids : iterable of str
        Account ids of the brand's handles.

    Returns
    -------
    DataFrame
        ``post_id``, ``author_id``, ``created_at``, ``reply_post_id``, ``replied_at``,
        ``replied_by``, ``response_minutes`` (Float64, <NA> when unanswered), ``answered``,
        ``within_1h``, ``within_24h``; one row per addressed complaint, in time order.

    Raises
    ------
    ParameterError
        Missing columns.

    Examples
    --------
    >>> from roi.tables import conform
    >>> posts = conform("posts", {"platform": ["x"] * 4, "post_id": ["1", "2", "3", "4"],
    ...     "author_id": ["u", "b", "v", "b"], "kind": ["original", "reply", "original", "reply"],
    ...     "referenced_id": [None, "1", None, "9"], "conversation_id": ["1", "1", "3", "9"],
    ...     "created_at": ["2026-10-05T10:00Z", "2026-10-05T10:30Z", "2026-10-05T11:00Z", "2026-10-05T12:00Z"]})
    >>> c = posts.loc[[0, 2], ["post_id", "author_id", "created_at", "conversation_id"]].assign(addressed=True)
    >>> response_times(c, posts, brand_ids=["b"])[["post_id", "reply_post_id", "response_minutes", "within_1h"]]
      post_id reply_post_id  response_minutes  within_1h
    0       1             2              30.0       True
    1       3          <NA>              <NA>      False
    """
    missing = [c for c in ("post_id", "author_id", "created_at", "conversation_id", "addressed")
               if c not in complaints.columns]
    if missing:
        raise ParameterError(f"complaints: missing column(s) {', '.join(missing)}")
    missing = [c for c in _NEEDED if c not in posts.columns]
    if missing:
        raise ParameterError(f"posts: missing column(s) {', '.join(missing)}; pass the canonical posts table")
    ids = {str(i) for i in brand_ids}
    owed = complaints[complaints["addressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    owed = owed[["post_id", "author_id", "created_at", "conversation_id"]].astype(
        {"post_id": "string", "author_id": "string", "conversation_id": "string"}).drop_duplicates("post_id")

    replies = posts[(posts["kind"] == "reply").fillna(False).to_numpy(dtype=bool)
                    & posts["author_id"].astype("string").isin(ids).fillna(False).to_numpy(dtype=bool)]
    replies = replies[["post_id", "author_id", "created_at", "referenced_id", "conversation_id"]].astype(
        {"post_id": "string", "author_id": "string", "referenced_id": "string", "conversation_id": "string"})
    replies = replies.rename(columns={"post_id": "reply_post_id", "author_id": "replied_by",
                                      "created_at": "replied_at"})
    author_of = posts.drop_duplicates("post_id").set_index(posts.drop_duplicates("post_id")["post_id"].astype("string"))["author_id"].astype("string")
    replies["ref_author"] = replies["referenced_id"].map(author_of).astype("string")

    direct = owed.merge(replies, left_on="post_id", right_on="referenced_id", how="inner",
                        suffixes=("", "_r"))
    thread = owed.dropna(subset=["conversation_id"]).merge(replies, on="conversation_id", how="inner",
                                                           suffixes=("", "_r"))
    thread = thread[(thread["ref_author"] == thread["author_id"]).fillna(False).to_numpy(dtype=bool)]
    cand = pd.concat([direct[["post_id", "reply_post_id", "replied_at", "replied_by", "created_at"]],
                      thread[["post_id", "reply_post_id", "replied_at", "replied_by", "created_at"]]])
    cand = cand[(cand["replied_at"] >= cand["created_at"]).to_numpy(dtype=bool)]
    first = (cand.sort_values(["replied_at", "reply_post_id"], kind="stable")
             .drop_duplicates("post_id", keep="first").drop(columns=["created_at"]))
    out = owed.drop(columns=["conversation_id"]).merge(first, on="post_id", how="left")
    minutes = (out["replied_at"] - out["created_at"]).dt.total_seconds() / 60.0
    out["response_minutes"] = pd.array(minutes.to_numpy(), dtype="Float64")
    out["answered"] = out["reply_post_id"].notna().to_numpy(dtype=bool)
    out["within_1h"] = (out["response_minutes"] <= 60).fillna(False).to_numpy(dtype=bool)
    out["within_24h"] = (out["response_minutes"] <= 24 * 60).fillna(False).to_numpy(dtype=bool)
    out = out.sort_values(["created_at", "post_id"], kind="stable").reset_index(drop=True)
    return out[["post_id", "author_id", "created_at", "reply_post_id", "replied_at", "replied_by",
                "response_minutes", "answered", "within_1h", "within_24h"]].astype(
        {"reply_post_id": "string", "replied_by": "string"})


def response_summary(responses: pd.DataFrame, *, as_of: Any = None) -> pd.DataFrame:
    """Shares answered within 1 h and 24 h with their counts, the median time and what is open.

    Parameters
    ----------
    responses : DataFrame
        The output of :func:`response_times`.
    as_of : timestamp, optional
        End of the data (default: the newest complaint or reply); unanswered complaints younger
        than 24 h at this time are counted as ``open_under_24h``.

    Returns
    -------
    DataFrame
        One row: ``addressed`` (the denominator), ``answered``, ``answered_share``,
        ``within_1h``, ``within_1h_share``, ``within_24h``, ``within_24h_share``,
        ``median_minutes`` (over answered complaints), ``unanswered``, ``open_under_24h``.

    Examples
    --------
    >>> r = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-05T10:00Z"] * 3),
    ...     "replied_at": pd.to_datetime(["2026-10-05T10:30Z", "2026-10-06T09:00Z", None], utc=True),
    ...     "response_minutes": [30.0, 1380.0, None], "answered": [True, True, False],
    ...     "within_1h": [True, False, False], "within_24h": [True, True, False]})
    >>> response_summary(r)[["addressed", "within_1h", "within_1h_share", "within_24h", "median_minutes"]]
       addressed  within_1h  within_1h_share  within_24h  median_minutes
    0          3          1         0.333333           2           705.0
    """
    n = len(responses)
    answered = int(responses["answered"].sum()) if n else 0
    w1 = int(responses["within_1h"].sum()) if n else 0
    w24 = int(responses["within_24h"].sum()) if n else 0
    mins = responses["response_minutes"].astype("Float64").dropna() if n else pd.Series([], dtype="Float64")
    if as_of is None:
        stamps = pd.concat([responses["created_at"], responses["replied_at"]]).dropna() if n else pd.Series([])
        end = stamps.max() if len(stamps) else None
    else:
        end = pd.Timestamp(as_of)
        end = end.tz_localize("UTC") if end.tzinfo is None else end
    unanswered = ~responses["answered"].to_numpy(dtype=bool) if n else np.zeros(0, dtype=bool)
    young = ((end - responses["created_at"]) < pd.Timedelta(hours=24)).to_numpy(dtype=bool) if (n and end is not None) else np.zeros(n, dtype=bool)
    def share(k):
        return (k / n if n else float("nan"))
    return pd.DataFrame([{
        "addressed": n, "answered": answered, "answered_share": share(answered),
        "within_1h": w1, "within_1h_share": share(w1), "within_24h": w24, "within_24h_share": share(w24),
        "median_minutes": float(mins.median()) if len(mins) else float("nan"),
        "unanswered": int(unanswered.sum()), "open_under_24h": int((unanswered & young).sum()),
    }])
