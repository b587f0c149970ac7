"""Pure extraction helpers for county portal pages: dates, list entries, pagination, articles.

Everything here is data in, data out: no network, no Scrapy engine, no database. Functions
never raise on malformed HTML; they return an empty list or None instead.

The package is split by what it reads:

- ``model`` — what extraction returns (``ListEntry``, ``ListSelectors``, the ``DATE_*``
  names of the evidence a date was read from);
- ``text`` — full-width to half-width, spaces;
- ``dates`` — every printed date form, dates in URLs, and the label in front of a date;
- ``parsing`` — bytes to text (charset), text to a tree, links, visible text;
- ``lists`` — generic list detection; ``selectors`` — a column's configured selectors;
  ``listing`` — the list API the spiders call;
- ``pagination`` — the next list page;
- ``articles`` — an article's publish date, and 不作解读 statements;
- ``article_text`` — the article's body and the links it gives;
- ``links`` — every visible link of a page, and its hidden anchors (暗链);
- ``media`` — what an article's body carries: content images, text, video, audio, H5;
- ``messages`` — one 政民互动 message: asked, replied, status, replying unit.

Callers import from ``crawler.extract`` itself: the names below are its public API.
"""

from crawler.extract.article_text import BODY_LIMIT, MAX_ARTICLE_LINKS, ArticleText, article_text
from crawler.extract.articles import (
    ArticleDate,
    article_date,
    extract_article_date,
    find_no_interpretation_statement,
)
from crawler.extract.dates import find_date, find_datetime
from crawler.extract.links import HiddenAnchor, PageLinks, href_targets, links_in, page_links
from crawler.extract.listing import (
    ListLayout,
    ListPage,
    extract_list,
    list_entries,
    parse_list_page,
)
from crawler.extract.media import ArticleMedia, article_media
from crawler.extract.messages import MessageFacts, MessageSelectors, message_facts
from crawler.extract.model import (
    DATE_ARTICLE_BYLINE,
    DATE_ARTICLE_HEADER,
    DATE_ARTICLE_LABEL,
    DATE_ARTICLE_TABLE,
    DATE_FALLBACK,
    DATE_META,
    DATE_ROW,
    DATE_URL,
    ListEntry,
    ListSelectors,
)
from crawler.extract.pagination import find_next_page, next_page_link
from crawler.extract.parsing import decode_html
from crawler.extract.text import to_halfwidth

__all__ = [
    "BODY_LIMIT",
    "DATE_ARTICLE_BYLINE",
    "DATE_ARTICLE_HEADER",
    "DATE_ARTICLE_LABEL",
    "DATE_ARTICLE_TABLE",
    "DATE_FALLBACK",
    "DATE_META",
    "DATE_ROW",
    "DATE_URL",
    "MAX_ARTICLE_LINKS",
    "ArticleDate",
    "ArticleMedia",
    "ArticleText",
    "HiddenAnchor",
    "ListEntry",
    "ListLayout",
    "ListPage",
    "ListSelectors",
    "MessageFacts",
    "MessageSelectors",
    "PageLinks",
    "article_date",
    "article_media",
    "article_text",
    "decode_html",
    "extract_article_date",
    "extract_list",
    "find_date",
    "find_datetime",
    "find_next_page",
    "find_no_interpretation_statement",
    "href_targets",
    "links_in",
    "list_entries",
    "message_facts",
    "next_page_link",
    "page_links",
    "parse_list_page",
    "to_halfwidth",
]
