"""What extraction returns: list entries, the selectors a column may give, and the names of the
evidence a date was read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ListSelectors:
    """Operator-configured selectors for a list page.

    Each is CSS, or XPath when it starts with '/' or '(' or './'. Within an item, an XPath
    starting with '/' is read relative to the item ('//span' means './/span').
    """

    item: str  # selects each list entry (e.g. "ul.list li")
    title: str | None = None  # within item; default: the first <a> with text
    link: str | None = None  # within item, an element whose href is used; default: same <a>
    date: str | None = None  # within item; default: the item's whole text is searched


# Where an entry's date was read (``ListEntry.date_source``, ``ArticleDate.date_source``;
# docs/extractor.md lists the order in which each is tried):
DATE_ROW = "row"  # printed in the entry's row of the list (for gkmlpt: the row's API record)
DATE_URL = "url"  # the entry's URL (/t20210830_…): the row or page prints no date
DATE_ARTICLE_TABLE = "article_table"  # the article's 信息公开 table (索引号 … 发布日期)
DATE_ARTICLE_HEADER = "article_header"  # a labelled date by the article's title (发布时间：)
DATE_ARTICLE_BYLINE = "article_byline"  # an unlabelled date right under the title
DATE_ARTICLE_LABEL = "article_label"  # a labelled date elsewhere on the article page
DATE_META = "meta"  # a meta tag (PubDate, article:published_time …) or WeChat's stamp
DATE_FALLBACK = "fallback"  # a guess: the first date of the text, or htmldate's


@dataclass(frozen=True)
class ListEntry:
    """One entry of a column list."""

    url: str  # absolute (resolved against base_url), fragment removed
    title: str  # whitespace-normalised link text (or the a@title when the text is truncated)
    published_on: date | None
    date_source: str | None = None  # DATE_ROW or DATE_URL; None when undated
