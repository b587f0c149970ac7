"""倒签 — an item of a column crawled daily that first appeared ``backdated_days`` (3) or more
days after the publish date it states: published late and dated back, e.g. to hide a stale
column. Only where the column was crawled successfully on a day between the stated date and
the day before the item appeared: it was absent then, though already dated.
Several at once right after a bulletin named the column is what reviewers need to see: the
evidence carries both dates, how many back-dated items appeared that day, and the latest
published bulletin that named the column for a week ending in the 14 days before. One finding
per item."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from govwatch.timeutil import iso_week
from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import BulletinedFinding, FindingDraft, SeenItem, SourceFacts

RULE = "backdated_item"
DEFAULT_DAYS = 3
LOOKBACK_DAYS = 7  # items first seen this many days before the as-of date are judged
BULLETIN_DAYS = 14


def week_end(period: str) -> date:
    """The Sunday of an ISO week ``2021-W35``: a bulletin of that week is published after
    it (its publication time is the machine's, which a replayed crawl does not share)."""
    year, week = period.split("-W")
    return date.fromisocalendar(int(year), int(week), 7)


def judge(items: Iterable[SeenItem], crawl_days: Mapping[int, set[date]],
          sources: Mapping[int, SourceFacts], bulletins: Iterable[BulletinedFinding],
          as_of: date, rule_map: RuleMap, days: int = DEFAULT_DAYS,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    """``crawl_days``: source id → the days it was crawled successfully."""
    late = []
    for item in items:
        f = sources.get(item.source_id)
        if (f is None or not as_of - timedelta(days=LOOKBACK_DAYS) <= item.first_seen_on
                <= as_of or freshness.seen_until(f, as_of, max_age_days) is None):
            continue
        delay = (item.first_seen_on - item.published_on).days
        threshold = int(f.thresholds.get("backdated_days", days))
        if delay < threshold:
            continue
        watched = crawl_days.get(item.source_id, set())
        absent_on = sorted(d for d in watched if item.published_on <= d < item.first_seen_on)
        if not absent_on:
            continue  # the column was not watched while the item should have been there
        late.append((item, f, delay, threshold, absent_on))
    together = Counter((item.source_id, item.first_seen_on) for item, *_ in late)
    named = [b for b in bulletins if b.source_id is not None]
    drafts = []
    for item, f, delay, threshold, absent_on in late:
        bulletin = max((b for b in named if b.source_id == item.source_id
                        and item.first_seen_on - timedelta(days=BULLETIN_DAYS)
                        <= week_end(b.bulletin_period) < item.first_seen_on),
                       key=lambda b: b.bulletin_period, default=None)
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id, item_id=item.item_id,
            subject=f"item:{item.item_id}", period=iso_week(item.first_seen_on), as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={"title": item.title, "item_url": item.url, "column_url": f.source_url,
                      "published_on": item.published_on.isoformat(),
                      "first_seen_on": item.first_seen_on.isoformat(), "delay_days": delay,
                      "threshold_days": threshold, "absent_on": absent_on[-1].isoformat(),
                      "appeared_together": together[(item.source_id, item.first_seen_on)],
                      "bulletin_period": bulletin.bulletin_period if bulletin else None,
                      "bulletin_published_on": bulletin.published_on.isoformat()
                      if bulletin else None}))
    return drafts
