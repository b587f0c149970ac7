"""The operations the CLI (and later the scheduler and web app) perform, as plain functions.

Each takes a loaded ``CountyConfig`` and returns data; printing is the caller's business.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from crawler.browser import BrowserNotFound, find_chromium
from crawler.job import CrawlJob, SourceSpec
from crawler.process import CrawlResult, ProgressCallback, log_file_for, run_crawl
from crawler.settings import scrapy_settings
from govwatch.config import CountyConfig
from govwatch.timeutil import today
from storage import repo
from storage.db import Database, database_url
from storage.models import Source, Unit

log = logging.getLogger("govwatch")


def open_database(config: CountyConfig, *, migrate: bool = True) -> Database:
    """The county's database, migrated to the current schema and synced with the config."""
    db = Database(database_url(config.settings.data_dir, config.settings.database_url))
    if migrate:
        db.migrate()
        with db.session() as session:
            repo.sync_config(session, config)
    return db


@dataclass(frozen=True)
class CrawlSummary:
    sources: int
    result: CrawlResult | None
    skipped: dict[int, str]  # source id → why it was not crawled


def crawl(config: CountyConfig, db: Database, *, unit_code: str | None = None,
          reference_date: date | None = None,
          on_progress: ProgressCallback | None = None) -> CrawlSummary:
    """Crawl the configured columns (of one unit, or all) in a child process."""
    reference_date = reference_date or today()
    crawl_cfg = config.settings.crawl
    with db.session() as session:
        query = (session.query(Source, Unit).join(Unit, Unit.id == Source.unit_id)
                 .filter(Source.active.is_(True), Source.type == "column"))
        if unit_code:
            query = query.filter(Unit.code == unit_code)
        specs = [
            SourceSpec(source_id=s.id, unit_code=u.code, name=s.name, type=s.type, kind=s.kind,
                       url=s.url, render=s.render, selectors=s.selectors)
            for s, u in query.order_by(Unit.code, Source.id)
        ]
    skipped: dict[int, str] = {}
    executable: str | None = None
    if any(s.render == "browser" for s in specs):
        try:
            executable = find_chromium(crawl_cfg.browser_executable)
        except BrowserNotFound as exc:
            log.error("%s", exc)
            skipped = {s.source_id: str(exc) for s in specs if s.render == "browser"}
            specs = [s for s in specs if s.render != "browser"]
    _record_skipped(db, skipped)
    if not specs:
        return CrawlSummary(0, None, skipped)
    data_dir = str(Path(config.settings.data_dir).resolve())
    job = CrawlJob(
        database_url=db.url, data_dir=data_dir, sources=tuple(specs),
        reference_date=reference_date, window_days=crawl_cfg.window_days,
        max_pages=crawl_cfg.max_pages,
        scrapy_settings=scrapy_settings(
            crawl_cfg.model_dump(), database_url=db.url, data_dir=data_dir,
            log_file=log_file_for(data_dir), browser_executable=executable,
            use_browser=any(s.render == "browser" for s in specs),
        ),
    )
    log.info("crawl start: %d sources, reference date %s", len(specs), reference_date)
    result = run_crawl(job, on_progress)
    log.info("crawl finished: pages=%d items=%d exit=%d", result.pages, result.items,
             result.exit_code)
    return CrawlSummary(len(specs), result, skipped)


def _record_skipped(db: Database, skipped: dict[int, str]) -> None:
    """A source that could not be crawled gets a failed crawl run, so monitors see it."""
    if not skipped:
        return
    with db.session() as session:
        for source_id, why in skipped.items():
            run_id = repo.open_crawl_run(session, source_id)
            repo.close_crawl_run(session, run_id, outcome="no_browser", error=why)
