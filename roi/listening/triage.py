"""The triage queue: every complaint about the brand with a recommended action and the reason.

Rules, tried in this order (the first that applies decides; :func:`triage_rules` returns this
table for the notebook and report):

==== =============== ===========================================================================
step action          when
==== =============== ===========================================================================
1    escalate        another distinct author complained about the same topic within the window
                     before this post (default 72 h): the second complainant's post is where it
                     fires, not the first's; a repeat by the same author is not a second voice
2    take_private    addressed to a brand handle and the answer needs account details (order,
                     refund, payment, account/login, address, phone, e-mail: PRIVATE_TERMS):
                     acknowledge in public, continue by direct message
3    reply_public    addressed to a brand handle (a mention of a brand handle or a reply to a
                     brand post): a customer-service case, answered in public
4    reply_public    only tagged, but the author is influential: followers at or above the
     (take_private)  threshold (default 10,000) or PageRank in the top share of the follow graph
                     (default top 1%); take_private instead when it needs account details
5    monitor         only tagged (#brand or the brand's name), no one else on the topic yet:
                     watched for a second complainant
==== =============== ===========================================================================

Every complaint also carries its author's timeline: how many complaints the author made before
this one (in the whole store, not only the reported window) and their topics, so a repeat
complainant is visible even when the action does not change.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from roi.accounts import normalise_handle
from roi.errors import ParameterError
from roi.listening.complaints import private_terms_in, score_complaints
from roi.listening.mentions import brand_mentions
from roi.listening.topics import complaint_topics
from roi.tables import list_items
from roi.timeframe import to_utc

__all__ = ["ACTIONS", "QUEUE_COLUMNS", "find_complaints", "brand_echoes", "brand_handles", "author_influence", "triage_queue", "triage_rules"]

#: The actions, least to most urgent.
ACTIONS = ("monitor", "reply_public", "take_private", "escalate")

#: Columns of :func:`triage_queue`.
QUEUE_COLUMNS = [
    "post_id", "created_at", "author_id", "author", "author_followers", "author_pagerank", "pagerank_percentile",
    "influential", "addressed", "via", "topic", "topic_rule", "complaint_terms", "sentiment", "complaint_score",
    "probability", "evidence", "reasons", "earlier_complaints", "earlier_topics", "other_authors_in_window", "needs_private", "action", "reason",
    "conversation_id", "text",
]

_RULES = [
    (1, "escalate", "another distinct author complained about the same topic within the window before this post"),
    (2, "take_private", "addressed to a brand handle and needs account details (order, refund, payment, "
                        "account, address, phone, e-mail)"),
    (3, "reply_public", "addressed to a brand handle (mention or reply to a brand post)"),
    (4, "reply_public", "only tagged, but the author is influential (followers >= threshold or PageRank in the "
                        "top share); take_private if it needs account details"),
    (5, "monitor", "only tagged, first on its topic within the window"),
]


def triage_rules() -> pd.DataFrame:
    """Return the triage rules as a table (step, action, when), in the order they are tried.

    >>> triage_rules().action.tolist()
    ['escalate', 'take_private', 'reply_public', 'reply_public', 'monitor']
    """
    return pd.DataFrame(_RULES, columns=["step", "action", "when"])


def _table(data: Any, name: str, required: bool = True) -> pd.DataFrame | None:
    value = data.get(name) if isinstance(data, dict) else getattr(data, name, None)
    if value is None and required:
        raise ParameterError(f"data: no {name!r} table; pass roi.load(store) or a dict of canonical tables")
    return value


_WORDS_RE = re.compile(r"[^\W_][\w']*")
_STRIP_RE = re.compile(r"https?://\S+|[@\uff20#]\w+|^\s*rt\b", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return _WORDS_RE.findall(_STRIP_RE.sub(" ", text.replace("\u2019", "'")).casefold())


def brand_echoes(mentions: pd.DataFrame, posts: pd.DataFrame, *, brand_ids: Iterable[str]) -> np.ndarray:
    """Which mentions repeat one of the brand's own posts (a copied headline, a quote with no words of its own).

    A mention echoes the brand when at least half of its word triples (three words in a row,
    links, handles and hashtags aside) occur in the brand's own posts, or when it quotes a
    brand post and adds at most two words of its own. Such a post is not a complaint.

    Parameters
    ----------
    mentions : DataFrame
        ``text``, ``kind`` and ``referenced_id`` (:func:`roi.listening.brand_mentions`).
    posts : DataFrame
        The canonical ``posts`` table (the brand's own posts are read from it).
    brand_ids : iterable of str
        Account ids of the brand's accounts.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["1"], "author_id": ["b"],
    ...     "text": ["Two people were injured in Paris, police say https://t.co/x"]})
    >>> m = pd.DataFrame({"text": ["@bbc: Two people were injured in Paris, police say. awful",
    ...                            "@bbc my parcel never arrived"], "kind": ["original"] * 2,
    ...                   "referenced_id": [None, None]})
    >>> brand_echoes(m, posts, brand_ids=["b"]).tolist()
    [True, False]
    """
    ids = {str(i) for i in brand_ids}
    own = posts[posts["author_id"].astype("string").isin(ids).fillna(False).to_numpy(dtype=bool)]
    out = np.zeros(len(mentions), dtype=bool)
    if not len(own) or not len(mentions):
        return out
    triples: set[tuple[str, ...]] = set()
    words_of: dict[str, set[str]] = {}
    for pid, text in zip(own["post_id"].astype(str), own["text"].astype("string").fillna(""), strict=True):
        w = _words(str(text))
        words_of[pid] = set(w)
        triples.update(zip(w, w[1:], w[2:], strict=False))
    kinds = mentions["kind"].astype("string").fillna("").tolist() if "kind" in mentions else [""] * len(mentions)
    refs = (mentions["referenced_id"].astype("string").fillna("").tolist() if "referenced_id" in mentions
            else [""] * len(mentions))
    for i, text in enumerate(mentions["text"].astype("string").fillna("").tolist()):
        w = _words(str(text))
        grams = list(zip(w, w[1:], w[2:], strict=False))
        if len(grams) >= 2 and sum(g in triples for g in grams) >= 0.5 * len(grams):
            out[i] = True
        elif kinds[i] == "quote" and refs[i] in words_of and len(set(w) - words_of[refs[i]]) <= 2:
            out[i] = True
    return out


def find_complaints(
    posts: pd.DataFrame,
    *,
    brand_ids: Iterable[str],
    handles: Iterable[str],
    brand_terms: Iterable[str] = (),
    vocabulary: Iterable[str] = (),
    model: Any = None,
    include_all: bool = False,
) -> pd.DataFrame:
    """Brand mentions that are complaints, with their scores, reasons and topics.

    Parameters
    ----------
    posts : DataFrame
        The canonical ``posts`` table.
    brand_ids, handles, brand_terms
        As in :func:`roi.listening.brand_mentions`.
    vocabulary : iterable of str
        Known topics (product names) for :func:`roi.listening.complaint_topics`.
    model : ComplaintModel, optional
        The detector (:func:`roi.listening.load_model`); default :func:`roi.listening.default_model`.
    include_all : bool, default False
        Return every mention with its ``is_complaint`` decision (for coverage counts), not only
        the complaints.

    Returns
    -------
    DataFrame
        The mention columns plus ``addressed`` (bool), ``lang``, ``sentiment``,
        ``complaint_terms``, ``complaint_score``, ``probability``, ``scored``, ``rule``,
        ``evidence``, ``reasons``, ``topic`` and ``topic_rule``; time order.

    Examples
    --------
    >>> from roi.tables import conform
    >>> posts = conform("posts", {"platform": ["x"] * 2, "post_id": ["1", "2"], "author_id": ["u", "v"],
    ...     "kind": ["original"] * 2, "created_at": ["2026-10-05T10:00Z", "2026-10-05T11:00Z"],
    ...     "text": ["@acme my kettle is leaking", "@acme love it"], "mentions": [["acme"], ["acme"]],
    ...     "hashtags": [[], []]})
    >>> find_complaints(posts, brand_ids=["b"], handles=["acme"])[["post_id", "addressed", "topic"]].values.tolist()
    [['1', True, 'kettle']]
    """
    brand_ids = [str(i) for i in brand_ids]
    handles = list(handles)
    mentions = brand_mentions(posts, brand_ids=brand_ids, handles=handles, brand_terms=brand_terms)
    if "lang" in posts.columns:
        mentions = mentions.merge(posts[["post_id", "lang", "hashtags"]].drop_duplicates("post_id"),
                                  on="post_id", how="left")
    echo = brand_echoes(mentions, posts, brand_ids=brand_ids)
    scored = score_complaints(mentions, model=model, handles=[normalise_handle(h) for h in handles], echo=echo)
    complaints = pd.concat([mentions.drop(columns=["lang"], errors="ignore").reset_index(drop=True),
                            scored.drop(columns=["post_id"]).reset_index(drop=True)], axis=1)
    if not include_all:
        complaints = complaints[complaints["is_complaint"].to_numpy(dtype=bool)].drop(columns=["is_complaint"])
    complaints["addressed"] = (complaints["relation"] == "addressed").to_numpy(dtype=bool)
    terms = list(brand_terms) + [normalise_handle(h) for h in handles]
    own = posts[posts["author_id"].astype("string").isin(set(brand_ids)).fillna(False).to_numpy(dtype=bool)]
    own_tags = {str(t) for tags in own["hashtags"].tolist() for t in list_items(tags)} if "hashtags" in own else set()
    topics = complaint_topics(complaints, vocabulary=vocabulary, brand_terms=terms, brand_hashtags=own_tags)
    out = complaints.reset_index(drop=True)
    out["topic"] = topics["topic"].to_numpy()
    out["topic_rule"] = topics["topic_rule"].to_numpy()
    if include_all:
        none = ~out["is_complaint"].to_numpy(dtype=bool)
        out.loc[none, "topic"] = pd.NA
        out.loc[none, "topic_rule"] = "none"
    return out.drop(columns=["hashtags"], errors="ignore").astype({"topic": "string", "topic_rule": "string"})


def brand_handles(accounts: pd.DataFrame, handles: Iterable[str]) -> pd.DataFrame:
    """Return the brand's handles with their account ids where the store has a profile for them.

    A customer-service handle that never posts (only ever mentioned) has no account row: its
    mentions are still found by handle text, and ``has_profile`` is False.

    Returns
    -------
    DataFrame
        ``handle`` (normalised), ``account_id`` (<NA> without a profile), ``has_profile``.

    Examples
    --------
    >>> acc = pd.DataFrame({"platform": ["x"], "account_id": ["1"], "handle": ["Acme"]})
    >>> brand_handles(acc, ["@acme", "acmecustserv"]).values.tolist()
    [['acme', '1', True], ['acmecustserv', <NA>, False]]
    """
    wanted = list(dict.fromkeys(normalise_handle(h) for h in handles if str(h).strip()))
    lookup: dict[str, str] = {}
    if accounts is not None and len(accounts) and "handle" in accounts.columns:
        known = accounts.dropna(subset=["handle"])
        if "observed_at" in known.columns:
            known = known.sort_values("observed_at", na_position="first", kind="stable")
        lookup = dict(zip(known["handle"].astype(str).str.casefold(), known["account_id"].astype(str), strict=True))
    ids = [lookup.get(h) for h in wanted]
    return pd.DataFrame({"handle": pd.array(wanted, dtype="string"),
                         "account_id": pd.array(ids, dtype="string"),
                         "has_profile": [i is not None for i in ids]})


def author_influence(
    accounts: pd.DataFrame,
    follows: pd.DataFrame | None = None,
    *,
    account_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Followers (from ``accounts``) and PageRank on the follow graph (when ``follows`` is known).

    Parameters
    ----------
    accounts : DataFrame
        The canonical ``accounts`` table (newest observation of each account wins).
    follows : DataFrame, optional
        The canonical ``follows`` table; edges alive at the latest snapshot are used. Without it
        (or when it is empty) PageRank is <NA>.
    account_ids : iterable of str, optional
        The accounts wanted (default: every account in ``accounts``).

    Returns
    -------
    DataFrame
        ``account_id``, ``handle``, ``followers`` (Int64), ``pagerank`` (Float64, damping 0.85,
        edge follower -> followee) and ``pagerank_percentile`` (share of graph nodes with a
        PageRank at or below this account's; 1.0 = the top).

    Examples
    --------
    >>> from roi.tables import conform
    >>> acc = conform("accounts", {"platform": ["x"] * 3, "account_id": ["1", "2", "3"],
    ...                            "handle": ["a", "b", "c"], "followers_count": [10, 5, None]})
    >>> fol = conform("follows", {"platform": ["x"] * 2, "follower_id": ["2", "3"], "followee_id": ["1", "1"]})
    >>> author_influence(acc, fol)[["account_id", "followers", "pagerank_percentile"]].values.tolist()
    [['1', 10, 1.0], ['2', 5, 0.6666666666666666], ['3', <NA>, 0.6666666666666666]]
    """
    acc = accounts
    if "observed_at" in acc.columns:
        acc = acc.sort_values("observed_at", na_position="first", kind="stable")
    acc = acc.drop_duplicates("account_id", keep="last")
    ids = (pd.Series(list(account_ids), dtype="string").drop_duplicates() if account_ids is not None
           else acc["account_id"].astype("string"))
    out = pd.DataFrame({"account_id": ids.to_numpy()}).astype({"account_id": "string"})
    out = out.merge(acc[["account_id", "handle", "followers_count"]].astype({"account_id": "string"}),
                    on="account_id", how="left").rename(columns={"followers_count": "followers"})
    out["pagerank"] = pd.array([pd.NA] * len(out), dtype="Float64")
    out["pagerank_percentile"] = pd.array([pd.NA] * len(out), dtype="Float64")
    if follows is not None and len(follows):
        from roi.graph import follow_edges, influence_from_edges

        edges = follow_edges(follows)
        if len(edges):
            g = influence_from_edges(edges["follower_id"].to_numpy(dtype=object),
                                     edges["followee_id"].to_numpy(dtype=object), two_hop=False)
            pct = g["pagerank"].rank(pct=True, method="max")
            lookup_pr = dict(zip(g["account_id"].astype(str), g["pagerank"].astype(float), strict=True))
            lookup_pct = dict(zip(g["account_id"].astype(str), pct.astype(float), strict=True))
            out["pagerank"] = pd.array(out["account_id"].map(lookup_pr).astype(object), dtype="Float64")
            out["pagerank_percentile"] = pd.array(out["account_id"].map(lookup_pct).astype(object), dtype="Float64")
    return out[["account_id", "handle", "followers", "pagerank", "pagerank_percentile"]].astype(
        {"handle": "string", "followers": "Int64"})


def _fmt_count(n: Any) -> str:
    return "unknown" if n is None or n is pd.NA else f"{int(n):,}"


def triage_queue(
    data: Any,
    *,
    handles: Iterable[str],
    brand_terms: Iterable[str] = (),
    vocabulary: Iterable[str] = (),
    since: Any = None,
    until: Any = None,
    window_hours: float = 72.0,
    follower_threshold: int = 10_000,
    pagerank_top: float = 0.01,
    model: Any = None,
) -> pd.DataFrame:
    """Every complaint about the brand with its author, influence, timeline and recommended action.

    Parameters
    ----------
    data : Dataset or mapping of tables
        ``roi.load(store)`` or a dict with ``posts`` and ``accounts`` (``follows`` optional:
        PageRank is used only when it is known).
    handles : iterable of str
        The brand's handles, e.g. ``["acme", "acmecustserv"]``. A handle without an account row
        (a customer-service handle that is only ever mentioned) is matched by its text; the
        queue's ``attrs["handles_without_profile"]`` lists such handles.
    brand_terms : iterable of str
        Words and hashtags naming the brand (``"acme"``); the handles always count.
    vocabulary : iterable of str
        Known topics (product names); see :func:`roi.listening.complaint_topics`.
    since, until : date or timestamp, optional
        Report complaints with ``since <= created_at < until`` (UTC; naive values are UTC).
        Earlier complaints still count for the window and the timelines.
    window_hours : float, default 72
        How far back a complaint by another author on the same topic makes this one an escalation.
    follower_threshold : int, default 10,000
        Followers at or above which a complainant is influential.
    pagerank_top : float, default 0.01
        A complainant in this top share of PageRank on the follow graph is influential.
    model : ComplaintModel, optional
        The complaint detector (:func:`roi.listening.load_model`); default the shipped one.

    Returns
    -------
    DataFrame
        :data:`QUEUE_COLUMNS`, one row per complaint in time order. ``action`` is one of
        :data:`ACTIONS` and ``reason`` says why in words (see :func:`triage_rules`);
        ``reasons`` says why the post is a complaint. ``attrs`` holds the coverage of the
        reported window: ``mentions`` (brand mentions), ``not_scored`` (mentions the English
        detector could not read: neither complaint nor not) and ``handles_without_profile``.

    Raises
    ------
    ParameterError
        Unknown handle, bad window, threshold or date.

    Examples
    --------
    >>> from roi.tables import conform
    >>> accounts = conform("accounts", {"platform": ["x"] * 3, "account_id": ["b", "u", "v"],
    ...     "handle": ["acme", "ann", "bo"], "followers_count": [9000, 40, 50]})
    >>> posts = conform("posts", {"platform": ["x"] * 2, "post_id": ["1", "2"], "author_id": ["u", "v"],
    ...     "kind": ["original"] * 2, "created_at": ["2026-10-05T10:00Z", "2026-10-05T20:00Z"],
    ...     "text": ["my X2 blender lid cracked #acme", "so's mine, X2 blender lid split #acme"],
    ...     "mentions": [[], []], "hashtags": [["acme"], ["acme"]]})
    >>> q = triage_queue({"posts": posts, "accounts": accounts}, handles=["acme"])
    >>> q[["post_id", "author", "topic", "action"]].values.tolist()
    [['1', 'ann', 'x2 blender lid', 'monitor'], ['2', 'bo', 'x2 blender lid', 'escalate']]
    """
    posts = _table(data, "posts")
    accounts = _table(data, "accounts")
    follows = _table(data, "follows", required=False)
    handles = [h for h in handles if str(h).strip()]
    if not handles:
        raise ParameterError("handles: expected at least one brand handle, e.g. 'acme'")
    known = brand_handles(accounts, handles)
    brand_ids = known["account_id"].dropna().astype(str).tolist()
    try:
        window = pd.Timedelta(hours=float(window_hours))
    except (TypeError, ValueError):
        raise ParameterError(f"window_hours={window_hours!r}: expected a number of hours") from None
    if not window > pd.Timedelta(0):
        raise ParameterError(f"window_hours={window_hours!r}: expected a positive number of hours")
    if follower_threshold is None or int(follower_threshold) < 0:
        raise ParameterError(f"follower_threshold={follower_threshold!r}: expected a non-negative follower count")
    if not 0 <= float(pagerank_top) <= 1:
        raise ParameterError(f"pagerank_top={pagerank_top!r}: expected a share between 0 and 1 (0.01 = top 1%)")
    lo, hi = to_utc(since, name="since"), to_utc(until, name="until")
    if lo is not None and hi is not None and not lo < hi:
        raise ParameterError(f"since={since!r}, until={until!r}: since must be before until")

    everything = find_complaints(posts, brand_ids=brand_ids, handles=handles, brand_terms=brand_terms,
                                 vocabulary=vocabulary, model=model, include_all=True)
    when = everything["created_at"]
    in_window = np.ones(len(everything), dtype=bool)
    if lo is not None:
        in_window &= (when >= lo).fillna(False).to_numpy(dtype=bool)
    if hi is not None:
        in_window &= (when < hi).fillna(False).to_numpy(dtype=bool)
    coverage = {"mentions": int(in_window.sum()),
                "not_scored": int((in_window & ~everything["scored"].to_numpy(dtype=bool)).sum()),
                "handles_without_profile": known.loc[~known["has_profile"], "handle"].astype(str).tolist()}
    c = everything[everything["is_complaint"].to_numpy(dtype=bool)].drop(columns=["is_complaint"])
    if hi is not None:
        c = c[(c["created_at"] < hi).fillna(False).to_numpy(dtype=bool)]
    c = c.sort_values(["created_at", "post_id"], kind="stable").reset_index(drop=True)
    infl = author_influence(accounts, follows, account_ids=c["author_id"].astype("string"))
    c = c.merge(infl.rename(columns={"account_id": "author_id", "handle": "author", "followers": "author_followers",
                                     "pagerank": "author_pagerank"}), on="author_id", how="left")

    # Timelines and the escalation window, in one pass in time order. Per topic, a deque holds the
    # complaints of the last `window` and a Counter their authors, so each complaint costs O(1)
    # amortised (plus the few names shown in the reason).
    n = len(c)
    earlier = np.zeros(n, dtype=np.int64)
    earlier_topics: list[list[str]] = []
    others_n = np.zeros(n, dtype=np.int64)
    others_desc: list[str] = []
    seen_by_author: dict[str, dict[str, None]] = {}
    count_by_author: dict[str, int] = {}
    recent: dict[str, tuple[deque, Counter]] = {}
    times = c["created_at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
    span = int(window / pd.Timedelta(microseconds=1))
    authors = c["author_id"].astype(str).tolist()
    handle_of = dict(zip(authors, c["author"].astype(object).where(c["author"].notna(), None).tolist(), strict=True))
    topics = c["topic"].astype(object).where(c["topic"].notna(), None).tolist()
    evidence = c["evidence"].to_numpy(dtype=bool)
    for i in range(n):
        t, a, topic = int(times[i]), authors[i], topics[i]
        earlier[i] = count_by_author.get(a, 0)
        count_by_author[a] = earlier[i] + 1
        past = seen_by_author.setdefault(a, {})
        earlier_topics.append(list(past))
        if topic is not None:
            past[topic] = None
        if topic is None or not evidence[i]:
            # A complaint of tone alone (no failure, waiting, still/again...) neither counts
            # towards a topic's escalation nor escalates one.
            others_desc.append("")
            continue
        q, authors_in = recent.setdefault(topic, (deque(), Counter()))
        while q and q[0][0] < t - span:
            _, gone = q.popleft()
            authors_in[gone] -= 1
            if not authors_in[gone]:
                del authors_in[gone]
        others_n[i] = len(authors_in) - (1 if a in authors_in else 0)
        if others_n[i]:
            names, first = [], None
            for tt, aa in q:  # oldest first; stop once three other names are known
                if aa != a and aa not in names:
                    first = tt if first is None else first
                    names.append(aa)
                    if len(names) == 3:
                        break
            when = pd.Timestamp(first, unit="us", tz="UTC").strftime("%Y-%m-%d %H:%M")
            others_desc.append(f"{', '.join('@' + str(handle_of.get(o) or o) for o in names)}"
                               f"{' and others' if others_n[i] > 3 else ''} (first at {when} UTC)")
        else:
            others_desc.append("")
        q.append((t, a))
        authors_in[a] += 1

    c["earlier_complaints"] = pd.array(earlier, dtype="Int64")
    c["earlier_topics"] = pd.Series(earlier_topics, index=c.index, dtype=object).map(lambda v: list(v))
    c["other_authors_in_window"] = pd.array(others_n, dtype="Int64")
    private_of: dict[str, list[str]] = {}
    private = [private_of.setdefault(t, private_terms_in(t)) if t not in private_of else private_of[t]
               for t in c["text"].astype("string").fillna("").tolist()]
    c["needs_private"] = np.array([bool(p) for p in private], dtype=bool)
    followers = c["author_followers"].astype("Int64")
    by_followers = (followers >= int(follower_threshold)).fillna(False).to_numpy(dtype=bool)
    pct = c["pagerank_percentile"].astype("Float64")
    by_rank = ((pct > 1 - float(pagerank_top)) & pd.Series(float(pagerank_top) > 0, index=c.index)).fillna(False).to_numpy(dtype=bool)
    c["influential"] = by_followers | by_rank

    actions, reasons = [], []
    vias = c["via"].astype(str).tolist()
    addressed = c["addressed"].to_numpy(dtype=bool)
    influential = c["influential"].to_numpy(dtype=bool)
    follower_values = followers.tolist()
    hours = f"{float(window_hours):g} h"
    for i in range(n):
        topic = topics[i] or "(no topic)"
        who = "@" + str(handle_of.get(authors[i]) or authors[i])
        via = vias[i]
        if others_n[i] >= 1:
            action = "escalate"
            reason = (f"distinct complainant #{others_n[i] + 1} on '{topic}' within {hours}: "
                      f"also {others_desc[i]}")
        elif addressed[i] and private[i]:
            action = "take_private"
            reason = (f"addressed to the brand ({via}) and needs account details "
                      f"({', '.join(private[i])}): acknowledge in public, continue by DM")
        elif addressed[i]:
            action = "reply_public"
            reason = f"addressed to the brand ({via}): a customer-service case, answer in public"
        elif influential[i]:
            action = "take_private" if private[i] else "reply_public"
            why = []
            if by_followers[i]:
                why.append(f"{_fmt_count(follower_values[i])} followers >= {int(follower_threshold):,}")
            if by_rank[i]:
                why.append(f"PageRank in the top {float(pagerank_top):.0%} of the follow graph")
            reason = f"only tagged ({via}), but {who} is influential: {'; '.join(why)}"
            if private[i]:
                reason += f"; needs account details ({', '.join(private[i])})"
        else:
            action = "monitor"
            reason = (f"only tagged ({via}), first on '{topic}' within {hours}: watch for a second complainant"
                      if topics[i] else f"only tagged ({via}) and names no product or service: watch for more")
        if earlier[i]:
            reason += (f"; {who} complained {earlier[i]} time(s) before"
                       + (f" (about {', '.join(repr(t) for t in earlier_topics[i][:3])})" if earlier_topics[i] else ""))
        actions.append(action)
        reasons.append(reason)
    c["action"] = pd.array(actions, dtype="string")
    c["reason"] = pd.array(reasons, dtype="string")
    if lo is not None:
        c = c[(c["created_at"] >= lo).to_numpy(dtype=bool)]
    out = c[QUEUE_COLUMNS].reset_index(drop=True)
    out.attrs.update(coverage)
    return out
