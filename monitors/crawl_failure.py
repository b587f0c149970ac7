"""Crawl health (抓取异常/无法采集): a source whose crawls have failed for N consecutive days.

A signal for the operator, proposing 0 points: the unit is not at fault until someone has
looked. It is what keeps an unreachable site or a closed account endpoint from ever being
judged stale or under-posting. N is ``thresholds.crawl_failure_days`` (default 2): one bad
night is the network's fault more often than the site's.

Outdated data (数据过期) is crawl health too: a source whose latest crawl, failed or not, is
more than ``thresholds.data_max_age_days`` before the as-of date (the crawler stopped) gets
this rule's finding with outcome ``stale_data`` instead, and every other rule is silent for
it (``monitors.freshness``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from govwatch.timeutil import iso_week
from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "crawl_failure"
DEFAULT_DAYS = 2
STALE_DATA = "stale_data"  # the outcome of a 数据过期 finding


def failing_days(f: SourceFacts) -> int:
    """Calendar days (China time) the current run of failures spans; 0 when healthy."""
    if f.last_run_outcome in (None, "ok") or f.last_run_started is None:
        return 0
    since = f.failing_since or f.last_run_started
    return (f.last_run_started.date() - since.date()).days + 1


def judge(facts: Iterable[SourceFacts], as_of: date, rule_map: RuleMap,
          default_days: int = DEFAULT_DAYS,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS,
          judged_elsewhere: Collection[str] = ()) -> list[FindingDraft]:
    """``judged_elsewhere``: outcomes another rule reports (``empty``: blank_column)."""
    drafts = []
    for f in facts:
        if freshness.is_outdated(f, as_of, max_age_days):
            drafts.append(_outdated(f, as_of, rule_map, max_age_days))
            continue
        if f.last_run_outcome in judged_elsewhere:
            continue
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


def _outdated(f: SourceFacts, as_of: date, rule_map: RuleMap,
              max_age_days: int) -> FindingDraft:
    """数据过期: the source was last crawled too long before ``as_of`` to judge it."""
    indicator, points = rule_map.lookup(RULE, f.category)
    crawled_at = f.last_run_started.isoformat() if f.last_run_started else None
    return FindingDraft(
        rule=RULE, unit_id=f.unit_id, source_id=f.source_id, subject=f"source:{f.source_id}",
        period=iso_week(as_of), as_of=as_of, points=points, indicator=indicator,
        snapshot_id=f.snapshot_id,
        evidence={
            "source_url": f.source_url,
            "item_url": f.source_url,
            "outcome": STALE_DATA,
            "error": (f"latest crawl {crawled_at}, {freshness.data_age_days(f, as_of)} days "
                      f"before {as_of.isoformat()}: no rule judges this source until it "
                      "is crawled again"),
            "data_age_days": freshness.data_age_days(f, as_of),
            "max_age_days": freshness.max_age_days(f, max_age_days),
            "last_outcome": f.last_run_outcome,
            "crawled_at": crawled_at,
            "crawl_run_id": f.last_run_id,
        },
    )
