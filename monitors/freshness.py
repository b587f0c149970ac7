"""How far the crawl data reaches: a rule judges only what the crawler saw.

A source's data runs up to its latest crawl. Rules judge a source only while that crawl is
at most ``data_max_age_days`` (default 3) before the as-of date, and then only up to the
day of that crawl: a column is stale, a week under-posted, a policy uninterpreted only as far
as a crawl looked. Older data makes every rule silent for the source; ``crawl_failure``
raises a 数据过期 (stale data) crawl-health finding for it instead — a crawler that stopped
must not turn into a dozen violations.
"""

from __future__ import annotations

from datetime import date, datetime, time

from govwatch.timeutil import CHINA
from storage.repo import SourceFacts

DEFAULT_MAX_AGE_DAYS = 3


def max_age_days(f: SourceFacts, default: int = DEFAULT_MAX_AGE_DAYS) -> int:
    """The source's limit (a per-source override, else the county's)."""
    return int(f.thresholds.get("data_max_age_days", default))


def data_age_days(f: SourceFacts, as_of: date) -> int | None:
    """Days from the source's latest crawl (China date) to ``as_of``; None if never crawled.
    Negative when judging a day before the crawl (the crawl saw that day too)."""
    if f.last_run_started is None:
        return None
    return (as_of - f.last_run_started.date()).days


def is_outdated(f: SourceFacts, as_of: date, default: int = DEFAULT_MAX_AGE_DAYS) -> bool:
    """Crawled once, but not within the limit before ``as_of``."""
    age = data_age_days(f, as_of)
    return age is not None and age > max_age_days(f, default)


def seen_until(f: SourceFacts, as_of: date,
               default: int = DEFAULT_MAX_AGE_DAYS) -> date | None:
    """The last day the crawl data covers for judging as of ``as_of``: the earlier of the
    latest crawl's day and ``as_of``; None when there is no data, or it is outdated."""
    if f.last_run_started is None or is_outdated(f, as_of, default):
        return None
    return min(as_of, f.last_run_started.date())


def seen_at(f: SourceFacts, as_of: date) -> datetime | None:
    """The moment the source's data speaks for: its latest crawl, or the end of the as-of
    day for a crawl that stood for an earlier day (a replay, ``crawl --as-of``)."""
    if f.last_run_started is None:
        return None
    end_of_day = datetime.combine(as_of, time(23, 59, 59), CHINA)
    return min(f.last_run_started, end_of_day)
