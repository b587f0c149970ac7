"""Per-source tally of one crawl, shared by the spider (which counts) and the pipeline
(which turns it into a crawl_run outcome when the crawl ends)."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.health import EMPTY, HTTP_ERROR, INTERRUPTED, NO_ITEMS, OK


@dataclass
class SourceTally:
    """What happened to one source during a crawl."""

    pages: int = 0
    items_found: int = 0
    items_dated: int = 0
    items_new: int = 0
    first_page_failed: bool = False
    interrupted: bool = False  # the crawl ended (shutdown, kill) with requests in flight
    empty: bool = False  # the list page says it lists nothing (暂无信息): a blank column
    failure_outcome: str | None = None
    http_status: int | None = None
    errors: list[str] = field(default_factory=list)

    def fail(self, outcome: str, message: str, *, first_page: bool,
             http_status: int | None = None) -> None:
        """Note a failure; ``first_page``: it decides the source's outcome (its first list page
        failed, or something failed that fails a source on any page)."""
        if first_page:
            self.first_page_failed = True
            self.failure_outcome = outcome
            self.http_status = http_status
            # what decided the outcome leads the error text, ahead of notes on later pages
            self.errors.insert(0, message)
        else:
            self.errors.append(message)

    def outcome(self) -> str:
        """The crawl_run outcome: a failed list page, no dated items, or ok."""
        if self.first_page_failed:
            return self.failure_outcome or HTTP_ERROR
        if self.interrupted:
            return INTERRUPTED
        if self.items_dated == 0 and self.empty:
            return EMPTY
        if self.items_found == 0 or self.items_dated == 0:
            return NO_ITEMS
        return OK

    def error_text(self) -> str | None:
        notes = list(self.errors)
        if self.interrupted and not self.first_page_failed:
            notes.insert(0, "抓取在本栏目/账号完成前停止")
        elif not self.first_page_failed:
            if self.items_dated == 0 and self.empty:
                notes.insert(0, "栏目页面显示暂无信息（空白栏目）")
            elif self.items_found == 0:
                notes.insert(0, "页面上没有找到列表条目")
            elif self.items_dated == 0:
                notes.insert(0, "找到列表条目，但都没有日期")
        return "；".join(notes[:5]) or None
