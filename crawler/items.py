"""What spiders yield: entries of a source and page snapshots (evidence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class EntryItem:
    """One article/post seen in a source's list (or read from its article page)."""

    source_id: int
    url: str
    title: str
    published_on: date | None
    published_at: datetime | None = None
    content_hash: str | None = None
    links: list[str] = field(default_factory=list)
    statement: str | None = None  # a 不作解读 statement on the article page
    body: str | None = None  # the article's text (bounded), for policy and interpretation items
    # The evidence published_on was read from: "row" or "url" (the list), "article_table",
    # "article_header", "article_byline", "article_label", "meta" or "fallback" (the
    # article page); None when undated. See crawler.extract's DATE_* and docs/extractor.md.
    date_source: str | None = None
    # What an interpretation's page carries (``extract.ArticleMedia.as_dict``).
    media: dict[str, int] | None = None
    # A 留言's question and reply (``extract.MessageFacts``, as ``message_record`` stores it).
    message: dict[str, Any] | None = None


@dataclass
class EntryBatch:
    """The entries of one list page, as one item: Scrapy's per-item machinery (signals,
    pipeline chain) costs more than storing an entry, so a page travels as one batch —
    with the page's snapshot, when one is kept, for the same reason."""

    source_id: int
    entries: list[EntryItem]
    snapshot: SnapshotItem | None = None


@dataclass
class SnapshotItem:
    """A page kept as evidence of what the crawler saw."""

    source_id: int
    url: str
    html: str
    http_status: int | None = None
    png: bytes | None = None


@dataclass
class PageLinksItem:
    """What one crawled page links to and its CSS-hidden anchors (``extract.page_links``):
    list pages and the articles read, for the link checks (dead_link, hidden_link)."""

    source_id: int
    page_url: str
    links: list[str]
    hidden: list[dict[str, str]]  # {href, text, reason}
    title: str | None = None  # an article's
