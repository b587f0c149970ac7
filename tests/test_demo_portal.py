"""The demo portal: determinism, page shapes, ground truth (served for real, read with urllib)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml

from demo_portal import POLICIES, SOURCES, DemoPortal, build_site
from demo_portal.site import ATOM_PATH, HOSTILE_TITLE, JSON_LIST_PATH, WEIBO_PROFILE

CHINA = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[1]
WEDNESDAY = date(2021, 9, 8)
NEW_YEAR_MONDAY = date(2022, 1, 3)
SRC = {s.path: s for s in SOURCES}
WEIBO = next(s for s in SOURCES if s.kind == "weibo")
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


def fetch(portal: DemoPortal, target: str) -> tuple[int, dict[str, str], bytes]:
    """GET a path (or absolute URL); HTTP errors are answers too."""
    url = target if target.startswith("http") else portal.url + target
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


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
}
PUBLISHED_RE = re.compile(r"发布日期：(\d{4})-(\d{2})-(\d{2}) \d{2}:\d{2}")


def list_items(portal: DemoPortal, path: str) -> list[tuple[str, date]]:
    """(absolute article URL, date shown for it) as the list of a column shows them."""
    spec, as_of = SRC[path], portal.as_of
    if spec.shape == "js-json":
        data = json.loads(fetch(portal, JSON_LIST_PATH)[2])
        return [(portal.url + i["url"], date.fromisoformat(i["date"])) for i in data["items"]]
    pages = [path]
    if spec.shape == "paged":
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


COLUMNS = [s.path for s in SOURCES if s.type == "column" and s.newest_age is not None]


# --------------------------------------------------------------------------- pure part


def test_build_site_is_deterministic_per_date() -> None:
    one = build_site(WEDNESDAY, "http://127.0.0.1:9")
    two = build_site(WEDNESDAY, "http://127.0.0.1:9")
    assert one.pages == two.pages
    assert one.entries == two.entries
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
    assert [p.key for p in POLICIES if p.expect_finding()] == ["P2"]


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
        assert 20 <= len(items) <= 40
        assert 75 <= (as_of - min(dates)).days - spec.newest_age <= 90
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
        status, headers, body = fetch(portal, f"{WEIBO.path}&page={number}")
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
    assert json.loads(fetch(portal, WEIBO.path)[2]) == pages[0]  # page defaults to 1
    beyond = json.loads(fetch(portal, f"{WEIBO.path}&page=4")[2])
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
    """Every same-site URL reachable from / (links, WeChat hrefs, JSON urls, feed links)."""
    seen: dict[str, tuple[int, str]] = {}
    queue = [portal.url + p for p in ("/", "/robots.txt", ATOM_PATH, JSON_LIST_PATH)]
    queue += [portal.url + s.path for s in SOURCES]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, headers, body = fetch(portal, url)
        ctype = headers.get("Content-Type", "")
        text = body.decode("gbk" if ctype == "text/html" else "utf-8")
        seen[url] = (status, text)
        found = re.findall(r'(?:href|hrefs|src)="([^"#]+)', text)
        found += re.findall(r"<link>([^<]+)</link>", text)
        if ctype.startswith("application/json"):
            data = json.loads(text)
            found += [i["url"] for i in data.get("items", [])]
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
    assert broken == {portal.url + "/b03/tzgg/": 500}
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
        else:
            assert entry["platform"] == spec.kind
    policy = configured["/b01/zcwj/"][2]
    assert policy["policy_titles"] == {"exclude": ["任职", "任免", "招聘", "录用"]}


def test_demo_config_validates_with_govwatch(monkeypatch: pytest.MonkeyPatch) -> None:
    config = pytest.importorskip("govwatch.config")
    monkeypatch.setenv("GOVWATCH_DEMO_URL", "http://127.0.0.1:1234")
    county = config.load_config(ROOT / "config" / "demo.yaml")
    urls = [c.url for u in county.units for c in u.columns]
    assert all(u.startswith("http://127.0.0.1:1234/") for u in urls)


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
