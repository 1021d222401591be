"""Validating the parameters notebooks and the weekly report share, and holding what they need.

Every notebook and the report start the same way: load the store, check the time zone, find the
account's id and the week's window. :func:`scope` does it once, so that a notebook and the report
given the same parameters read the same account (the same rule for a handle two accounts claim)
and the same week (:func:`default_week`, the one ``roi report`` picks). :func:`prepare` adds what
only the report needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path

import pandas as pd

import roi
from roi.accounts import account_id_for, normalise_handle
from roi.errors import ParameterError
from roi.store import Dataset
from roi.timeframe import iso_week_of, last_complete_week, parse_iso_week, validate_tz, week_bounds

__all__ = ["Scope", "scope", "comma_list", "ReportContext", "prepare", "validate_account", "validate_country",
           "safe_output_dir"]

# X handles (letters, digits, _), Mastodon's user@instance and Bluesky's dotted domain handles; the
# handle names a folder, so no slash, no leading dot and no "..".
_HANDLE = re.compile(r"^@?[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,99})(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?$")
# A Bluesky DID (an account a repo export names without a handle): did:plc:<base32>, did:web:<domain>.
_DID = re.compile(r"^did:(?:plc:[a-z0-9]{8,64}|web:[a-z0-9-]+(?:\.[a-z0-9-]+)+)$")


def validate_account(account: str) -> str:
    """Check a handle as a report parameter (it names a folder).

    It must be an X handle, a Mastodon ``user@instance``, a Bluesky ``name.bsky.social`` or, for a
    Bluesky account known only by its DID (a repo export ingested without ``--owner``), the DID.

    >>> validate_account("@Acme"), validate_account("ana@mastodon.social"), validate_account("bob.bsky.social")
    ('acme', 'ana@mastodon.social', 'bob.bsky.social')
    >>> validate_account("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
    'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
    >>> validate_account("../../x")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: account='../../x': expected a handle such as 'acme', 'ana@mastodon.social' or 'bob.bsky.social'
    """
    if isinstance(account, str) and _DID.match(account):
        return account
    if not isinstance(account, str) or not _HANDLE.match(account) or ".." in account or account.endswith("."):
        raise ParameterError(f"account={account!r}: expected a handle such as 'acme', 'ana@mastodon.social' "
                             "or 'bob.bsky.social'")
    return normalise_handle(account)


def validate_country(code: str | None, *, name: str = "home_country") -> str | None:
    """Check an ISO 3166 alpha-2 country code as a parameter, upper-cased; ``None`` and ``""`` mean none.

    >>> validate_country("us"), validate_country("")
    ('US', None)
    >>> validate_country("USA")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: home_country='USA': expected an ISO 3166 alpha-2 code such as 'US'
    """
    if code is None or code == "":
        return None
    if not (isinstance(code, str) and re.fullmatch(r"[A-Za-z]{2}", code)):
        raise ParameterError(f"{name}={code!r}: expected an ISO 3166 alpha-2 code such as 'US'")
    return code.upper()


def comma_list(value: str | list | tuple | None, *, name: str) -> list[str]:
    """Split a comma-separated parameter into its items, stripped, empty ones dropped.

    A list or tuple of strings is taken as it is (papermill can pass either).

    >>> comma_list(" acme, acmecustserv,,", name="handles")
    ['acme', 'acmecustserv']
    >>> comma_list(None, name="topics")
    []
    >>> comma_list(3, name="topics")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: topics=3: expected comma-separated text such as 'a,b'
    """
    if value is None:
        return []
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = list(value)
    elif isinstance(value, str):
        items = value.split(",")
    else:
        raise ParameterError(f"{name}={value!r}: expected comma-separated text such as 'a,b'")
    return [v.strip() for v in items if v.strip()]


def safe_output_dir(out: str | Path, account: str, week: str) -> Path:
    """``out/<account>/<week>``, refusing anything that would land outside ``out``.

    >>> safe_output_dir("reports", "acme", "2026-W47").as_posix().endswith("reports/acme/2026-W47")
    True
    >>> safe_output_dir("reports", "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "2026-W47").parent.name  # no ':' in a folder
    'did-plc-ewvi7nxzyoun6zhxrhs64oiz'
    """
    account = validate_account(account).replace(":", "-")
    parse_iso_week(week)
    base = Path(out).resolve()
    target = (base / account / week).resolve()
    if base not in target.parents:
        raise ParameterError(f"output folder {target} is outside {base}")
    return target


@dataclass
class Scope:
    """The store, one account and, when asked for, one week: what every notebook starts from.

    ``start`` and ``end`` are the week's bounds in UTC (end exclusive), counted in local time
    ``tz``; all three are ``None`` when the scope was opened without a week.
    """

    ds: Dataset
    account: str
    account_id: str
    tz: str
    week: str | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    def describe(self) -> str:
        """One line saying what was opened, for a notebook to print under its parameters."""
        line = (f"@{self.account} (account {self.account_id}) in {self.ds.path}: {len(self.ds.posts):,} posts, "
                f"{len(self.ds.follows):,} follow records")
        if self.week is None:
            return f"{line}; times in {self.tz}"
        first = self.start.tz_convert(self.tz)
        last = (self.end - pd.Timedelta(seconds=1)).tz_convert(self.tz)
        return f"{line}; week {self.week}: {first:%a %-d %b %Y} to {last:%a %-d %b %Y}, {self.tz}"


def scope(store: str | Path | Dataset, *, account: str, tz: str = "UTC", week: str | None = None) -> Scope:
    """Validate the parameters every notebook shares and load the store.

    Parameters
    ----------
    store : str, Path or Dataset
        A store written by ``roi ingest`` (or one already loaded).
    account : str
        The brand's handle (``acme``, ``@acme``, ``ana@mastodon.social``); when two accounts claim
        it, the one authoring most posts in the store wins, as in the report.
    tz : str
        IANA time zone the weeks are counted in.
    week : str or None
        ``"YYYY-Www"``; ``""`` picks the last complete week (:func:`default_week`, as ``roi report``
        does); ``None`` opens no week (``week``, ``start`` and ``end`` stay ``None``).

    Returns
    -------
    Scope

    Raises
    ------
    ParameterError
        For a malformed account, time zone or week, or an account the store does not know.
    StoreError
        If the store is missing, empty or corrupt.
    """
    handle = validate_account(account)
    validate_tz(tz)
    if week is not None and not isinstance(week, str):
        raise ParameterError(f"week={week!r}: expected an ISO week such as '2026-W47', or '' for the last complete one")
    if week:
        parse_iso_week(week)
    ds = store if isinstance(store, Dataset) else roi.load(store)
    account_id = account_id_for(ds.accounts, handle, posts=ds.posts)
    if week is None:
        return Scope(ds=ds, account=handle, account_id=account_id, tz=tz)
    week = week or default_week(ds, tz=tz)
    start, end = week_bounds(week, tz=tz)
    return Scope(ds=ds, account=handle, account_id=account_id, tz=tz, week=week, start=start, end=end)


@dataclass
class ReportContext(Scope):
    """Everything a section needs: a :class:`Scope` with a week, the week before's start, the options."""

    prev_start: pd.Timestamp | None = None
    home_country: str | None = None
    export_dir: str | None = None
    brand_domains: tuple[str, ...] = ()
    service_handles: tuple[str, ...] = ()
    trend_weeks: int = 10
    ledger_weeks: int = 4
    warnings: list[str] = field(default_factory=list)  # captured while sections ran, as sentences

    @cached_property
    def weeks(self) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
        """The trend window: ``trend_weeks`` ISO weeks ending with the report's week, oldest first."""
        from roi.report.trends import report_weeks

        return report_weeks(self.week, tz=self.tz, count=self.trend_weeks)

    @cached_property
    def complaint_history(self) -> dict:
        """Complaints, spike alerts and response times over the trend window (computed once)."""
        from roi.listening import complaints_needing_attention

        return complaints_needing_attention(self.ds, handles=[self.account, *self.service_handles],
                                            start=self.weeks[0][1], end=self.end, tz=self.tz,
                                            brand_terms=[self.account])

    @cached_property
    def trends(self) -> pd.DataFrame:
        """One row per week of the trend window (:func:`roi.report.trends.weekly_trends`)."""
        from roi.graph import growth_churn
        from roi.report.trends import weekly_trends

        growth = growth_churn(self.ds, self.account, tz=self.tz, start=self.weeks[0][1], end=self.end)
        history = self.complaint_history
        return weekly_trends(self.metrics, self.weeks, growth=growth, responses=history["responses"],
                             complaints=history["queue"], conversions_known=len(self.ds.conversions) > 0)

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """Per-post metrics of the account's own posts, all time (sections compare weeks)."""
        from roi.engagement import post_metrics

        own = self.ds.posts[self.ds.posts["author_id"] == self.account_id]
        return post_metrics(own, accounts=self.ds.accounts, conversions=self.ds.conversions)

    @cached_property
    def content(self) -> pd.DataFrame:
        """Content type of every post (original / engagement / promotion) with the deciding rule."""
        from roi.engagement import classify_content

        return classify_content(self.ds.posts, brand_domains=self.brand_domains, brand_ids=[self.account_id])

    @cached_property
    def model(self):
        """The negative-binomial engagement model of the account's posts (fitted once).

        Raises ParameterError when there are too few posts to fit it.
        """
        from roi.engagement import fit_engagement_model

        return fit_engagement_model(self.metrics, tz=self.tz, content=self.content)

    @cached_property
    def influence(self) -> pd.DataFrame:
        """Influence table of the follower graph at the end of the week (computed once)."""
        from roi.graph import follower_graph, influence

        return influence(follower_graph(self.ds, as_of=self.snapshot), audience_of=self.account_id,
                         posts=self.ds.posts, as_of=self.end)

    @cached_property
    def snapshot(self) -> pd.Timestamp:
        """The follower snapshot that counts for the end of the week."""
        from roi.graph import snapshot_for

        return snapshot_for(self.ds.follows, self.end)

    @cached_property
    def ledger(self):
        """The return-on-influence ledger of the last ``ledger_weeks`` weeks up to the report's week.

        :func:`roi.ledger.return_on_influence` counts up to the newest week with data; weeks after the
        report's week are dropped from its effort table and the channels are recounted over the weeks
        shown, so an older week's report does not read later traffic.
        """
        from dataclasses import replace

        from roi.ledger import channel_conversions, compare_channels, return_on_influence
        from roi.tables import conform

        led = return_on_influence(self.ds, account=self.account, service_handles=self.service_handles,
                                  brand_terms=[self.account], brand_domains=self.brand_domains, tz=self.tz)
        known = set(led.weeks["week"]) | set(led.channels_by_week["week"].dropna())
        shown = sorted(w for w in known if w <= self.week)[-self.ledger_weeks:]
        weeks = led.weeks[led.weeks["week"].isin(shown).to_numpy(dtype=bool)].reset_index(drop=True)
        by_week = led.channels_by_week[led.channels_by_week["week"].isin(shown).fillna(False).to_numpy(dtype=bool)]
        level = float(led.parameters["level"])
        brand_posts = self.ds.posts.loc[self.ds.posts["author_id"] == self.account_id, "post_id"]
        channels = channel_conversions(conform("conversions", self.ds.conversions), brand_post_ids=brand_posts,
                                       weeks=shown, level=level)
        return replace(led, weeks=weeks, channels_by_week=by_week.reset_index(drop=True), channels=channels,
                       comparison=compare_channels(channels, level=level), parameters={**led.parameters, "weeks": shown})

    @property
    def week_posts(self) -> pd.DataFrame:
        """Every post in the store created in the report's week (any author)."""
        p = self.ds.posts
        return p[(p.created_at >= self.start) & (p.created_at < self.end)]

    @property
    def has_data(self) -> bool:
        """Whether the store holds any post in the report's week."""
        return len(self.week_posts) > 0


def default_week(ds: Dataset, *, tz: str) -> str:
    """Return the last ISO week the store covers completely and holds posts in, in local time ``tz``.

    Coverage runs to the newest moment the data was observed: a post's time or, later, when its
    metrics were collected (an export taken on Monday morning covers the whole previous week).
    An observation long after the last post (an old export ingested today) does not move the
    report to an empty week: it stops at the week of the newest post.

    >>> from types import SimpleNamespace
    >>> posts = pd.DataFrame({"created_at": pd.to_datetime(["2024-07-23T18:00Z"], utc=True),
    ...                       "metrics_observed_at": pd.to_datetime(["2026-12-03T10:00Z"], utc=True)})
    >>> default_week(SimpleNamespace(posts=posts), tz="UTC")
    '2024-W30'
    """
    posts = ds.posts
    seen = pd.concat([posts["created_at"], posts["metrics_observed_at"]], ignore_index=True)
    week = last_complete_week(seen, tz=tz)
    newest = pd.Series(posts["created_at"]).dropna()
    if len(newest):
        newest_week = iso_week_of(newest.max(), tz=tz)
        if week_bounds(week, tz=tz)[0] > week_bounds(newest_week, tz=tz)[0]:
            return newest_week
    return week


def prepare(store: str | Path, *, account: str, week: str = "", tz: str = "UTC",
            home_country: str | None = None, export_dir: str | None = None,
            brand_domain: str = "", service_handles: str = "") -> ReportContext:
    """Validate the report's parameters and load the store.

    Raises
    ------
    ParameterError
        For a malformed account, week or time zone, or an account the store does not know.
    StoreError
        If the store is missing, empty or corrupt.
    """
    if brand_domain and not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", brand_domain.lower()):
        raise ParameterError(f"brand_domain={brand_domain!r}: expected a domain like 'acme.example'")
    service = tuple(validate_account(h) for h in comma_list(service_handles, name="service_handles"))
    home_country = validate_country(home_country)
    s = scope(store, account=account, tz=tz, week=week or "")
    prev_start, _ = week_bounds(iso_week_of(s.start - pd.Timedelta(seconds=1), tz=tz), tz=tz)
    return ReportContext(**{f.name: getattr(s, f.name) for f in fields(Scope)}, prev_start=prev_start,
                         home_country=home_country,
                         export_dir=export_dir or None,
                         brand_domains=(brand_domain.lower(),) if brand_domain else (),
                         service_handles=service)
