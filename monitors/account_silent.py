"""政务新媒体长期未更新 — an account whose newest post is ``national.account_silent_days`` (14)
or more days old at its latest crawl: a 单项否决 item of the national checks. Never on failed or
outdated crawls (an account that cannot be collected is a crawl failure, not a silent one);
one finding per account per ISO week."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from govwatch.timeutil import iso_week
from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "account_silent"


def judge(facts: Iterable[SourceFacts], as_of: date, rule_map: RuleMap, days: int = 14,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    drafts = []
    for f in facts:
        if f.source_type != "account" or f.last_run_outcome != "ok":
            continue
        seen = freshness.seen_until(f, as_of, max_age_days)
        if seen is None or f.newest_published_on is None:
            continue
        silent = (seen - f.newest_published_on).days
        if silent < days:
            continue
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id, item_id=f.newest_item_id,
            subject=f"source:{f.source_id}", period=iso_week(as_of), as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={"account_url": f.source_url, "platform": f.kind,
                      "newest_title": f.newest_title, "item_url": f.newest_url,
                      "newest_published_on": f.newest_published_on.isoformat(),
                      "days_silent": silent, "threshold_days": days,
                      "crawled_at": f.last_run_started.isoformat() if f.last_run_started
                      else None}))
    return drafts
