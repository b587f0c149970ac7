"""Run one crawl in its own process.

Twisted's reactor cannot be restarted within a process, so every crawl — from the CLI, the
scheduler or a test — runs in a fresh child process (multiprocessing, spawn). The parent gets
progress events through a queue and, should the child die, marks its open crawl runs as
interrupted so nothing is left 'running'.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import queue as queue_module
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.job import CrawlJob

log = logging.getLogger("govwatch.crawl")

ProgressCallback = Callable[[int, int, int, int], None]  # pages, items, sources done, failed


@dataclass(frozen=True)
class CrawlResult:
    exit_code: int
    pages: int
    items: int
    sources_done: int
    sources_failed: int
    error: str | None = None


def _child(job: CrawlJob, events: Any) -> None:
    """Child process body: the Scrapy engine, the spiders, the storage pipeline."""
    from scrapy.crawler import CrawlerProcess

    from crawler.progress import set_channel
    from crawler.spiders.account import AccountSpider
    from crawler.spiders.column import ColumnSpider

    set_channel(events)
    process = CrawlerProcess(dict(job.scrapy_settings))
    for spider, kind in ((ColumnSpider, "column"), (AccountSpider, "account")):
        sources = [s for s in job.sources if s.type == kind]
        if sources:
            process.crawl(spider, sources=sources, reference_date=job.reference_date,
                          window_days=job.window_days, max_pages=job.max_pages,
                          browser_available=job.browser_available)
    # What exists now (modules, the job, the spiders' sources) lives as long as the crawl:
    # frozen, it is left out of the collector's full passes, each of which would otherwise
    # rescan ~180,000 objects (a sixth of a large crawl's CPU time).
    gc.freeze()
    process.start()
    events.put(("finished",))


def run_crawl(job: CrawlJob, on_progress: ProgressCallback | None = None) -> CrawlResult:
    """Crawl ``job.sources`` in a child process; block until it ends."""
    ctx = multiprocessing.get_context("spawn")
    events = ctx.Queue()
    child = ctx.Process(target=_child, args=(job, events), name="govwatch-crawl")
    child.start()
    counts: dict[str, tuple[int, int, int, int]] = {}
    pages = items = done = failed = 0
    finished = False
    while True:
        try:
            event = events.get(timeout=0.2)
        except queue_module.Empty:
            if not child.is_alive():
                break
            continue
        if event[0] == "progress":
            counts[event[1]] = event[2:]
            pages, items, done, failed = (sum(c[i] for c in counts.values()) for i in range(4))
            if on_progress:
                on_progress(pages, items, done, failed)
        elif event[0] == "finished":
            finished = True
    child.join()
    error = None
    if child.exitcode != 0 or not finished:
        error = f"crawl process ended abnormally (exit code {child.exitcode})"
        log.error(error)
        _interrupt_open_runs(job.database_url)
    return CrawlResult(child.exitcode or 0, pages, items, done, failed, error)


def _interrupt_open_runs(database_url: str) -> None:
    from storage import repo
    from storage.db import Database

    db = Database(database_url)
    try:
        with db.session() as session:
            repo.interrupt_open_runs(session)
    finally:
        db.dispose()


def log_file_for(data_dir: str) -> Path:
    folder = Path(data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "crawl.log"
