"""Storage pipeline: writes what the spider yields, and one crawl_run per source.

The spider argument of the hooks is optional because current Scrapy no longer passes it;
the spider is read from the crawler instead.

Items and page snapshots are buffered and written in batches (one transaction per batch,
one statement per kind) so a large crawl does not pay a commit, nor a statement, per page.
Crawl runs are opened when the spider opens and closed with the spider's per-source tally
when it closes — also when the crawl is cut short, so nothing is left 'running'.

Storage that fails (a full disk, a database gone) stops the crawl: fetching on while nothing
can be kept would report success over lost pages. The parent hears of it
(``progress.report_error``) and the crawl exits non-zero; runs the pipeline cannot close
then are closed by the next sweep (``repo.sweep_orphaned_runs``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.exc import SQLAlchemyError

from crawler.items import EntryBatch, PageLinksItem, SnapshotItem
from crawler.progress import report_error
from govwatch.liveness import this_process
from govwatch.timeutil import now
from storage import repo
from storage.db import Database

# A batch costs a transaction and two statements whatever its size: a few seconds of a
# large crawl's work are buffered at most.
BATCH_SIZE = 1000  # entries
SNAPSHOT_BATCH_SIZE = 100  # snapshots hold whole pages: flush them sooner
# What a failing database or disk raises through SQLAlchemy or the snapshot files.
STORAGE_ERRORS = (SQLAlchemyError, OSError)

log = logging.getLogger("govwatch.crawl")


class StoragePipeline:
    """Scrapy item pipeline writing into govwatch storage."""

    def __init__(self, crawler: Any, database_url: str, data_dir: str) -> None:
        self.crawler = crawler
        self.db = Database(database_url)
        self.data_dir = Path(data_dir)
        self.run_ids: dict[int, int] = {}
        self.buffer: dict[int, list[repo.ItemFacts]] = defaultdict(list)
        self.buffered = 0
        self.snapshots: list[repo.SnapshotRecord] = []
        self.page_links: list[repo.PageLinksRecord] = []
        self.failure: str | None = None  # why storing failed, once it has

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        settings = crawler.settings
        return cls(crawler, settings["GOVWATCH_DATABASE_URL"], settings["GOVWATCH_DATA_DIR"])

    def open_spider(self, spider: Any = None) -> None:
        spider = self.crawler.spider
        owner = this_process()
        try:
            with self.db.session() as session:
                self.run_ids.update(repo.open_crawl_runs(
                    session, spider.sources, owner=owner,
                    reference_date=getattr(spider, "reference_date", None)))
        except STORAGE_ERRORS as exc:
            self.run_ids.clear()
            self._storage_failed(exc)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if self.failure:
            return item  # nowhere to keep it; the crawl is stopping
        if isinstance(item, SnapshotItem):
            self._keep_snapshot(item)
        elif isinstance(item, PageLinksItem):
            self.page_links.append(repo.PageLinksRecord(
                item.source_id, item.page_url, item.links, item.hidden, item.title,
                getattr(self.crawler.spider, "reference_date", None)))
        else:
            entries = item.entries if isinstance(item, EntryBatch) else [item]
            # an entry has every field storage reads (``repo.ItemFacts``): stored as it is
            self.buffer[item.source_id].extend(entries)
            self.buffered += len(entries)
            if isinstance(item, EntryBatch) and item.snapshot is not None:
                self._keep_snapshot(item.snapshot)
        if (self.buffered >= BATCH_SIZE or len(self.snapshots) >= SNAPSHOT_BATCH_SIZE
                or len(self.page_links) >= BATCH_SIZE):
            self._flush(self.crawler.spider)
        return item

    def _keep_snapshot(self, item: SnapshotItem) -> None:
        self.snapshots.append(repo.SnapshotRecord(
            source_id=item.source_id, crawl_run_id=self.run_ids.get(item.source_id),
            url=item.url, html=item.html, taken_at=now(), http_status=item.http_status,
            png=item.png,
        ))

    def close_spider(self, spider: Any = None) -> None:
        spider = self.crawler.spider
        self._flush(spider)
        try:
            with self.db.session() as session:
                repo.close_crawl_runs(session, [
                    self._run_close(spider, source_id, run_id)
                    for source_id, run_id in self.run_ids.items()])
        except STORAGE_ERRORS as exc:
            self._storage_failed(exc)
            log.error("crawl runs left open for the sweep to close")
        finally:
            self.db.dispose()

    def _run_close(self, spider: Any, source_id: int, run_id: int) -> repo.RunClose:
        tally = spider.tallies[source_id]
        tally.interrupted = spider.unfinished(source_id)
        if self.failure:  # what was fetched may not all be stored: not a clean crawl
            return repo.RunClose(run_id, "interrupted", pages=tally.pages,
                                 items_found=tally.items_found, items_new=tally.items_new,
                                 error=f"抓取中止：{self.failure}")
        return repo.RunClose(
            run_id, tally.outcome(), pages=tally.pages, items_found=tally.items_found,
            items_dated=tally.items_dated, items_new=tally.items_new,
            http_status=tally.http_status, error=tally.error_text(),
        )

    def _storage_failed(self, exc: BaseException) -> None:
        """Stop the crawl once storing failed, and tell the parent process why."""
        if self.failure:
            return
        self.failure = "抓到的内容无法保存：" + (
            str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        log.error("%s; stopping the crawl", self.failure)
        report_error(self.failure)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="storage_failed"))

    def _flush(self, spider: Any) -> None:
        """Write the buffered items and snapshots in one transaction."""
        if self.failure or (not self.buffered and not self.snapshots and not self.page_links):
            return
        try:
            with self.db.session() as session:
                new = repo.store_item_batches(session, self.buffer)
                repo.save_snapshots(session, self.data_dir, self.snapshots)
                repo.save_page_links(session, self.page_links)
        except STORAGE_ERRORS as exc:
            self._storage_failed(exc)
            return
        for source_id, count in new.items():
            spider.tallies[source_id].items_new += count
        self.buffer.clear()
        self.buffered = 0
        self.snapshots = []
        self.page_links = []
