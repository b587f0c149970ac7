"""留言超期未回复 — a 留言 of a ``kind: messages`` column still unanswered
``national.unanswered_days`` (90) after it was asked, at the latest crawl: a 单项否决 item of
the national checks. Judged only where the page says so (办理中/待回复/暂无回复: status
``pending``) and on fresh data; one finding per message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from monitors import freshness
from monitors.late_reply import Message, asked_moment, printed
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, SourceFacts

RULE = "unanswered_message"


def judge(messages: Iterable[Message], sources: Mapping[int, SourceFacts], as_of: date,
          rule_map: RuleMap, days: int = 90,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    drafts = []
    for m in messages:
        f = sources.get(m.source_id)
        asked = asked_moment(m.facts)
        if (f is None or asked is None or m.facts.get("status") != "pending"
                or m.facts.get("replied_at")
                or freshness.seen_until(f, as_of, max_age_days) is None):
            continue
        seen = freshness.seen_at(f, as_of)
        assert seen is not None  # fresh data has a crawl
        waited = (seen - asked) // timedelta(days=1)
        if waited < days:
            continue
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id, item_id=m.item_id,
            subject=f"item:{m.item_id}", period="", as_of=as_of, points=points,
            indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={"title": m.title, "item_url": m.url, "column_url": f.source_url,
                      "asked_at": printed(m.facts, "asked"),
                      "seen_at": seen.strftime("%Y-%m-%d %H:%M"), "days": waited,
                      "threshold_days": days, "status_text": m.facts.get("status_text")}))
    return drafts
