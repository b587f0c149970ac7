"""Run one crawl in its own process.

Twisted's reactor cannot be restarted within a process, so every crawl — from the CLI, the
scheduler or a test — runs in fresh child processes (multiprocessing, spawn): one, or one per
core with the sources split by portal (``crawl.processes``), so a province's crawl is not
held to one core by the engine's per-page work. The parent gets
progress events through a queue and, should the child die, marks its open crawl runs as
interrupted so nothing is left 'running'.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import queue as queue_module
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from crawler.job import CrawlJob, SourceSpec, portal_of

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


def _child(job: CrawlJob, events: Any, tag: int = 0) -> None:
    """Child process body: the Scrapy engine, the spiders, the storage pipeline."""
    from scrapy.crawler import CrawlerProcess

    from crawler.progress import set_channel
    from crawler.spiders.account import AccountSpider
    from crawler.spiders.column import ColumnSpider

    set_channel(events, tag)
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
    events.put(("finished", tag))


def split_by_portal(job: CrawlJob, processes: int) -> list[CrawlJob]:
    """``job`` as up to ``processes`` jobs, a portal's sources never split between two.

    Largest portals first, each to the job with the fewest sources so far. Per-domain
    politeness (delay, concurrency per portal) then holds as in one process, and the global
    concurrency is shared out so that all of them together keep it too.
    """
    portals: dict[str, list[SourceSpec]] = {}
    for spec in job.sources:
        portals.setdefault(portal_of(spec.url), []).append(spec)
    parts = max(1, min(processes, len(portals)))
    if parts == 1:
        return [job]
    groups: list[list[SourceSpec]] = [[] for _ in range(parts)]
    for specs in sorted(portals.values(), key=len, reverse=True):
        min(groups, key=len).extend(specs)
    settings = dict(job.scrapy_settings)
    if "CONCURRENT_REQUESTS" in settings:
        settings["CONCURRENT_REQUESTS"] = max(
            -(-settings["CONCURRENT_REQUESTS"] // parts),
            settings.get("CONCURRENT_REQUESTS_PER_DOMAIN", 1))
    return [replace(job, sources=tuple(group), scrapy_settings=settings) for group in groups]


def run_crawl(job: CrawlJob, on_progress: ProgressCallback | None = None,
              processes: int = 1) -> CrawlResult:
    """Crawl ``job.sources`` in child processes (up to ``processes``, split by portal);
    block until they end."""
    ctx = multiprocessing.get_context("spawn")
    events = ctx.Queue()
    children = [ctx.Process(target=_child, args=(part, events, tag), name="govwatch-crawl")
                for tag, part in enumerate(split_by_portal(job, processes))]
    for child in children:
        child.start()
    counts: dict[tuple[int, str], tuple[int, int, int, int]] = {}
    pages = items = done = failed = 0
    finished: set[int] = set()
    while True:
        try:
            event = events.get(timeout=0.2)
        except queue_module.Empty:
            if not any(child.is_alive() for child in children):
                break
            continue
        if event[0] == "progress":
            counts[event[1]] = event[2:]
            pages, items, done, failed = (sum(c[i] for c in counts.values()) for i in range(4))
            if on_progress:
                on_progress(pages, items, done, failed)
        elif event[0] == "finished":
            finished.add(event[1])
            if len(finished) == len(children):
                break
    for child in children:
        child.join()
    exit_code = next((c.exitcode for c in children if c.exitcode), 0) or 0
    error = None
    if exit_code or len(finished) < len(children):
        error = f"crawl process ended abnormally (exit code {exit_code})"
        log.error(error)
        _interrupt_open_runs(job.database_url)
    return CrawlResult(exit_code, pages, items, done, failed, error)


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
