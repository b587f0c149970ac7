"""Crawl health (抓取异常): a source whose latest crawl failed or found no dated items.

A signal for the operator, proposing 0 points: the unit is not at fault until someone has
looked. It is what keeps an unreachable site from ever being judged stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from govwatch.timeutil import iso_week
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "crawl_failure"
HEALTHY = {"ok", None}  # None: never crawled yet — nothing to judge


def judge(facts: Iterable[SourceFacts], as_of: date, rule_map: RuleMap) -> list[FindingDraft]:
    drafts = []
    for f in facts:
        if f.last_run_outcome in HEALTHY:
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
                "crawled_at": f.last_run_started.isoformat() if f.last_run_started else None,
                "crawl_run_id": f.last_run_id,
            },
        ))
    return drafts
