"""年度报告未按时发布 — the unit's 政府信息公开工作年度报告 not published by its due date.

条例 第五十条: each year's report is due by 31 January of the next year (``annual_report_due``,
``01-31``); Jingchuan article 4 puts it in the next year's assessment. Judged per unit from
its ``kind: annual_report`` columns: after the latest due date that has passed, the report
for the year before it must be among the columns' items, published on or before the due
date. None → ``annual_report_missing``; one published later → the same finding, saying when.

A report is an item whose title names the year (2026年 / 2026年度 / 二〇二六年) and says
年度报告 or 年报 (工作要点, 计划 and 通知 about reports are not reports). Judged only when one of
the unit's report columns was crawled successfully after the due date, within
``data_max_age_days`` of the as-of date. The rubrics leave the points to the team (null):
the finding is a review item for the line that covers the report (Jingchuan J1.3.1).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from govwatch.timeutil import CHINA
from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, PostFact, SourceFacts

RULE = "annual_report_missing"
KIND = "annual_report"
DEFAULT_DUE = "01-31"

_REPORT = re.compile(r"年度报告|年报")
_NOT_REPORT = re.compile(r"要点|计划|安排|方案|通知|报送|编制.*要求|提纲|模板|格式")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")


def due_date(year: int, month_day: str = DEFAULT_DUE) -> date:
    month, day = (int(part) for part in month_day.split("-"))
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a common year: the last day of February
        return date(year, month, day - 1)


def latest_due(as_of: date, month_day: str = DEFAULT_DUE) -> date:
    """The most recent due date strictly before ``as_of`` (on the due day itself, the report
    may still appear that day)."""
    due = due_date(as_of.year, month_day)
    return due if due < as_of else due_date(as_of.year - 1, month_day)


def report_year(title: str) -> int | None:
    """The year an item is the annual report for, or None when it is no annual report."""
    if not _REPORT.search(title) or _NOT_REPORT.search(title):
        return None
    found = re.search(r"((?:19|20)\d\d)\s*年", title.translate(_CN_DIGITS))
    return int(found.group(1)) if found else None


def judge(facts: Iterable[SourceFacts], items: Sequence[PostFact], as_of: date,
          rule_map: RuleMap, month_day: str = DEFAULT_DUE,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    columns: dict[int, list[SourceFacts]] = defaultdict(list)
    for f in facts:
        if f.source_type == "column" and f.kind == KIND:
            columns[f.unit_id].append(f)
    by_source: Mapping[int, list[PostFact]] = _by_source(items)
    drafts = []
    for unit_columns in columns.values():
        first = unit_columns[0]
        due = latest_due(as_of, str(first.thresholds.get("annual_report_due", month_day)))
        year = due.year - 1
        judged = [f for f in unit_columns
                  if f.last_run_outcome == "ok" and f.last_run_started is not None
                  and f.last_run_started.astimezone(CHINA).date() > due
                  and freshness.seen_until(f, as_of, max_age_days) is not None]
        if not judged:
            continue  # no successful crawl after the due date (crawl_failure speaks)
        reports = sorted((item for f in judged for item in by_source.get(f.source_id, ())
                          if report_year(item.title) == year),
                         key=lambda item: item.published_on)
        on_time = [item for item in reports if item.published_on <= due]
        if on_time:
            continue
        f = judged[0]
        seen = max(freshness.seen_until(c, as_of, max_age_days) or as_of for c in judged)
        others = sorted({(item.title, item.url, item.published_on.isoformat())
                         for c in judged for item in by_source.get(c.source_id, ())
                         if report_year(item.title) is not None}, key=lambda t: t[2],
                        reverse=True)[:5]
        late = reports[0] if reports else None
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id,
            item_id=late.item_id if late else None,
            subject=f"unit:{f.unit_id}:annual_report", period=str(year), as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={
                "report_year": year, "due_on": due.isoformat(), "seen_until": seen.isoformat(),
                "column_urls": [c.source_url for c in judged],
                "late_item_title": late.title if late else None,
                "late_item_url": late.url if late else None,
                "late_published_on": late.published_on.isoformat() if late else None,
                "reports_seen": [{"title": t, "url": u, "published_on": d}
                                 for t, u, d in others],
                "crawl_run_id": f.last_run_id,
            }))
    return drafts


def _by_source(items: Iterable[PostFact]) -> dict[int, list[PostFact]]:
    grouped: dict[int, list[PostFact]] = defaultdict(list)
    for item in items:
        grouped[item.source_id].append(item)
    return grouped
