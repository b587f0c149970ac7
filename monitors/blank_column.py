"""空白栏目 — a column whose list page loads and says it lists nothing (暂无信息): the crawl
outcome ``empty`` (``crawler.extract.empty``), not a page the extractor failed on. One finding
per column per ISO week; five or more such (or stale) columns of a site fail it (单项否决)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from govwatch.timeutil import iso_week
from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "blank_column"
EMPTY = "empty"


def judge(facts: Iterable[SourceFacts], as_of: date, rule_map: RuleMap,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    drafts = []
    for f in facts:
        if f.source_type != "column" or f.last_run_outcome != EMPTY:
            continue
        if freshness.seen_until(f, as_of, max_age_days) is None:
            continue
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id, subject=f"source:{f.source_id}",
            period=iso_week(as_of), as_of=as_of, points=points, indicator=indicator,
            snapshot_id=f.snapshot_id,
            evidence={"column_url": f.source_url, "message": f.last_run_error,
                      "crawled_at": f.last_run_started.isoformat() if f.last_run_started
                      else None, "crawl_run_id": f.last_run_id}))
    return drafts
