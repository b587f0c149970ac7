"""A crawl split by portal across processes stores what one process stores.

``split_by_portal`` never splits a portal (per-domain politeness holds) and shares the global
concurrency out; crawling the demo county served by three portals in two processes stores
the same items, crawl outcomes and findings as crawling it in one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import yaml

from crawler.job import CrawlJob, SourceSpec, portal_of
from crawler.linkcheck import link_check_settings
from crawler.process import scrapy_process, split_by_portal
from crawler.settings import ENGINE_TUNING, FAST_EVENT_LOOP, scrapy_settings
from demo_portal import DemoPortal
from govwatch.cli import app
from govwatch.config import CrawlSettings, load_config
from monitors.runner import run_monitors

from .conftest import AS_OF, county


def _spec(i: int, host: str) -> SourceSpec:
    return SourceSpec(i, "A01", f"栏目{i}", "column", "general", f"http://{host}/c{i}/")


def test_split_by_portal_keeps_portals_whole_and_shares_the_concurrency() -> None:
    hosts = ["a.gov.cn"] * 5 + ["b.gov.cn"] * 3 + ["c.gov.cn"] * 2 + ["d.gov.cn"]
    job = CrawlJob("sqlite://", "/tmp", tuple(_spec(i, h) for i, h in enumerate(hosts)),
                   AS_OF, scrapy_settings={"CONCURRENT_REQUESTS": 32,
                                           "CONCURRENT_REQUESTS_PER_DOMAIN": 4})
    parts = split_by_portal(job, 2)
    assert len(parts) == 2
    portals = [{portal_of(s.url) for s in part.sources} for part in parts]
    assert not portals[0] & portals[1]
    assert sorted(len(p.sources) for p in parts) == [5, 6]  # a; b + c + d
    assert sorted(s.source_id for p in parts for s in p.sources) == list(range(len(hosts)))
    assert all(p.scrapy_settings["CONCURRENT_REQUESTS"] == 16 for p in parts)
    assert job.scrapy_settings["CONCURRENT_REQUESTS"] == 32  # the job itself is left as is
    assert split_by_portal(job, 1) == [job]
    one_portal = CrawlJob("sqlite://", "/tmp", job.sources[:5], AS_OF)
    assert split_by_portal(one_portal, 4) == [one_portal]  # never more processes than portals


def _debug_records_made(settings: dict[str, object]) -> list[bool]:
    """In a fresh process (a crawl process's reactor): whether, once the crawl process is
    set up, a DEBUG record of Scrapy's and of govwatch's would be made at all."""
    job = CrawlJob("sqlite://", "/tmp", (_spec(0, "a.gov.cn"), SourceSpec(
        1, "A01", "公众号", "account", "wechat", "http://a.gov.cn/feed.xml")), AS_OF,
        scrapy_settings=settings)
    scrapy_process(job)
    return [logging.getLogger(name).isEnabledFor(logging.DEBUG)
            for name in ("scrapy.core.scraper", "govwatch.crawl")]


def test_as_many_processes_as_configured_else_one_per_core() -> None:
    """``crawl.processes``, else a process per core: the crawl's and its link checks'."""
    assert CrawlSettings(processes=3).process_count == 3
    assert CrawlSettings().process_count == (os.cpu_count() or 1)


def test_a_crawl_process_makes_no_records_below_its_log_level(tmp_path: Path) -> None:
    """Scrapy drops records below LOG_LEVEL in its handler, after making them, and resets the
    root logger's level with every crawler it adds: two DEBUG records a page were built for
    nothing until the level was set once the crawlers existed."""
    settings = scrapy_settings(CrawlSettings().model_dump(), database_url="sqlite://",
                               data_dir=str(tmp_path), log_file=tmp_path / "crawl.log",
                               browser_executable=None, use_browser=False)
    assert settings["LOG_LEVEL"] == "INFO"
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_debug_records_made, (settings,)) == [False, False]


def _extensions(settings: dict[str, object], link_check: bool
                ) -> list[tuple[list[str], list[str]]]:
    """In a fresh process: the extensions and spider middlewares of a crawl process's
    crawlers, or of a link check's."""
    if link_check:
        from scrapy.crawler import CrawlerProcess

        from crawler.linkcheck import LinkSpider

        process = CrawlerProcess(settings)
        process.crawl(LinkSpider, links=[], results={}, refusal=lambda url: None)
    else:
        process = scrapy_process(CrawlJob("sqlite://", "/tmp", (_spec(0, "a.gov.cn"),), AS_OF,
                                          scrapy_settings=settings))
    return [(sorted(type(e).__name__ for e in crawler.extensions.middlewares),
             sorted(type(m).__name__ for m in _spider_middlewares(crawler)))
            for crawler in process.crawlers]


def _spider_middlewares(crawler: Any) -> list[object]:
    from scrapy.core.spidermw import SpiderMiddlewareManager

    return SpiderMiddlewareManager.from_crawler(crawler).middlewares


def test_no_console_and_no_unread_stats_in_crawl_and_link_check_processes(
        tmp_path: Path) -> None:
    """Scrapy's telnet console and its remote control (an HTTP server running posted Python
    code, on by default since Scrapy 2.19) stay closed in processes that read untrusted
    pages; CoreStats, which fills the stats nobody reads, is not loaded either."""
    crawl = scrapy_settings(CrawlSettings().model_dump(), database_url="sqlite://",
                            data_dir=str(tmp_path), log_file=None, browser_executable=None,
                            use_browser=False)
    checks = link_check_settings(timeout=5, per_host=2, retries=1, user_agent="t")
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        ((crawl_ext, crawl_mw),) = pool.apply(_extensions, (crawl, False))
        ((check_ext, check_mw),) = pool.apply(_extensions, (checks, True))
    assert "ProgressReporter" in crawl_ext
    for found in (crawl_ext, check_ext):
        assert not {"RemoteControl", "TelnetConsole", "CoreStats"} & set(found), found
    # nor the spider middlewares that wrap every yielded request and item for nothing here
    # (request depth, a development-time meta check); the bare spider of the bench, which
    # drops ENGINE_TUNING's settings, keeps Scrapy's own
    assert "SPIDER_MIDDLEWARES" in ENGINE_TUNING
    for found in (crawl_mw, check_mw):
        assert {"HttpErrorMiddleware", "RefererMiddleware", "UrlLengthMiddleware"} <= set(found)
        assert not {"DepthMiddleware", "MetaCopyDetectionMiddleware"} & set(found), found


def _event_loop(settings: dict[str, object]) -> str:
    """In a fresh process: the module of the asyncio loop under a crawl process's reactor."""
    scrapy_process(CrawlJob("sqlite://", "/tmp", (_spec(0, "a.gov.cn"),), AS_OF,
                            scrapy_settings=settings))
    from twisted.internet import reactor  # the one the crawl process installed

    return type(reactor._asyncioEventloop).__module__  # type: ignore[attr-defined]


def test_the_crawl_runs_on_uvloop_and_the_browser_crawl_on_asyncios_loop(
        tmp_path: Path) -> None:
    """uvloop is a dependency (FAST_EVENT_LOOP): the crawl's reactor and the link checks' run
    on it; with the browser, Playwright keeps the asyncio loop it is tested on."""
    assert FAST_EVENT_LOOP == {"ASYNCIO_EVENT_LOOP": "uvloop.Loop"}
    assert link_check_settings(timeout=5, per_host=2, retries=1,
                               user_agent="t")["ASYNCIO_EVENT_LOOP"] == "uvloop.Loop"
    loops = []
    for use_browser in (False, True):
        settings = scrapy_settings(CrawlSettings().model_dump(), database_url="sqlite://",
                                   data_dir=str(tmp_path), log_file=None,
                                   browser_executable=None, use_browser=use_browser)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            loops.append(pool.apply(_event_loop, (settings,)))
    assert loops[0].startswith("uvloop")
    assert loops[1].startswith("asyncio")
    # the bench's bare spider drops ENGINE_TUNING's settings: stock Scrapy's loop
    assert "ASYNCIO_EVENT_LOOP" in ENGINE_TUNING


def _crawled(tmp_path: Path, portals: dict[str, DemoPortal], processes: int
             ) -> tuple[Path, int]:
    tmp_path.mkdir()
    path = county(tmp_path, portals)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["settings"]["crawl"]["processes"] = processes
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(path)
    db = app.open_database(config)
    try:
        summary = app.crawl(config, db, reference_date=AS_OF)
        assert summary.result is not None and summary.result.exit_code == 0
        run_monitors(db, config, AS_OF)
    finally:
        db.dispose()
    db_path = Path(config.settings.data_dir) / "govwatch.db"
    # the processes that crawled, as the runs they opened record them (host:pid:start); a
    # progress callback may come only after a quick process has already finished
    with sqlite3.connect(db_path) as conn:
        owners = conn.execute("SELECT count(DISTINCT owner) FROM crawl_run").fetchone()[0]
    return db_path, owners


def _stored(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db_path) as conn:
        return {
            "items": conn.execute(
                "SELECT s.name, u.code, i.url, i.title, i.published_on, i.content_hash "
                "FROM item i JOIN source s ON s.id = i.source_id JOIN unit u ON u.id = s.unit_id "
                "ORDER BY u.code, s.name, i.url").fetchall(),
            "runs": conn.execute(
                "SELECT s.name, u.code, r.outcome, r.pages, r.items_found, r.items_new "
                "FROM crawl_run r JOIN source s ON s.id = r.source_id "
                "JOIN unit u ON u.id = s.unit_id ORDER BY u.code, s.name").fetchall(),
            "findings": conn.execute(
                "SELECT f.rule, u.code, f.period, f.points FROM finding f "
                "JOIN unit u ON u.id = f.unit_id ORDER BY 1, 2, 3, 4").fetchall(),
        }


def test_two_processes_store_what_one_stores(tmp_path: Path,
                                             portals: dict[str, DemoPortal]) -> None:
    one_db, one = _crawled(tmp_path / "one", portals, 1)
    two_db, two = _crawled(tmp_path / "two", portals, 2)
    assert (one, two) == (1, 2)
    stored = _stored(one_db)
    assert stored["items"] and stored["findings"]
    assert _stored(two_db) == stored, _differences(one_db, two_db)


def _differences(one_db: Path, two_db: Path) -> str:
    """The rows only one crawl stored, and both crawls' error notes: what a failure of
    this comparison needs to be read (a full diff of 650 items hides the few that differ)."""
    one, two = _stored(one_db), _stored(two_db)
    lines = []
    for table in one:
        lines += [f"{table} only in one process: {row}" for row in one[table]
                  if row not in two[table]]
        lines += [f"{table} only in two processes: {row}" for row in two[table]
                  if row not in one[table]]
    for name, db_path in (("one", one_db), ("two", two_db)):
        with sqlite3.connect(db_path) as conn:
            lines += [f"{name}: {row}" for row in conn.execute(
                "SELECT s.name, r.outcome, r.pages, r.error FROM crawl_run r "
                "JOIN source s ON s.id = r.source_id WHERE r.error IS NOT NULL")]
        log = db_path.parent / "logs" / "crawl.log"
        if log.exists():
            lines += [f"{name} log: {line}" for line in
                      log.read_text(encoding="utf-8", errors="replace").splitlines()
                      if " WARNING: " in line or " ERROR: " in line]
    return "\n".join(lines)
