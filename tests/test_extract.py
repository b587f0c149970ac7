"""Tests for crawler.extract: date parsing, list detection, pagination, article dates."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler import extract
from crawler.extract import (
    ListEntry,
    ListSelectors,
    extract_article_date,
    extract_list,
    find_date,
    find_datetime,
    find_next_page,
    to_halfwidth,
)
from crawler.extract.pagination import next_among, next_page_link

from .conftest import real_pages

# Saved real pages live beside the repository, in ../shared/real-pages (never copied in);
# GOVWATCH_REAL_PAGES points elsewhere. What they should yield is in tests/gold/.
DEFAULT_REAL_PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "real-pages"
GOLD_FILE = Path(__file__).resolve().parent / "gold" / "real_pages.yaml"
REF = date(2021, 9, 6)


def _page(**parts: str) -> str:
    """A minimal county-portal page skeleton with optional chrome around a body."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head>
<body>
<div class="header"><ul class="nav">
  <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
  <li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li>
</ul></div>
{parts.get("body", "")}
<div class="footer"><ul>
  <li><a href="http://www.gov.cn/">中国政府网站</a></li>
  <li><a href="http://www.jiangxi.gov.cn/">江西省人民政府</a></li>
  <li><a href="/sitemap.html">网站地图导航</a></li>
</ul><p>主办：某某县人民政府办公室 电话：0795-8888888</p></div>
</body></html>"""


# ---------------------------------------------------------------------------
# to_halfwidth / find_date / find_datetime
# ---------------------------------------------------------------------------


def test_to_halfwidth_maps_digits_and_punctuation() -> None:
    assert to_halfwidth("２０２１－０８／３０．：，") == "2021-08/30.:,"
    assert to_halfwidth("发布日期：２０２１年") == "发布日期:2021年"
    assert to_halfwidth("abc 中文") == "abc 中文"


@pytest.mark.parametrize(
    "text",
    [
        "2021-08-30",
        "2021-8-30",
        "2021/8/30",
        "2021/08/30",
        "2021.08.30",
        "2021年8月30日",
        "2021年08月30日",
        "2021 年 8 月 30 日",
        "[2021-08-30]",
        "(2021-08-30)",
        "（2021-08-30）",
        "2021-08-30T10:00:00+08:00",
        "２０２１－０８－３０",
        "２０２１年８月３０日",
        "二〇二一年八月三十日",
        "发布日期：2021-08-30",
        "成文日期：二〇二一年八月三十日",
        "[08-30]",
        "08-30",
        "8-30",
        "08/30",
        "8月30日",
        "(08-30)",
        "http://x.gov.cn/zwgk/202108/t20210830_123.html",
        "/art/2021/8/30/art_1_2.html",
    ],
)
def test_find_date_reads_portal_forms(text: str) -> None:
    assert find_date(text, REF) == date(2021, 8, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-08-20 09:30", datetime(2021, 8, 20, 9, 30)),
        ("2021-08-20 09:30:15", datetime(2021, 8, 20, 9, 30, 15)),
        ("发布日期：2021-08-20 09:30", datetime(2021, 8, 20, 9, 30)),
        ("2021-08-30T10:00:00+08:00", datetime(2021, 8, 30, 10, 0)),
        ("2007-08-20-23:59:59", datetime(2007, 8, 20, 23, 59, 59)),
        ("２０２１－０８－２０　０９：３０", datetime(2021, 8, 20, 9, 30)),
        ("2021年8月20日 9时30分", datetime(2021, 8, 20, 9, 30)),
        ("2021-08-20", datetime(2021, 8, 20)),
        ("[08-20]", datetime(2021, 8, 20)),
        ("2021-08-20 25:99", datetime(2021, 8, 20)),  # not a time of day
    ],
)
def test_find_datetime_keeps_time(text: str, expected: datetime) -> None:
    assert find_datetime(text, REF) == expected


def test_find_date_time_is_dropped_by_find_date() -> None:
    assert find_date("发布时间：2021-08-20 09:30:15", REF) == date(2021, 8, 20)


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("[12-30]", date(2021, 1, 5), date(2020, 12, 30)),
        ("12-30", date(2021, 1, 5), date(2020, 12, 30)),
        ("01-04", date(2021, 1, 5), date(2021, 1, 4)),
        ("09-06", date(2021, 9, 6), date(2021, 9, 6)),
        ("09-07", date(2021, 9, 6), date(2020, 9, 7)),
        ("12月31日", date(2022, 1, 1), date(2021, 12, 31)),
        ("02-29", date(2021, 3, 1), date(2020, 2, 29)),
    ],
)
def test_year_less_dates_fall_on_or_before_reference(
    text: str, reference: date, expected: date
) -> None:
    assert find_date(text, reference) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "没有日期的文字",
        "2021-02-30",
        "2021-13-01",
        "2021/00/10",
        "2021年2月30日",
        "联系电话：0356-6201234",
        "宜府办发〔2021〕49号",
        "version 1.2.3",
        "v2.10.3",
        "1-2",
        "共1-20页",
        "3-10人",
        "20210830",  # compact form only counts inside a URL path
        "编号 20210830123",
        "1989-06-01",  # before 1990
        "2023-01-01",  # more than a year after the reference
        "2021.08.30.1",  # a dotted version string, not a date
        "2022年度工作计划",
        "2021年8月",
    ],
)
def test_find_date_rejects_non_dates(text: str) -> None:
    assert find_date(text, REF) is None


def test_find_date_returns_first_date_in_text() -> None:
    text = "电话：0356-6201234 文号〔2021〕49号 成文日期：2021年8月2日 发布日期：2021-08-30"
    assert find_date(text, REF) == date(2021, 8, 2)
    assert find_date("更新于 08-31，首发 2021-08-30", REF) == date(2021, 8, 31)


def test_find_date_accepts_next_year_but_not_later() -> None:
    assert find_date("2022-01-01", REF) == date(2022, 1, 1)
    assert find_date("1990-01-01", REF) == date(1990, 1, 1)


def test_find_date_tolerates_non_string() -> None:
    assert find_date(None, REF) is None  # type: ignore[arg-type]
    assert find_datetime("", REF) is None


# ---------------------------------------------------------------------------
# extract_list: synthetic county-portal shapes
# ---------------------------------------------------------------------------

BASE = "http://www.xx.gov.cn/zwgk/tzgg/index.html"


def test_ul_li_with_span_dates() -> None:
    html = _page(
        body="""
<div class="list-box"><ul class="list">
  <li><a href="./202108/t20210830_101.html"
      title="关于做好秋季开学工作的通知">关于做好秋季开学工作的通知</a>
      <span class="date">2021-08-30</span></li>
  <li><a href="./202108/t20210825_100.html">关于开展森林防火检查的公告</a>
      <span>2021-08-25</span></li>
  <li><a href="/zwgk/tzgg/202108/t20210801_99.html">2021年8月份重点工作安排</a>
      <span>2021-08-01</span></li>
</ul></div>"""
    )
    entries = extract_list(html, BASE, REF)
    assert entries == [
        ListEntry(
            "http://www.xx.gov.cn/zwgk/tzgg/202108/t20210830_101.html",
            "关于做好秋季开学工作的通知",
            date(2021, 8, 30),
            "row",
        ),
        ListEntry(
            "http://www.xx.gov.cn/zwgk/tzgg/202108/t20210825_100.html",
            "关于开展森林防火检查的公告",
            date(2021, 8, 25),
            "row",
        ),
        ListEntry(
            "http://www.xx.gov.cn/zwgk/tzgg/202108/t20210801_99.html",
            "2021年8月份重点工作安排",
            date(2021, 8, 1),
            "row",
        ),
    ]


def test_table_layout_list() -> None:
    html = _page(
        body="""
<table class="tb" width="100%">
  <tr><th>标题</th><th>发布日期</th></tr>
  <tr><td><a href="show.asp?id=31">某某县2021年财政预算执行情况</a></td><td>2021/8/30</td></tr>
  <tr><td><a href="show.asp?id=30">某某县2021年上半年统计数据</a></td><td>2021/7/15</td></tr>
  <tr><td><a href="show.asp?id=29">某某县2020年政府信息公开年报</a></td><td>2021/1/28</td></tr>
</table>"""
    )
    entries = extract_list(html, BASE, REF)
    assert [(e.url, e.published_on) for e in entries] == [
        ("http://www.xx.gov.cn/zwgk/tzgg/show.asp?id=31", date(2021, 8, 30)),
        ("http://www.xx.gov.cn/zwgk/tzgg/show.asp?id=30", date(2021, 7, 15)),
        ("http://www.xx.gov.cn/zwgk/tzgg/show.asp?id=29", date(2021, 1, 28)),
    ]
    assert entries[2].title == "某某县2020年政府信息公开年报"


def test_one_table_per_row_is_merged_into_one_list() -> None:
    rows = "".join(
        f'<table class="row"><tr><td><a href="/a/{i}.html">第{i}期政务公开工作简报</a></td>'
        f"<td>2021-08-{10 + i:02d}</td></tr></table>"
        for i in range(1, 6)
    )
    entries = extract_list(_page(body=f'<div class="con">{rows}</div>'), BASE, REF)
    assert len(entries) == 5
    assert entries[0] == ListEntry(
        "http://www.xx.gov.cn/a/1.html", "第1期政务公开工作简报", date(2021, 8, 11), "row"
    )
    assert entries[-1].published_on == date(2021, 8, 15)


def test_div_list_with_dotted_dates() -> None:
    html = _page(
        body="""
<div class="news-list">
  <div class="item"><a href="/art/2021/9/5/art_1.html">县政府召开第十次常务会议</a>
      <em>2021.09.05</em></div>
  <div class="item"><a href="/art/2021/9/1/art_2.html">县长主持召开防汛工作调度会</a>
      <em>2021.09.01</em></div>
  <div class="item"><a href="/art/2021/8/28/art_3.html">全县秋粮生产工作会议召开</a>
      <em>2021.08.28</em></div>
  <div class="item"><a href="/art/2021/8/20/art_4.html">我县开展安全生产大检查</a>
      <em>2021.08.20</em></div>
</div>"""
    )
    entries = extract_list(html, BASE, REF)
    assert [e.published_on for e in entries] == [
        date(2021, 9, 5),
        date(2021, 9, 1),
        date(2021, 8, 28),
        date(2021, 8, 20),
    ]
    assert entries[0].url == "http://www.xx.gov.cn/art/2021/9/5/art_1.html"
    assert entries[1].title == "县长主持召开防汛工作调度会"


def test_year_less_bracket_dates_cross_new_year() -> None:
    html = _page(
        body="""
<ul class="infoList">
  <li><a href="/a/3.html">关于元旦期间值班安排的通知</a> [01-04]</li>
  <li><a href="/a/2.html">关于做好冬季供暖工作的通知</a> [12-30]</li>
  <li><a href="/a/1.html">关于开展冬季消防检查的通知</a> [11-15]</li>
</ul>"""
    )
    entries = extract_list(html, BASE, date(2021, 1, 5))
    assert [(e.title, e.published_on) for e in entries] == [
        ("关于元旦期间值班安排的通知", date(2021, 1, 4)),
        ("关于做好冬季供暖工作的通知", date(2020, 12, 30)),
        ("关于开展冬季消防检查的通知", date(2020, 11, 15)),
    ]


def test_list_without_dates_keeps_entries() -> None:
    html = _page(
        body="""
<div class="main"><ul class="lm-list">
  <li><a href="/zwgk/zcwj/content_1.html">某某县人民政府关于印发工作规则的通知</a></li>
  <li><a href="/zwgk/zcwj/content_2.html">某某县人民政府办公室关于加强值班工作的通知</a></li>
  <li><a href="/zwgk/zcwj/content_3.html">某某县突发事件总体应急预案</a></li>
  <li><a href="/zwgk/zcwj/content_4.html">某某县城区停车管理办法</a></li>
</ul></div>"""
    )
    entries = extract_list(html, BASE, REF)
    assert len(entries) == 4
    assert all(e.published_on is None for e in entries)
    assert entries[0] == ListEntry(
        "http://www.xx.gov.cn/zwgk/zcwj/content_1.html",
        "某某县人民政府关于印发工作规则的通知",
        None,
    )


MAIN_15 = "".join(
    f'<li><a href="./202108/t202108{i:02d}_{i}.html">某某县第{i}号政府信息公开事项公告</a>'
    f"<span>2021-08-{i:02d}</span></li>"
    for i in range(15, 0, -1)
)


def test_main_list_beats_nav_footer_and_sidebar() -> None:
    html = _page(
        body=f"""
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>
<div class="left">
  <h3>热点信息</h3>
  <ul class="hot">
    <li><a href="/rd/1.html">县委常委会召开专题会议</a><span>2021-09-01</span></li>
    <li><a href="/rd/2.html">全县疫情防控工作会议召开</a><span>2021-08-31</span></li>
    <li><a href="/rd/3.html">县政府召开常务会议研究部署</a><span>2021-08-30</span></li>
  </ul>
</div>
<div class="right"><ul class="list">{MAIN_15}</ul>
  <div class="page"><a href="index_1.html">下一页</a><a href="index_9.html">尾页</a></div>
</div>"""
    )
    entries = extract_list(html, BASE, REF)
    assert len(entries) == 15
    assert entries[0] == ListEntry(
        "http://www.xx.gov.cn/zwgk/tzgg/202108/t20210815_15.html",
        "某某县第15号政府信息公开事项公告",
        date(2021, 8, 15),
        "row",
    )
    assert entries[-1].published_on == date(2021, 8, 1)
    assert not any("/rd/" in e.url or e.url.endswith("/zwgk/") for e in entries)


def test_long_undated_list_beats_short_dated_sidebar() -> None:
    main = "".join(
        f'<li><a href="/zwgk/gz/{i}.html">某某县部门第{i}项权责清单事项说明</a></li>'
        for i in range(15)
    )
    html = _page(
        body=f"""
<div class="side"><ul>
  <li><a href="/rd/1.html">县委常委会召开专题会议</a><span>2021-09-01</span></li>
  <li><a href="/rd/2.html">全县疫情防控工作会议召开</a><span>2021-08-31</span></li>
  <li><a href="/rd/3.html">县政府召开常务会议研究部署</a><span>2021-08-30</span></li>
</ul></div>
<div class="content"><ul>{main}</ul></div>"""
    )
    entries = extract_list(html, BASE, REF)
    assert len(entries) == 15
    assert entries[0].url == "http://www.xx.gov.cn/zwgk/gz/0.html"


def test_single_entry_column_beats_column_menu() -> None:
    html = _page(
        body="""
<div class="left"><ul class="lm">
  <li><a href="/zwgk/zcwj/index.html">政策文件</a></li>
  <li><a href="/zwgk/rsxx/index.html">人事信息</a></li>
  <li><a href="/zwgk/czzj/index.html">财政资金</a></li>
  <li><a href="/zwgk/ghjh/index.html">规划计划</a></li>
  <li><a href="/zwgk/tjxx/index.html">统计信息公开</a></li>
</ul></div>
<div class="right"><ul class="list">
  <li><a href="./201901/t20190105_1.html">某某县2018年统计公报发布说明</a>
      <span>2019-01-05</span></li>
</ul></div>"""
    )
    entries = extract_list(html, BASE, REF)
    assert entries == [
        ListEntry(
            "http://www.xx.gov.cn/zwgk/tzgg/201901/t20190105_1.html",
            "某某县2018年统计公报发布说明",
            date(2019, 1, 5),
            "row",
        )
    ]


def test_of_two_equal_lists_the_first_on_the_page_is_read() -> None:
    """Lists that weigh the same (as many entries, dated, titles as long): the first."""
    def block(folder: str) -> str:
        return "".join(f'<li><a href="/{folder}/{i}.html">某某县第{i}号政府信息公开公告</a>'
                       f"<span>2021-08-{i + 1:02d}</span></li>" for i in range(8))
    html = _page(body=f'<div class="a"><ul>{block("first")}</ul></div>'
                      f'<div class="b"><ul>{block("second")}</ul></div>')
    entries = extract_list(html, BASE, REF)
    assert [e.url.rsplit("/", 2)[-2] for e in entries] == ["first"] * 8


def test_a_page_all_chrome_keeps_its_dated_list() -> None:
    """A portal wrapping everything in a class that reads as chrome (``nav``): its dated
    list is still the column's, and the undated menu beside it is not."""
    items = "".join(f'<li><a href="/zwgk/{i}.html">某某县第{i}号政府信息公开公告</a>'
                    f"<span>2021-08-{i + 1:02d}</span></li>" for i in range(6))
    menu = "".join(f'<li><a href="/lm/{i}/">某某县政务公开栏目{i}</a></li>' for i in range(12))
    html = (f'<html><body><div class="nav-wrap"><div class="lm"><ul>{menu}</ul></div>'
            f'<div class="lb"><ul>{items}</ul></div></div></body></html>')
    entries = extract_list(html, BASE, REF)
    assert len(entries) == 6
    assert all("/zwgk/" in e.url and e.published_on for e in entries)


def test_gbk_decoded_text_and_gbk_bytes() -> None:
    html = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
</head><body><ul class="list">
<li><a href="/a/1.html">关于征求《某某县城市管理办法》意见的公告</a><span>2021-08-30</span></li>
<li><a href="/a/2.html">某某县人民政府关于调整部分行政区划的通知</a><span>2021-08-21</span></li>
</ul></body></html>"""
    raw = html.encode("gbk")
    expected = [
        ListEntry(
            "http://www.xx.gov.cn/a/1.html",
            "关于征求《某某县城市管理办法》意见的公告",
            date(2021, 8, 30),
            "row",
        ),
        ListEntry(
            "http://www.xx.gov.cn/a/2.html",
            "某某县人民政府关于调整部分行政区划的通知",
            date(2021, 8, 21),
            "row",
        ),
    ]
    assert extract_list(raw.decode("gbk"), BASE, REF) == expected
    # Raw bytes are decoded via the declared charset when they are not UTF-8.
    assert extract_list(raw, BASE, REF) == expected


def test_base_href_and_href_cleanup() -> None:
    html = """<html><head><base href="http://cdn.xx.gov.cn/site/zwgk/"></head><body>
<ul class="list">
  <li><a href=" ./202108/t20210830_1.html#top ">关于开展第四次全国经济普查的公告</a>
      <span>2021-08-30</span></li>
  <li><a href="./202108/
      t20210820_2.html">关于开展人口抽样调查的公告</a><span>2021-08-20</span></li>
  <li><a href="./202108/t20210830_1.html#comments">关于开展第四次全国经济普查的公告</a>
      <span>2021-08-30</span></li>
</ul></body></html>"""
    entries = extract_list(html, BASE, REF)
    assert [e.url for e in entries] == [
        "http://cdn.xx.gov.cn/site/zwgk/202108/t20210830_1.html",
        "http://cdn.xx.gov.cn/site/zwgk/202108/t20210820_2.html",
    ]


def test_truncated_title_uses_title_attribute_and_date_in_link() -> None:
    html = _page(
        body="""
<ul class="list">
  <li><a href="/a/1.html"
      title="某某县人民政府关于2021年度重大行政决策事项目录的公告">某某县人民政府关于2021年度重大行政…</a>
      <span>2021-08-30</span></li>
  <li><a href="/a/2.html"
      title="某某县关于公布行政许可事项清单的通知">某某县关于公布行政许可事项清单...</a>
      <span>2021-08-29</span></li>
  <li><a href="/a/3.html" title="短">某某县关于规范行政执法的实施意见 (2021-08-28)</a></li>
  <li><a href="/a/4.html">某某县关于加强安全生产的通知<span class="time">[08-27]</span></a></li>
  <li><a href="/a/5.html">某某县关于做好防汛工作的通知2021-08-26</a></li>
  <li><a href="/a/6.html">某某县东大街10-12号房屋征收公告</a></li>
</ul>"""
    )
    entries = extract_list(html, BASE, REF)
    assert [(e.title, e.published_on) for e in entries] == [
        ("某某县人民政府关于2021年度重大行政决策事项目录的公告", date(2021, 8, 30)),
        ("某某县关于公布行政许可事项清单的通知", date(2021, 8, 29)),
        ("某某县关于规范行政执法的实施意见", date(2021, 8, 28)),
        ("某某县关于加强安全生产的通知", date(2021, 8, 27)),
        ("某某县关于做好防汛工作的通知", date(2021, 8, 26)),
        ("某某县东大街10-12号房屋征收公告", None),
    ]


def test_titles_are_told_by_their_last_and_first_characters_as_the_full_checks_tell_them() -> None:
    """The list reader's quick checks (a text that does not end like a cut, a text that does
    not start like a number) give what the regexes alone gave, over every short text of the
    characters they turn on."""
    import itertools

    import lxml.html

    from crawler.extract import lists

    def title_by_regex(text: str, attr: str) -> str:
        if not text:
            return attr
        cut = lists._TRUNCATED_RE.search(text)
        if attr and cut and len(attr) > len(text[: cut.start()].rstrip()):
            return attr
        return text

    def looks_by_regex(text: str) -> bool:
        core = text.strip(lists._TITLE_STRIP).lower()
        if len(text) < 4 or len(core) < 4 or core in lists._NOT_TITLES or core.startswith(
                ("更多", "more")) or ("下载" in core and len(core) <= 6):
            return False
        return not lists._NUMBERS_ONLY_RE.fullmatch(re.sub(r"\s", "", core))

    for size in range(5):
        for chars in itertools.product("通….。 \u3000", repeat=size):
            text = "".join(chars)
            for attr in ("", "一", "某某县关于公布行政许可事项清单的通知"):
                link = lxml.html.fragment_fromstring(f'<a title="{attr}">x</a>')
                assert lists._entry_title(link, text) == title_by_regex(text, attr), (text, attr)
    for size in range(4, 7):
        for chars in itertools.product("2２年.- \u3000a通", repeat=size):
            text = "".join(chars)
            assert lists._looks_like_title(text) == looks_by_regex(text), text
    for size in range(6):
        for chars in itertools.product("2２-月日]）通 ", repeat=size):
            text = "".join(chars)
            ends_in_date = bool(lists._TRAILING_DATE_RE.search(to_halfwidth(text)))
            assert lists._may_end_in_date(text) or not ends_in_date, text


def test_class_words_are_remembered_only_for_short_values() -> None:
    """A template's class and id values are split once; a hostile page's long ones are split
    each time and never kept."""
    from crawler.extract import lists

    long_value = "navBar " + "x" * 200
    before = lists._remembered_tokens.cache_info().currsize
    assert lists._tokens(long_value) == frozenset({"nav", "bar", "x" * 200})
    assert lists._remembered_tokens.cache_info().currsize == before
    assert lists._tokens("list-bd newsList") == frozenset({"list", "bd", "news"})
    assert lists._tokens("list-bd newsList") is lists._tokens("list-bd newsList")
    assert lists._tokens(None) == lists._tokens("") == frozenset()


def test_flat_list_of_links_with_trailing_dates() -> None:
    html = _page(
        body="""
<div class="con">
  <span class="dot">·</span><a href="/a/1.html">某某县2021年第二季度财政收支情况</a>
      <span>2021-07-15</span><br>
  <span class="dot">·</span><a href="/a/2.html">某某县2021年第一季度财政收支情况</a>
      <span>2021-04-15</span><br>
  <span class="dot">·</span><a href="/a/3.html">某某县2020年第四季度财政收支情况</a>
      <span>2021-01-15</span><br>
</div>"""
    )
    entries = extract_list(html, BASE, REF)
    assert [e.published_on for e in entries] == [
        date(2021, 7, 15),
        date(2021, 4, 15),
        date(2021, 1, 15),
    ]


def test_dl_dt_dd_list() -> None:
    html = _page(
        body="""
<dl class="newslist">
  <dt><a href="/a/1.html">关于2021年度困难群众救助资金发放的公示</a></dt><dd>2021-08-30</dd>
  <dt><a href="/a/2.html">关于2021年度低保对象名单的公示</a></dt><dd>2021-08-16</dd>
  <dt><a href="/a/3.html">关于2021年度特困人员名单的公示</a></dt><dd>2021-08-02</dd>
</dl>"""
    )
    entries = extract_list(html, BASE, REF)
    assert [e.published_on for e in entries] == [
        date(2021, 8, 30),
        date(2021, 8, 16),
        date(2021, 8, 2),
    ]
    assert entries[1].title == "关于2021年度低保对象名单的公示"


def test_list_split_over_several_uls_is_one_list() -> None:
    def ul(start: int) -> str:
        items = "".join(
            f'<li><a href="/a/{i}.html">第{i}批次行政处罚结果公示信息</a>'
            f"<span>2021-08-{i:02d}</span></li>"
            for i in range(start, start + 5)
        )
        return f'<ul class="list">{items}</ul>'

    html = _page(body=f'<div class="box">{ul(1)}<div class="line"></div>{ul(6)}</div>')
    entries = extract_list(html, BASE, REF)
    assert [e.url.rsplit("/", 1)[1] for e in entries] == [f"{i}.html" for i in range(1, 11)]


def test_skips_control_links_and_attachments() -> None:
    html = _page(
        body="""
<ul class="list">
  <li><a href="/a/1.html">某某县2021年政府采购意向公开</a>
      <a href="/f/1.pdf">下载</a>
      <span>2021-08-30</span></li>
  <li><a href="javascript:void(0)">某某县2021年政府采购意向(脚本)</a><span>2021-08-29</span></li>
  <li><a href="mailto:a@b.cn">某某县政府采购联系邮箱地址</a><span>2021-08-28</span></li>
  <li><a href="/a/2.html">某某县2021年二季度采购意向公开</a><span>2021-08-20</span></li>
</ul>
<a href="/zwgk/tzgg/more.html">更多&gt;&gt;</a>"""
    )
    entries = extract_list(html, BASE, REF)
    assert [e.url for e in entries] == [
        "http://www.xx.gov.cn/a/1.html",
        "http://www.xx.gov.cn/a/2.html",
    ]


# ---------------------------------------------------------------------------
# extract_list with operator selectors
# ---------------------------------------------------------------------------

SELECTOR_PAGE = """<html><body>
<div id="lb">
<div class="row"><span class="t">
  <a href="c/1.htm" title="全称一号文件关于某事项">一号文件</a></span>
  <i class="d">发布：2021年8月30日</i><a class="go" href="c/1.htm?go">查看</a></div>
<div class="row"><span class="t"><a href="c/2.htm">二号文件</a></span><i class="d">2021年8月1日</i>
  <a class="go" href="c/2.htm?go">查看</a></div>
<div class="row"><span class="t">没有链接的条目</span><i class="d">2021年7月1日</i></div>
</div></body></html>"""


def test_css_selectors() -> None:
    selectors = ListSelectors(item="#lb .row", title=".t a", date="i.d")
    entries = extract_list(SELECTOR_PAGE, "http://www.xx.gov.cn/zfxxgk/index.htm", REF, selectors)
    assert entries == [
        ListEntry("http://www.xx.gov.cn/zfxxgk/c/1.htm", "一号文件", date(2021, 8, 30), "row"),
        ListEntry("http://www.xx.gov.cn/zfxxgk/c/2.htm", "二号文件", date(2021, 8, 1), "row"),
    ]


def test_css_selectors_with_separate_link() -> None:
    selectors = ListSelectors(item="#lb .row", title=".t", link="a.go")
    entries = extract_list(SELECTOR_PAGE, "http://www.xx.gov.cn/zfxxgk/index.htm", REF, selectors)
    assert [(e.url, e.title, e.published_on) for e in entries] == [
        ("http://www.xx.gov.cn/zfxxgk/c/1.htm?go", "一号文件", date(2021, 8, 30)),
        ("http://www.xx.gov.cn/zfxxgk/c/2.htm?go", "二号文件", date(2021, 8, 1)),
    ]


def test_xpath_selectors() -> None:
    selectors = ListSelectors(
        item="//div[@id='lb']/div[@class='row']",
        title="./span/a/@title",
        link="./span/a",
        date="//i[@class='d']/text()",
    )
    entries = extract_list(SELECTOR_PAGE, "http://www.xx.gov.cn/zfxxgk/index.htm", REF, selectors)
    assert entries == [
        ListEntry(
            "http://www.xx.gov.cn/zfxxgk/c/1.htm", "全称一号文件关于某事项", date(2021, 8, 30), "row"
        ),
        # No title attribute: the title falls back to the link's text.
        ListEntry("http://www.xx.gov.cn/zfxxgk/c/2.htm", "二号文件", date(2021, 8, 1), "row"),
    ]


def test_selectors_default_to_first_text_link_and_whole_item_text() -> None:
    entries = extract_list(
        SELECTOR_PAGE, "http://www.xx.gov.cn/zfxxgk/index.htm", REF, ListSelectors(item="div.row")
    )
    assert [(e.title, e.published_on) for e in entries] == [
        ("一号文件", date(2021, 8, 30)),
        ("二号文件", date(2021, 8, 1)),
    ]


@pytest.mark.parametrize("bad", ["//div[@id=", "a[", "li::text", "li:nth-child(x)"])
def test_invalid_selector_raises_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid selector"):
        extract_list(SELECTOR_PAGE, BASE, REF, ListSelectors(item=bad))
    with pytest.raises(ValueError, match="invalid selector"):
        extract_list(SELECTOR_PAGE, BASE, REF, ListSelectors(item="div.row", title=bad))


# ---------------------------------------------------------------------------
# find_next_page
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ('<a href="index_1.html">下一页</a>', "http://www.xx.gov.cn/zwgk/tzgg/index_1.html"),
        ('<a href="index_1.html"> 下页 </a>', "http://www.xx.gov.cn/zwgk/tzgg/index_1.html"),
        ('<a href="?page=2">下一頁</a>', "http://www.xx.gov.cn/zwgk/tzgg/index.html?page=2"),
        ('<a href="/p/2">&gt;</a>', "http://www.xx.gov.cn/p/2"),
        ('<a href="/p/2">&gt;&gt;</a>', "http://www.xx.gov.cn/p/2"),
        ('<a href="/p/2">›</a>', "http://www.xx.gov.cn/p/2"),
        ('<a href="/p/2">Next</a>', "http://www.xx.gov.cn/p/2"),
        ('<a href="/p/2">NEXT</a>', "http://www.xx.gov.cn/p/2"),
        ('<a href="/p/2">[下一页]</a>', "http://www.xx.gov.cn/p/2"),
        ('<a href="/p/2" title="下一页"><img src="n.gif"></a>', "http://www.xx.gov.cn/p/2"),
        ('<a href="/p/2#list">下一页</a>', "http://www.xx.gov.cn/p/2"),
        ('<a href="javascript:goPage(2)">下一页</a>', None),
        ('<a href="index.html">下一页</a>', None),  # the current page: last page
        ('<a href="#">下一页</a>', None),
        ("<span>下一页</span>", None),
        ('<a href="index_1.html">上一页</a>', None),
    ],
)
def test_find_next_page(link: str, expected: str | None) -> None:
    html = f'<html><body><div class="page"><a href="index.html">首页</a>{link}</div></body></html>'
    assert find_next_page(html, BASE) == expected


NEXT_LABELS = ["下一页", "下页", "下一頁", "下一张", "＞", "&gt;", "&gt;&gt;", "›", "»", "ｎｅｘｔ",
               "Next Page", "【下一页】", "< 下一页 >", "下<b>一页</b>", "<span>下一页</span>",
               "下一页<script>x</script>", "下\n一页", "NEXT"]


@pytest.mark.parametrize("label", NEXT_LABELS)
def test_the_links_picked_first_hold_every_next_page_label(label: str) -> None:
    """``next_page_link`` reads only the links whose string has a label's character: it
    finds what reading every link finds, labels as text or title, and among title links."""
    rows = "".join(f'<li><a href="a{i}.html" title="关于开展第{i}批检查的通知">关于开展第{i}批检查的通知'
                   "</a></li>" for i in range(5))
    for link in (f'<a href="p2.html">{label}</a>', f'<a href="p2.html" title="{label}">'
                 '<img src="n.gif"></a>'):
        page = extract.parse_list_page(f"<ul>{rows}</ul><div>{link}</div>", BASE)
        assert page is not None
        assert next_page_link(page) == next_among(page.doc.iter("a"), page)


def test_the_links_picked_first_find_what_every_link_finds_on_real_pages() -> None:
    for path in real_pages():
        page = extract.parse_list_page(path.read_bytes(), "http://www.xx.gov.cn/zwgk/index.html")
        if page is not None:
            assert next_page_link(page) == next_among(page.doc.iter("a"), page), path.name


def test_find_next_page_skips_javascript_then_finds_real_link() -> None:
    html = """<div><a href="javascript:void(0)">下一页</a>
    <a href="list_3.html">下一页</a></div>"""
    assert find_next_page(html, BASE) == "http://www.xx.gov.cn/zwgk/tzgg/list_3.html"


def test_find_next_page_honours_base_href() -> None:
    html = '<head><base href="http://b.xx.gov.cn/col/"></head><body><a href="p2.html">下一页</a>'
    assert find_next_page(html, BASE) == "http://b.xx.gov.cn/col/p2.html"


# ---------------------------------------------------------------------------
# extract_article_date (synthetic)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ('<meta name="PubDate" content="2021-08-30 10:00">', "", date(2021, 8, 30)),
        (  # the visible 发布日期 wins over a (possibly re-stamped) meta date
            '<meta name="publishdate" content="2021-08-29">',
            "发布日期：2020-01-01",
            date(2020, 1, 1),
        ),
        (
            '<meta property="article:published_time" content="2021-08-28T08:00:00+08:00">',
            "",
            date(2021, 8, 28),
        ),
        ('<META NAME="DC.Date" CONTENT="2021/8/27">', "", date(2021, 8, 27)),
        (
            '<meta name="OriginalPublicationDate" content="2021/08/26 09:00:00">',
            "",
            date(2021, 8, 26),
        ),
        ("", "<p>来源：县政府办 发布时间：2021-08-25 10:30 浏览次数：12</p>", date(2021, 8, 25)),
        ("", "<p>发布日期：２０２１－０８－２４</p>", date(2021, 8, 24)),
        ("", "<td>成文日期：</td><td>二〇二一年八月二十三日</td>", date(2021, 8, 23)),
        ("", "<p>日期: [2021-08-22]</p>", date(2021, 8, 22)),
        ("", "<span>发布于 2021年8月21日</span>", date(2021, 8, 21)),
        # 发布日期 outranks 成文日期 and a date that merely appears earlier in the text.
        ("", "<p>成文日期：2021-08-01</p><p>发布日期：2021-08-20</p>", date(2021, 8, 20)),
        ("", "<p>更新时间：2021-09-01</p><p>时间：2021-08-19</p>", date(2021, 8, 19)),
        (
            '<meta name="lastmodifiedtime" content="2021-08-18 12:00:00">',
            "<p>正文</p>",
            date(2021, 8, 18),
        ),
        (
            '<link rel="canonical" href="http://x.gov.cn/art/202108/t20210817_1.html">',
            "<p>正文，2020年1月1日起施行</p>",
            date(2021, 8, 17),
        ),
        (
            "",
            "<div class='header'>2021年9月6日 星期一</div><p>2021年8月16日，县里开会。</p>",
            date(2021, 8, 16),
        ),
        ("", "<p>没有任何日期信息的正文，联系电话0795-1234567。</p>", None),
    ],
)
def test_extract_article_date_synthetic(head: str, body: str, expected: date | None) -> None:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    assert extract_article_date(html, REF) == expected


def test_extract_article_date_from_url_argument() -> None:
    html = "<html><body><p>正文没有日期</p></body></html>"
    url = "http://x.gov.cn/zwgk/202108/t20210815_123.html"
    assert extract_article_date(html, REF, url=url) == date(2021, 8, 15)


# ---------------------------------------------------------------------------
# Garbage in, nothing out
# ---------------------------------------------------------------------------

GARBAGE: list[object] = [
    b"\x00\xff",
    b"",
    "",
    "   ",
    "<html>",
    "not html at all",
    "\x00\x00\x00",
    '<?xml version="1.0" encoding="gbk"?><html><body></body></html>',
    "<div>" * 20000 + "x" + "</div>" * 5,
    "<table>" + "<tr><td><a href='/x'>" * 3000,
    "<a href='http://[::1'>坏链接的标题文字</a>" * 3,
    bytes(range(256)) * 50,
]


@pytest.mark.parametrize("junk", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_input_never_raises(junk: str) -> None:
    assert extract_list(junk, BASE, REF) == []
    assert extract_list(junk, BASE, REF, ListSelectors(item="li")) == []
    assert find_next_page(junk, BASE) is None
    assert extract_article_date(junk, REF) is None


def test_deeply_nested_list() -> None:
    items = "".join(
        f'<li><a href="/a/{i}.html">第{i}号深层嵌套的公告标题</a></li>' for i in range(3)
    )
    nested = "<div>" * 200 + f"<ul>{items}</ul>" + "</div>" * 200
    assert [e.url for e in extract_list(nested, BASE, REF)] == [
        f"http://www.xx.gov.cn/a/{i}.html" for i in range(3)
    ]
    # libxml2 drops content below its depth limit; the result is empty, not an exception.
    junk = "<div>" * 5000 + f"<ul>{items}</ul>" + "</div>" * 5000
    assert extract_list(junk, BASE, REF) == []


def test_none_input() -> None:
    assert extract_list(None, BASE, REF) == []  # type: ignore[arg-type]
    assert extract_article_date(None, REF) is None  # type: ignore[arg-type]
    assert find_next_page(None, BASE) is None  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Real saved pages (read in place, never copied into the repo), checked against the gold
# file tests/gold/real_pages.yaml written by reading each page.
# ---------------------------------------------------------------------------


def _real_pages_dir() -> Path:
    """The shared folder of saved pages; skips the test when it is not there."""
    override = os.environ.get("GOVWATCH_REAL_PAGES")
    folder = Path(override) if override else DEFAULT_REAL_PAGES
    if not folder.is_dir():
        if override:
            pytest.skip(f"GOVWATCH_REAL_PAGES={override} not found; real-page tests need it")
        pytest.skip(
            "../shared/real-pages not found; real-page tests need the shared folder beside "
            "the repository"
        )
    return folder


def _real(name: str) -> str:
    """A saved page decoded as UTF-8 when valid, else by its meta charset, else GB18030."""
    path = _real_pages_dir() / name
    if not path.exists():
        pytest.skip(f"real page {name} not available")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = re.search(rb"charset=[\"']?([\w-]+)", raw[:4096])
    if match:
        try:
            return raw.decode(match.group(1).decode())
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("gb18030", errors="replace")


GOLD: dict[str, list[dict[str, Any]]] = yaml.safe_load(GOLD_FILE.read_text(encoding="utf-8"))


def _gold_params(kind: str, cases: list[dict[str, Any]] | None = None) -> list[Any]:
    """One pytest param per gold case, id'd by file; `xfail: reason` makes it a strict xfail."""
    params = []
    for case in GOLD[kind] if cases is None else cases:
        marks = (
            [pytest.mark.xfail(reason=str(case["xfail"]), strict=True)] if case.get("xfail") else []
        )
        name = str(case["file"]).removesuffix(".html")
        params.append(pytest.param(case, id=name, marks=marks))
    return params


def test_gold_file_covers_every_real_page() -> None:
    on_disk = {path.name for path in _real_pages_dir().glob("*.html")}
    in_gold = [case["file"] for kind in ("lists", "articles") for case in GOLD[kind]]
    assert len(in_gold) == len(set(in_gold)), "a page appears twice in the gold file"
    assert set(in_gold) == on_disk


@pytest.mark.parametrize("case", _gold_params("lists"))
def test_real_list_page_matches_gold(case: dict[str, Any]) -> None:
    html = _real(case["file"])
    expected = [ListEntry(e["url"], e["title"], e["date"], "row" if e["date"] else None)
                for e in case["entries"]]
    assert extract_list(html, case["base_url"], case["reference"]) == expected
    assert find_next_page(html, case["base_url"]) == case["next_page"]


@pytest.mark.parametrize("case", _gold_params("articles"))
def test_real_article_date_matches_gold(case: dict[str, Any]) -> None:
    assert extract_article_date(_real(case["file"]), case["reference"]) == case["date"]


@pytest.mark.parametrize(
    "case", _gold_params("articles", [c for c in GOLD["articles"] if c.get("label")])
)
def test_real_article_visible_dates_without_meta(case: dict[str, Any]) -> None:
    """A labelled visible date needs no meta tag: the answer is the same without PubDate."""
    html = re.sub(r"(?i)<meta[^>]+name=\"?pubdate[^>]*>", "", _real(case["file"]))
    assert "PubDate" not in html
    assert extract_article_date(html, case["reference"]) == case["date"]


def test_real_yichun_yearless_dates_roll_back_across_new_year() -> None:
    # The home page's list shows MM-dd only; crawled in January, October is last year's.
    html = _real("job__yichun_homepage_saved_as_stat.php.html")
    entries = extract_list(html, "https://www.yichun.gov.cn/ycsrmzf/index.shtml", date(2024, 1, 5))
    assert entries[0].published_on == date(2023, 10, 11)
    assert entries[-1].published_on == date(2023, 10, 8)


@pytest.mark.parametrize(
    "selectors",
    [
        ListSelectors(
            item="div.home-xsqdt .bd > .item:first-child li", title="h4 a", date="span.time"
        ),
        ListSelectors(
            item="//div[contains(@class,'home-xsqdt')]//div[@class='item'][1]//li",
            title="//h4/a",
            date="//span[@class='time']",
        ),
    ],
    ids=["css", "xpath"],
)
def test_real_yichun_selectors_pick_another_box(selectors: ListSelectors) -> None:
    """The worked example of docs/extractor.md: an operator watches 县市区动态 instead."""
    html = _real("job__yichun_homepage_saved_as_stat.php.html")
    base = "https://www.yichun.gov.cn/ycsrmzf/index.shtml"
    entries = extract_list(html, base, date(2023, 10, 11), selectors)
    prefix = "https://www.yichun.gov.cn/ycsrmzf/xsqdt/202310/"
    assert entries == [
        ListEntry(
            prefix + "f774748034514ad291b8ff03934ef3ba.shtml",
            "奉新县“三点发力”赋能工业高质量发展",
            date(2023, 10, 11),
            "row",
        ),
        ListEntry(
            prefix + "a8d4607e7c7243dd93c6e489b89fdf9f.shtml",
            "袁州区以文化振兴“软实力”为发展提供硬支撑",
            date(2023, 10, 11),
            "row",
        ),
        ListEntry(
            prefix + "d0adf53fc4624cd2bca98b18d96e5828.shtml",
            "樟树市“五举措”强化生态文明建设",
            date(2023, 10, 11),
            "row",
        ),
        ListEntry(
            prefix + "ad4ae3585ecb42ed800bf50cba32248d.shtml",
            "高安市三举措打好创卫攻坚战",
            date(2023, 10, 10),
            "row",
        ),
    ]


def test_real_wechat_without_timestamp_has_no_date() -> None:
    html = _real("generalnewsextractor__tests_wechat_1.html").replace("var ct", "var cx")
    assert extract_article_date(html, date(2023, 10, 11)) is None


# ----------------------------------------------------------------------------- article text

ARTICLE = """<html><head><title>x</title></head><body>
<div class="nav"><a href="/zcjd/">政策解读</a><a href="/zcwj/">政策文件</a></div>
<div class="side"><h3>最新解读</h3><ul>
  <li><a href="/zcjd/2024/a1.html">《演示县养老服务补贴办法》解读</a></li>
  <li><a href="/zcjd/2024/a2.html">相关解读</a></li></ul></div>
<table class="meta"><tr><td>发文字号：</td><td>演政办发〔2024〕21号</td></tr></table>
<div class="article"><h1>演示县城区停车管理办法</h1>
  <div class="info">发布日期：2024-08-22</div>
  <div class="TRS_Editor" id="zoom"><p>第一条　为规范城区停车管理，制定本办法。</p>
  <p>第二条　本办法适用于本县城区。详见<a href="/zcwj/att/1.pdf">附件</a>。</p></div>
  <p class="related">【<a href="/zcjd/2024/b7.html">相关解读</a>】</p>
</div>
<div class="footer"><a href="/about.html">联系我们</a></div>
</body></html>"""


def test_article_text_reads_the_text_block_and_its_related_links() -> None:
    found = extract.article_text(ARTICLE, "http://gov.example/zcwj/2024/1.html")
    assert found.found_container
    assert "第一条　为规范城区停车管理" in found.body or "第一条 为规范城区停车管理" in found.body
    assert found.body.startswith("文号：演政办发〔2024〕21号")  # from the metadata table
    assert "联系我们" not in found.body and "最新解读" not in found.body
    assert found.links == ["http://gov.example/zcwj/att/1.pdf",
                           "http://gov.example/zcjd/2024/b7.html"]  # no menu, no side list


def test_article_text_is_bounded_and_survives_garbage() -> None:
    huge = "<html><body><div id='zoom'>" + "<p>政策正文。</p>" * 20_000 + "</div></body></html>"
    found = extract.article_text(huge, "http://gov.example/a.html")
    assert len(found.body) == extract.BODY_LIMIT
    for junk in ("", "not html at all", b"\xff\xfe\x00garbage", "<html><body></body></html>"):
        found = extract.article_text(junk, "http://gov.example/a.html")
        assert found.body == "" and found.links == []


_DATED_ENDINGS = [
    "通知 2021-08-30", "通知2021/8/3", "通知 2021.08.30 10:30", "通知[08-30]", "通知（8月30日）",
    "通知【2021年8月30日】", "通知 2021年8月30", "通知 ２０２１－０８－３０", "通知［08-30］",
    "通知（2021-08-30）　", "通知 8-30\u00a0", "通知 08/30 ) ]", "关于2021年8月的通知",
]


def test_titles_that_cannot_end_in_a_date_are_told_without_the_date_pattern() -> None:
    """The quick test before a link text's trailing date is looked for never turns away a
    text the pattern would have split (it may let through ones it does not)."""
    from crawler.extract.lists import _TRAILING_DATE_RE, _may_end_in_date, _title_and_date

    texts = [*_DATED_ENDINGS, "关于做好防汛抗旱工作部署的通知", "通知（第27期）", "更多>>", "",
             "   ", "】", "2021", "第3号", "通知 2021-08-30x", "通知 3月5日 举行"]
    texts += [text + tail for text in list(texts) for tail in (" ", "）", "]", "\u3000", "】 ")]
    for text in texts:
        if _TRAILING_DATE_RE.search(to_halfwidth(text)):
            assert _may_end_in_date(text), text
        if not _may_end_in_date(text):
            assert _title_and_date(text, date(2021, 9, 1)) == (text, None)
    assert not _may_end_in_date("关于做好防汛抗旱工作部署的通知")
    assert _title_and_date("通知 2021-08-30", date(2021, 9, 1)) == ("通知", date(2021, 8, 30))


def test_the_quick_date_ending_test_holds_on_real_titles(real_corpus: Path) -> None:
    import csv

    from crawler.extract.lists import _TRAILING_DATE_RE, _may_end_in_date

    titles = []
    for table in sorted(real_corpus.glob("*.csv")):
        with table.open(encoding="utf-8") as rows:
            titles += [row["标题"] for row in csv.DictReader(rows)]
    assert len(titles) > 100
    for title in titles:
        for text in (title, f"{title} 2024-08-29", f"{title}（8月29日）"):
            if _TRAILING_DATE_RE.search(to_halfwidth(text)):
                assert _may_end_in_date(text), text
