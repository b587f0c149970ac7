"""A column's list pages share a template: the crawl walks a next page for its links only
when it links to something the page before did not, beyond the list's own entries and pager
(``ColumnSpider.list_page_links``). Crawled for real from a local portal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from govwatch.cli import app
from govwatch.config import load_config
from storage.models import PageLinks

from .conftest import AS_OF
from .test_crawl_hostile import Site, county_file, list_page, page

MENU = ('<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a>'
        '<a href="/hdjl/">互动交流</a></div>')
CASINO = ('<div style="display:none"><a href="http://www.bocai-casino.example.com/">'
          '澳门博彩</a></div>')


def entries(column: str, first: int) -> list[tuple[str, str, str | None]]:
    return [(f"/{column}/t{first + k}.html", f"关于做好第{first + k}项工作的通知",
             AS_OF.replace(day=8 - k).isoformat()) for k in range(3)]


@pytest.fixture(scope="module")
def portal() -> Iterator[Site]:
    routes = {}
    for column, tail in (("same", MENU), ("hacked", MENU + CASINO)):
        routes[f"/{column}/index.html"] = page(list_page(entries(column, 1), "index_1.html",
                                                         tail=MENU))
        routes[f"/{column}/index_1.html"] = page(list_page(entries(column, 4), tail=tail))
    with Site(routes) as site:
        yield site


def test_a_next_page_is_walked_only_when_it_links_elsewhere(portal: Site,
                                                             tmp_path: Path) -> None:
    config = load_config(county_file(tmp_path, portal.url, {
        "同模板栏目": "/same/index.html", "第二页被挂马栏目": "/hacked/index.html"}))
    db = app.open_database(config)
    try:
        app.crawl(config, db, reference_date=AS_OF)
        with db.session() as session:
            rows = {row.page_url.removeprefix(portal.url): row
                    for row in session.scalars(select(PageLinks))}
    finally:
        db.dispose()
    assert {"/same/index_1.html", "/hacked/index_1.html"} <= set(portal.hits)
    # the same menu on both pages of a column: its second page adds nothing to check
    assert set(rows) == {"/same/index.html", "/hacked/index.html", "/hacked/index_1.html"}
    assert f"{portal.url}/zwgk/" in rows["/same/index.html"].links
    assert not any("/same/t" in link for link in rows["/same/index.html"].links)
    # a second page that links to a hidden casino is walked, and the anchor is found
    assert [h["href"] for h in rows["/hacked/index_1.html"].hidden] == [
        "http://www.bocai-casino.example.com/"]
    assert rows["/hacked/index.html"].hidden == []
