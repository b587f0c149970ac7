"""Storage pipeline: writes what the spider yields, and one crawl_run per source.

The spider argument of the hooks is optional because current Scrapy no longer passes it;
the spider is read from the crawler instead.

Items are buffered and written in batches (one transaction per batch) so a large crawl does
not pay a commit per item. Crawl runs are opened when the spider opens and closed with the
spider's per-source tally when it closes — also when the crawl is cut short, so nothing is left
'running'.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from crawler.items import EntryBatch, SnapshotItem
from storage import repo
from storage.db import Database

BATCH_SIZE = 200


class StoragePipeline:
    """Scrapy item pipeline writing into govwatch storage."""

    def __init__(self, crawler: Any, database_url: str, data_dir: str) -> None:
        self.crawler = crawler
        self.db = Database(database_url)
        self.data_dir = Path(data_dir)
        self.run_ids: dict[int, int] = {}
        self.buffer: dict[int, list[repo.ItemRecord]] = defaultdict(list)
        self.buffered = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        settings = crawler.settings
        return cls(crawler, settings["GOVWATCH_DATABASE_URL"], settings["GOVWATCH_DATA_DIR"])

    def open_spider(self, spider: Any = None) -> None:
        spider = self.crawler.spider
        with self.db.session() as session:
            for source_id in spider.sources:
                self.run_ids[source_id] = repo.open_crawl_run(session, source_id)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        spider = self.crawler.spider
        if isinstance(item, SnapshotItem):
            with self.db.session() as session:
                repo.save_snapshot(
                    session, self.data_dir, source_id=item.source_id,
                    crawl_run_id=self.run_ids.get(item.source_id), url=item.url,
                    html=item.html, http_status=item.http_status, png=item.png,
                )
        else:
            entries = item.entries if isinstance(item, EntryBatch) else [item]
            self.buffer[item.source_id].extend(repo.ItemRecord(
                url=e.url, title=e.title, published_on=e.published_on,
                published_at=e.published_at, content_hash=e.content_hash, links=e.links,
                statement=e.statement,
            ) for e in entries)
            self.buffered += len(entries)
            if self.buffered >= BATCH_SIZE:
                self._flush(spider)
        return item

    def close_spider(self, spider: Any = None) -> None:
        spider = self.crawler.spider
        self._flush(spider)
        with self.db.session() as session:
            for source_id, run_id in self.run_ids.items():
                tally = spider.tallies[source_id]
                tally.interrupted = spider.unfinished(source_id)
                repo.close_crawl_run(
                    session, run_id, outcome=tally.outcome(), pages=tally.pages,
                    items_found=tally.items_found, items_dated=tally.items_dated,
                    items_new=tally.items_new, http_status=tally.http_status,
                    error=tally.error_text(),
                )
        self.db.dispose()

    def _flush(self, spider: Any) -> None:
        if not self.buffered:
            return
        with self.db.session() as session:
            for source_id, records in self.buffer.items():
                spider.tallies[source_id].items_new += repo.store_items(session, source_id, records)
        self.buffer.clear()
        self.buffered = 0
