"""栏目超期未更新（全国检查指标） — a column of the national checks' classes not updated in
time: 动态、要闻 within ``national.news_stale_days`` (14), 通知公告 and 政策文件 within
``national.notice_stale_days`` (183) — ``national_class``. One finding per column per ISO
week; five or more such (or blank) columns of a site fail it (单项否决, ``national_summary``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from monitors import freshness
from monitors.homepage_stale import stale_drafts
from monitors.national_class import CLASS_NAMES, NEWS, NOTICE, POLICY
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "class_stale"


def judge(facts: Iterable[SourceFacts], classes: Mapping[int, str], as_of: date,
          rule_map: RuleMap, news_days: int = 14, notice_days: int = 183,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    """``classes``: source id → national class of each column."""
    limits = {NEWS: news_days, NOTICE: notice_days, POLICY: notice_days}
    pairs = [(f, limits[classes[f.source_id]]) for f in facts
             if f.source_type == "column" and classes.get(f.source_id) in limits]
    extra = {f.source_id: {"national_class": classes[f.source_id],
                           "class_name": CLASS_NAMES[classes[f.source_id]]} for f, _ in pairs}
    return stale_drafts(RULE, pairs, as_of, rule_map, max_age_days, extra)
