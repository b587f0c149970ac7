"""The new-media account spider (政务新媒体): posts with their publish times.

One adapter per platform (``crawler.accounts``) turns a page into posts and the next page.
An account that cannot be collected (closed endpoint, login wall, changed format) ends with a
failed crawl_run — reported as 无法采集, never as under-posting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.accounts import ADAPTERS, AdapterError
from crawler.health import PARSE_ERROR
from crawler.items import EntryBatch, EntryItem
from crawler.job import SourceSpec
from crawler.spiders.base import SourceSpider, safe_text, settles


class AccountSpider(SourceSpider):
    """Crawls the configured new-media accounts."""

    name = "account"

    def first_request(self, source: SourceSpec) -> scrapy.Request | None:
        return self.request(source, source.url, self.parse_posts, page=1, browser=False)

    @settles
    def parse_posts(self, response: Response) -> Iterator[Any]:
        source = self.sources[response.meta["source_id"]]
        tally = self.tallies[source.source_id]
        page = response.meta["page"]
        tally.pages += 1
        # The first page's snapshot travels with its posts (one item, not two).
        snapshot = self.snapshot(source, response, safe_text(response) or "") if page == 1 else None
        adapter = ADAPTERS[source.kind]
        try:
            result = adapter(response.body, response.url, self.reference_now)
        except AdapterError as exc:
            tally.fail(PARSE_ERROR, f"{source.kind}: {exc}", first_page=page == 1,
                       http_status=response.status)
            if snapshot is not None:
                yield snapshot
            return
        except Exception:
            if snapshot is not None:
                yield snapshot  # the evidence is kept even when the adapter breaks
            raise
        seen = self.seen[source.source_id]
        dates = []
        batch = []
        for post in result.posts:
            if post.url in seen:
                continue
            seen.add(post.url)
            tally.items_found += 1
            published_on = post.published_at.date() if post.published_at else None
            if published_on is not None:
                tally.items_dated += 1
                dates.append(published_on)
            batch.append(EntryItem(source.source_id, post.url, post.title, published_on,
                                   published_at=post.published_at, body=post.text or None))
        if batch or snapshot is not None:
            yield EntryBatch(source.source_id, batch, snapshot)
        wanted = bool(dates) and min(dates) >= self.window_start
        if result.next_url and wanted and page < self.page_cap(source):
            yield self.request(source, result.next_url, self.parse_posts, page=page + 1,
                               browser=False)
