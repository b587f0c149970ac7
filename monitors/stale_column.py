"""Rule 1 — stale column (栏目长期未更新，一周以上).

A column with expect_update whose newest item was published ``stale_days`` (default 7) or more
days before the as-of date gives one finding per column per ISO week of the as-of date
("发现一次扣1分"). A column whose latest crawl failed or found no dated items is left to
``crawl_failure``: an unreachable site must never be mistaken for a stale one. Days are
counted to the latest crawl (``freshness.seen_until``): no more was seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from govwatch.timeutil import iso_week
from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "stale_column"
DEFAULT_STALE_DAYS = 7


def days_without_update(f: SourceFacts, as_of: date,
                        max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS
                        ) -> tuple[int, date] | None:
    """(days since the column's newest item, the last day the crawl data covers) for a column
    that must be updated and can be judged as of ``as_of``; None otherwise — never crawled,
    crawl health in doubt (crawl_failure speaks), or outdated data (数据过期). Days are counted
    to the latest crawl: no more was seen. The stale rule and the stale_soon warning read it."""
    if f.source_type != "column" or not f.expect_update:
        return None
    if f.last_run_outcome != "ok" or f.newest_published_on is None:
        return None
    seen = freshness.seen_until(f, as_of, max_age_days)
    if seen is None:
        return None
    return (seen - f.newest_published_on).days, seen


def judge(facts: Iterable[SourceFacts], as_of: date, rule_map: RuleMap,
          default_stale_days: int = DEFAULT_STALE_DAYS,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    drafts = []
    for f in facts:
        judged = days_without_update(f, as_of, max_age_days)
        if judged is None:
            continue
        days = judged[0]
        threshold = int(f.thresholds.get("stale_days", default_stale_days))
        if days < threshold:
            continue
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id, item_id=f.newest_item_id,
            subject=f"source:{f.source_id}", period=iso_week(as_of), as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={
                "column_url": f.source_url,
                "item_url": f.newest_url,
                "newest_title": f.newest_title,
                "newest_published_on": f.newest_published_on.isoformat(),
                "days_without_update": days,
                "threshold_days": threshold,
                "crawled_at": f.last_run_started.isoformat() if f.last_run_started else None,
                "crawl_run_id": f.last_run_id,
            },
        ))
    return drafts
