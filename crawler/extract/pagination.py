"""Pagination: the next list page (下一页)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urldefrag

from lxml import etree

from crawler.extract.listing import ListPage, parse_list_page
from crawler.extract.parsing import _resolve, _visible_text
from crawler.extract.text import _norm_space, to_halfwidth

_NEXT_TEXTS = {"下一页", "下页", "下一頁", "下一张", ">", ">>", "›", "»", "next", "next page"}


def find_next_page(html: str | bytes, base_url: str) -> str | None:
    """Absolute URL of the next list page (link text 下一页 / 下页 / > / next), or None."""
    page = parse_list_page(html, base_url)
    return next_page_link(page) if page is not None else None


def next_page_link(page: ListPage) -> str | None:
    """``find_next_page`` on an already parsed page."""
    return next_among(_maybe_next(page.doc), page)


def next_among(links: Iterable[etree._Element], page: ListPage) -> str | None:
    """The first of ``links`` that is the next-page link of ``page``, resolved."""
    current = urldefrag(page.url)[0]
    for link in links:
        text = _norm_space(to_halfwidth(_visible_text(link))).lower()
        core = text.strip(" []【】()（）<>«»‹›")
        title = _norm_space(link.get("title") or "").lower()
        if not (text in _NEXT_TEXTS or core in _NEXT_TEXTS or title in {"下一页", "next page"}):
            continue
        url = _resolve(link.get("href"), page.base)
        if url and url != current:
            return url
    return None


def _maybe_next(doc: etree._Element) -> Iterator[etree._Element]:
    """The links whose text or title may be a next-page label, in page order: a label has
    one of ``_LABEL``'s characters (full-width forms included), and a link's visible text
    is part of its string value. Most of a list page's links have none of them."""
    for link in doc.iter("a"):
        text = link.text if len(link) == 0 else link.text_content()
        if (text and _LABEL.search(text)) or _TITLE_LABEL.search(link.get("title") or ""):
            yield link


_LABEL = re.compile("[下>›»nN＞ｎＮ]")
_TITLE_LABEL = re.compile("[下nN]")
