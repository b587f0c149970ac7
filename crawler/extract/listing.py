"""The list API the spiders call: parse a column page once, extract its entries, remember its
layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import lxml.html
from lxml import etree

from crawler.extract.lists import _Detector, _Record
from crawler.extract.model import ListEntry, ListSelectors
from crawler.extract.parsing import _page_base, _parse
from crawler.extract.selectors import _extract_with_selectors

# ---------------------------------------------------------------------------
# Public list / pagination / article API
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    """A column page parsed once, so list detection and pagination read the same tree."""

    doc: lxml.html.HtmlElement
    url: str  # the page's own URL
    base: str  # what its relative links resolve against (<base href>, else url)


def parse_list_page(html: str | bytes, base_url: str) -> ListPage | None:
    """The parsed page, or None for empty, binary or unparsable input."""
    doc = _parse(html)
    if doc is None:
        return None
    return ListPage(doc, base_url, _page_base(doc, base_url))


@dataclass(frozen=True)
class ListLayout:
    """Where the generic detector found a column's list: its container element.

    A column's pages come from one template, so its later pages are read there first
    (``list_entries``) instead of weighing every repeated block of the page again.
    """

    container: str  # ElementTree path of the container, e.g. /html/body/div[2]/ul
    container_class: str | None  # checked too: the path alone may land on another block


def extract_list(
    html: str | bytes,
    base_url: str,
    reference: date,
    selectors: ListSelectors | None = None,
) -> list[ListEntry]:
    """Entries of the main list on a column page, in page order, deduplicated by URL.

    With `selectors` they are applied literally (an invalid selector raises ValueError);
    otherwise a generic detector picks the best repeated block of dated links.
    """
    page = parse_list_page(html, base_url)
    if page is None:
        return []
    return list_entries(page, reference, selectors)[0]


def list_entries(
    page: ListPage,
    reference: date,
    selectors: ListSelectors | None = None,
    layout: ListLayout | None = None,
) -> tuple[list[ListEntry], ListLayout | None]:
    """Entries of the page's main list (as ``extract_list``) and the layout they sat in.

    With ``layout`` (learned on an earlier page of the same column) the list is read in
    that container first; full detection runs when the container is gone or yields fewer
    than a few entries. The layout returned is None when the list cannot be located that way
    (operator selectors, lists split over several containers).
    """
    if selectors is not None:
        return _extract_with_selectors(page.doc, page.base, reference, selectors), None
    if layout is not None:
        container = _layout_container(page.doc, layout)
        if container is not None:
            scoped = _Detector(page.doc, page.base, reference, scope=container)
            records = scoped.records_in(container)
            if len(records) >= _LAYOUT_MIN_RECORDS:
                return _unique_entries(records), layout
    records = _Detector(page.doc, page.base, reference).best()
    return _unique_entries(records), _layout_of(records)


def _unique_entries(records: list[_Record]) -> list[ListEntry]:
    """Records as entries, in page order, the first of each URL kept."""
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for rec in records:
        if rec.url in seen:
            continue
        seen.add(rec.url)
        entries.append(ListEntry(rec.url, rec.title, rec.published_on, rec.date_source))
    return entries


# A layout is learned from, and trusted for, lists of at least this many records: one or
# two links in a generic block (body, a wrapper div) say little about where the list is.
_LAYOUT_MIN_RECORDS = 3


def _layout_of(records: list[_Record]) -> ListLayout | None:
    """The layout of a detected list, when all its records share one container."""
    if len(records) < _LAYOUT_MIN_RECORDS:
        return None
    container = records[0].element.getparent()
    if container is None or any(rec.element.getparent() is not container for rec in records):
        return None  # twin containers merged: the detector's merge rules are needed
    return ListLayout(container.getroottree().getpath(container), container.get("class"))


@lru_cache(maxsize=1024)
def _compiled_path(path: str) -> etree.XPath:
    """A layout's container path compiled once: a column's every later page looks it up."""
    return etree.XPath(path)


def _layout_container(doc: lxml.html.HtmlElement, layout: ListLayout) -> etree._Element | None:
    """The layout's container on this page, unless it is missing, changed or has twins."""
    found = _compiled_path(layout.container)(doc.getroottree())
    if len(found) != 1 or not isinstance(found[0], etree._Element):
        return None
    container = found[0]
    if container.get("class") != layout.container_class:
        return None
    # Same-looking sibling blocks may be one list split in two: leave that to full detection.
    key = (container.tag, layout.container_class)
    for preceding in (False, True):
        for sibling in container.itersiblings(preceding=preceding):
            if (sibling.tag, sibling.get("class")) == key:
                return None
    return container
