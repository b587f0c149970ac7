"""The disclosure-column spider: list pages → entries (with dates), following pagination and,
when a list shows no dates, the article pages.

It only extracts. Storage is the pipeline's job; judging is the monitors'.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawler import extract
from crawler.items import EntryItem, SnapshotItem
from crawler.job import SourceSpec
from crawler.ledger import BLOCKED, HTTP_ERROR, PARSE_ERROR, TIMEOUT, SourceTally
from crawler.progress import source_finished

# Article pages opened per dateless list page: enough for the monitors' window, polite enough.
MAX_ARTICLES_PER_PAGE = 40


class ColumnSpider(scrapy.Spider):
    """Crawls the configured disclosure columns (信息公开栏目)."""

    name = "column"

    def __init__(self, sources: list[SourceSpec], reference_date: date, window_days: int = 35,
                 max_pages: int = 5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = {s.source_id: s for s in sources}
        self.reference_date = reference_date
        self.window_start = reference_date - timedelta(days=window_days)
        self.max_pages = max_pages
        self.tallies: dict[int, SourceTally] = {s.source_id: SourceTally() for s in sources}
        self._seen: dict[int, set[str]] = {s.source_id: set() for s in sources}
        self._in_flight: dict[int, int] = dict.fromkeys(self.sources, 0)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources.values():
            yield self._request(source, source.url, self.parse_list, page=1)

    # ------------------------------------------------------------------ requests

    def _request(self, source: SourceSpec, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        meta = {"source_id": source.source_id, **meta}
        self._in_flight[source.source_id] += 1
        if source.render == "browser":
            from scrapy_playwright.page import PageMethod

            meta["playwright"] = True
            meta["playwright_page_methods"] = [PageMethod("wait_for_load_state", "networkidle")]
        # dont_filter: a source tracks its own seen URLs, and two sources may share a page.
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta,
                              dont_filter=True)

    def _settled(self, source_id: int) -> None:
        """A request of the source is answered; tell progress when none is left."""
        self._in_flight[source_id] -= 1
        if self._in_flight[source_id] == 0:
            self.crawler.signals.send_catch_log(source_finished, source_id=source_id)

    def on_error(self, failure: Failure) -> Iterator[SnapshotItem]:
        request = failure.request  # type: ignore[attr-defined]
        source_id = request.meta["source_id"]
        try:
            yield from self._record_failure(failure, request, source_id)
        finally:
            self._settled(source_id)

    def _record_failure(self, failure: Failure, request: scrapy.Request,
                        source_id: int) -> Iterator[SnapshotItem]:
        first_page = request.meta.get("page") == 1
        outcome, status, message = _classify(failure)
        self.tallies[source_id].fail(outcome, f"{message} ({request.url})",
                                     first_page=first_page, http_status=status)
        self.logger.warning("source %s: %s at %s", source_id, message, request.url)
        response = getattr(failure.value, "response", None)
        if first_page and isinstance(response, TextResponse):
            yield SnapshotItem(source_id, response.url, _safe_text(response), response.status)

    # ------------------------------------------------------------------ callbacks

    def parse_list(self, response: Response) -> Iterator[Any]:
        try:
            yield from self._parse_list(response)
        finally:
            self._settled(response.meta["source_id"])

    def parse_article(self, response: Response) -> Iterator[EntryItem]:
        try:
            yield from self._parse_article(response)
        finally:
            self._settled(response.meta["source_id"])

    def _parse_list(self, response: Response) -> Iterator[Any]:
        source = self.sources[response.meta["source_id"]]
        tally = self.tallies[source.source_id]
        page = response.meta["page"]
        tally.pages += 1
        html = _safe_text(response)
        if html is None:
            tally.fail(PARSE_ERROR, f"not an HTML page ({response.url})", first_page=page == 1,
                       http_status=response.status)
            return
        if page == 1:
            yield SnapshotItem(source.source_id, response.url, html, response.status)
        selectors = extract.ListSelectors(**source.selectors) if source.selectors else None
        entries = extract.extract_list(html, response.url, self.reference_date, selectors)
        seen = self._seen[source.source_id]
        fresh = [e for e in entries if e.url not in seen]
        seen.update(e.url for e in fresh)
        dateless = [e for e in fresh if e.published_on is None]
        for entry in fresh:
            tally.items_found += 1
            if entry.published_on is not None:
                tally.items_dated += 1
                yield EntryItem(source.source_id, entry.url, entry.title, entry.published_on)
        for entry in dateless[:MAX_ARTICLES_PER_PAGE]:
            yield self._request(source, entry.url, self.parse_article, title=entry.title,
                                page=None)
        dates = [e.published_on for e in fresh if e.published_on is not None]
        # Dateless lists stop at page one: their window is unknown until articles are read.
        if page < self.max_pages and dates and min(dates) >= self.window_start:
            next_url = extract.find_next_page(html, response.url)
            if next_url and next_url not in seen:
                seen.add(next_url)
                yield self._request(source, next_url, self.parse_list, page=page + 1)

    def _parse_article(self, response: Response) -> Iterator[EntryItem]:
        source_id = response.meta["source_id"]
        tally = self.tallies[source_id]
        html = _safe_text(response)
        title = response.meta["title"]
        if html is None:
            tally.errors.append(f"article is not HTML ({response.url})")
            yield EntryItem(source_id, response.url, title, None)
            return
        published = extract.extract_article_date(html, self.reference_date, url=response.url)
        if published is not None:
            tally.items_dated += 1
        digest = hashlib.sha256(html.encode("utf-8", "replace")).hexdigest()
        links = response.css("a::attr(href)").getall() if isinstance(response, TextResponse) else []
        yield EntryItem(source_id, response.request.url if response.request else response.url,
                        title, published, content_hash=digest,
                        links=[response.urljoin(h.strip()) for h in links[:200] if h.strip()])


def _safe_text(response: Response) -> str | None:
    """Decoded body (Scrapy picks the encoding: header, BOM, meta, then detection)."""
    if not isinstance(response, TextResponse):
        return None
    try:
        return response.text
    except (UnicodeDecodeError, LookupError):
        return response.body.decode("gb18030", errors="replace")


def _classify(failure: Failure) -> tuple[str, int | None, str]:
    """crawl_run outcome, HTTP status and message for a failed request."""
    if failure.check(HttpError):
        status = failure.value.response.status
        outcome = BLOCKED if status in (401, 403, 429) else HTTP_ERROR
        return outcome, status, f"HTTP {status}"
    if failure.check(TimeoutError, TCPTimedOutError):
        return TIMEOUT, None, "timed out"
    if failure.check(DNSLookupError):
        return HTTP_ERROR, None, "DNS lookup failed"
    if failure.check(ConnectError):
        return HTTP_ERROR, None, f"connection failed: {failure.getErrorMessage()}"
    name = type(failure.value).__name__
    if name == "IgnoreRequest":
        return BLOCKED, None, f"request refused: {failure.getErrorMessage() or 'robots.txt'}"
    return HTTP_ERROR, None, f"{name}: {failure.getErrorMessage()}"
