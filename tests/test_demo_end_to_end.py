"""The walking skeleton end to end: the real demo portal over 127.0.0.1, the real Scrapy engine
in a child process, a real SQLite file, the stale-column and crawl-health monitors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govwatch import app
from govwatch.config import CountyConfig
from monitors.runner import run_monitors
from storage import repo
from storage.db import Database
from storage.models import CrawlRun, Item, Snapshot, Source, Unit

from .conftest import AS_OF, DEMO_CONFIG, config_in

STALE = {("A01", "通知公告"), ("A03", "工作动态"), ("B01", "通知公告")}
FAILED = {("B03", "通知公告")}


@pytest.fixture(scope="module")
def crawled(demo_portal: object, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[CountyConfig, Database]]:
    """The whole demo portal crawled once, as of AS_OF."""
    config = config_in(DEMO_CONFIG, tmp_path_factory.mktemp("demo") / "data")
    db = app.open_database(config)
    summary = app.crawl(config, db, reference_date=AS_OF)
    assert summary.result is not None and summary.result.error is None
    assert summary.skipped == {}
    yield config, db
    db.dispose()


def _items(db: Database, unit: str, source: str) -> list[Item]:
    with db.session() as session:
        return list(session.scalars(
            select(Item).join(Source, Source.id == Item.source_id)
            .join(Unit, Unit.id == Source.unit_id)
            .where(Unit.code == unit, Source.name == source)
            .order_by(Item.published_on.desc())
        ))


def _newest(db: Database, unit: str, source: str) -> date | None:
    return max((i.published_on for i in _items(db, unit, source) if i.published_on),
               default=None)


def test_every_column_shape_is_read(crawled: tuple[CountyConfig, Database]) -> None:
    _, db = crawled
    days = lambda unit, source: (AS_OF - _newest(db, unit, source)).days  # noqa: E731
    assert days("A01", "政务动态") == 1
    assert days("A01", "通知公告") == 10  # GBK page, charset only in <meta>
    assert days("A02", "信息公开") == 6  # table layout
    assert days("A03", "工作动态") == 7  # [08-30] year-less dates
    assert days("B01", "通知公告") == 12  # no dates on the list: read from articles
    assert days("B02", "工作动态") == 3  # list drawn by JavaScript
    assert days("B04", "卫生健康") == 0
    gbk_titles = [i.title for i in _items(db, "A01", "通知公告")]
    assert gbk_titles and all("\ufffd" not in t for t in gbk_titles)
    assert any("通知" in t or "公告" in t for t in gbk_titles)
    # Paginated column: more than one page's worth was followed, within the 35-day window.
    paged = _items(db, "A02", "乡镇动态")
    assert len(paged) > 20
    with db.session() as session:
        pages = session.scalar(select(func.max(CrawlRun.pages)).join(Source)
                               .where(Source.name == "乡镇动态"))
    assert pages is not None and pages >= 2


def test_crawl_runs_record_outcomes_and_snapshots(crawled: tuple[CountyConfig, Database]
                                                  ) -> None:
    _, db = crawled
    with db.session() as session:
        runs = {(u.code, s.name): r for r, s, u in session.execute(
            select(CrawlRun, Source, Unit).join(Source, Source.id == CrawlRun.source_id)
            .join(Unit, Unit.id == Source.unit_id))}
        snapshots = session.scalar(select(func.count()).select_from(Snapshot))
    failed = runs[("B03", "通知公告")]
    assert (failed.outcome, failed.http_status) == ("http_error", 500)
    assert all(r.outcome == "ok" for key, r in runs.items() if key not in FAILED)
    assert snapshots is not None and snapshots >= len(runs)


def test_recrawl_adds_nothing_twice(crawled: tuple[CountyConfig, Database]) -> None:
    config, db = crawled
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Item))
    app.crawl(config, db, reference_date=AS_OF)
    with db.session() as session:
        after = session.scalar(select(func.count()).select_from(Item))
        latest_new = session.scalars(select(CrawlRun.items_new)
                                     .order_by(CrawlRun.id.desc())).all()[:5]
    assert after == before
    assert latest_new == [0, 0, 0, 0, 0]


def test_monitors_find_exactly_the_stale_columns(crawled: tuple[CountyConfig, Database]
                                                 ) -> None:
    config, db = crawled
    report = run_monitors(db, config, AS_OF)
    with db.session() as session:
        rows = repo.list_findings(session)
    stale = {(r.unit_code, r.source_name) for r in rows if r.rule == "stale_column"}
    failed = {(r.unit_code, r.source_name) for r in rows if r.rule == "crawl_failure"}
    assert stale == STALE
    assert failed == FAILED
    a01 = next(r for r in rows if (r.unit_code, r.source_name) == ("A01", "通知公告"))
    assert a01.evidence["days_without_update"] == 10
    assert a01.evidence["item_url"].startswith(os.environ["GOVWATCH_DEMO_URL"])
    assert a01.period == "2021-W36" and a01.points == 1 and a01.status == "pending"
    # Running again proposes the same findings and stores none twice.
    again = run_monitors(db, config, AS_OF)
    assert again.new_ids == [] and sorted(again.known_ids) == sorted(report.new_ids)


def test_cli_demo_prints_the_findings(demo_portal: object, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("GOVWATCH_DEMO_URL", None)
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "govwatch", "--config", str(DEMO_CONFIG), *args],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600,
    )
    done = run("demo", "--as-of", "2021-09-08", "--port", "0")
    assert done.returncode == 0, done.stderr
    assert "栏目长期未更新" in done.stdout and "抓取异常" in done.stdout
    listed = run("findings", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    keys = {"id", "rule", "unit_code", "unit_name", "source_name", "item_url", "period",
            "as_of", "points", "status", "evidence"}
    assert rows and all(keys <= set(r) for r in rows)
    assert {(r["unit_code"], r["source_name"]) for r in rows
            if r["rule"] == "stale_column"} == STALE
    assert {(r["unit_code"], r["source_name"]) for r in rows
            if r["rule"] == "crawl_failure"} == FAILED
    csv_out = run("findings", "list", "--rule", "crawl_failure", "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("id,rule,")
    assert len(csv_out.stdout.strip().splitlines()) == 2
