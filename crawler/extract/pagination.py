"""Pagination: the next list page (下一页)."""

from __future__ import annotations

from urllib.parse import urldefrag

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
    doc, base = page.doc, page.base
    current = urldefrag(page.url)[0]
    for link in doc.iter("a"):
        text = _norm_space(to_halfwidth(_visible_text(link))).lower()
        core = text.strip(" []【】()（）<>«»‹›")
        title = _norm_space(link.get("title") or "").lower()
        if not (text in _NEXT_TEXTS or core in _NEXT_TEXTS or title in {"下一页", "next page"}):
            continue
        url = _resolve(link.get("href"), base)
        if url and url != current:
            return url
    return None
