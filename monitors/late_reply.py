"""留言回复超时 — a 互动交流 message answered late, or not at all (互动回应).

Lingchuan A5.4.2 / B5.5.2: 影响重大的政务舆情 24 小时内回应，其余 48 小时内. A message of a
``kind: messages`` column is late when its reply came more than ``reply_hours`` (48) after the
question — ``major_reply_hours`` (24) when its title or text matches
``settings.messages.major_patterns`` — or when, at the latest crawl, it still had no reply
that long after the question (a reply never given counts from the question's time).

Never invents lateness: a time printed without hour counts as the end of its day for the
question and the start of its day for the reply; a message whose page says nothing about a
reply (no status, no reply) is not judged; nothing is judged when the column's latest crawl
is more than ``data_max_age_days`` before the as-of date (数据过期). Only messages due in the
assessment year (and after ``monitoring_start``) are judged: one finding per message, on the
互动回应 line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from govwatch.timeutil import CHINA, iso_week
from monitors import freshness
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "late_reply"
DEFAULT_REPLY_HOURS = 48
DEFAULT_MAJOR_HOURS = 24


@dataclass(frozen=True)
class Message:
    """A 留言 item as the rule reads it (``repo.message_items``)."""

    item_id: int
    source_id: int
    url: str
    title: str
    text: str  # the head of the page's text: where a major 舆情's words show
    facts: Mapping[str, Any]  # the item's ``message`` JSON (``crawler.extract.MessageFacts``)


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def asked_moment(facts: Mapping[str, Any]) -> datetime | None:
    """The latest moment the question can have been asked."""
    asked = _moment(facts.get("asked_at"))
    if asked is not None and not facts.get("asked_has_time", True):
        asked = datetime.combine(asked.date() + timedelta(days=1), time(), CHINA)
    return asked


def _replied(facts: Mapping[str, Any]) -> datetime | None:
    """The earliest moment the reply can have been given."""
    replied = _moment(facts.get("replied_at"))
    if replied is not None and not facts.get("replied_has_time", True):
        replied = datetime.combine(replied.date(), time(), CHINA)
    return replied


def printed(facts: Mapping[str, Any], which: str) -> str | None:
    """The question's or reply's time as the page printed it (to the minute, or the day)."""
    moment = _moment(facts.get(f"{which}_at"))
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%d %H:%M" if facts.get(f"{which}_has_time", True)
                           else "%Y-%m-%d")


def limit_hours(message: Message, thresholds: Mapping[str, Any], reply_hours: int,
                major_hours: int, major: Sequence[re.Pattern[str]]) -> tuple[int, bool]:
    """(hours allowed, whether the message is a major 舆情) for one message."""
    hours = int(thresholds.get("reply_hours", reply_hours))
    if any(p.search(message.title) or p.search(message.text) for p in major):
        return int(thresholds.get("major_reply_hours", major_hours)), True
    return hours, False


def judge(messages: Iterable[Message], sources: Mapping[int, SourceFacts], as_of: date,
          rule_map: RuleMap, reply_hours: int = DEFAULT_REPLY_HOURS,
          major_hours: int = DEFAULT_MAJOR_HOURS, major_patterns: Sequence[str] = (),
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS,
          monitoring_start: date | None = None) -> list[FindingDraft]:
    major = [re.compile(p) for p in major_patterns]
    year_start = date(as_of.year, 1, 1)
    first_day = max(year_start, monitoring_start) if monitoring_start else year_start
    drafts = []
    for m in messages:
        f = sources.get(m.source_id)
        asked = asked_moment(m.facts)
        if f is None or asked is None or freshness.seen_until(f, as_of, max_age_days) is None:
            continue  # outdated data: every rule is silent for the source (数据过期)
        hours, is_major = limit_hours(m, f.thresholds, reply_hours, major_hours, major)
        deadline = asked + timedelta(hours=hours)
        if not first_day <= deadline.date() <= as_of:
            continue
        replied = _replied(m.facts)
        status = m.facts.get("status")
        evidence: dict[str, Any] = {
            "title": m.title, "item_url": m.url, "column_url": f.source_url,
            "asked_at": printed(m.facts, "asked"),
            "limit_hours": hours, "major": is_major, "deadline": deadline.isoformat(),
            "status_text": m.facts.get("status_text"), "department": m.facts.get("department"),
            "crawl_run_id": f.last_run_id,
        }
        if replied is not None:
            if replied <= deadline:
                continue
            evidence.update(replied_at=printed(m.facts, "replied"),
                            hours=int((replied - asked).total_seconds() // 3600))
        else:
            seen = freshness.seen_at(f, as_of)
            if status != "pending" or seen is None:
                continue  # the page does not say it is unanswered
            if seen <= deadline:
                continue
            evidence.update(replied_at=None, seen_at=seen.strftime("%Y-%m-%d %H:%M"),
                            hours=int((seen - asked).total_seconds() // 3600))
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id, item_id=m.item_id,
            subject=f"item:{m.item_id}", period=iso_week(deadline.date()), as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id, evidence=evidence))
    return drafts
