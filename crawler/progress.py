"""Progress of a crawl, sent from the crawl process to whoever shows it.

The spider sends ``source_finished`` when a source has no request left in flight; this
extension forwards page, item and source counts to the channel the crawl process set with
``set_channel`` (a multiprocessing queue, which Scrapy's settings cannot carry because they are
deep-copied), where the parent process renders a progress bar.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import signals

from crawler.items import EntryBatch, EntryItem

SEND_EVERY = 0.2  # seconds
source_finished = object()  # signal: kwargs source_id, failed

_channel: Any = None
_tag = 0


def set_channel(queue: Any, tag: int = 0) -> None:
    """Where progress events go in this process (None: nowhere), and the tag that tells this
    crawl process's events from its siblings'."""
    global _channel, _tag
    _channel, _tag = queue, tag


class ProgressReporter:
    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.pages = 0
        self.items = 0
        self.sources_done = 0
        self.sources_failed = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressReporter:
        ext = cls(_channel)
        crawler.signals.connect(ext.on_response, signal=signals.response_received)
        crawler.signals.connect(ext.on_item, signal=signals.item_scraped)
        crawler.signals.connect(ext.on_source, signal=source_finished)
        crawler.signals.connect(ext.on_closed, signal=signals.spider_closed)
        ext.key = (_tag, crawler.spidercls.name)
        return ext

    key = (0, "spider")
    _last_sent = 0.0

    def _send(self) -> None:
        # one reporter per spider (columns, accounts) and process: the parent adds them up
        self._last_sent = time.monotonic()
        if self.queue is not None:
            self.queue.put(("progress", self.key, self.pages, self.items, self.sources_done,
                            self.sources_failed))

    def on_closed(self, **_: Any) -> None:
        self._send()  # the final counts, whatever the sampling skipped

    def on_response(self, **_: Any) -> None:
        self.pages += 1
        self._send_sometimes()

    def on_item(self, item: Any, **_: Any) -> None:
        if isinstance(item, EntryBatch):
            self.items += len(item.entries)
        elif isinstance(item, EntryItem):
            self.items += 1
        else:
            return
        self._send_sometimes()

    def _send_sometimes(self) -> None:
        # a few updates a second are plenty: one per page cost a tenth of a large crawl's CPU
        # (each is pickled and written to the queue by its feeder thread)
        if time.monotonic() - self._last_sent >= SEND_EVERY:
            self._send()

    def on_source(self, failed: bool = False, **_: Any) -> None:
        self.sources_done += 1
        self.sources_failed += int(failed)
        self._send_sometimes()


def report_error(message: str) -> None:
    """Tell the parent process this crawl failed in a way the exit code cannot show (what
    was fetched could not be stored): the crawl's result becomes an error."""
    if _channel is not None:
        _channel.put(("error", _tag, message))
