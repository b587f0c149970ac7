"""Rule 2 — new-media under-posting (政务新媒体每周更新达不到3次).

For each complete ISO week (Monday–Sunday) that lies wholly inside the account's monitored
period and ended before the as-of date, fewer than ``min_weekly_posts`` (default 3) posts give
one finding for (account, week), 2 points ("每通报一次扣2分").

The monitored period starts at the account's ``monitored_since`` (or the county's
``monitoring_start``), else at its first successful crawl. A week is only judged when the
stored posts reach back past its Monday (or the account was crawled successfully on or before
that Monday), and ended before the day of the latest crawl — a
week the crawler never saw whole must not look empty. An account whose latest crawl failed is
无法采集, one whose data is outdated 数据过期 (both crawl_failure), never under-posting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from govwatch.timeutil import iso_week, monday_of
from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, PostFact, SourceFacts

RULE = "low_post_frequency"
DEFAULT_MIN_POSTS = 3
MAX_WEEKS_BACK = 53  # a year of weeks is the most any assessment looks at


@dataclass(frozen=True)
class AccountWeek:
    """One account's posts in one ISO week."""

    monday: date
    posts: int


def monitoring_start(f: SourceFacts) -> date | None:
    """First day of the account's monitored period."""
    if f.monitored_since is not None:
        return f.monitored_since
    return f.first_ok_at.date() if f.first_ok_at is not None else None


def weeks_to_judge(f: SourceFacts, as_of: date,
                   max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[date]:
    """Mondays of the complete weeks inside the monitored period that ended before as_of and
    before the day of the latest crawl (a week after it was never seen)."""
    return judged_weeks(f, as_of, freshness.seen_until(f, as_of, max_age_days))


def judged_weeks(f: SourceFacts, as_of: date, seen: date | None) -> list[date]:
    """``weeks_to_judge`` with the crawl data reaching ``seen`` (None: no usable data)."""
    start = monitoring_start(f)
    if (start is None or f.oldest_published_on is None or f.last_run_outcome != "ok"
            or seen is None):
        return []
    this_monday = monday_of(as_of)
    # seen whole: the posts reach back past its Monday, or the account was already being
    # crawled (successfully) on that Monday — a short feed says nothing about those weeks
    seen_from = f.oldest_published_on + timedelta(days=1)
    if f.first_ok_at is not None:
        seen_from = min(seen_from, f.first_ok_at.date())
    earliest = max(start, seen_from, this_monday - timedelta(weeks=MAX_WEEKS_BACK))
    # the first Monday on or after `earliest`, then each whose Sunday is before `seen`
    monday = earliest + timedelta(days=(7 - earliest.weekday()) % 7)
    weeks = ((seen - monday).days - 7) // 7 + 1  # Sundays before `seen`: monday + 6 < seen
    return [monday + timedelta(weeks=k) for k in range(max(weeks, 0))]


def weekly_posts(per_day: Mapping[date, int]) -> dict[date, int]:
    """Posts per day summed by ISO week: Monday → posts."""
    weeks: dict[date, int] = {}
    for day, count in per_day.items():
        monday = monday_of(day)
        weeks[monday] = weeks.get(monday, 0) + count
    return weeks


def judge(facts: Iterable[SourceFacts], posts_per_day: dict[int, dict[date, int]], as_of: date,
          rule_map: RuleMap, default_min: int = DEFAULT_MIN_POSTS,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    """Findings for under-posted weeks; evidence gets the post lists from ``add_posts``."""
    drafts = []
    for f in facts:
        if f.source_type != "account":
            continue
        needed = int(f.thresholds.get("min_weekly_posts", default_min))
        weeks = weekly_posts(posts_per_day.get(f.source_id, {}))
        for monday in weeks_to_judge(f, as_of, max_age_days):
            count = weeks.get(monday, 0)
            if count >= needed:
                continue
            indicator, points = rule_map.lookup(RULE, f.category)
            sunday = monday + timedelta(days=6)
            drafts.append(FindingDraft(
                rule=RULE, unit_id=f.unit_id, source_id=f.source_id,
                subject=f"source:{f.source_id}", period=iso_week(monday), as_of=as_of,
                points=points, indicator=indicator, snapshot_id=f.snapshot_id,
                evidence={
                    "account_url": f.source_url,
                    "item_url": f.source_url,
                    "platform": f.kind,
                    "week_start": monday.isoformat(),
                    "week_end": sunday.isoformat(),
                    "posts_in_week": count,
                    "min_weekly_posts": needed,
                    "monitoring_start": (monitoring_start(f) or monday).isoformat(),
                    "posts": [],
                },
            ))
    return drafts


def add_posts(draft: FindingDraft, posts: list[PostFact]) -> FindingDraft:
    """The draft with the week's posts listed in its evidence."""
    evidence = dict(draft.evidence)
    evidence["posts"] = [
        {"published_on": p.published_on.isoformat(),
         "published_at": p.published_at.isoformat() if p.published_at else None,
         "title": p.title, "url": p.url}
        for p in posts
    ]
    return FindingDraft(**{**draft.__dict__, "evidence": evidence})


def needed_range(facts: Iterable[SourceFacts], as_of: date,
                 max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> tuple[date, date]:
    """The date range whose daily post counts ``judge`` needs."""
    mondays = [m for f in facts if f.source_type == "account"
               for m in weeks_to_judge(f, as_of, max_age_days)]
    return (min(mondays), as_of) if mondays else (as_of, as_of)
