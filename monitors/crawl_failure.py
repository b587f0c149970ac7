"""Crawl health (抓取异常/无法采集): a source whose crawls have failed for N consecutive days.

A signal for the operator, proposing 0 points: the unit is not at fault until someone has
looked. It is what keeps an unreachable site or a closed account endpoint from ever being
judged stale or under-posting. N is ``thresholds.crawl_failure_days`` (default 2): one bad
night is the network's fault more often than the site's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from govwatch.timeutil import iso_week
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "crawl_failure"
DEFAULT_DAYS = 2


def failing_days(f: SourceFacts) -> int:
    """Calendar days (China time) the current run of failures spans; 0 when healthy."""
    if f.last_run_outcome in (None, "ok") or f.last_run_started is None:
        return 0
    since = f.failing_since or f.last_run_started
    return (f.last_run_started.date() - since.date()).days + 1


def judge(facts: Iterable[SourceFacts], as_of: date, rule_map: RuleMap,
          default_days: int = DEFAULT_DAYS) -> list[FindingDraft]:
    drafts = []
    for f in facts:
        days = failing_days(f)
        needed = int(f.thresholds.get("crawl_failure_days", default_days))
        if days < needed:
            continue
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id,
            subject=f"source:{f.source_id}", period=iso_week(as_of), as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={
                "source_url": f.source_url,
                "item_url": f.source_url,
                "outcome": f.last_run_outcome,
                "http_status": f.last_run_status,
                "error": f.last_run_error,
                "failing_days": days,
                "failing_since": f.failing_since.isoformat() if f.failing_since else None,
                "crawled_at": f.last_run_started.isoformat() if f.last_run_started else None,
                "crawl_run_id": f.last_run_id,
            },
        ))
    return drafts
