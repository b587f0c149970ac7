"""Selector-driven extraction: a column's configured CSS or XPath selectors."""

from __future__ import annotations

from datetime import date

import lxml.html
from lxml import etree

from crawler.extract.dates import _row_date
from crawler.extract.lists import _dated, _entry_title, _title_and_date
from crawler.extract.model import ListEntry, ListSelectors
from crawler.extract.parsing import _resolve, _visible_text
from crawler.extract.text import _norm_space, to_halfwidth

# ---------------------------------------------------------------------------
# Selector-driven extraction
# ---------------------------------------------------------------------------


def _is_xpath(expr: str) -> bool:
    return expr.startswith(("/", "(", "./"))


def _select(node: etree._Element, expr: str, *, within: bool) -> list[object]:
    """Apply a CSS or XPath selector; XPath may return strings (text(), @attr)."""
    try:
        if _is_xpath(expr):
            if within and expr.startswith("/"):
                expr = "." + expr  # "//span" inside an item means the item's spans
            result = node.xpath(expr)
            return list(result) if isinstance(result, list) else [result]
        return list(node.cssselect(expr))
    # cssselect reports syntax errors as SyntaxError and unsupported features (pseudo
    # elements, bad nth-child series) as RuntimeError subclasses.
    except (etree.XPathError, ValueError, SyntaxError, RuntimeError) as exc:
        raise ValueError(f"invalid selector {expr!r}: {exc}") from exc


def _as_text(value: object) -> str:
    if isinstance(value, etree._Element):
        return _norm_space(_visible_text(value))
    return _norm_space(str(value))


def _first_text_link(item: etree._Element) -> etree._Element | None:
    for link in item.iter("a"):
        if link.get("href") and _norm_space(_visible_text(link)):
            return link
    return None


def _extract_with_selectors(
    doc: lxml.html.HtmlElement, base: str, reference: date, selectors: ListSelectors
) -> list[ListEntry]:
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in _select(doc, selectors.item, within=False):
        if not isinstance(item, etree._Element):
            continue
        title_value: object | None
        if selectors.title:
            found = _select(item, selectors.title, within=True)
            title_value = found[0] if found else None
        else:
            title_value = _first_text_link(item)
        if selectors.link:
            found = _select(item, selectors.link, within=True)
            link_value = found[0] if found else None
        elif isinstance(title_value, etree._Element) and title_value.get("href"):
            link_value = title_value
        else:
            link_value = _first_text_link(item)
        if isinstance(link_value, etree._Element):
            href = link_value.get("href")
            if href is None:
                inner = next((a for a in link_value.iter("a") if a.get("href")), None)
                href = inner.get("href") if inner is not None else None
        else:
            href = str(link_value) if link_value is not None else None  # e.g. "./a/@href"
        url = _resolve(href, base)
        if not url or url in seen:
            continue
        seen.add(url)
        if isinstance(title_value, etree._Element):
            title = _entry_title(title_value)
        else:
            title = _as_text(title_value) if title_value is not None else ""
        if not title and isinstance(link_value, etree._Element):
            title = _entry_title(link_value)
        if selectors.date:
            date_text = " ".join(_as_text(v) for v in _select(item, selectors.date, within=True))
        else:  # the item's text but its title, which may end in a word like 时间
            skip = [title_value] if isinstance(title_value, etree._Element) else []
            date_text = _visible_text(item, skip=skip)
        printed = _row_date(to_halfwidth(date_text), reference)
        if printed is None and not selectors.date:
            printed = _title_and_date(title, reference)[1]
        published, source = _dated(printed, url, reference)
        entries.append(ListEntry(url, title, published, source))
    return entries
