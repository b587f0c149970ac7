"""Rule 1 and crawl health as pure functions: facts in, findings out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from govwatch.timeutil import CHINA
from monitors import crawl_failure, stale_column
from monitors.rule_map import load_rule_map
from storage.repo import SourceFacts

AS_OF = date(2021, 9, 8)
RULES = load_rule_map()


def facts(days_old: int | None, *, outcome: str | None = "ok", category: str = "A",
          expect_update: bool = True, thresholds: dict | None = None,
          source_type: str = "column") -> SourceFacts:
    newest = AS_OF - timedelta(days=days_old) if days_old is not None else None
    return SourceFacts(
        source_id=7, source_name="通知公告", source_url="http://x.gov.cn/tzgg/",
        source_type=source_type, kind="general", expect_update=expect_update,
        thresholds=thresholds or {}, unit_id=1, unit_code="A01", unit_name="城关镇",
        category=category, last_run_id=3, last_run_outcome=outcome,
        last_run_started=datetime(2021, 9, 8, 9, 0, tzinfo=CHINA) if outcome else None,
        last_run_error=None, last_run_status=500 if outcome == "http_error" else None,
        newest_item_id=11 if newest else None, newest_published_on=newest,
        newest_url="http://x.gov.cn/tzgg/1.html" if newest else None,
        newest_title="关于防汛的通知" if newest else None, snapshot_id=5,
    )


@pytest.mark.parametrize(("days", "fires"), [(0, False), (6, False), (7, True), (30, True)])
def test_seven_days_counts(days: int, fires: bool) -> None:
    found = stale_column.judge([facts(days)], AS_OF, RULES)
    assert bool(found) is fires
    if fires:
        (f,) = found
        assert (f.rule, f.period, f.subject, f.points) == ("stale_column", "2021-W36",
                                                          "source:7", 1)
        assert f.evidence["days_without_update"] == days
        assert f.evidence["newest_published_on"] == (AS_OF - timedelta(days=days)).isoformat()
        assert f.evidence["item_url"] == "http://x.gov.cn/tzgg/1.html"
        assert f.indicator and "保持内容更新" in f.indicator
        assert f.snapshot_id == 5


def test_class_b_deducts_from_its_own_line() -> None:
    (f,) = stale_column.judge([facts(9, category="B")], AS_OF, RULES)
    assert "信息公开及政务新媒体更新情况" in (f.indicator or "")


def test_per_source_threshold_and_expect_update() -> None:
    assert stale_column.judge([facts(9, thresholds={"stale_days": 10})], AS_OF, RULES) == []
    assert stale_column.judge([facts(10, thresholds={"stale_days": 10})], AS_OF, RULES)
    assert stale_column.judge([facts(400, expect_update=False)], AS_OF, RULES) == []
    assert stale_column.judge([facts(9)], AS_OF, RULES, default_stale_days=14) == []


@pytest.mark.parametrize("outcome", ["http_error", "timeout", "no_items", "blocked"])
def test_failed_crawl_is_never_stale_but_a_health_finding(outcome: str) -> None:
    old = replace(facts(40, outcome=outcome),
                  failing_since=datetime(2021, 9, 7, 9, 0, tzinfo=CHINA))
    assert stale_column.judge([old], AS_OF, RULES) == []
    (health,) = crawl_failure.judge([old], AS_OF, RULES)
    assert (health.rule, health.points, health.evidence["outcome"]) == ("crawl_failure", 0,
                                                                        outcome)
    assert health.evidence["failing_days"] == 2


def test_crawl_failure_needs_consecutive_days() -> None:
    one_night = facts(40, outcome="http_error")  # failing since its only run, today
    assert crawl_failure.failing_days(one_night) == 1
    assert crawl_failure.judge([one_night], AS_OF, RULES) == []  # default: 2 days
    assert crawl_failure.judge([one_night], AS_OF, RULES, default_days=1)
    week = replace(one_night, failing_since=datetime(2021, 9, 2, 23, 0, tzinfo=CHINA))
    assert crawl_failure.failing_days(week) == 7
    assert crawl_failure.judge([replace(week, thresholds={"crawl_failure_days": 8})], AS_OF,
                               RULES) == []


def test_never_crawled_and_healthy_sources_give_nothing() -> None:
    never = facts(None, outcome=None)
    assert stale_column.judge([never], AS_OF, RULES) == []
    assert crawl_failure.judge([never, facts(1)], AS_OF, RULES) == []


def test_ok_crawl_without_any_dated_item_is_not_stale() -> None:
    assert stale_column.judge([facts(None)], AS_OF, RULES) == []


def test_accounts_are_not_columns() -> None:
    assert stale_column.judge([facts(30, source_type="account")], AS_OF, RULES) == []


def crawled_on(f: SourceFacts, day: date) -> SourceFacts:
    return replace(f, last_run_started=datetime(day.year, day.month, day.day, 2, tzinfo=CHINA))


def test_period_is_the_iso_week_of_the_as_of_date() -> None:
    sunday, monday = date(2021, 9, 12), date(2021, 9, 13)
    (f,) = stale_column.judge([crawled_on(replace(facts(8), newest_published_on=date(2021, 9, 1)),
                                          sunday)], sunday, RULES)
    assert f.period == "2021-W36"
    (g,) = stale_column.judge([crawled_on(facts(8), monday)], monday, RULES)
    assert g.period == "2021-W37"
