"""A spider keeps a source's working state (the URLs it saw, where its list sits, its template's
fingerprint) only while the source has requests in flight: a province's crawl would otherwise
hold every entry URL of tens of thousands of list pages to its end. The callbacks are driven
with real responses, as Scrapy calls them."""

from __future__ import annotations

from datetime import date
from typing import Any

import scrapy
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.items import EntryBatch
from crawler.job import SourceSpec
from crawler.progress import source_finished
from crawler.spiders.account import AccountSpider
from crawler.spiders.column import ColumnSpider

from .test_crawl_hostile import list_page

AS_OF = date(2021, 9, 8)
BASE = "http://x.gov.cn/tzgg/"
FIRST = [(f"/tzgg/t{k}.html", f"关于做好第{k}项重点工作的通知", f"2021-09-0{8 - k}")
         for k in range(1, 5)]
SECOND = [FIRST[-1], *((f"/tzgg/t{k}.html", f"关于做好第{k}项重点工作的通知", f"2021-09-0{8 - k}")
                       for k in range(5, 8))]


def _spider(cls: type[Any], source: SourceSpec) -> tuple[Any, list[int]]:
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, [source], reference_date=AS_OF)
    finished: list[int] = []
    crawler.signals.connect(lambda source_id, failed: finished.append(source_id),
                            signal=source_finished, weak=False)
    return spider, finished


def _answer(request: scrapy.Request, body: bytes) -> TextResponse:
    return TextResponse(request.url, body=body, encoding="utf-8", request=request)


def test_a_column_is_forgotten_once_its_last_page_is_read() -> None:
    source = SourceSpec(7, "B01", "通知公告", "column", "general", BASE + "index.html",
                        links_per_page=50)
    spider, finished = _spider(ColumnSpider, source)
    first = spider.first_request(source)
    out = list(first.callback(_answer(first, list_page(FIRST, "index_1.html"))))
    [second] = [r for r in out if isinstance(r, scrapy.Request)]
    # between its pages the column's state is kept: the next page is read by it
    assert 7 in spider.seen and 7 in spider.layouts and 7 in spider.link_templates
    assert not finished
    out = list(second.callback(_answer(second, list_page(SECOND))))
    # the entry both pages list is stored once: what the column saw was kept until the end
    stored = [e.url for b in out if isinstance(b, EntryBatch) for e in b.entries]
    assert stored == [f"http://x.gov.cn/tzgg/t{k}.html" for k in range(5, 8)]
    assert finished == [7]
    assert 7 not in spider.seen and 7 not in spider.layouts and 7 not in spider.link_templates
    assert spider.tallies[7].items_found == 7  # the tally stays for the crawl run


def test_an_account_is_forgotten_once_its_feed_is_read() -> None:
    url = "http://x.gov.cn/wx/rss.xml"
    source = SourceSpec(9, "B01", "某某发布", "account", "rss", url)
    spider, finished = _spider(AccountSpider, source)
    request = spider.first_request(source)
    feed = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>发布</title>'
            '<item><title>秋季防火提示</title><link>http://x.gov.cn/wx/1.html</link>'
            '<pubDate>Tue, 07 Sep 2021 09:00:00 +0800</pubDate></item></channel></rss>')
    out = list(request.callback(_answer(request, feed.encode())))
    assert [e.url for b in out if isinstance(b, EntryBatch) for e in b.entries] == [
        "http://x.gov.cn/wx/1.html"]
    assert finished == [9] and 9 not in spider.seen
