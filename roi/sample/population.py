"""The accounts: the brand, its customer-service handle, an audience inside a wider population.

Follower and following counts are heavy-tailed as on the real platform (lognormal body, median in
the hundreds, a handful of accounts above 100k followers); spam accounts look as practitioners
describe them: follow farms with ~1,000 followers, ~2,000 following, no posts and a default
profile; link spammers with thousands of posts that are all links.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from roi.sample.gazetteer import COUNTRY_WEIGHTS, draw_cities, gazetteer, write_locations

__all__ = ["Population", "build_population", "snowflake", "TWITTER_EPOCH_MS", "BRAND", "CUSTSERV"]

TWITTER_EPOCH_MS = 1288834974657
BRAND = {"handle": "acme", "name": "Acme", "domain": "acme.example", "tz": "America/New_York",
         "home_country": "US"}
CUSTSERV = {"handle": "acmecustserv", "name": "Acme Support"}
PARTNERS = (("homechefdaily", "Home Chef Daily"), ("greenkitchenco", "Green Kitchen Co."),
            ("makerfairefolk", "Maker Folk"))

_LANG_OF = {"DE": "de", "FR": "fr", "ES": "es", "MX": "es", "AR": "es", "CO": "es", "BR": "pt",
            "JP": "ja", "RU": "ru", "IT": "it", "NL": "nl", "KR": "ko", "PL": "pl", "TR": "tr", "SE": "sv"}

_FIRST = ("alex", "sam", "jordan", "maria", "jose", "li", "wei", "anna", "lena", "max", "yuki",
          "haruto", "olga", "ivan", "priya", "arjun", "lucas", "ana", "chloe", "emma", "noah",
          "liam", "mia", "sofia", "mateo", "leo", "zoe", "amir", "fatima", "kofi", "ada", "tom",
          "kate", "ben", "ella", "raj", "sara", "omar", "nina", "jack", "ruby", "finn", "ines")
_LAST = ("smith", "garcia", "nguyen", "kim", "mueller", "rossi", "silva", "tanaka", "ivanova",
         "patel", "brown", "jones", "lopez", "martin", "dubois", "khan", "obi", "walsh", "berg",
         "novak", "costa", "sato", "reyes", "cohen", "fischer", "moreau", "evans", "park")
_WORDS = ("cooks", "bakes", "eats", "home", "makes", "daily", "life", "tech", "fit", "runs",
          "reads", "plays", "art", "travels", "coffee", "garden", "dad", "mom", "nerd", "vibes")
_BIOS = (
    "Coffee first. Opinions my own.", "Home cook, weekend baker 🍞", "Dad of two. Grill master.",
    "Runner | reader | recovering perfectionist", "Product designer. Plants everywhere 🌱",
    "Views are mine, typos too.", "Small business owner ✨", "Teacher. Tea drinker.", "",
    "Kitchen gadget addict", "Nurse 👩‍⚕️ | dog mom", "Software engineer by day, chef by night",
    "Food blogger — recipes at my site", "Just here for the memes", "Retired and loving it",
)


@dataclass
class Population:
    """Every modelled account as parallel arrays; index 0 is the brand, 1 its customer service."""

    account_id: np.ndarray
    handle: np.ndarray
    name: np.ndarray
    description: np.ndarray
    location: np.ndarray
    country: np.ndarray
    tz: np.ndarray
    lang: np.ndarray
    created_ms: np.ndarray
    followers_count: np.ndarray
    following_count: np.ndarray
    posts_count: np.ndarray
    listed_count: np.ndarray
    verified: np.ndarray
    default_profile: np.ndarray
    role: np.ndarray  # brand, custserv, partner, audience, outer, link_spam
    spam_type: np.ndarray  # None, "follow_farm", "link_spam"
    chronotype: np.ndarray  # hours by which the account's day is shifted
    hub: np.ndarray  # a high-follower account (broadcaster)

    def __len__(self) -> int:
        """Return the number of accounts."""
        return len(self.account_id)

    def indices(self, role: str) -> np.ndarray:
        """Return the indices of the accounts whose role is ``role`` (e.g. ``"audience"``)."""
        return np.flatnonzero(self.role == role)


def snowflake(ms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Snowflake ids (time-ordered, as X assigns them) for millisecond timestamps; unique."""
    ms = np.asarray(ms, dtype=np.int64)
    low = rng.integers(0, 1 << 22, size=len(ms), dtype=np.int64)
    ids = ((ms - TWITTER_EPOCH_MS) << 22) | low
    while True:
        _, first, counts = np.unique(ids, return_index=True, return_counts=True)
        dup = np.setdiff1d(np.arange(len(ids)), first)
        if len(dup) == 0:
            return ids
        ids[dup] = ((ms[dup] - TWITTER_EPOCH_MS) << 22) | rng.integers(0, 1 << 22, size=len(dup), dtype=np.int64)


def _account_ids(created_ms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Accounts created before 2014 have the short sequential ids of the time; later ones snowflakes."""
    cutoff = 1388534400000  # 2014-01-01
    ids = snowflake(created_ms, rng)
    old = created_ms < cutoff
    # Pre-snowflake ids grew roughly linearly from ~1e7 (2007) to ~2.3e9 (end of 2013).
    frac = (created_ms[old] - 1167609600000) / (cutoff - 1167609600000)
    ids[old] = (1e7 + np.clip(frac, 0, 1) * 2.3e9).astype(np.int64) + rng.integers(0, 50000, size=old.sum())
    _, first = np.unique(ids, return_index=True)
    dup = np.setdiff1d(np.arange(len(ids)), first)
    ids[dup] += 7919 * (np.arange(len(dup)) + 1)
    return np.array([str(i) for i in ids], dtype=object)


def _handles(n: int, rng: np.random.Generator, reserved: set[str]) -> np.ndarray:
    first = rng.integers(0, len(_FIRST), n)
    last = rng.integers(0, len(_LAST), n)
    word = rng.integers(0, len(_WORDS), n)
    style = rng.integers(0, 6, n)
    num = rng.integers(1, 9999, n)
    taken = {h.casefold() for h in reserved}
    out = np.empty(n, dtype=object)
    for i in range(n):
        f, la, w = _FIRST[first[i]], _LAST[last[i]], _WORDS[word[i]]
        base = (f"{f}{la}", f"{f}_{la}", f"{f}{w}", f"{la}{num[i] % 100}", f"The{f.title()}{la.title()}",
                f"{f}.{w}".replace(".", "_"))[style[i]]
        h = base[:15]
        k = 0
        while h.casefold() in taken:
            k += 1
            h = f"{base[:15 - len(str(num[i] + k))]}{num[i] + k}"
        taken.add(h.casefold())
        out[i] = h
    return out


def _lognormal_counts(rng, n, median, sigma):
    return np.maximum(0, np.round(median * np.exp(sigma * rng.standard_normal(n)))).astype(np.int64)


def build_population(rng: np.random.Generator, *, audience: int, outer: int, link_spammers: int,
                     now_ms: int) -> Population:
    """Draw every account: brand, customer service, partners, audience pool, outer population, spam.

    ``audience`` is the number of accounts that follow the brand at some snapshot (the pool);
    ``outer`` accounts never follow it but follow (and are followed by) the audience.
    """
    n_partner = len(PARTNERS)
    n = 2 + n_partner + audience + outer + link_spammers
    role = np.array(["brand", "custserv"] + ["partner"] * n_partner + ["audience"] * audience
                    + ["outer"] * outer + ["link_spam"] * link_spammers, dtype=object)
    people = np.flatnonzero(np.isin(role, ["audience", "outer", "link_spam"]))

    codes = np.array(sorted(COUNTRY_WEIGHTS), dtype=object)
    w = np.array([COUNTRY_WEIGHTS[c] for c in codes])
    country = np.empty(n, dtype=object)
    country[:2 + n_partner] = "US"
    country[people] = rng.choice(codes, size=len(people), p=w / w.sum())
    gaz = gazetteer()
    city = np.zeros(n, dtype=np.int64)
    city[people] = draw_cities(rng, country[people])
    nyc = int(np.flatnonzero((gaz.country == "US") & (gaz.name == "New York City"))[0])
    city[:2 + n_partner] = nyc
    tz = gaz.tz[city].astype(object)
    location = np.empty(n, dtype=object)
    location[people] = write_locations(rng, city[people])
    location[0], location[1] = "New York, NY", "New York, NY"
    location[2:2 + n_partner] = ("Brooklyn, NY", "Portland, OR", "Austin, TX")
    lang = np.array([_LANG_OF.get(c, "en") if r < 0.6 else "en"
                     for c, r in zip(country, rng.random(n), strict=False)], dtype=object)

    # Account ages: most accounts are years old; the distribution leans to 2009-2016 cohorts.
    years = np.clip(rng.gamma(2.2, 2.6, n), 0.2, 17.5)
    created_ms = (now_ms - years * 365.25 * 86400000).astype(np.int64)
    created_ms[0] = 1300060800000  # 2011-03-14
    created_ms[1] = 1410393600000  # 2014-09-11

    followers = _lognormal_counts(rng, n, 260, 1.35)
    following = np.maximum(1, np.round(followers ** 0.45 * 18 * np.exp(0.7 * rng.standard_normal(n)))).astype(np.int64)
    posts = _lognormal_counts(rng, n, 1400, 1.5)
    listed = np.round(followers * rng.uniform(0.0005, 0.01, n)).astype(np.int64)
    verified = rng.random(n) < 0.01
    default_profile = rng.random(n) < 0.05
    spam_type = np.full(n, None, dtype=object)
    hub = np.zeros(n, dtype=bool)

    aud = np.flatnonzero(role == "audience")
    # A few broadcasters (>100k followers) in the audience: the source of broadcast cascades.
    n_hub = max(3, audience // 1000)
    hubs = rng.choice(aud, size=n_hub, replace=False)
    hub[hubs] = True
    followers[hubs] = np.round(np.exp(rng.uniform(np.log(1.2e5), np.log(2.5e6), n_hub))).astype(np.int64)
    following[hubs] = rng.integers(150, 2500, n_hub)
    verified[hubs] = rng.random(n_hub) < 0.7
    default_profile[hubs] = False
    # Follow farms: ~1,000 followers, ~2,000 following, no posts, default profile, new accounts.
    rest = np.setdiff1d(aud, hubs)
    farms = rng.choice(rest, size=max(5, int(round(0.025 * audience))), replace=False)
    spam_type[farms] = "follow_farm"
    followers[farms] = np.round(np.clip(rng.normal(1000, 120, len(farms)), 700, 1300)).astype(np.int64)
    following[farms] = np.round(np.clip(rng.normal(2000, 200, len(farms)), 1500, 2600)).astype(np.int64)
    posts[farms] = 0
    listed[farms] = 0
    verified[farms] = False
    default_profile[farms] = True
    created_ms[farms] = now_ms - rng.integers(20, 400, len(farms)) * 86400000
    location[farms] = ""
    # Link spammers: thousands of posts, all links to deals.
    ls = np.flatnonzero(role == "link_spam")
    spam_type[ls] = "link_spam"
    followers[ls] = rng.integers(20, 400, len(ls))
    following[ls] = rng.integers(800, 4000, len(ls))
    posts[ls] = rng.integers(2500, 40000, len(ls))
    verified[ls] = False
    created_ms[ls] = now_ms - rng.integers(30, 700, len(ls)) * 86400000

    # Brand, customer service and partners.
    verified[:2 + n_partner] = True
    default_profile[:2 + n_partner] = False
    following[0], posts[0], listed[0] = 412, 18734, 640
    followers[1], following[1], posts[1], listed[1] = 8420, 96, 51230, 85
    followers[2:2 + n_partner] = rng.integers(20000, 90000, n_partner)

    reserved = {BRAND["handle"], CUSTSERV["handle"], *(p[0] for p in PARTNERS)}
    handle = np.empty(n, dtype=object)
    handle[0], handle[1] = BRAND["handle"], CUSTSERV["handle"]
    handle[2:2 + n_partner] = [p[0] for p in PARTNERS]
    handle[2 + n_partner:] = _handles(n - 2 - n_partner, rng, reserved)
    name = np.empty(n, dtype=object)
    name[0], name[1] = BRAND["name"], CUSTSERV["name"]
    name[2:2 + n_partner] = [p[1] for p in PARTNERS]
    emoji = np.array(["", "", "", " ✨", " 🌿", " ☕", " 🇺🇸", " 🏳️‍🌈"], dtype=object)
    for i in range(2 + n_partner, n):
        h = handle[i]
        name[i] = h.replace("_", " ").rstrip("0123456789").title() + emoji[i % len(emoji)]
    description = np.array([_BIOS[k] for k in rng.integers(0, len(_BIOS), n)], dtype=object)
    description[0] = "Kitchen tools that last. Help: @acmecustserv"
    description[1] = "Acme customer support, 8am-10pm ET, 7 days a week."
    description[farms] = ""
    description[ls] = "💰 Best deals online 💰 DM for promo 🔥"
    name[ls] = [f"Deals {h[:6].title()}" for h in handle[ls]]

    return Population(
        account_id=_account_ids(created_ms, rng), handle=handle, name=name, description=description,
        location=location, country=country, tz=tz, lang=lang, created_ms=created_ms,
        followers_count=followers, following_count=following, posts_count=posts, listed_count=listed,
        verified=verified, default_profile=default_profile, role=role, spam_type=spam_type,
        chronotype=rng.integers(-2, 3, n), hub=hub,
    )
