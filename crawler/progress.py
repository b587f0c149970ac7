"""Progress of a crawl, sent from the crawl process to whoever shows it.

The spider sends ``source_finished`` when a source has no request left in flight; this
extension forwards page, item and source counts to the channel the crawl process set with
``set_channel`` (a multiprocessing queue, which Scrapy's settings cannot carry because they are
deep-copied), where the parent process renders a progress bar.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals

from crawler.items import EntryItem

source_finished = object()  # signal: kwargs source_id, failed

_channel: Any = None


def set_channel(queue: Any) -> None:
    """Where progress events go in this process (None: nowhere)."""
    global _channel
    _channel = queue


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
        ext.name = crawler.spidercls.name
        return ext

    name = "spider"

    def _send(self) -> None:
        # one reporter per spider (columns, accounts): the parent adds them up by name
        if self.queue is not None:
            self.queue.put(("progress", self.name, self.pages, self.items, self.sources_done,
                            self.sources_failed))

    def on_closed(self, **_: Any) -> None:
        self._send()  # the final counts, whatever the sampling skipped

    def on_response(self, **_: Any) -> None:
        self.pages += 1
        self._send()

    def on_item(self, item: Any, **_: Any) -> None:
        if not isinstance(item, EntryItem):
            return
        self.items += 1
        if self.items % 10 == 0:
            self._send()

    def on_source(self, failed: bool = False, **_: Any) -> None:
        self.sources_done += 1
        self.sources_failed += int(failed)
        self._send()
