"""The demo portal: determinism, page shapes, ground truth (served for real, read with urllib)."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml

from demo_portal import POLICIES, SHAPES, SOURCES, DemoPortal, build_site
from demo_portal.site import (
    ATOM_PATH,
    GKMLPT_API,
    GKMLPT_CATEGORY,
    GKMLPT_SHELL,
    HANWEB_JPAGE_JS,
    HANWEB_PATH,
    HANWEB_PROXY,
    HOSTILE_TITLE,
    JSON_LIST_PATH,
    OVERSIZED_BYTES,
    RUISHU_JS,
    SLOW_DELAY,
    TRS_PAGER_JS,
    WEIBO_PROFILE,
    accepted_outcomes,
    expected_outcome,
)

CHINA = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[1]
WEDNESDAY = date(2021, 9, 8)
NEW_YEAR_MONDAY = date(2022, 1, 3)
SRC = {s.path: s for s in SOURCES}
WEIBO = next(s for s in SOURCES if s.kind == "weibo")
GKMLPT = f"{GKMLPT_SHELL}#{GKMLPT_CATEGORY}"
# Hanweb's jpage posts these (from the nextgroup link) with startrecord/endrecord/perpage.
HANWEB_FORM = {
    "col": "1",
    "appid": "1",
    "webid": "1",
    "path": "/",
    "columnid": "2031",
    "sourceContentType": "1",
    "unitid": "7001",
    "webname": "演示县教育局",
    "permissiontype": "0",
}
# The posting pattern of the brief (W0, W-1, …, W-6), repeated here on purpose.
PATTERN = {
    "wechat": (1, 1, 3, 3, 4, 5, 4),
    "rss": (0, 5, 4, 3, 6, 3, 4),
    "weibo": (1, 3, 2, 4, 5, 3, 3),
}


@pytest.fixture(scope="module", params=[WEDNESDAY, NEW_YEAR_MONDAY], ids=str)
def portal(request: pytest.FixtureRequest):
    with DemoPortal(as_of=request.param) as running:
        yield running


ASCII_SAFE = "".join(chr(c) for c in range(33, 127))


def fetch(
    portal: DemoPortal,
    target: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, str], bytes]:
    """GET (POST with ``data``) a path or absolute URL; HTTP errors are answers too."""
    url = target if target.startswith("http") else portal.url + target
    request = urllib.request.Request(quote(url, safe=ASCII_SAFE), data, headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


def weibo_fetch(portal: DemoPortal, target: str) -> tuple[int, dict[str, str], bytes]:
    """The Weibo API wants a Referer (config/demo.yaml sends the profile page)."""
    return fetch(portal, target, headers={"Referer": portal.url + WEIBO_PROFILE})


def text_of(portal: DemoPortal, target: str) -> str:
    status, headers, body = fetch(portal, target)
    assert status == 200, (target, status)
    encoding = "gbk" if headers["Content-Type"] == "text/html" else "utf-8"
    return body.decode(encoding)


def ymd(y: str, m: str, d: str) -> date:
    return date(int(y), int(m), int(d))


def infer_year(month: int, day: int, as_of: date) -> date:
    """The latest date with this month and day that is not after ``as_of``."""
    guess = date(as_of.year, month, day)
    return guess if guess <= as_of else date(as_of.year - 1, month, day)


# (regex with groups href, y, m, d) per list shape; bracket has href, m, d
ITEM_RE = {
    "ul-span": r'<li><a href="([^"]+)"[^>]*>[^<]*</a><span>(\d{4})-(\d{2})-(\d{2})</span></li>',
    "gbk-cn": r'<li><a href="([^"]+)"[^>]*>[^<]*</a>'
    r'<span class="date">(\d{4})年(\d{1,2})月(\d{1,2})日</span></li>',
    "table": r'<tr><td class="bt"><a href="([^"]+)"[^>]*>[^<]*</a></td>'
    r'<td class="rq"[^>]*>(\d{4})/(\d{1,2})/(\d{1,2})</td></tr>',
    "paged": r'<li><a href="([^"]+)"[^>]*>[^<]*</a><span>(\d{4})-(\d{2})-(\d{2})</span></li>',
    "archive": r'<li><a href="([^"]+)"[^>]*>[^<]*</a><span>(\d{4})-(\d{2})-(\d{2})</span></li>',
    "policy": r'<li><a href="([^"]+)"[^>]*>[^<]*</a><span>(\d{4})-(\d{2})-(\d{2})</span></li>',
    "interp": r'<li><a href="([^"]+)"[^>]*>[^<]*</a><span>(\d{4})-(\d{2})-(\d{2})</span></li>',
    "div-list": r'<div class="news-item"><a href="([^"]+)"[^>]*>[^<]*</a>'
    r"<em>(\d{4})\.(\d{2})\.(\d{2})</em></div>",
    "ul-fr": r'<li><span class="fr">(\d{4})-(\d{2})-(\d{2})</span><a href="([^"]+)"',
    "trs-script": r'<li><a href="([^"]+)"[^>]*>[^<]*</a><span>(\d{4})-(\d{2})-(\d{2})</span></li>',
}
LI_RE = re.compile(
    r'<li><a href="([^"]+)" target="_blank" title="([^"]*)">([^<]*)</a>'
    r"<span>(\d{4}-\d{2}-\d{2})</span></li>"
)
PUBLISHED_RE = re.compile(r"发布日期：(\d{4})-(\d{2})-(\d{2}) \d{2}:\d{2}")


Listed = list[tuple[str, str, date]]  # (absolute URL, title, date) as a list shows them


def truth(portal: DemoPortal, path: str) -> Listed:
    """What a crawler must find in a source, from the ground truth."""
    return [(portal.url + e.path, e.title, e.published.date()) for e in portal.site.expected(path)]


def parse_records(records: list[str], base: str) -> Listed:
    out = []
    for record in records:
        href, title, text, day = LI_RE.fullmatch(record).groups()
        assert title == text
        out.append((urljoin(base, href), html.unescape(text), date.fromisoformat(day)))
    return out


def hanweb_proxy(
    portal: DemoPortal, start: int, end: int, post: bool, form: dict[str, str] = HANWEB_FORM
) -> tuple[int, int, list[str]]:
    """(totalrecord, totalpage, records) of dataproxy.jsp, asked by POST or by GET."""
    target = f"{HANWEB_PROXY}?startrecord={start}&endrecord={end}&perpage=15"
    if post:
        status, headers, body = fetch(portal, target, data=urlencode(form).encode())
    else:
        status, headers, body = fetch(portal, f"{target}&{urlencode(form)}")
    assert status == 200 and headers["Content-Type"] == "text/xml; charset=UTF-8"
    root = ET.fromstring(body)
    records = [r.text for r in root.iter("record")]
    return int(root.findtext("totalrecord")), int(root.findtext("totalpage")), records


def hanweb_items(portal: DemoPortal) -> Listed:
    """The 15 inline records, then the proxy in steps of 45, alternating GET and POST."""
    page = text_of(portal, HANWEB_PATH)
    records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", page)
    assert len(records) == 15
    start, post = len(records) + 1, False
    total = hanweb_proxy(portal, 1, 1, post=True)[0]
    while start <= total:
        records += hanweb_proxy(portal, start, start + 44, post)[2]
        start, post = start + 45, not post
    return parse_records(records, portal.url + HANWEB_PATH)


def gkmlpt_pages(portal: DemoPortal) -> list[dict]:
    """API pages from 1 until one comes back without articles."""
    pages, number = [], 1
    while True:
        status, headers, body = fetch(portal, f"{GKMLPT_API}{GKMLPT_CATEGORY}?page={number}")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        data = json.loads(body)
        if not data["articles"]:
            return pages
        pages.append(data)
        number += 1


def china_date(epoch: int) -> date:
    return datetime.fromtimestamp(epoch, CHINA).date()


def gkmlpt_items(portal: DemoPortal) -> Listed:
    return [
        (a["url"], a["title"], china_date(a["create_time"]))
        for page in gkmlpt_pages(portal)
        for a in page["articles"]
    ]


def list_items(portal: DemoPortal, path: str) -> list[tuple[str, date]]:
    """(absolute article URL, date shown for it) as the list of a column shows them."""
    spec, as_of = SRC[path], portal.as_of
    if spec.shape == "js-json":
        data = json.loads(fetch(portal, JSON_LIST_PATH)[2])
        return [(portal.url + i["url"], date.fromisoformat(i["date"])) for i in data["items"]]
    if spec.shape in ("hanweb", "gkmlpt"):
        listed = hanweb_items(portal) if spec.shape == "hanweb" else gkmlpt_items(portal)
        return [(url, day) for url, _, day in listed]
    pages = [path]
    if spec.shape in ("paged", "trs-script"):
        pages = [f"{path}index.html", f"{path}index_1.html", f"{path}index_2.html"]
    out: list[tuple[str, date]] = []
    for page in pages:
        text = text_of(portal, page)
        text = text[text.index('<div class="list-bd">') : text.index('<div class="footer">')]
        base = portal.url + page
        if spec.shape == "bracket":
            for href, m, d in re.findall(
                r'<li><a href="([^"]+)"[^>]*>[^<]*</a> <span class="time">\[(\d{2})-(\d{2})\]',
                text,
            ):
                out.append((urljoin(base, href), infer_year(int(m), int(d), as_of)))
        elif spec.shape == "no-date":
            for href in re.findall(r'<li><a href="([^"]+)" target="_blank">', text):
                article = text_of(portal, href)
                out.append((urljoin(base, href), ymd(*PUBLISHED_RE.search(article).groups())))
        elif spec.shape == "ul-fr":
            for y, m, d, href in re.findall(ITEM_RE["ul-fr"], text):
                out.append((urljoin(base, href), ymd(y, m, d)))
        else:
            for href, y, m, d in re.findall(ITEM_RE[spec.shape], text):
                out.append((urljoin(base, href), ymd(y, m, d)))
    return out


# Columns a crawl can read (the slow and the oversized column have content but are not).
COLUMNS = [
    s.path
    for s in SOURCES
    if s.type == "column" and s.newest_age is not None and expected_outcome(s) == "ok"
]
NEW_SHAPES = ("trs-script", "hanweb", "gkmlpt")  # issue #4: 30–60 items each


# --------------------------------------------------------------------------- pure part


def test_build_site_is_deterministic_per_date() -> None:
    one = build_site(WEDNESDAY, "http://127.0.0.1:9")
    two = build_site(WEDNESDAY, "http://127.0.0.1:9")
    assert one.pages == two.pages
    assert one.entries == two.entries
    assert one.hanweb == two.hanweb and one.gkmlpt == two.gkmlpt
    other = build_site(WEDNESDAY + timedelta(days=1), "http://127.0.0.1:9")
    assert other.pages != one.pages
    assert other.pages["/a01/zwdt/"] != one.pages["/a01/zwdt/"]


def test_ground_truth_matches_the_brief() -> None:
    assert {
        k: s.weekly_posts for k, s in ((s.kind, s) for s in SOURCES if s.type == "account")
    } == PATTERN
    stale = {s.path for s in SOURCES if s.is_stale()}
    assert stale == {"/a01/tzgg/", "/a03/gzdt/", "/b01/tzgg/"}
    assert {s.kind: s.short_weeks() for s in SOURCES if s.type == "account"} == {
        "wechat": (1,),
        "rss": (),
        "weibo": (2,),
    }
    assert [p.key for p in POLICIES if p.expect_finding()] == ["P2", "P9", "P13"]


def test_titles_are_unique_within_each_source() -> None:
    site = build_site(NEW_YEAR_MONDAY)
    for path, entries in site.entries.items():
        titles = [e.title for e in entries]
        assert len(titles) == len(set(titles)), path


# --------------------------------------------------------------------------- columns


@pytest.mark.parametrize("path", COLUMNS)
def test_newest_item_has_the_configured_age(portal: DemoPortal, path: str) -> None:
    spec, as_of = SRC[path], portal.as_of
    items = list_items(portal, path)
    dates = [d for _, d in items]
    assert max(dates) == as_of - timedelta(days=spec.newest_age)
    assert all(d <= as_of for d in dates)
    assert dates == sorted(dates, reverse=True)
    if spec.shape == "paged":
        assert len(items) == 60
    elif spec.kind == "general" and spec.shape != "archive":
        low, high = (30, 60) if spec.shape in NEW_SHAPES else (20, 40)
        assert low <= len(items) <= high
        assert 75 <= (as_of - min(dates)).days - spec.newest_age <= 90
    assert [(u, d) for u, _, d in truth(portal, path)] == items
    assert len({url for url, _ in items}) == len(items)


@pytest.mark.parametrize("path", COLUMNS)
def test_article_pages_agree_with_the_list(portal: DemoPortal, path: str) -> None:
    """Every listed date (year-less ones with the year inferred) is the article's 发布日期."""
    for url, shown in list_items(portal, path):
        article = text_of(portal, url)
        assert ymd(*PUBLISHED_RE.search(article).groups()) == shown, url
        assert "来源：" in article and "阅读次数：" in article


def test_year_less_dates_cross_new_year() -> None:
    with DemoPortal(as_of=NEW_YEAR_MONDAY) as running:
        text = text_of(running, "/a03/gzdt/")
        assert "[12-27]" in text  # exactly 7 days before 2022-01-03
        assert not re.search(r"\[01-0[4-9]\]", text)
        assert all(d.year == 2021 for _, d in list_items(running, "/a03/gzdt/"))


def test_gbk_column_declares_charset_only_in_meta(portal: DemoPortal) -> None:
    status, headers, body = fetch(portal, "/a01/tzgg/")
    assert status == 200
    assert headers["Content-Type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />' in text
    assert "通知公告" in text and "当前位置：" in text
    href = re.search(r'<li><a href="(/a01/tzgg/[^"]+)"', text).group(1)
    status, headers, body = fetch(portal, href)
    assert headers["Content-Type"] == "text/html"
    assert "发布日期：" in body.decode("gbk")


def test_failing_column_answers_500(portal: DemoPortal) -> None:
    status, _, body = fetch(portal, "/b03/tzgg/")
    assert status == 500
    assert "服务器内部错误" in body.decode("utf-8")


def test_pagination_like_trs(portal: DemoPortal) -> None:
    first = text_of(portal, "/a02/xzdt/")
    assert first == text_of(portal, "/a02/xzdt/index.html")
    pages = [first, text_of(portal, "/a02/xzdt/index_1.html")]
    pages.append(text_of(portal, "/a02/xzdt/index_2.html"))
    assert fetch(portal, "/a02/xzdt/index_3.html")[0] == 404
    for k, page in enumerate(pages):
        assert f'createPageHTML(3, {k}, "index", "html");' in page
        assert ">首页</a>" in page and ">尾页</a>" in page
        assert len(re.findall(ITEM_RE["paged"], page)) == 20
    assert '<a href="index_1.html">下一页</a>' in pages[0] and "上一页" not in pages[0]
    assert '<a href="index.html">上一页</a>' in pages[1]
    assert '<a href="index_2.html">下一页</a>' in pages[1]
    assert "下一页" not in pages[2] and '<a href="index_1.html">上一页</a>' in pages[2]


def test_js_column_shell_and_json_api(portal: DemoPortal) -> None:
    shell = text_of(portal, "/b02/gzdt/")
    assert '<ul id="list"><li class="loading">加载中…</li></ul>' in shell
    assert f'fetch("{JSON_LIST_PATH}")' in shell
    assert not re.search(r"\d{4}-\d{2}-\d{2}</span>", shell)
    _, headers, body = fetch(portal, JSON_LIST_PATH)
    assert headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert set(data) == {"total", "items"} and data["total"] == len(data["items"])
    for item in data["items"]:
        assert set(item) == {"title", "url", "date"}
        assert item["url"].startswith("/b02/gzdt/") and item["url"].endswith(".html")
    article = text_of(portal, data["items"][0]["url"])
    assert data["items"][0]["title"] in article


def test_hostile_title_is_escaped(portal: DemoPortal) -> None:
    escaped = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;关于做好防汛工作的通知"
    text = text_of(portal, "/a01/zwdt/")
    assert escaped in text
    assert "alert(" not in text.replace(escaped, "")
    href = re.search(r'<li><a href="([^"]+)"[^>]*>' + re.escape(escaped), text).group(1)
    article = text_of(portal, href)
    assert f"<h1>{escaped}</h1>" in article and "<script>alert" not in article
    assert HOSTILE_TITLE in [e.title for e in portal.site.entries["/a01/zwdt/"]]


def test_policy_and_interpretation_columns(portal: DemoPortal) -> None:
    policies = dict((u, d) for u, d in list_items(portal, "/b01/zcwj/"))
    interps = text_of(portal, "/b01/zcjd/")
    text = text_of(portal, "/b01/zcwj/")
    by_key = {}
    for doc in POLICIES:
        when = portal.as_of - timedelta(days=doc.age)
        title = doc.title.format(y=when.year)
        href = re.search(r'<a href="([^"]+)" target="_blank" title="' + re.escape(title), text)
        by_key[doc.key] = href.group(1)
        assert policies[portal.url + href.group(1)] == when
        page = text_of(portal, href.group(1))
        if doc.doc_no:
            assert f"文号：{doc.doc_no.format(y=when.year)}" in page and "成文日期：" in page
        if doc.interpretation:
            assert f">{doc.interpretation}</a>" in interps
        assert ("本文件不作解读" in page) == (doc.key == "P5")
        assert (">相关解读</a>" in page) == doc.policy_links_interpretation
    assert "粮食生产" not in interps
    p6 = text_of(portal, by_key["P6"])
    target = re.search(r'<a href="([^"]+)">相关解读</a>', p6).group(1)
    assert "<h1>图解：城区停车新规来了</h1>" in text_of(portal, target)
    for key in ("P1", "P3"):
        doc = next(p for p in POLICIES if p.key == key)
        interp = re.search(r'<a href="([^"]+)"[^>]*>' + re.escape(doc.interpretation), interps)
        assert f'href="{by_key[key]}"' in text_of(portal, interp.group(1))
    assert "关于张三同志任职的通知" in text and "公开招聘工作人员公告" in text


# --------------------------------------------------------------------------- accounts


def week_counts(dates: list[date], as_of: date) -> tuple[int, ...]:
    monday = as_of - timedelta(days=as_of.weekday())
    counts = Counter((monday - (d - timedelta(days=d.weekday()))).days // 7 for d in dates)
    assert all(d <= as_of for d in dates)
    return tuple(counts.get(k, 0) for k in range(max(counts) + 1))


def wechat_dates(portal: DemoPortal) -> list[date]:
    text = text_of(portal, "/b02/wechat/")
    blocks = re.findall(
        r'<div class="weui_media_box appmsg"[^>]*>.*?<h4 class="weui_media_title" hrefs="([^"]+)">'
        r'.*?<p class="weui_media_extra_info">(\d{4})年(\d{1,2})月(\d{1,2})日</p>',
        text,
        re.S,
    )
    out = []
    for href, y, m, d in blocks:
        assert href.startswith(portal.url + "/b02/wechat/s/")
        article = text_of(portal, href)
        ct = int(re.search(r'var ct = "(\d+)";', article).group(1))
        shown = re.search(r'<em id="publish_time"[^>]*>(\d{4}-\d{2}-\d{2}) \d\d:\d\d</em>', article)
        stamp = datetime.fromtimestamp(ct, tz=CHINA)
        assert stamp.date() == ymd(y, m, d) == date.fromisoformat(shown.group(1))
        out.append(ymd(y, m, d))
    return out


Feed = list[tuple[str, datetime]]


def rss_and_atom(portal: DemoPortal) -> tuple[Feed, Feed]:
    _, headers, body = fetch(portal, "/b03/rss.xml")
    assert headers["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(body).find("channel")
    rss = []
    for item in channel.findall("item"):
        pub = item.findtext("pubDate")
        assert pub.endswith(" +0800")
        rss.append((item.findtext("title"), parsedate_to_datetime(pub)))
        assert item.findtext("link").startswith(portal.url + "/")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    _, headers, body = fetch(portal, ATOM_PATH)
    assert headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(body)
    atom = [
        (
            e.findtext("a:title", namespaces=ns),
            datetime.fromisoformat(e.findtext("a:published", namespaces=ns)),
        )
        for e in feed.findall("a:entry", ns)
    ]
    return rss, atom


def weibo_pages(portal: DemoPortal) -> list[dict]:
    pages, number = [], 1
    while number is not None:
        status, headers, body = weibo_fetch(portal, f"{WEIBO.path}&page={number}")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        data = json.loads(body)
        assert data["ok"] == 1
        pages.append(data)
        number = data["data"]["cardlistInfo"]["page"]
    return pages


def test_wechat_posting_pattern(portal: DemoPortal) -> None:
    assert week_counts(wechat_dates(portal), portal.as_of) == PATTERN["wechat"]


def test_rss_and_atom_feeds(portal: DemoPortal) -> None:
    rss, atom = rss_and_atom(portal)
    assert rss == atom and len(rss) == sum(PATTERN["rss"])
    assert week_counts([d.date() for _, d in rss], portal.as_of) == PATTERN["rss"]
    assert all(d.utcoffset() == timedelta(hours=8) for _, d in rss)


def test_weibo_container_api(portal: DemoPortal) -> None:
    pages = weibo_pages(portal)
    total = sum(PATTERN["weibo"])
    assert [len(p["data"]["cards"]) for p in pages] == [10, 10, total - 20]
    assert [p["data"]["cardlistInfo"]["page"] for p in pages] == [2, 3, None]
    dates = []
    for page in pages:
        info = page["data"]["cardlistInfo"]
        assert info["containerid"] == "1076031000000004" and info["total"] == total
        for card in page["data"]["cards"]:
            assert card["card_type"] == 9
            blog = card["mblog"]
            assert blog["id"] == blog["mid"] and blog["source"] == "微博 weibo.com"
            created = datetime.strptime(blog["created_at"], "%a %b %d %H:%M:%S %z %Y")
            assert created.utcoffset() == timedelta(hours=8)
            dates.append(created.date())
    assert week_counts(dates, portal.as_of) == PATTERN["weibo"]
    assert json.loads(weibo_fetch(portal, WEIBO.path)[2]) == pages[0]  # page defaults to 1
    beyond = json.loads(weibo_fetch(portal, f"{WEIBO.path}&page=4")[2])
    assert beyond["ok"] == 0 and beyond["data"]["cards"] == []
    profile = text_of(portal, WEIBO_PROFILE)
    assert WEIBO.path.replace("&", "&amp;") in profile


# --------------------------------------------------------------------------- whole site

DATE_PATTERNS = (
    re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})\.(\d{1,2})\.(\d{1,2})(?!\d)"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)


def crawl(portal: DemoPortal) -> dict[str, tuple[int, str]]:
    """Every same-site URL reachable from / (links, WeChat hrefs, JSON urls, feed links, the
    Hanweb proxy, the gkmlpt API). The slow column is read from the site, not waited for."""
    seen: dict[str, tuple[int, str]] = {}
    queue = [portal.url + p for p in ("/", "/robots.txt", ATOM_PATH, JSON_LIST_PATH)]
    queue += [portal.url + s.path.split("#")[0] for s in SOURCES]
    queue.append(f"{portal.url}{HANWEB_PROXY}?startrecord=1&endrecord=60&{urlencode(HANWEB_FORM)}")
    queue += [f"{portal.url}{GKMLPT_API}{GKMLPT_CATEGORY}?page={n}" for n in range(1, 7)]
    referer = {"Referer": portal.url + WEIBO_PROFILE}
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        page = portal.site.pages.get(urlsplit(url).path)
        if page is not None and page.delay:
            status, headers, body = page.status, {"Content-Type": page.content_type}, page.body
        else:
            status, headers, body = fetch(portal, url, headers=referer)
        ctype = headers.get("Content-Type", "")
        text = body.decode("gbk" if ctype == "text/html" else "utf-8")
        seen[url] = (status, text)
        found = re.findall(r'(?:href|hrefs|src)="([^"#]+)', text)
        found += re.findall(r"<link>([^<]+)</link>", text)
        for count, _, stem, ext in re.findall(
            r'createPageHTML\((\d+), (\d+), "(\w+)", "(\w+)"', text
        ):
            found += [f"{stem}_{k}.{ext}" for k in range(1, int(count))]  # TRS pager pages
        if ctype.startswith("application/json"):
            data = json.loads(text)
            found += [i["url"] for i in data.get("items", [])]
            found += [a["url"] for a in data.get("articles", [])]
            found += [c["scheme"] for c in data.get("data", {}).get("cards", [])]
            nxt = data.get("data", {}).get("cardlistInfo", {}).get("page")
            if nxt:
                found.append(f"{WEIBO.path}&page={nxt}")
        for link in found:
            link = urljoin(url, link.replace("&amp;", "&"))
            if urlsplit(link).netloc == urlsplit(portal.url).netloc:
                queue.append(link.split("#")[0])
    return seen


def test_every_link_works_and_no_date_is_after_as_of(portal: DemoPortal) -> None:
    seen = crawl(portal)
    broken = {u: s for u, (s, _) in seen.items() if s != 200}
    assert broken == {
        portal.url + "/b03/tzgg/": 500,
        portal.url + "/b04/bszn/": 412,
        portal.url + "/a02/tzgg/": 521,
        portal.url + "/b03/ssj/attach/missing.pdf": 404,  # national.DEAD_LINK
    }
    reached = {urlsplit(u).path for u in seen}
    for entries in portal.site.entries.values():
        assert {e.path for e in entries} <= reached
    latest = date.min
    for url, (_, text) in seen.items():
        found = [ymd(*g) for rx in DATE_PATTERNS for g in rx.findall(text)]
        found += [
            datetime.strptime(m, "%a %b %d %H:%M:%S %z %Y").date()
            for m in re.findall(r'"created_at": "([^"]+)"', text)
        ]
        found += [parsedate_to_datetime(m).date() for m in re.findall(r"<pubDate>([^<]+)<", text)]
        found += [china_date(int(m)) for m in re.findall(r'"create_time": (\d+)', text)]
        for d in found:
            assert d <= portal.as_of, (url, d)
            latest = max(latest, d)
    assert latest == portal.as_of  # the header's 今天是 and the age-0 column


def test_robots_home_and_layout(portal: DemoPortal) -> None:
    status, _, body = fetch(portal, "/robots.txt")
    assert status == 200 and body.decode() == "User-agent: *\nDisallow:\n"
    home = text_of(portal, "/")
    for spec in SOURCES:
        href = WEIBO_PROFILE if spec.kind == "weibo" else spec.path
        assert f'href="{href}"' in home and spec.name in home
    for marker in ("当前位置：", "主办单位：", "ICP备", "友情链接", "今天是："):
        assert marker in text_of(portal, "/a01/zwdt/")
    assert fetch(portal, "/no/such/page.html")[0] == 404
    assert fetch(portal, "/a01/zwdt")[0] == 200  # follows the redirect


# --------------------------------------------------------------------------- issue #4 shapes


def test_new_sources_ground_truth() -> None:
    outcomes = {s.path: expected_outcome(s) for s in SOURCES}
    assert {p: o for p, o in outcomes.items() if o != "ok"} == {
        "/b03/tzgg/": "http_error",
        "/b03/xzzf/": "timeout",
        "/b04/bszn/": "blocked",
        "/a02/tzgg/": "blocked",
        "/a01/tpxw/": "too_large",
        "/a03/zxgk/": "empty",  # a blank column (national checks)
    }
    assert accepted_outcomes(SRC["/a01/tpxw/"]) == {"too_large", "parse_error", "http_error"}
    assert accepted_outcomes(SRC["/b04/bszn/"]) == {"blocked"}
    assert {s.shape for s in SOURCES} == set(SHAPES)
    assert {s.path: s.profile for s in SOURCES if s.profile != "auto"} == {
        "/a03/tzgg/": "trs",
        HANWEB_PATH: "hanweb",
        GKMLPT: "gkmlpt",
    }
    site = build_site(WEDNESDAY, "http://127.0.0.1:9")
    for spec in SOURCES:
        entries = site.entries[spec.path]
        expected = site.expected(spec.path)
        assert expected == (entries if outcomes[spec.path] == "ok" else ())
        if spec.fault == "blocked":
            assert entries == () and spec.newest_age is None and not spec.is_stale()
        if spec.shape in (*NEW_SHAPES, "slow", "oversized"):
            assert 30 <= len(entries) <= 60 and spec.expect_update and 1 <= spec.newest_age <= 3
            assert (WEDNESDAY - entries[0].published.date()).days == spec.newest_age
            assert [e.published for e in entries] == sorted(
                (e.published for e in entries), reverse=True
            )


def test_trs_pager_is_only_a_script(portal: DemoPortal) -> None:
    path = "/a03/tzgg/"
    pages = [text_of(portal, f"{path}{name}") for name in ("index.html", "index_1.html")]
    pages.append(text_of(portal, f"{path}index_2.html"))
    assert text_of(portal, path) == pages[0]
    assert fetch(portal, f"{path}index_3.html")[0] == 404
    listed: Listed = []
    for k, page in enumerate(pages):
        assert "下一页" not in page and "上一页" not in page and "尾页" not in page
        assert f'<script>createPageHTML(3, {k}, "index", "html");</script>' in page
        assert page.count("createPageHTML(") == 1
        assert f'<script type="text/javascript" src="{TRS_PAGER_JS}"></script>' in page
        rows = re.findall(
            r'<li><a href="(\./(\d{6})/t(\d{8})_\d+\.html)" target="_blank" title="([^"]*)">'
            r"([^<]*)</a><span>(\d{4}-\d{2}-\d{2})</span></li>",
            page,
        )
        assert len(rows) == (20 if k < 2 else 15)
        base = portal.url + path + ("index.html" if k == 0 else f"index_{k}.html")
        for href, month, day, title, text, shown in rows:
            assert title == text
            assert day == shown.replace("-", "") and month == day[:6]
            listed.append((urljoin(base, href), html.unescape(text), date.fromisoformat(shown)))
    assert listed == truth(portal, path)
    status, headers, body = fetch(portal, TRS_PAGER_JS)
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    assert "function createPageHTML(" in body.decode() and "下一页" in body.decode()


def test_hanweb_inline_datastore_and_data_proxy(portal: DemoPortal) -> None:
    page = text_of(portal, HANWEB_PATH)
    assert text_of(portal, "/col/col2031/") == page
    assert fetch(portal, "/col/col2031/index_1.html")[0] == 404
    assert '<div id="2031"><script type="text/xml"><datastore><nextgroup><![CDATA[' in page
    nextgroup = (
        '<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=2031'
        '&unitid=7001&webname=演示县教育局&permissiontype=0"></a>'
    )
    assert f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup><recordset>" in page
    assert f'<script language="javascript" src="{HANWEB_JPAGE_JS}"></script>' in page
    assert fetch(portal, HANWEB_JPAGE_JS)[0] == 200
    expected = truth(portal, HANWEB_PATH)
    assert len(expected) == 57
    assert hanweb_items(portal) == expected
    # The same ranges by GET and by POST; totals as jpage reads them; clipping at the end.
    by_get = hanweb_proxy(portal, 1, 45, post=False)
    by_post = hanweb_proxy(portal, 1, 45, post=True)
    assert by_get == by_post and by_get[:2] == (57, 4) and len(by_get[2]) == 45
    inline = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", page)
    assert by_post[2][:15] == inline
    assert parse_records(hanweb_proxy(portal, 46, 90, post=True)[2], portal.url) == expected[45:]
    assert hanweb_proxy(portal, 58, 90, post=True)[2] == []
    assert hanweb_proxy(portal, 1, 45, post=True, form={})[:3] == (0, 0, [])  # no columnid
    for url, title, day in expected[:3] + expected[-3:]:
        assert re.fullmatch(r"http://[^/]+/art/\d{4}/\d{1,2}/\d{1,2}/art_2031_\d+\.html", url)
        y, m, d = re.search(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/", url).groups()
        assert ymd(y, m, d) == day
        article = text_of(portal, url)
        assert (
            f"发布日期：{day.isoformat()}" in article
            and f"<h1>{html.escape(title)}</h1>" in article
        )


def test_gkmlpt_shell_and_json_api(portal: DemoPortal) -> None:
    shell = text_of(portal, GKMLPT_SHELL)
    body = shell[shell.index('<div class="list-bd">') : shell.index('<div class="footer">')]
    assert '<div id="gkmlpt-app"' in body and f'"{GKMLPT_API}" + cid' in body
    assert "post_" not in body and not re.search(r"\d{4}-\d{2}-\d{2}", body)
    pages = gkmlpt_pages(portal)
    assert [p["page"] for p in pages] == [1, 2, 3, 4, 5]
    assert [len(p["articles"]) for p in pages] == [10, 10, 10, 10, 3]
    for page in pages:
        assert page["total"] == 43 and page["classify"] == {"id": 5061, "name": "卫生健康"}
        for art in page["articles"]:
            assert set(art) == {
                "id",
                "title",
                "url",
                "create_time",
                "identifier",
                "document_number",
            }
            ident = art["id"]
            assert art["url"] == (
                f"{portal.url}/gkmlpt/content/{ident // 10**6}/{ident // 1000}/post_{ident}.html"
            )
    expected = truth(portal, GKMLPT)
    assert gkmlpt_items(portal) == expected
    # create_time is an instant; its date is the China date, which UTC gets wrong for some.
    stamps = [a["create_time"] for p in pages for a in p["articles"]]
    assert any(china_date(t) != datetime.fromtimestamp(t, ZoneInfo("UTC")).date() for t in stamps)
    past = json.loads(fetch(portal, f"{GKMLPT_API}{GKMLPT_CATEGORY}?page=6")[2])
    assert past["articles"] == [] and past["total"] == 43 and past["page"] == 6
    assert json.loads(fetch(portal, f"{GKMLPT_API}{GKMLPT_CATEGORY}")[2]) == pages[0]
    url, title, day = expected[0]
    article = text_of(portal, url)
    assert f"发布日期：{day.isoformat()}" in article and html.escape(title) in article


def test_anti_bot_challenges(portal: DemoPortal) -> None:
    for target in ("/b04/bszn/", "/b04/bszn/index.html"):
        status, headers, body = fetch(portal, target)
        text = body.decode()
        assert status == 412 and "Set-Cookie" in headers
        assert text.startswith(
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
            '$_ts.nsd=12345;$_ts.cd="qqqq'
        )
        assert f'<script type="text/javascript" charset="utf-8" src="{RUISHU_JS}"></script>' in text
        assert text.endswith("</head><body></body></html>")
    assert fetch(portal, RUISHU_JS)[0] == 200
    status, headers, body = fetch(portal, "/a02/tzgg/")
    text = body.decode()
    assert status == 521 and headers["Set-Cookie"].startswith("__jsluid_h=")
    assert text.startswith("<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')")
    assert text.endswith(";location.href=location.pathname+location.search</script>")
    assert "".join(re.findall(r"\('(.)'\)", text)).startswith("__jsl_clearance=")
    assert text.count("__jsl_clearance") == 1  # once literally; once more when joined
    assert fetch(portal, "/a02/tzgg/index.html")[0] == 521


def test_oversized_column(portal: DemoPortal) -> None:
    status, headers, body = fetch(portal, "/a01/tpxw/")
    assert status == 200 and len(body) == OVERSIZED_BYTES == int(headers["Content-Length"])
    assert len(body) > 5 * 1024 * 1024
    text = body.decode("utf-8")
    start, end = text.index("<!-- 轮播图历史数据"), text.index("-->", text.index("<!-- 轮播图"))
    assert end - start > 6_000_000 and not re.search(r"\d", text[start:end])
    rows = [
        (urljoin(portal.url, h), html.unescape(t), date.fromisoformat(d))
        for h, _, t, d in LI_RE.findall(text[:start])
    ]
    assert rows == [
        (portal.url + e.path, e.title, e.published.date())
        for e in portal.site.entries["/a01/tpxw/"]
    ]
    assert portal.site.expected("/a01/tpxw/") == ()


def test_slow_column_lists_its_entries_without_waiting() -> None:
    """The slow column's page (read from the site, not over HTTP) is a valid list."""
    site = build_site(WEDNESDAY, "http://127.0.0.1:9")
    page = site.pages["/b03/xzzf/"]
    assert page.delay == SLOW_DELAY and page.status == 200
    rows = re.findall(
        r'<li><a href="([^"]+)" target="_blank">([^<]*)</a><span>(\d{4}-\d{2}-\d{2})</span>',
        page.body.decode(),
    )
    assert [(html.unescape(t), h, date.fromisoformat(d)) for h, t, d in rows] == [
        (e.title, e.path, e.published.date()) for e in site.entries["/b03/xzzf/"]
    ]
    assert site.expected("/b03/xzzf/") == ()
    assert site.pages[site.entries["/b03/xzzf/"][0].path].delay == 0


# SLOW: ~6 s of wall time, the only test that waits for the slow column.
def test_SLOW_timeout_column_takes_six_seconds_and_blocks_nothing_else() -> None:
    with DemoPortal(as_of=WEDNESDAY) as running:
        results: dict[str, object] = {}

        def patient() -> None:
            began = time.monotonic()
            results["patient"] = (fetch(running, "/b03/xzzf/")[0], time.monotonic() - began)

        def impatient() -> None:  # what the crawler sees with the config's timeout: 2
            began = time.monotonic()
            try:
                fetch(running, "/b03/xzzf/", timeout=2)
                results["impatient"] = ("answered", time.monotonic() - began)
            except (TimeoutError, urllib.error.URLError):
                results["impatient"] = ("timeout", time.monotonic() - began)

        threads = [threading.Thread(target=patient), threading.Thread(target=impatient)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        began = time.monotonic()
        assert fetch(running, "/a01/zwdt/")[0] == 200
        assert time.monotonic() - began < 1.0  # answered at once while two requests wait
        for thread in threads:
            thread.join(timeout=15)
        status, took = results["patient"]
        assert status == 200 and 5.0 <= took < 9.0
        outcome, took = results["impatient"]
        assert outcome == "timeout" and 1.9 <= took < 4.0


def test_weibo_api_wants_a_referer(portal: DemoPortal) -> None:
    for target in (WEIBO.path, f"{WEIBO.path}&page=2"):
        status, headers, body = fetch(portal, target)
        assert status == 403 and headers["Content-Type"].startswith("application/json")
        assert json.loads(body) == {"ok": -100, "msg": "请先登录"}
        status, _, body = weibo_fetch(portal, target)
        assert status == 200 and json.loads(body)["ok"] == 1
    assert fetch(portal, WEIBO_PROFILE)[0] == 200  # only the API checks


# --------------------------------------------------------------------------- config, CLI


def test_demo_config_lists_every_source() -> None:
    raw = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    assert data["county"] == "演示县"
    prefix = "${GOVWATCH_DEMO_URL:-http://127.0.0.1:8765}"
    configured = {}
    for unit in data["units"]:
        for col in unit.get("columns", []):
            configured[col["url"].removeprefix(prefix)] = (unit["code"], col["name"], col)
        for acc in unit.get("accounts", []):
            configured[acc["url"].removeprefix(prefix)] = (unit["code"], acc["name"], acc)
    assert set(configured) == set(SRC)
    for path, (code, name, entry) in configured.items():
        spec = SRC[path]
        assert (code, name) == (spec.unit, spec.name)
        if spec.type == "column":
            assert entry["kind"] == spec.kind and entry["render"] == spec.render
            assert entry["expect_update"] == spec.expect_update
            assert entry.get("profile", "auto") == spec.profile
            assert entry.get("timeout") == spec.timeout
        else:
            assert entry["platform"] == spec.kind
    policy = configured["/b01/zcwj/"][2]
    assert policy["policy_titles"] == {"exclude": ["任职", "任免", "招聘", "录用"]}
    assert data["settings"]["crawl"]["max_response_mb"] == 5
    assert OVERSIZED_BYTES > 5 * 1024 * 1024
    weibo = configured[WEIBO.path][2]
    assert weibo["headers"] == {"Referer": prefix + WEIBO_PROFILE}


def test_demo_config_validates_with_govwatch(monkeypatch: pytest.MonkeyPatch) -> None:
    config = pytest.importorskip("govwatch.config")
    monkeypatch.setenv("GOVWATCH_DEMO_URL", "http://127.0.0.1:1234")
    county = config.load_config(ROOT / "config" / "demo.yaml")
    urls = [c.url for u in county.units for c in u.columns]
    assert all(u.startswith("http://127.0.0.1:1234/") for u in urls)
    columns = {
        c.url.removeprefix("http://127.0.0.1:1234"): c for u in county.units for c in u.columns
    }
    assert {p: c.profile for p, c in columns.items() if c.profile != "auto"} == {
        "/a03/tzgg/": "trs",
        HANWEB_PATH: "hanweb",
        GKMLPT: "gkmlpt",
    }
    assert columns["/b03/xzzf/"].timeout == 2 < SLOW_DELAY
    assert county.settings.crawl.max_response_mb == 5
    weibo = next(a for u in county.units for a in u.accounts if a.platform == "weibo")
    assert weibo.headers == {"Referer": "http://127.0.0.1:1234" + WEIBO_PROFILE}


def test_module_entry_point_serves_until_sigterm() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo_portal", "--port", "0", "--as-of", "2021-09-08"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        with urllib.request.urlopen(url + "/a01/zwdt/", timeout=10) as resp:
            assert "今天是：2021年09月08日 星期三" in resp.read().decode()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
