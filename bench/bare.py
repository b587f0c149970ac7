"""The baseline: a bare Scrapy crawl of the same URLs that extracts nothing and stores nothing.

It runs with govwatch's own Scrapy settings (``crawler.settings.scrapy_settings`` from the same
crawl config: delay, concurrency, timeouts, retries, robots) less the storage pipeline, the
progress extension and govwatch's engine tuning (``ENGINE_TUNING`` and ``TUNED_MIDDLEWARES``:
stock Scrapy values and middlewares, so the baseline is what a plain Scrapy project gets), and
the same process shape — a column spider and an account spider in one ``CrawlerProcess``, in
one process or shared out by portal over several as ``govwatch crawl`` does — and reaches
page 2 of a column only after page 1 answered, as govwatch does. Run as
``python -m bench.bare SPEC.json OUT.json`` (the bench writes SPEC).
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import resource
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from bench.fixture import CrawlFixture
from crawler.process import share_by_portal, shared_settings
from crawler.settings import ENGINE_TUNING, TUNED_MIDDLEWARES, scrapy_settings


class BareColumnSpider(scrapy.Spider):
    """Fetches each column's list pages in order; parses nothing."""

    name = "bare_column"

    def __init__(self, chains: list[list[str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chains = chains
        self.pages = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for i, chain in enumerate(self.chains):
            yield scrapy.Request(chain[0], callback=self.parse_page, dont_filter=True,
                                 meta={"chain": i, "step": 0})

    def parse_page(self, response: Response) -> Iterator[scrapy.Request]:
        self.pages += 1
        chain, step = response.meta["chain"], response.meta["step"] + 1
        if step < len(self.chains[chain]):
            yield scrapy.Request(self.chains[chain][step], callback=self.parse_page,
                                 dont_filter=True, meta={"chain": chain, "step": step})


class BareAccountSpider(scrapy.Spider):
    """Fetches each account's feed once; parses nothing."""

    name = "bare_account"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.pages = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse_feed, dont_filter=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        self.pages += 1
        return iter(())


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Crawl the fixture described by ``spec``; return pages, duration and peak memory.

    With ``spec["processes"]`` above 1 the fixture's columns and accounts are shared out by
    portal over that many spawned processes, as ``govwatch crawl`` shares its sources
    (``crawler.process.share_by_portal`` and ``shared_settings``): like for like.
    """
    fixture = CrawlFixture(date.fromisoformat(spec["reference"]), spec["portals"],
                           spec["units"], spec["columns"], spec["pages"], spec["accounts"],
                           spec["port"])
    settings = scrapy_settings(spec["crawl"], database_url="sqlite://", data_dir="/tmp",
                               log_file=Path(spec["log_file"]), browser_executable=None,
                               use_browser=False)
    settings.pop("ITEM_PIPELINES")
    settings.pop("EXTENSIONS")
    for name in ENGINE_TUNING:
        settings.pop(name)
    settings["DOWNLOADER_MIDDLEWARES"] = {
        name: order for name, order in settings["DOWNLOADER_MIDDLEWARES"].items()
        if name not in TUNED_MIDDLEWARES}
    settings["LOG_FILE_APPEND"] = False
    # the columns (each a chain of list pages) and the feeds, shared out by portal
    work: list[list[str]] = [*fixture.column_chains(), *([url] for url in fixture.account_urls())]
    feeds = set(fixture.account_urls())
    groups = share_by_portal(work, lambda chain: chain[0], spec.get("processes", 1))
    started = time.monotonic()
    if len(groups) == 1:
        pages = _crawl(settings, work, feeds)
    else:
        # a process each (spawned, as govwatch's crawl processes are), each with its own log
        context = multiprocessing.get_context("spawn")
        answers = context.Queue()
        children = []
        for n, group in enumerate(groups):
            own = {**shared_settings(settings, len(groups)),
                   "LOG_FILE": f"{settings['LOG_FILE']}.{n}"}
            child = context.Process(target=_crawl_part, args=(own, group, feeds, answers))
            child.start()
            children.append(child)
        pages, waiting = 0, len(children)
        while waiting:
            try:
                pages += answers.get(timeout=5)
                waiting -= 1
            except queue.Empty:
                if not any(child.is_alive() for child in children) and answers.empty():
                    raise RuntimeError("a bare crawl process ended without answering") from None
        for child in children:
            child.join()
    elapsed = time.monotonic() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"pages": pages, "seconds": elapsed, "peak_rss_mb": peak_kb / 1024,
            "processes": len(groups)}


def _crawl_part(settings: dict[str, Any], work: list[list[str]], feeds: set[str],
                answers: Any) -> None:
    answers.put(_crawl(settings, work, feeds))


def _crawl(settings: dict[str, Any], work: list[list[str]], feeds: set[str]) -> int:
    """Crawl ``work`` (column chains, and single feed URLs) in this process; pages fetched."""
    process = CrawlerProcess(settings)
    crawlers = [process.create_crawler(BareColumnSpider),
                process.create_crawler(BareAccountSpider)]
    process.crawl(crawlers[0], chains=[chain for chain in work if chain[0] not in feeds])
    process.crawl(crawlers[1], urls=[chain[0] for chain in work if chain[0] in feeds])
    process.start()
    return sum(c.spider.pages for c in crawlers)  # type: ignore[union-attr]


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    result = run(spec)
    Path(sys.argv[2]).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
