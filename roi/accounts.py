"""Finding accounts by handle: the one place that knows handles compare casefolded, without @."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import pandas as pd

from roi.errors import ParameterError

__all__ = ["normalise_handle", "account_id_for", "account_ids_for", "HandleConflictWarning"]


def normalise_handle(handle: str) -> str:
    """``"@Acme"`` -> ``"acme"``.

    >>> normalise_handle(" @AcmeCustServ ")
    'acmecustserv'
    """
    return str(handle).strip().lstrip("@").casefold()


class HandleConflictWarning(UserWarning):
    """Several accounts claim one handle; the message names them and the one roi chose."""


def account_id_for(accounts: pd.DataFrame, handle: str, *, platform: str | None = None,
                   posts: pd.DataFrame | None = None) -> str:
    """Return the account_id of ``handle``; raise ParameterError if unknown.

    When several accounts claim the handle (a renamed account, or a hostile export naming a new
    account ``acme``), the handle binds to the account the user's own exports use: the one
    authoring most of ``posts`` (the brand's timeline), else the one that held the handle first;
    a :class:`HandleConflictWarning` names the ids. See :func:`account_ids_for`.

    >>> acc = pd.DataFrame({"platform": ["x"], "account_id": ["42"], "handle": ["Acme"],
    ...                     "observed_at": [pd.Timestamp("2026-01-01", tz="UTC")]})
    >>> account_id_for(acc, "@acme")
    '42'
    """
    ids = account_ids_for(accounts, [handle], platform=platform, posts=posts)
    return ids[0]


def account_ids_for(accounts: pd.DataFrame, handles: Iterable[str], *, platform: str | None = None,
                    posts: pd.DataFrame | None = None) -> list[str]:
    """account_ids of several handles, in order; ParameterError naming the unknown ones.

    Parameters
    ----------
    accounts : DataFrame
        The accounts table.
    handles : iterable of str
        Handles, with or without ``@``, in any case.
    platform : str, optional
        Only accounts of this platform.
    posts : DataFrame, optional
        The posts table: where several accounts claim a handle, the one authoring most posts wins
        (the user's own exports are the brand's posts); without it, or on a tie, the account that
        was observed with the handle first. Either way a :class:`HandleConflictWarning` says so.

    Returns
    -------
    list of str

    Raises
    ------
    ParameterError
        If a handle is not in ``accounts``.

    Examples
    --------
    >>> import warnings
    >>> acc = pd.DataFrame({"platform": ["x", "x"], "account_id": ["42", "666"], "handle": ["acme", "Acme"],
    ...                     "observed_at": pd.to_datetime(["2026-01-01", "2026-02-01"], utc=True)})
    >>> posts = pd.DataFrame({"author_id": ["42", "42", "666"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     account_ids_for(acc, ["acme"], posts=posts)
    ['42']
    >>> print(caught[0].message)
    handle 'acme' is claimed by 2 accounts (42, 666); using 42, which wrote 2 of the store's posts (666: 1)
    """
    wanted = [normalise_handle(h) for h in handles]
    table = accounts if platform is None else accounts[accounts["platform"] == platform]
    known = table.dropna(subset=["handle"])
    keyed = known.assign(_h=known["handle"].astype(str).map(normalise_handle), _id=known["account_id"].astype(str))
    if "observed_at" in keyed:
        keyed = keyed.sort_values("observed_at", na_position="last", kind="stable")
    claims = keyed.drop_duplicates(["_h", "_id"]).groupby("_h", sort=False)["_id"].agg(list)
    wanted = [_local_match(h, claims.index) for h in wanted]
    # A Bluesky DID names its account directly (a repo export gives no handle; no handle has a ':').
    dids = {i.casefold(): i for i in table["account_id"].dropna().astype(str) if i.startswith("did:")}
    by_did = {h: dids[h] for h in wanted if h not in claims.index and h in dids}
    missing = [h for h in wanted if h not in claims.index and h not in by_did]
    if missing:
        sample = ", ".join(sorted(claims.index)[:5]) or "none"
        mentioned = _mention_counts(posts, missing)
        if len(missing) == 1 and mentioned.get(missing[0]):
            raise ParameterError(
                f"account {missing[0]!r} has no profile in the store: it is only mentioned "
                f"({mentioned[missing[0]]:,} posts), and this needs the account's own posts or profile"
            )
        raise ParameterError(
            f"account {', '.join(repr(m) for m in missing)} not found in the store's accounts "
            f"({len(claims)} handles known, e.g. {sample})"
        )
    return [by_did[h] if h in by_did else _bind(h, claims[h], posts) for h in wanted]


def _local_match(handle: str, known: pd.Index) -> str:
    """Resolve a bare handle to the one ``user@server`` handle whose user part it is (Mastodon, Bluesky).

    >>> _local_match("dealingwith", pd.Index(["dealingwith@indieweb.social", "ada@mastodon.social"]))
    'dealingwith@indieweb.social'
    """
    if handle in known or "@" in handle:
        return handle
    candidates = [k for k in known if isinstance(k, str) and k.partition("@")[0] == handle and "@" in k]
    if len(candidates) > 1:
        raise ParameterError(f"account {handle!r} could be {', '.join(sorted(candidates)[:5])}: "
                             "give the whole handle, user@server")
    return candidates[0] if candidates else handle


def _mention_counts(posts: pd.DataFrame | None, handles: list[str]) -> dict[str, int]:
    """How many posts mention each of ``handles`` (for saying a handle is only ever mentioned)."""
    if not isinstance(posts, pd.DataFrame) or "mentions" not in posts:
        return {}
    mentions = posts["mentions"].dropna().explode().dropna().astype(str).map(normalise_handle)
    counts = mentions.value_counts()
    return {h: int(counts.get(h, 0)) for h in handles}


def _bind(handle: str, ids: list[str], posts: pd.DataFrame | None) -> str:
    """One account for a handle several accounts claim (``ids`` in order of observation)."""
    if len(ids) == 1:
        return ids[0]
    written = {}
    if isinstance(posts, pd.DataFrame) and "author_id" in posts:
        written = posts["author_id"].astype(str).value_counts().to_dict()
    chosen = max(ids, key=lambda i: written.get(i, 0))  # ties: the first observed (max keeps the first)
    if written.get(chosen, 0):
        others = ", ".join(f"{i}: {written.get(i, 0):,}" for i in ids if i != chosen)
        why = f"which wrote {written[chosen]:,} of the store's posts ({others})"
    else:
        why = "the first observed with it"
    warnings.warn(f"handle {handle!r} is claimed by {len(ids)} accounts ({', '.join(ids)}); using {chosen}, {why}",
                  HandleConflictWarning, stacklevel=3)
    return chosen
