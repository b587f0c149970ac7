"""The learned list layout (``extract.list_entries`` with a layout) reads the same entries as
full detection: on the demo portal, the benchmark fixture and the saved real pages."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from datetime import date

import pytest

from bench.fixture import CrawlFixture
from crawler import extract
from demo_portal import build_site

from .conftest import real_pages


def _applied(pages: list[tuple[str, bytes]], reference: date) -> tuple[int, int]:
    """Learn a layout on each page, read every page of the group with it; compare with
    full detection. (applications, differences)"""
    parsed = [p for p in (extract.parse_list_page(body, url) for url, body in pages) if p]
    applied = differ = 0
    for page in parsed:
        _, layout = extract.list_entries(page, reference)
        if layout is None:
            continue
        for other in parsed:
            full, _ = extract.list_entries(other, reference)
            fast, used = extract.list_entries(other, reference, layout=layout)
            applied += used is not None
            differ += fast != full
    return applied, differ


@pytest.mark.parametrize("as_of", [date(2021, 9, 8), date(2022, 1, 3)])
def test_layout_gives_full_detection_entries_on_the_demo_portal(as_of: date) -> None:
    site = build_site(as_of, "http://demo.test")
    by_folder: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for path, page in site.pages.items():
        if page.content_type.startswith("text/html"):
            url = "http://demo.test" + path
            by_folder[posixpath.dirname(url)].append((url, page.body))
    applied = differ = 0
    for pages in by_folder.values():
        a, d = _applied(pages, as_of)
        applied, differ = applied + a, differ + d
    assert applied > 30  # layouts that found their list again (list pages and articles tried)
    assert differ == 0


def test_layout_gives_full_detection_entries_on_the_bench_fixture() -> None:
    fixture = CrawlFixture(date(2026, 11, 29), portals=3, units=6, columns=10, pages=2,
                           accounts=0)
    for unit in range(fixture.units):
        for column in range(fixture.columns):
            pages = [(fixture.column_url(unit, column, p), fixture.list_page(unit, column, p))
                     for p in (1, 2)]
            first = extract.parse_list_page(pages[0][1], pages[0][0])
            second = extract.parse_list_page(pages[1][1], pages[1][0])
            assert first is not None and second is not None
            _, layout = extract.list_entries(first, fixture.reference)
            assert layout is not None
            fast, used = extract.list_entries(second, fixture.reference, layout=layout)
            assert used == layout and len(fast) == 20
            assert fast == extract.list_entries(second, fixture.reference)[0]


def test_layout_gives_full_detection_entries_on_real_pages() -> None:
    for path in real_pages():
        _, differ = _applied([("http://real.test/a/index.html", path.read_bytes())],
                             date(2021, 9, 6))
        assert differ == 0, path.name


def test_layout_falls_back_when_the_container_is_gone_or_thin() -> None:
    rows = "".join(f'<li><a href="/a/{i}.html">关于做好第{i}项工作的通知</a>'
                   f"<span>2021-08-{10 + i}</span></li>" for i in range(5))
    page = extract.parse_list_page(
        f'<html><body><div class="main"><ul class="list">{rows}</ul></div></body></html>',
        "http://x.gov.cn/tzgg/index.html")
    assert page is not None
    entries, layout = extract.list_entries(page, date(2021, 9, 6))
    assert layout is not None and len(entries) == 5
    changed = extract.parse_list_page(
        f'<html><body><div class="main"><ul class="news">{rows}</ul></div></body></html>',
        "http://x.gov.cn/tzgg/index_1.html")
    assert changed is not None
    found, used = extract.list_entries(changed, date(2021, 9, 6), layout=layout)
    assert found == entries  # another block at the old place: full detection found the list
    assert used is not None and used.container_class == "news"
    thin = extract.parse_list_page(
        '<html><body><div class="main"><ul class="list"><li><a href="/a/9.html">'
        "关于做好第9项工作的通知</a> 2021-08-09</li></ul></div></body></html>",
        "http://x.gov.cn/tzgg/index_2.html")
    assert thin is not None
    found, used = extract.list_entries(thin, date(2021, 9, 6), layout=layout)
    assert [e.url for e in found] == ["http://x.gov.cn/a/9.html"] and used is None
