"""Judgements come only from crawl data inside the freshness window.

A crawler that stopped must not turn into violations: as of two weeks after the last crawl,
every rule is silent and each source gets one 数据过期 crawl-health finding instead. Within
the window, a rule judges only as far as the latest crawl looked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from govwatch.cli import app
from govwatch.config import CountyConfig
from govwatch.timeutil import CHINA, today
from monitors import crawl_failure, freshness, low_post_frequency, stale_column
from monitors.rule_map import load_rule_map
from monitors.runner import run_monitors
from storage.db import Database
from storage.models import Finding
from storage.repo import SourceFacts

from .conftest import DEMO_CONFIG, ROOT, config_in, config_text_in, serving_demo

RULES = load_rule_map()
CRAWLED = date(2021, 9, 8)  # a Wednesday


def facts(source_type: str = "column", **changes: object) -> SourceFacts:
    base = SourceFacts(
        source_id=7, source_name="通知公告", source_url="http://x.gov.cn/tzgg/",
        source_type=source_type, kind="general" if source_type == "column" else "weibo",
        expect_update=True, thresholds={}, unit_id=1, unit_code="A01", unit_name="城关镇",
        category="A", last_run_id=3, last_run_outcome="ok",
        last_run_started=datetime(2021, 9, 8, 2, 0, tzinfo=CHINA), last_run_error=None,
        last_run_status=None, newest_item_id=11, newest_published_on=date(2021, 9, 7),
        newest_url="http://x.gov.cn/tzgg/1.html", newest_title="关于防汛的通知",
        snapshot_id=5, oldest_published_on=date(2021, 6, 1),
        first_ok_at=datetime(2021, 6, 1, 2, tzinfo=CHINA), monitored_since=date(2021, 8, 2),
    )
    return replace(base, **changes)


def test_outdated_data_silences_the_rules_and_says_so() -> None:
    column, account = facts(), facts("account", source_id=8)
    two_weeks_on = CRAWLED + timedelta(days=14)
    assert freshness.seen_until(column, two_weeks_on) is None
    assert stale_column.judge([column], two_weeks_on, RULES) == []
    assert low_post_frequency.judge([account], {8: {}}, two_weeks_on, RULES) == []
    outdated = crawl_failure.judge([column, account], two_weeks_on, RULES)
    assert [(d.subject, d.evidence["outcome"], d.evidence["data_age_days"], d.points)
            for d in outdated] == [("source:7", "stale_data", 14, 0),
                                   ("source:8", "stale_data", 14, 0)]
    # a failing source whose failures stopped being recorded is outdated too, not failing
    failed = facts(last_run_outcome="http_error", failing_since=column.last_run_started)
    (draft,) = crawl_failure.judge([failed], two_weeks_on, RULES, default_days=1)
    assert draft.evidence["outcome"] == "stale_data"
    # the county's limit, and a source's own
    old = replace(column, newest_published_on=date(2021, 8, 20))
    assert stale_column.judge([old], two_weeks_on, RULES) == []
    assert stale_column.judge([old], two_weeks_on, RULES, max_age_days=30)
    assert stale_column.judge([replace(old, thresholds={"data_max_age_days": 30})],
                              two_weeks_on, RULES)


def test_inside_the_window_rules_judge_only_as_far_as_the_crawl_looked() -> None:
    # updated the day before the crawl, judged three days after it: not 7 days stale
    column = facts(newest_published_on=CRAWLED - timedelta(days=5))
    assert stale_column.judge([column], CRAWLED + timedelta(days=3), RULES) == []
    (found,) = stale_column.judge([replace(column, newest_published_on=date(2021, 9, 1))],
                                  CRAWLED + timedelta(days=3), RULES)
    assert found.evidence["days_without_update"] == 7  # to the crawl, not to the as-of date
    # a week that ended after the crawl was never seen whole: not judged, even with no posts
    account = facts("account", source_id=8,
                    last_run_started=datetime(2021, 9, 12, 2, tzinfo=CHINA))  # a Sunday
    monday = date(2021, 9, 13)
    assert date(2021, 9, 6) not in low_post_frequency.weeks_to_judge(account, monday)
    crawled_monday = replace(account, last_run_started=datetime(2021, 9, 13, 2, tzinfo=CHINA))
    assert date(2021, 9, 6) in low_post_frequency.weeks_to_judge(crawled_monday, monday)
    # judging a day before the crawl: the crawl saw that day
    assert freshness.seen_until(column, CRAWLED - timedelta(days=30)) == CRAWLED - timedelta(
        days=30)


# --------------------------------------------------------------- the demo, crawled today


@dataclass
class Crawled:
    config: CountyConfig
    db: Database
    config_file: Path


@pytest.fixture(scope="module")
def crawled_today(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """The demo county crawled today, as `make demo` does."""
    data_dir = tmp_path_factory.mktemp("fresh") / "data"
    with serving_demo(today()):
        config = config_in(DEMO_CONFIG, data_dir)
        db = app.open_database(config)
        summary = app.crawl(config, db, reference_date=today())
        assert summary.result is not None and summary.result.error is None
        config_file = data_dir.parent / "county.yaml"  # the demo's, with this data folder
        config_file.write_text(config_text_in(DEMO_CONFIG, data_dir), encoding="utf-8")
        yield Crawled(config, db, config_file)
        db.dispose()


def _findings(db: Database, as_of: date) -> list[Finding]:
    with db.session() as session:
        return list(session.scalars(select(Finding).where(Finding.as_of == as_of)))


def test_a_crawler_that_stopped_invents_no_violation(crawled_today: Crawled) -> None:
    fresh = run_monitors(crawled_today.db, crawled_today.config, today())
    assert fresh.outdated == 0
    assert {"stale_column", "low_post_frequency"} <= set(fresh.by_rule)
    later = today() + timedelta(days=14)
    report = run_monitors(crawled_today.db, crawled_today.config, later)
    found = _findings(crawled_today.db, later)
    assert found and {f.rule for f in found} == {"crawl_failure"}
    assert {f.evidence["outcome"] for f in found} == {"stale_data"}
    assert report.outdated == len(found)
    assert all(f.points == 0 for f in found)


def test_the_monitor_command_warns_of_outdated_data(crawled_today: Crawled) -> None:
    later = today() + timedelta(days=10)
    done = subprocess.run(
        [sys.executable, "-m", "govwatch", "--config", str(crawled_today.config_file),
         "monitor", "--as-of", later.isoformat()],
        cwd=ROOT, env={**os.environ, "GOVWATCH_CACHE_DIR": "off", "PYTHONIOENCODING": "utf-8"},
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "数据过期" in done.stderr and "未作判定" in done.stderr, done.stderr[-2000:]
    assert "stale_column" not in done.stdout and "crawl_failure" in done.stdout
