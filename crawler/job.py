"""What a crawl process is asked to do: plain, picklable data handed to the child process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

# Policy and interpretation articles are always read (within the window): their links, text and
# 不作解读 statements are what the uninterpreted_policy rule matches on, an interpretation's
# images and players its form (解读形式); a 留言's page holds its question and reply times.
READ_ARTICLES_OF = ("policy", "interpretation", "messages")


@dataclass(frozen=True)
class SourceSpec:
    """One source to crawl, as the spider needs it (no ORM objects cross the process line)."""

    source_id: int
    unit_code: str
    name: str
    type: str  # column | account
    kind: str  # general | policy | interpretation | rss | weibo | wechat | html
    url: str
    render: str = "static"
    selectors: dict[str, Any] | None = None
    profile: str = "auto"
    timeout: float | None = None
    obey_robots: bool | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    max_pages: int | None = None
    wait_for: str | None = None
    browser_fallback: bool = False
    # Articles already read, url → "title|date" as the list showed them: opened again only
    # when the list shows a change (policy and interpretation columns; ``article_key``).
    known_articles: dict[str, str] = field(default_factory=dict)
    # Messages columns: the operator's selectors for a 留言 page's fields (asked_at,
    # replied_at, status, department), tried before the built-in reading.
    message_selectors: dict[str, str] | None = None
    # Read every article in the window (not only policy, interpretation and message ones):
    # their text is what the dictionary and personal-information checks scan.
    scan_articles: bool = False
    # Pages' links and hidden anchors are kept (dead_link, hidden_link), at most this many
    # links a page; 0: not kept.
    links_per_page: int = 0
    # How far back this source's lists are paged (None: the crawl's window_days), e.g. a 留言
    # board's 3 months for the national checks' unanswered messages.
    window_days: int | None = None


def article_key(title: str, published_on: date | None) -> str:
    """How a list entry is compared with the article stored for it."""
    return f"{title.strip()}|{published_on.isoformat() if published_on else ''}"


@dataclass(frozen=True)
class CrawlJob:
    """A whole crawl: where to store, what to fetch, how politely."""

    database_url: str
    data_dir: str
    sources: tuple[SourceSpec, ...]
    reference_date: date  # the crawl's "today", for year-less dates and the paging window
    window_days: int = 35
    max_pages: int = 5
    browser_available: bool = False
    scrapy_settings: dict[str, Any] = field(default_factory=dict)


def portal_of(url: str) -> str:
    """The portal (host name) a source belongs to: Scrapy's politeness is per host too."""
    return (urlsplit(url).hostname or "").lower()
