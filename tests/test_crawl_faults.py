"""Faults never lose data: failed sources keep their items, a killed crawl leaves the database
consistent and the next crawl completes."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from crawler.job import CrawlJob
from crawler.process import log_file_for, run_crawl
from crawler.settings import scrapy_settings
from govwatch.cli import app
from govwatch.config import CountyConfig
from govwatch.timeutil import CHINA
from storage import repo
from storage.models import CrawlRun, Item

from .conftest import AS_OF


def _seed(db, unit: str, name: str) -> int:
    with db.session() as session:
        source_id = repo.source_ids(session)[(unit, name)]
        repo.store_items(session, source_id, [repo.ItemRecord(
            "http://old.example.gov.cn/1.html", "此前抓到的通知", AS_OF.replace(day=1),
            published_at=datetime(2021, 9, 1, 10, tzinfo=CHINA))])
    return source_id


def test_failed_sources_keep_their_items(demo_config: CountyConfig) -> None:
    db = app.open_database(demo_config)
    seeded = {name: _seed(db, "B03", name) for name in ("通知公告", "行政执法公示")}
    for name in seeded:
        app.crawl(demo_config, db, unit_code="B03", source_name=name, reference_date=AS_OF)
    with db.session() as session:
        runs = repo.latest_runs(session, seeded.values())
        for source_id in seeded.values():
            (item,) = session.scalars(select(Item).where(Item.source_id == source_id))
            assert (item.title, item.published_on) == ("此前抓到的通知", AS_OF.replace(day=1))
    assert runs[seeded["通知公告"]].outcome == "http_error"
    assert runs[seeded["行政执法公示"]].outcome == "timeout"
    db.dispose()


def _job(config: CountyConfig, db) -> CrawlJob:
    with db.session() as session:
        ids = repo.source_ids(session)
    specs = [s for s in app.source_specs(config, ids) if s.render == "static"
             and s.timeout is None]
    data_dir = str(Path(config.settings.data_dir).resolve())
    crawl = config.settings.crawl.model_dump()
    crawl["concurrent_requests_per_domain"] = 1  # slow enough to be killed midway
    return CrawlJob(database_url=db.url, data_dir=data_dir, sources=tuple(specs),
                    reference_date=AS_OF, scrapy_settings=scrapy_settings(
                        crawl, database_url=db.url, data_dir=data_dir,
                        log_file=log_file_for(data_dir), browser_executable=None,
                        use_browser=False))


def test_a_killed_crawl_leaves_the_database_consistent(demo_config: CountyConfig) -> None:
    db = app.open_database(demo_config)
    job = _job(demo_config, db)
    killed = []

    def kill_after_some_pages(pages: int, items: int, done: int, failed: int) -> None:
        if pages >= 1 and not killed:
            for child in multiprocessing.active_children():
                if child.name == "govwatch-crawl":
                    os.kill(child.pid, signal.SIGKILL)
                    killed.append(child.pid)

    result = run_crawl(job, kill_after_some_pages)
    assert killed and result.exit_code == -signal.SIGKILL and result.error
    with db.session() as session:
        outcomes = dict(session.execute(select(CrawlRun.outcome, func.count())
                                        .group_by(CrawlRun.outcome)).all())
        items_before = session.scalar(select(func.count()).select_from(Item))
    assert "running" not in outcomes
    # progress comes a few times a second: a spider may have closed its runs before the kill
    assert outcomes.get("interrupted", 0) > 0
    assert outcomes.get("interrupted", 0) + outcomes.get("ok", 0) == len(job.sources)
    # the next crawl completes, and finds at least what the killed one stored
    again = run_crawl(job)
    assert again.exit_code == 0 and again.error is None
    with db.session() as session:
        runs = repo.latest_runs(session, [s.source_id for s in job.sources])
        items_after = session.scalar(select(func.count()).select_from(Item))
    assert {r.outcome for r in runs.values()} <= {"ok", "http_error", "blocked", "too_large",
                                                  "empty"}  # empty: the blank column
    assert items_after >= items_before and items_after > 0
    db.dispose()


def test_a_blocked_source_may_be_retried_in_the_browser(demo_config: CountyConfig) -> None:
    units = []
    for unit in demo_config.units:
        columns = [c.model_copy(update={"browser_fallback": True}) if c.name == "办事指南"
                   else c for c in unit.columns]
        units.append(unit.model_copy(update={"columns": columns}))
    config = demo_config.model_copy(update={"units": units})
    db = app.open_database(config)
    app.crawl(config, db, unit_code="B04", source_name="办事指南", reference_date=AS_OF)
    with db.session() as session:
        source_id = repo.source_ids(session)[("B04", "办事指南")]
        run = repo.latest_runs(session, [source_id])[source_id]
    # the challenge needs a real browser session with cookies the demo never grants:
    # still blocked, but the browser was tried
    assert run.outcome == "blocked" and run.http_status == 412
    assert "已改用浏览器重试" in (run.error or "")
    db.dispose()
