"""Finding accounts by handle: the one place that knows handles compare casefolded, without @."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from roi.errors import ParameterError

__all__ = ["normalise_handle", "account_id_for", "account_ids_for"]


def normalise_handle(handle: str) -> str:
    """``"@Acme"`` -> ``"acme"``.

    >>> normalise_handle(" @AcmeCustServ ")
    'acmecustserv'
    """
    return str(handle).strip().lstrip("@").casefold()


def account_id_for(accounts: pd.DataFrame, handle: str, *, platform: str | None = None) -> str:
    """The account_id of ``handle`` (newest observation wins); ParameterError if unknown.

    >>> acc = pd.DataFrame({"platform": ["x"], "account_id": ["42"], "handle": ["Acme"],
    ...                     "observed_at": [pd.Timestamp("2026-01-01", tz="UTC")]})
    >>> account_id_for(acc, "@acme")
    '42'
    """
    ids = account_ids_for(accounts, [handle], platform=platform)
    return ids[0]


def account_ids_for(accounts: pd.DataFrame, handles: Iterable[str], *, platform: str | None = None) -> list[str]:
    """account_ids of several handles, in order; ParameterError naming the unknown ones."""
    wanted = [normalise_handle(h) for h in handles]
    table = accounts if platform is None else accounts[accounts["platform"] == platform]
    known = table.dropna(subset=["handle"])
    keyed = known.assign(_h=known["handle"].astype(str).str.casefold())
    if "observed_at" in keyed:
        keyed = keyed.sort_values("observed_at", na_position="first")
    lookup = dict(zip(keyed["_h"], keyed["account_id"].astype(str), strict=True))
    missing = [h for h in wanted if h not in lookup]
    if missing:
        sample = ", ".join(sorted(lookup)[:5]) or "none"
        raise ParameterError(
            f"account {', '.join(repr(m) for m in missing)} not found in the store's accounts "
            f"({len(lookup)} handles known, e.g. {sample})"
        )
    return [lookup[h] for h in wanted]
