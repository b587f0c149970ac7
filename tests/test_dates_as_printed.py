"""Dates as the page prints them, on the real page shapes.

- Page furniture (the 今天是 clock, JS clocks, 当前时间, 最后更新, visitor counters, copyright years,
  网站标识码) never dates an article: an undated article stays undated.
- An article's own date comes first: its 信息公开 table's 发布日期 (over 成文日期), its header or
  byline by the title (also when the block is classed header/top), its 发布时间 line; dates of
  another kind (报名时间, 开标时间, 会议时间, 有效期 …) never; meta tags only when nothing is printed.
- URL dates (/2019-12/10/, /201912/10/, /20191210/, /2019/1210/, /2019/12/10/, t20191210_…,
  _20191210) only when the page or row prints none, and never in the future.
- A list row's printed date beats its link's URL date; each entry says which it used.
- Two-digit years are read year first; a guess within a day of the crawl is the clock, not a date.

The fixture pages in tests/pages/dates/ each imitate one real layout; a comment at the top of
each page says which. The crawl at the end serves them on 127.0.0.1 and crawls them for real.
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from crawler import extract, profiles
from crawler.job import CrawlJob
from crawler.process import log_file_for, run_crawl
from crawler.settings import scrapy_settings
from govwatch.cli import app
from govwatch.config import load_config
from storage import repo
from storage.models import Item

from .conftest import REAL_PAGES

PAGES = Path(__file__).resolve().parent / "pages" / "dates"
GOLD_FILE = Path(__file__).resolve().parent / "gold" / "real_pages.yaml"
REF = date(2026, 12, 5)  # the crawl's day: the pages' 今天是 clocks show it (a Saturday)
SITE = "http://www.mmx.gov.cn"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


# ------------------------------------------------------------------ article pages

# file, the URL it is served at, the publish date it prints (or its evidence), the evidence
ARTICLES: list[tuple[str, str, date | None, str | None]] = [
    # 发布日期 of the 信息公开 table beats 成文日期 printed before it, the re-stamped PubDate,
    # the URL's CMS day, the sidebar's newer dates and the 今天是 clock.
    ("trs_xxgk_table_article.html", f"{SITE}/xxgk/zcwj/202611/t20261121_5412412.html",
     date(2026, 11, 24), "article_table"),
    # Only the site's clocks, counters and footer print dates: undated, never "today".
    ("clock_header_undated_article.html", f"{SITE}/col/col2102/art_1002.html", None, None),
    # The byline of an article header classed header/top beats the sidebar's dates.
    ("article_header_byline.html", f"{SITE}/zwdt/xzdt/art_1001.html",
     date(2026, 11, 18), "article_byline"),
    # An unlabelled byline beats 招标公告日期, 报名时间, 开标时间, 会议时间 and 有效期.
    ("tender_notice_event_labels.html", f"{SITE}/ggzy/zbgg/art_3101.html",
     date(2026, 11, 28), "article_byline"),
    # Only an event's dates are printed: the meta tag is the evidence …
    ("event_notice_meta_only.html", f"{SITE}/hdyg/2026/winter.html",
     date(2026, 11, 25), "meta"),
    # … and without it the article is undated rather than dated by its event.
    ("event_notice_no_meta.html", f"{SITE}/hdyg/2026/winter.html", None, None),
    # The 发布时间 of the 信息来源 line in a block classed "top", not the 落款 or 成文日期.
    ("hanweb_source_line_article.html", f"{SITE}/art/2026/11/26/art_2212_889150.html",
     date(2026, 11, 26), "article_header"),
    # An unlabelled byline beats the body's 成文日期 and 会议时间, and the URL's day.
    ("byline_vs_body_document_date.html", f"{SITE}/gzdt/202611/t20261111_1234567.html",
     date(2026, 11, 12), "article_byline"),
    # Nothing printed: the URL's /2026-11/20/.
    ("url_dated_article.html", "http://www.mms.gov.cn/zhengce/2026-11/20/content_6091234.htm",
     date(2026, 11, 20), "url"),
]


@pytest.mark.parametrize(("name", "url", "expected", "source"), ARTICLES,
                         ids=[a[0].removesuffix(".html") for a in ARTICLES])
def test_article_date_is_the_printed_one(name: str, url: str, expected: date | None,
                                         source: str | None) -> None:
    assert extract.article_date(page(name), REF, url=url) == extract.ArticleDate(expected,
                                                                                 source)
    assert extract.extract_article_date(page(name), REF, url=url) == expected


def test_the_list_title_helps_find_the_article_header() -> None:
    # Without a <title> to go by, the title the list showed anchors the byline.
    html = page("article_header_byline.html").decode().replace(
        "<title>某某县召开2026年冬春农田水利基本建设推进会 - 某某县人民政府</title>", "")
    found = extract.article_date(html, REF)
    assert found != extract.ArticleDate(date(2026, 11, 18), "article_byline")
    found = extract.article_date(html, REF, title="某某县召开2026年冬春农田水利基本建设推进会")
    assert found == extract.ArticleDate(date(2026, 11, 18), "article_byline")


ARTICLE_SHELL = """<!-- Imitates: a county portal article (TRS 工作动态 detail): banner with the site name and a
     furniture slot, <h1>, byline slot, 正文 in #zoom, footer slot. -->
<html><head><title>关于开展冬季安全生产大检查的通知_某某县人民政府</title></head><body>
<div class="banner"><a href="/">某某县人民政府</a> {furniture}</div>
<div class="main"><h1>关于开展冬季安全生产大检查的通知</h1>{byline}
<div id="zoom"><p>各乡镇、各部门：为做好冬季安全生产工作，现将有关事项通知如下。</p>{body}</div></div>
<div class="copy">{footer}</div></body></html>"""


@pytest.mark.parametrize("furniture", [
    "今天是：2026年12月05日",
    "今天是 2026-12-05 星期六",
    "2026年12月05日 星期六 农历十月十七",
    "当前日期：2026-12-05",
    "当前时间：2026年12月5日 10:23:45",
    "系统时间：2026-12-05 10:23",
    "北京时间 2026/12/05 10:23",
    '<span id="clock">2026-12-05 10:23:45</span>',
    '<span class="nowTime">2026-12-04 23:59</span>',
    '<div id="currentDate">2026年12月04日</div>',
])
def test_a_header_clock_never_dates_an_undated_article(furniture: str) -> None:
    html = ARTICLE_SHELL.format(furniture=furniture, byline="", body="", footer="")
    assert extract.article_date(html, REF) == extract.ArticleDate(None, None)


@pytest.mark.parametrize("footer", [
    "网站最后更新：2026-11-20",
    "最后更新时间：2026年11月20日",
    "版权所有 ©2003-2026 某某县人民政府　网站标识码：3610220003",
    "Copyright © 2003-2026 www.mmx.gov.cn 2026-11-20",
    "网站标识码：3610220003 赣ICP备05004317号 2026-11-20",
    "您是本站第1234567位访客 统计自2003年10月1日",
    "访问量：2026-11-20 起累计 3356012 人次",
])
def test_footer_furniture_never_dates_an_article(footer: str) -> None:
    html = ARTICLE_SHELL.format(furniture="", byline="", body="", footer=footer)
    assert extract.article_date(html, REF) == extract.ArticleDate(None, None)


@pytest.mark.parametrize("label", [
    "招标公告日期：", "报名时间：", "活动时间：", "截止日期：", "报名截止：", "开标时间：",
    "会议时间：", "有效期至", "有效期：", "施行日期：", "更新时间：", "于", "自",
])
def test_dates_of_another_kind_are_never_the_publish_date(label: str) -> None:
    body = f"<p>{label}2026年11月30日</p>"
    alone = ARTICLE_SHELL.format(furniture="", byline="", body=body, footer="")
    assert extract.article_date(alone, REF) == extract.ArticleDate(None, None)
    bylined = ARTICLE_SHELL.format(furniture="", byline="<p>2026-11-18　来源：县应急局</p>",
                                   body=body, footer="")
    assert extract.article_date(bylined, REF) == extract.ArticleDate(date(2026, 11, 18),
                                                                     "article_byline")


@pytest.mark.parametrize(("info", "expected", "source"), [
    # 发布日期 beats 成文日期 in a 信息公开 table, whichever comes first
    ("<table><tr><td>索引号：</td><td>001/2026-01</td><td>成文日期：</td><td>2026-11-20</td></tr>"
     "<tr><td>发布日期：</td><td>2026-11-24</td></tr></table>", date(2026, 11, 24),
     "article_table"),
    # with 成文日期 alone, the table's 成文日期
    ("<table><tr><td>索引号：</td><td>001/2026-01</td><td>成文日期：</td><td>2026-11-20</td></tr>"
     "</table>", date(2026, 11, 20), "article_table"),
    # a labelled 发布时间 in the byline
    ("<div class='info'>信息来源：县应急局 发布时间：2026-11-26 09:12 浏览次数：12</div>",
     date(2026, 11, 26), "article_header"),
    # a bare 时间 right under the title
    ("<div class='info'>时间：2026-11-25 来源：县应急局</div>", date(2026, 11, 25),
     "article_header"),
])
def test_the_article_header_dates_it(info: str, expected: date, source: str) -> None:
    html = ARTICLE_SHELL.format(furniture="今天是：2026年12月05日", byline=info, body="",
                                footer="")
    head = "<head><meta name='PubDate' content='2026-12-04'><title>"
    html = html.replace("<head><title>", head)
    assert extract.article_date(html, REF) == extract.ArticleDate(expected, source)


def test_a_labelled_publish_date_below_the_text_dates_it() -> None:
    body = "<p>2026年11月16日下午，县应急局召开会议。</p><p>发布日期：2026-11-19</p>"
    html = ARTICLE_SHELL.format(furniture="", byline="", body=body, footer="")
    assert extract.article_date(html, REF) == extract.ArticleDate(date(2026, 11, 19),
                                                                  "article_label")


# ------------------------------------------------------------------ URL dates


@pytest.mark.parametrize(("url", "expected"), [
    ("http://www.gov.cn/zhengce/2019-12/10/content_5460189.htm", date(2019, 12, 10)),
    ("http://x.gov.cn/xwzx/201912/10/art_1.html", date(2019, 12, 10)),
    ("http://x.gov.cn/xwzx/20191210/1234.shtml", date(2019, 12, 10)),
    ("http://x.gov.cn/xwzx/2019/1210/c123a456/page.htm", date(2019, 12, 10)),
    ("http://x.gov.cn/art/2019/12/10/art_1229_123.html", date(2019, 12, 10)),
    ("http://x.gov.cn/art/2019/1/9/art_1229_123.html", date(2019, 1, 9)),
    ("http://x.gov.cn/zwgk/tzgg/201912/t20191210_123456.html", date(2019, 12, 10)),
    ("http://x.gov.cn/news/content_20191210_88.htm", date(2019, 12, 10)),
    ("http://x.gov.cn/news/2019-12-10/88.html", date(2019, 12, 10)),
    # not real calendar dates, or after the crawl's day: no date
    ("http://x.gov.cn/zwgk/tzgg/201902/t20190230_1.html", None),
    ("http://x.gov.cn/xwzx/2019/1340/page.htm", None),
    ("http://x.gov.cn/zwgk/tzgg/202612/t20261206_1.html", None),
    ("http://x.gov.cn/zhengce/2027-01/02/content_1.htm", None),
    ("http://x.gov.cn/zwgk/tzgg/index_1.html", None),
    ("http://x.gov.cn/show.asp?id=20191210", None),
])
def test_url_date_forms(url: str, expected: date | None) -> None:
    undated = "<html><body><h1>关于开展冬季安全生产大检查的通知</h1><p>正文。</p></body></html>"
    assert extract.article_date(undated, REF, url=url) == extract.ArticleDate(
        expected, "url" if expected else None)


# ------------------------------------------------------------------ list rows

# file, base URL, (title start, date, evidence) per entry in page order
LISTS: list[tuple[str, str, list[tuple[str, date | None, str | None]]]] = [
    ("trs_list_date_in_link.html", f"{SITE}/zwgk/tzgg/index.html", [
        ("关于2026年冬季征兵体检工作安排的通知", date(2026, 11, 30), "row"),  # t20261127
        ("关于调整县城区部分公交线路的公告", date(2026, 11, 26), "row"),  # t20261125
        ("某某县人民政府关于公布第三批县级非物质文化遗产代表性项目名录的通知",
         date(2026, 11, 24), "row"),  # t20261120, date glued to a cut title
        ("关于开展2026年度企业年报公示工作的通告", date(2026, 11, 19), "url"),
        ("关于做好冬春季森林防火工作的紧急通知", date(2026, 11, 19), "row"),  # t20261118
        ("某某县2026年第三季度重点项目建设进展情况通报", date(2026, 11, 13), "url"),
    ]),
    ("gkml_table_two_dates.html", f"{SITE}/gkml/index.html", [
        ("某某县人民政府办公室关于印发某某县冬春季森林防火工作实施方案的通知",
         date(2026, 12, 1), "row"),
        ("某某县人民政府关于调整城乡居民最低生活保障标准的通知", date(2026, 11, 26), "row"),
        ("某某县人民政府办公室关于印发某某县城区停车管理办法的通知", date(2026, 11, 24), "row"),
        ("某某县2026年度重大行政决策事项目录", date(2026, 11, 17), "row"),
    ]),
    ("hanweb_list_labelled_dates.html", f"{SITE}/col/col2213/index.html", [
        ("关于公布2026年县级中小学学科带头人名单的通知", date(2026, 12, 2), "row"),
        ("关于做好2027年春季学期教材征订工作的通知", date(2026, 11, 25), "row"),
        ("关于举办全县中小学生冬季长跑比赛的通知", date(2026, 11, 21), "url"),  # 报名/活动时间
        ("关于开展2026年秋季学期校园安全检查的通知", date(2026, 11, 18), "row"),
    ]),
    ("social_list_two_digit_year.html", f"{SITE}/hdjl/xzxx/index.html", [
        ("关于城东小区冬季供暖温度不达标的反映", date(2026, 11, 13), "row"),  # 26-11-13 17:07
        ("建议在县人民医院增设夜间停车位", date(2026, 11, 9), "row"),  # 26/11/09
        ("咨询2026年城乡居民医保缴费标准", date(2026, 11, 2), "row"),  # 26-11-2 09:41
    ]),
]


@pytest.mark.parametrize(("name", "base", "expected"), LISTS,
                         ids=[entry[0].removesuffix(".html") for entry in LISTS])
def test_list_rows_are_dated_by_what_they_print(
        name: str, base: str, expected: list[tuple[str, date | None, str | None]]) -> None:
    entries = extract.extract_list(page(name), base, REF)
    assert [(e.title, e.published_on, e.date_source) for e in entries] == expected


def test_a_row_s_date_beats_its_url_with_operator_selectors_too() -> None:
    selectors = extract.ListSelectors(item="ul.list li", title="span.bt", link="a")
    entries = extract.extract_list(page("trs_list_date_in_link.html"),
                                   f"{SITE}/zwgk/tzgg/index.html", REF, selectors)
    assert [(e.published_on, e.date_source) for e in entries][:2] == [
        (date(2026, 11, 30), "row"), (date(2026, 11, 26), "row")]
    assert (entries[3].published_on, entries[3].date_source) == (date(2026, 11, 19), "url")


def test_gkmlpt_rows_carry_their_evidence() -> None:
    body = json.dumps({"articles": [
        {"title": "关于公布2026年第三季度双随机抽查结果的通知", "url": "/gkmlpt/content/1/1.html",
         "create_time": 1764300000},
        {"title": "某某县2026年第三季度财政预算执行情况", "url": "/gkmlpt/content/1/2.html"}]})
    result = profiles.gkmlpt_page(body, f"{SITE}/gkmlpt/api/all/5061?page=1", 1, REF, 1)
    assert [(e.published_on, e.date_source) for e in result.entries] == [
        (date(2025, 11, 28), "row"), (None, None)]


# ------------------------------------------------------------------ two-digit years, guesses


@pytest.mark.parametrize(("text", "expected"), [
    ("24-5-13 17:07", date(2024, 5, 13)),
    ("24/05/13", date(2024, 5, 13)),
    ("发布于 26-11-2 09:41", date(2026, 11, 2)),
    ("来信时间：24-05-13", date(2024, 5, 13)),
    ("附表12-3-1", None),  # a section number, not a date
    ("电话0795-12-34", None),
    ("13/05/24", date(2013, 5, 24)),  # year first, always: never 13 May 2024
])
def test_two_digit_years_read_year_first(text: str, expected: date | None) -> None:
    assert extract.find_date(text, REF) == expected


@pytest.mark.parametrize(("markup", "expected"), [
    # htmldate's guess of the crawl's day (a clock's <time>) is not a date …
    ("<time datetime='2026-12-05T10:23:45'></time>", None),
    ("<time datetime='2026-12-04'></time>", None),
    # … an older one is, as a guess
    ("<time datetime='2026-11-20'></time>", date(2026, 11, 20)),
    # the first date of the text: the same rule
    ("<p>县应急局于近日召开会议，2026年12月04日至今已整改隐患12处。</p>", None),
    ("<p>据统计，截至目前全县已整改隐患12处，2026年11月16日开始专项整治。</p>",
     date(2026, 11, 16)),
])
def test_guesses_are_never_the_crawl_s_day(markup: str, expected: date | None) -> None:
    html = (f"<html><head></head><body><div class='text'>{markup}<p>正文没有发布日期。</p>"
            "</div></body></html>")
    assert extract.article_date(html, REF) == extract.ArticleDate(
        expected, "fallback" if expected else None)


# ------------------------------------------------------------------ the saved real pages


def test_real_pages_say_which_evidence_dated_them() -> None:
    """Every gold article: a visible label is read as printed (article_*), no label as meta."""
    if not REAL_PAGES.is_dir():
        pytest.skip("real pages not available (../shared/real-pages)")
    gold = yaml.safe_load(GOLD_FILE.read_text(encoding="utf-8"))
    for case in gold["articles"]:
        found = extract.article_date((REAL_PAGES / case["file"]).read_bytes(), case["reference"])
        assert found.published_on == case["date"], case["file"]
        if case.get("label"):
            assert (found.date_source or "").startswith("article_"), case["file"]
        else:
            assert found.date_source == "meta", case["file"]


# ------------------------------------------------------------------ a real crawl


UNDATED_LIST = """<!-- Imitates: a department's 工作动态 list that prints no dates (dates only on the article
     pages), served by the crawl test below. -->
<html><head><meta charset="utf-8"><title>工作动态_某某县人民政府</title></head><body>
<div class="top">今天是：2026年12月05日 星期六</div>
<div class="nav"><a href="/">首页</a><a href="/zwdt/">政务动态</a><a href="/zwgk/">政务公开</a></div>
<div class="left"><ul class="lm"><li><a href="/zwdt/">工作动态</a></li><li><a href="/tzgg/">通知公告</a></li></ul></div>
<div class="right"><ul class="news-list">
{rows}
</ul></div>
<div class="footer">©2003-2026 某某县人民政府 版权所有　网站最后更新：2026-12-05</div>
</body></html>"""
# path on the test site → fixture page served there
SERVED = {
    "/zwdt/art_1001.html": "article_header_byline.html",
    "/zwdt/art_1002.html": "clock_header_undated_article.html",
    "/zwdt/art_1003.html": "tender_notice_event_labels.html",
    "/zwdt/art_1004.html": "trs_xxgk_table_article.html",
    "/zwdt/art_1005.html": "event_notice_no_meta.html",
    "/zwdt/art_1006.html": "hanweb_source_line_article.html",
    "/zwgk/tzgg/index.html": "trs_list_date_in_link.html",
}
CRAWLED_ARTICLES = {  # path → (stored date, evidence)
    "/zwdt/art_1001.html": (date(2026, 11, 18), "article_byline"),
    "/zwdt/art_1002.html": (None, None),
    "/zwdt/art_1003.html": (date(2026, 11, 28), "article_byline"),
    "/zwdt/art_1004.html": (date(2026, 11, 24), "article_table"),
    "/zwdt/art_1005.html": (None, None),
    "/zwdt/art_1006.html": (date(2026, 11, 26), "article_header"),
}
CRAWLED_ROWS = {  # the TRS list: path → (stored date, evidence)
    "/zwgk/tzgg/202611/t20261127_5412470.html": (date(2026, 11, 30), "row"),
    "/zwgk/tzgg/202611/t20261125_5412433.html": (date(2026, 11, 26), "row"),
    "/zwgk/tzgg/202611/t20261120_5412390.html": (date(2026, 11, 24), "row"),
    "/zwgk/tzgg/202611/t20261119_5412377.html": (date(2026, 11, 19), "url"),
    "/zwgk/tzgg/202611/t20261118_5412350.html": (date(2026, 11, 19), "row"),
    "/zwgk/tzgg/202611/t20261113_5412301.html": (date(2026, 11, 13), "url"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture pages served from a folder on a free 127.0.0.1 port."""
    root = tmp_path_factory.mktemp("site")
    for path, name in SERVED.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PAGES / name, target)
    rows = "\n".join(f'<li><a href="{path}">{title}</a></li>' for path, title in [
        ("/zwdt/art_1001.html", "某某县召开2026年冬春农田水利基本建设推进会"),
        ("/zwdt/art_1002.html", "县农业农村局开展冬季农机安全生产大检查"),
        ("/zwdt/art_1003.html", "某某县2026年农村公路养护工程招标公告"),
        ("/zwdt/art_1004.html", "某某县人民政府办公室关于印发某某县城区停车管理办法的通知"),
        ("/zwdt/art_1005.html", "“欢乐冬日”2026年群众文化展演活动预告"),
        ("/zwdt/art_1006.html", "关于做好2026年度城乡居民基本医疗保险参保缴费工作的通知"),
    ])
    (root / "zwdt" / "index.html").write_text(UNDATED_LIST.format(rows=rows), encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def crawled(site: str, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[dict[str, date | None], dict[str, str | None]]:
    """One real crawl (Scrapy engine in a child process, storage pipeline) of a list without
    dates, whose articles are read, and of the TRS list with dates in its links. Returns the
    stored dates and the evidence the spider gave, by path."""
    folder = tmp_path_factory.mktemp("dates-crawl")
    config_file = folder / "county.yaml"
    config_file.write_text(yaml.safe_dump({
        "county": "测试县",
        "settings": {"data_dir": str(folder / "data"), "crawl": {
            "download_delay": 0, "timeout": 10, "retry_times": 0, "processes": 1}},
        "units": [{"code": "D01", "name": "县测试局", "category": "B", "columns": [
            {"name": "工作动态", "url": f"{site}/zwdt/index.html"},
            {"name": "通知公告", "url": f"{site}/zwgk/tzgg/index.html", "profile": "generic"}]}],
    }, allow_unicode=True), encoding="utf-8")
    config = load_config(config_file)
    db = app.open_database(config)
    try:
        with db.session() as session:
            ids = repo.source_ids(session)
        data_dir = str(Path(config.settings.data_dir).resolve())
        settings = scrapy_settings(config.settings.crawl.model_dump(), database_url=db.url,
                                   data_dir=data_dir, log_file=log_file_for(data_dir),
                                   browser_executable=None, use_browser=False)
        job = CrawlJob(database_url=db.url, data_dir=data_dir,
                       sources=tuple(app.source_specs(config, ids)), reference_date=REF,
                       scrapy_settings=settings)
        result = run_crawl(job)
        assert result.exit_code == 0 and result.error is None, result
        with db.session() as session:
            items = list(session.scalars(select(Item)))
    finally:
        db.dispose()
    # the date and the evidence it was read from, as stored
    stored = {i.url.removeprefix(site): i.published_on for i in items}
    evidence = {i.url.removeprefix(site): i.date_source for i in items}
    return stored, evidence


def test_a_crawl_dates_articles_by_what_they_print(
        crawled: tuple[dict[str, date | None], dict[str, str | None]]) -> None:
    stored, evidence = crawled
    assert {path: stored.get(path) for path in CRAWLED_ARTICLES} == {
        path: when for path, (when, _) in CRAWLED_ARTICLES.items()}
    assert {path: evidence.get(path) for path in CRAWLED_ARTICLES} == {
        path: source for path, (_, source) in CRAWLED_ARTICLES.items()}


def test_a_crawl_dates_list_rows_by_what_they_print(
        crawled: tuple[dict[str, date | None], dict[str, str | None]]) -> None:
    stored, evidence = crawled
    assert {path: stored.get(path) for path in CRAWLED_ROWS} == {
        path: when for path, (when, _) in CRAWLED_ROWS.items()}
    assert {path: evidence.get(path) for path in CRAWLED_ROWS} == {
        path: source for path, (_, source) in CRAWLED_ROWS.items()}
