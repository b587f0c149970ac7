"""首页长期未更新 — a site's 首页 (a ``kind: homepage`` column) whose newest dated item is
``national.homepage_stale_days`` (14) or more days old: a 单项否决 item of the national checks
(国办秘函〔2019〕19号). One finding per site per ISO week; days counted to the latest crawl,
never on failed or outdated crawls (``stale_column.days_without_update``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from govwatch.timeutil import iso_week
from monitors import freshness, stale_column
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "homepage_stale"
KIND = "homepage"


def stale_drafts(rule: str, facts: Iterable[tuple[SourceFacts, int]], as_of: date,
                 rule_map: RuleMap, max_age_days: int,
                 extra: dict[int, dict[str, object]] | None = None) -> list[FindingDraft]:
    """Findings of ``rule`` for (column, threshold days) pairs whose newest item is that old
    (the national staleness rules share it)."""
    drafts = []
    for f, threshold in facts:
        # judged whatever expect_update says: the national limits apply to every such column
        judged = stale_column.days_without_update(replace(f, expect_update=True), as_of,
                                                  max_age_days)
        if judged is None or judged[0] < threshold:
            continue
        indicator, points = rule_map.lookup(rule, f.category)
        drafts.append(FindingDraft(
            rule=rule, unit_id=f.unit_id, source_id=f.source_id, item_id=f.newest_item_id,
            subject=f"source:{f.source_id}", period=iso_week(as_of), as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={"column_url": f.source_url, "item_url": f.newest_url,
                      "newest_title": f.newest_title,
                      "newest_published_on": f.newest_published_on.isoformat()
                      if f.newest_published_on else None,
                      "days_without_update": judged[0], "threshold_days": threshold,
                      "crawled_at": f.last_run_started.isoformat() if f.last_run_started
                      else None, **(extra or {}).get(f.source_id, {})}))
    return drafts


def judge(facts: Iterable[SourceFacts], as_of: date, rule_map: RuleMap, days: int = 14,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    homepages = [(f, days) for f in facts if f.source_type == "column" and f.kind == KIND]
    return stale_drafts(RULE, homepages, as_of, rule_map, max_age_days)
