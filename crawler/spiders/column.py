"""The disclosure-column spider (信息公开栏目): list pages → entries with dates.

Per source it picks a site profile (TRS, Hanweb, gkmlpt or generic; see ``crawler.profiles``),
follows pagination until entries are older than the monitors' window or the page cap is
reached, and opens the article pages when a list shows no dates. It only extracts: storing is
the pipeline's job, judging the monitors'.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Generator, Iterator
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.http import Response

from crawler import extract, profiles
from crawler.extract.empty import looks_empty
from crawler.health import PARSE_ERROR
from crawler.items import EntryBatch, EntryItem, PageLinksItem, SnapshotItem
from crawler.job import READ_ARTICLES_OF, SourceSpec, article_key
from crawler.spiders.base import SourceSpider, safe_text, settles

# A column's own list pages (index_3.html, list_2.shtml, ?page=4): what a pager links to
_LIST_PAGE = re.compile(r"/(?:index|list|default)(?:[_-]\d+)?\.\w{2,5}$|[?&](?:page|pageNo|p)=\d+",
                        re.IGNORECASE)


def _own_list_page(source: SourceSpec, link: str) -> bool:
    """Whether ``link`` is one of the column's own list pages (its pager's targets)."""
    return link.startswith(source.url.rsplit("/", 1)[0] + "/") and bool(_LIST_PAGE.search(link))


# Article pages opened per list page: enough for the monitors' window, polite enough.
MAX_ARTICLES_PER_PAGE = 40
HANWEB_MAX_RECORDS = 300


class ColumnSpider(SourceSpider):
    """Crawls the configured disclosure columns."""

    name = "column"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Where the generic detector found each column's list, tried first on its next pages.
        self.layouts: dict[int, extract.ListLayout] = {}
        # What each column's last walked list page links to beyond its own entries and pager
        # (a fingerprint): a next page that links to the same is not walked again
        self.link_templates: dict[int, int] = {}

    def forget(self, source_id: int) -> None:
        super().forget(source_id)
        self.layouts.pop(source_id, None)
        self.link_templates.pop(source_id, None)

    def first_request(self, source: SourceSpec) -> scrapy.Request | None:
        profile = source.profile
        if profile == "auto":
            profile = profiles.detect_profile(source.url, None)
        if profile == "gkmlpt":
            api = profiles.gkmlpt_api_url(source.url)
            if api:
                return self.request(source, api, self.parse_gkmlpt, page=1, api_page=1)
        return self.request(source, source.url, self.parse_list, page=1)

    # ------------------------------------------------------------------ list pages

    @settles
    def parse_list(self, response: Response) -> Iterator[Any]:
        source = self.sources[response.meta["source_id"]]
        tally = self.tallies[source.source_id]
        page = response.meta["page"]
        tally.pages += 1
        html = safe_text(response)
        if html is None:
            tally.fail(PARSE_ERROR, f"返回的不是网页（{response.url}）", first_page=page == 1,
                       http_status=response.status)
            return
        # The snapshot rides with the page's entries (one item, not two); it is yielded on
        # its own when no entries go out, and also when reading the page fails.
        pending = [self.snapshot(source, response, html)]
        try:
            parsed = yield from self._read_list(source, response, html, page, pending)
        except Exception:
            yield from pending
            raise
        yield from pending
        if page == 1 and tally.items_dated == 0 and looks_empty(html):
            tally.empty = True
        # the list's own entries are the column's articles, not links to check: what is
        # left (menus, sidebars, attachments) is shared by many pages and checked once
        yield from self.list_page_links(source, response.url, html, page, parsed)

    def list_page_links(self, source: SourceSpec, url: str, html: str, page: int,
                        parsed: extract.ListPage | None) -> Iterator[PageLinksItem]:
        """A list page's links, unless the column's page before linked to the same beyond
        the list itself: a column's pages share their template (menus, sidebars, footer),
        so its next pages add only their own entries, which are not links to check."""
        if not source.links_per_page:
            return
        skip = self.seen[source.source_id]
        if parsed is None:  # read without its tree (a platform's first page): walked
            self.link_templates.pop(source.source_id, None)
        else:
            beyond_list = frozenset(
                link for link in extract.href_targets(parsed.doc, parsed.base)
                if link not in skip and not _own_list_page(source, link))
            fingerprint = hash(beyond_list)
            if page > 1 and self.link_templates.get(source.source_id) == fingerprint:
                return
            self.link_templates[source.source_id] = fingerprint
        yield from self.page_links(source, url, html, skip=skip, parsed=parsed)

    def page_links(self, source: SourceSpec, url: str, html: str, title: str | None = None,
                   skip: Collection[str] = (),
                   parsed: extract.ListPage | None = None) -> Iterator[PageLinksItem]:
        """The page's links (less ``skip``, and on a list page the column's own list pages:
        its pager's 尾页 is paging, not a link to check) and hidden anchors, when the crawl
        keeps them. A list page's links are read from the list parser's tree (``parsed``)."""
        if not source.links_per_page:
            return
        limit = source.links_per_page + len(skip)
        found = (extract.links_in(parsed.doc, parsed.base, limit) if parsed is not None
                 else extract.page_links(html, url, limit=limit))
        links = [link for link in found.links
                 if link not in skip and not (skip and _own_list_page(source, link))]
        links = links[:source.links_per_page]
        yield PageLinksItem(source.source_id, url, links,
                            [{"href": h.href, "text": h.text, "reason": h.reason}
                             for h in found.hidden], title)

    def window_start_of(self, source: SourceSpec) -> date:
        """How far back the source's lists are paged and its articles read."""
        if source.window_days is None:
            return self.window_start
        return min(self.window_start, self.reference_date - timedelta(days=source.window_days))

    def _read_list(self, source: SourceSpec, response: Response, html: str, page: int,
                   pending: list[SnapshotItem]) -> Generator[Any, None, extract.ListPage | None]:
        """Entries and the next page of a list page (``parse_list`` without the evidence);
        returns the parsed page (None when the page was read without parsing it whole)."""
        tally = self.tallies[source.source_id]
        profile = source.profile
        if profile == "auto":
            profile = profiles.detect_profile(response.url, html)
        selectors = extract.ListSelectors(**source.selectors) if source.selectors else None
        if profile == "hanweb" and page == 1:
            result = profiles.hanweb_first_page(html, response.url, self.reference_date,
                                                self.window_start, HANWEB_MAX_RECORDS,
                                                selectors)
            yield from self._entries(source, result.entries, pending)
            if result.next:
                yield self._hanweb_request(source, result.next, page + 1)
            return None
        parsed = extract.parse_list_page(html, response.url)  # parsed once, read thrice
        try:
            entries = self._list_entries(source, parsed, selectors)
        except ValueError as exc:  # an operator selector that does not parse
            tally.fail(PARSE_ERROR, f"配置的选择器有误：{exc}", first_page=page == 1)
            return parsed
        fresh = yield from self._entries(source, entries, pending)
        if page >= self.page_cap(source) or not profiles.more_wanted(
                fresh, self.window_start_of(source)):
            return parsed
        next_url = extract.next_page_link(parsed) if parsed is not None else None
        if next_url is None and profile == "trs":
            next_url = profiles.trs_next_page(html, response.url)
        if next_url and next_url not in self.seen[source.source_id]:
            self.seen[source.source_id].add(next_url)
            yield self.request(source, next_url, self.parse_list, page=page + 1)
        return parsed

    def _list_entries(self, source: SourceSpec, parsed: extract.ListPage | None,
                      selectors: extract.ListSelectors | None) -> list[extract.ListEntry]:
        """The page's list entries, read where the column's earlier page had its list."""
        if parsed is None:
            return []
        entries, layout = extract.list_entries(parsed, self.reference_date, selectors,
                                               self.layouts.get(source.source_id))
        if layout is not None:
            self.layouts[source.source_id] = layout
        return entries

    def _hanweb_request(self, source: SourceSpec, call: profiles.NextPage,
                        page: int) -> scrapy.Request | None:
        return self.request(source, call.url, self.parse_hanweb, page=page, method=call.method,
                            formdata=call.formdata, browser=False, hanweb_call=call)

    @settles
    def parse_hanweb(self, response: Response) -> Iterator[Any]:
        source = self.sources[response.meta["source_id"]]
        tally = self.tallies[source.source_id]
        tally.pages += 1
        call: profiles.NextPage = response.meta["hanweb_call"]
        text = safe_text(response) or ""
        result = profiles.hanweb_proxy_page(text, call, self.reference_date, self.window_start,
                                            HANWEB_MAX_RECORDS)
        yield from self._entries(source, result.entries)
        page = response.meta["page"]
        if result.next and page < self.page_cap(source):
            yield self._hanweb_request(source, result.next, page + 1)

    @settles
    def parse_gkmlpt(self, response: Response) -> Iterator[Any]:
        source = self.sources[response.meta["source_id"]]
        tally = self.tallies[source.source_id]
        tally.pages += 1
        page = response.meta["api_page"]
        text = safe_text(response) or ""
        if page == 1:
            yield self.snapshot(source, response, text)
        try:
            result = profiles.gkmlpt_page(text, response.url, page, self.window_start,
                                          self.page_cap(source))
        except ValueError as exc:
            tally.fail(PARSE_ERROR, f"gkmlpt API did not answer JSON: {exc}",
                       first_page=page == 1, http_status=response.status)
            return
        yield from self._entries(source, result.entries)
        if result.next:
            yield self.request(source, result.next.url, self.parse_gkmlpt, page=page + 1,
                               api_page=page + 1, browser=False)

    def _entries(self, source: SourceSpec, entries: list[extract.ListEntry],
                 pending: list[SnapshotItem] | None = None) -> Iterator[Any]:
        """Yield the unseen entries (dated ones as items, dateless ones as article requests);
        return them so the caller can decide whether to page on.

        A snapshot in ``pending`` is taken out and sent with the dated entries."""
        tally = self.tallies[source.source_id]
        seen = self.seen[source.source_id]
        fresh = [e for e in entries if e.url not in seen]
        seen.update(e.url for e in fresh)
        read_all = source.kind in READ_ARTICLES_OF or source.scan_articles
        known = source.known_articles
        window_start = self.window_start_of(source)
        # an article read before is opened again only when its list entry changed
        to_read = [e for e in fresh if e.published_on is None or (
            read_all and e.published_on >= window_start
            and known.get(e.url) != article_key(e.title, e.published_on))]
        dated = [EntryItem(source.source_id, e.url, e.title, e.published_on,
                           date_source=e.date_source)
                 for e in fresh if e.published_on is not None]
        tally.items_found += len(fresh)
        tally.items_dated += len(dated)
        if dated:
            yield EntryBatch(source.source_id, dated, pending.pop() if pending else None)
        for entry in to_read[:MAX_ARTICLES_PER_PAGE]:
            yield self.request(source, entry.url, self.parse_article, page=None,
                               title=entry.title, list_date=entry.published_on,
                               list_date_source=entry.date_source, browser=False)
        return fresh

    # ------------------------------------------------------------------ articles

    @settles
    def parse_article(self, response: Response) -> Iterator[EntryItem]:
        source_id = response.meta["source_id"]
        tally = self.tallies[source_id]
        html = safe_text(response)
        title = response.meta["title"]
        url = response.request.url if response.request else response.url
        if html is None:
            tally.errors.append(f"article is not HTML ({response.url})")
            yield EntryItem(source_id, url, title, None)
            return
        # The list's date stands when it showed one; the article page's otherwise.
        dated = extract.ArticleDate(response.meta.get("list_date"),
                                    response.meta.get("list_date_source"))
        if dated.published_on is None:
            dated = extract.article_date(html, self.reference_date, url=response.url,
                                         title=title)
            tally.items_dated += dated.published_on is not None
        digest = hashlib.sha256(html.encode("utf-8", "replace")).hexdigest()
        text = extract.article_text(html, response.url)
        source = self.sources[source_id]
        media = (extract.article_media(html, response.url).as_dict()
                 if source.kind == "interpretation" else None)
        message = None
        if source.kind == "messages":
            selectors = (extract.MessageSelectors(**source.message_selectors)
                         if source.message_selectors else None)
            message = message_record(extract.message_facts(html, response.url,
                                                           self.reference_date, selectors))
        read = source.kind in READ_ARTICLES_OF or source.scan_articles
        yield EntryItem(source_id, url, title, dated.published_on, content_hash=digest,
                        links=text.links,
                        statement=extract.find_no_interpretation_statement(html),
                        body=text.body if read else None,
                        date_source=dated.date_source, media=media, message=message)
        yield from self.page_links(source, url, html, title)


def message_record(facts: extract.MessageFacts) -> dict[str, Any] | None:
    """A 留言's facts as the item stores them (JSON: times as ISO text); None when the page
    showed neither a question time nor a status."""
    if facts.asked_at is None and facts.status is None:
        return None
    return {
        "asked_at": facts.asked_at.isoformat() if facts.asked_at else None,
        "asked_has_time": facts.asked_has_time,
        "replied_at": facts.replied_at.isoformat() if facts.replied_at else None,
        "replied_has_time": facts.replied_has_time,
        "status": facts.status, "status_text": facts.status_text,
        "department": facts.department, "reply_chars": facts.reply_text_chars,
    }
