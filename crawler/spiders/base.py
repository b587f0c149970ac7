"""What every govwatch spider shares: per-source requests, bookkeeping and failure handling.

A spider is given a list of ``SourceSpec``; each source is tallied separately
(``crawler.ledger.SourceTally``) so the pipeline can close one crawl_run per source. Requests
carry the source's own options (timeout, robots, headers, cookies, browser rendering).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler import health
from crawler.items import SnapshotItem
from crawler.job import SourceSpec
from crawler.ledger import SourceTally
from crawler.portal import PORTAL_URL_META, guard_browser_page
from crawler.progress import source_finished
from govwatch.timeutil import CHINA, today

Callback = Callable[..., Iterator[Any]]


def settles(callback: Callback) -> Callback:
    """Mark a callback's request as answered once the callback has yielded everything.

    A callback that breaks on what it was given (a JSON API answering another shape, a page
    the extractor trips on) fails the source as parse_error: otherwise the source would end
    as if its page had simply listed nothing (no_items).
    """

    @functools.wraps(callback)
    def wrapper(self: SourceSpider, response_or_failure: Any, *args: Any,
                **kwargs: Any) -> Iterator[Any]:
        request = getattr(response_or_failure, "request", None)
        source_id = request.meta["source_id"]
        try:
            yield from callback(self, response_or_failure, *args, **kwargs)
        except Exception as exc:
            why = f"无法解析 {request.url} 的内容（{type(exc).__name__}：{exc}）"
            self.tallies[source_id].fail(health.PARSE_ERROR, why[:500],
                                         first_page=request.meta.get("page") == 1)
            raise  # Scrapy logs it with its traceback
        finally:
            self.settled(source_id)

    return wrapper


class SourceSpider(scrapy.Spider):
    """Base spider: subclasses implement ``first_request`` and their parse callbacks."""

    def __init__(self, sources: list[SourceSpec], reference_date: date, window_days: int = 35,
                 max_pages: int = 5, browser_available: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = {s.source_id: s for s in sources}
        self.reference_date = reference_date
        self.window_start = reference_date - timedelta(days=window_days)
        self.max_pages = max_pages
        self.browser_available = browser_available
        self.tallies: dict[int, SourceTally] = {s.source_id: SourceTally() for s in sources}
        self.seen: dict[int, set[str]] = {s.source_id: set() for s in sources}
        self._in_flight: dict[int, int] = dict.fromkeys(self.sources, 0)

    @property
    def reference_now(self) -> datetime:
        """The crawl's 'now': the real time when crawling today, else the end of that day."""
        if self.reference_date >= today():
            return datetime.now(CHINA)
        return datetime.combine(self.reference_date, time(23, 59), CHINA)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources.values():
            # one source that cannot even start must not end the others' crawl
            try:
                request = self.first_request(source)
            except Exception as exc:
                self.logger.exception("source %s could not start", source.source_id)
                self.unsent(source, source.url, exc, page=1)
                continue
            if request is not None:
                yield request

    def first_request(self, source: SourceSpec) -> scrapy.Request | None:
        """The source's first request (None when it cannot be made: already recorded)."""
        raise NotImplementedError

    def page_cap(self, source: SourceSpec) -> int:
        return source.max_pages or self.max_pages

    # ------------------------------------------------------------------ requests

    def request(self, source: SourceSpec, url: str, callback: Callback, *, page: int | None,
                method: str = "GET", formdata: dict[str, str] | None = None,
                browser: bool | None = None, **meta: Any) -> scrapy.Request | None:
        """A request of ``source`` with its own options applied, or None when ``url`` cannot
        be requested at all (recorded on the source; Scrapy drops a None a callback yields).
        """
        browser = source.render == "browser" if browser is None else browser
        meta = {"source_id": source.source_id, "page": page, "browser": browser,
                PORTAL_URL_META: source.url, **meta}
        if source.timeout:
            meta["download_timeout"] = source.timeout
        if source.obey_robots is False:
            meta["dont_obey_robotstxt"] = True
        if browser:
            meta.update(self._browser_meta(source))
        common = {"callback": callback, "errback": self.on_error, "meta": meta,
                  "headers": source.headers or None, "cookies": source.cookies or None,
                  # a source tracks the URLs it has seen itself; sources may share a page
                  "dont_filter": True}
        try:
            if formdata is not None:
                request = scrapy.FormRequest(url, method=method, formdata=formdata, **common)
            else:
                request = scrapy.Request(url, method=method, **common)
        except ValueError as exc:  # e.g. port 99999: Scrapy parses the URL here
            self.unsent(source, url, exc, page=page)
            return None
        self._in_flight[source.source_id] += 1
        return request

    def unsent(self, source: SourceSpec, url: str, exc: Exception, *,
               page: int | None) -> None:
        """Record a request of ``source`` that could not be made; it fails the source when it
        was the first page."""
        diagnosis = health.diagnose_unsent(exc)
        self.tallies[source.source_id].fail(diagnosis.outcome, f"{diagnosis.message} ({url})",
                                            first_page=page == 1)
        self.logger.warning("source %s: %s at %s", source.source_id, diagnosis.message, url)
        if self._in_flight[source.source_id] == 0:
            self._finished(source.source_id)

    def _browser_meta(self, source: SourceSpec) -> dict[str, Any]:
        from scrapy_playwright.page import PageMethod

        timeout_ms = (source.timeout or 30) * 1000
        wait = (PageMethod("wait_for_selector", source.wait_for, timeout=timeout_ms)
                if source.wait_for else PageMethod("wait_for_load_state", "networkidle"))
        return {
            "playwright": True,
            "playwright_page_init_callback": guard_browser_page,
            "playwright_page_goto_kwargs": {"timeout": timeout_ms},
            "playwright_page_methods": [wait, PageMethod("screenshot", full_page=True,
                                                         type="png")],
        }

    def unfinished(self, source_id: int) -> bool:
        """Whether the source still had requests in flight (the crawl was cut short)."""
        return self._in_flight[source_id] > 0

    def settled(self, source_id: int) -> None:
        """A request of the source is answered; tell progress when none is left."""
        self._in_flight[source_id] -= 1
        if self._in_flight[source_id] == 0:
            self._finished(source_id)

    def _finished(self, source_id: int) -> None:
        failed = self.tallies[source_id].outcome() != "ok"
        self.forget(source_id)
        self.crawler.signals.send_catch_log(source_finished, source_id=source_id,
                                            failed=failed)

    def forget(self, source_id: int) -> None:
        """Drop what the spider kept for a source while crawling it, once it has no request
        left: the URLs it saw (its entries', ~3 KB a list page) would otherwise be held to
        the end of the crawl, a province's tens of thousands of pages. Its tally stays: the
        pipeline closes the source's crawl run with it."""
        self.seen.pop(source_id, None)

    # ------------------------------------------------------------------ failures

    @settles
    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        source = self.sources[request.meta["source_id"]]
        diagnosis = health.diagnose_failure(failure)
        # a decisive failure (a redirect off the portal) fails the source on any page
        first_page = request.meta.get("page") == 1 or diagnosis.decisive
        if (diagnosis.outcome == health.BLOCKED and first_page and source.browser_fallback
                and self.browser_available and not request.meta.get("browser")):
            self.logger.info("source %s blocked (%s): retrying in the browser",
                             source.source_id, diagnosis.message)
            self.tallies[source.source_id].errors.append(
                f"{diagnosis.message}；已改用浏览器重试")
            yield self.request(source, request.url, request.callback, page=1, browser=True)
            return
        message = (diagnosis.message if request.url in diagnosis.message
                   else f"{diagnosis.message} ({request.url})")
        self.tallies[source.source_id].fail(diagnosis.outcome, message, first_page=first_page,
                                            http_status=diagnosis.http_status)
        self.logger.warning("source %s: %s at %s", source.source_id, diagnosis.message,
                            request.url)
        response = getattr(failure.value, "response", None)
        if first_page and isinstance(response, TextResponse):
            yield SnapshotItem(source.source_id, response.url, safe_text(response) or "",
                               response.status)

    def snapshot(self, source: SourceSpec, response: Response, text: str) -> SnapshotItem:
        """Evidence of a list page, with the browser's screenshot when it rendered one."""
        png = None
        for method in response.meta.get("playwright_page_methods") or []:
            if getattr(method, "method", None) == "screenshot":
                png = getattr(method, "result", None)
        return SnapshotItem(source.source_id, response.url, text, response.status, png)


def safe_text(response: Response) -> str | None:
    """Decoded body (Scrapy picks the encoding: header, BOM, meta, then detection)."""
    if not isinstance(response, TextResponse):
        return None
    try:
        return response.text
    except (UnicodeDecodeError, LookupError):
        return response.body.decode("gb18030", errors="replace")
