"""Tests for crawler.extract: date parsing, list detection, pagination, article dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

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

REAL_PAGES = Path("/work/shared/real-pages")
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
        ),
        ListEntry(
            "http://www.xx.gov.cn/zwgk/tzgg/202108/t20210825_100.html",
            "关于开展森林防火检查的公告",
            date(2021, 8, 25),
        ),
        ListEntry(
            "http://www.xx.gov.cn/zwgk/tzgg/202108/t20210801_99.html",
            "2021年8月份重点工作安排",
            date(2021, 8, 1),
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
        "http://www.xx.gov.cn/a/1.html", "第1期政务公开工作简报", date(2021, 8, 11)
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
        )
    ]


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
        ),
        ListEntry(
            "http://www.xx.gov.cn/a/2.html",
            "某某县人民政府关于调整部分行政区划的通知",
            date(2021, 8, 21),
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
        ListEntry("http://www.xx.gov.cn/zfxxgk/c/1.htm", "一号文件", date(2021, 8, 30)),
        ListEntry("http://www.xx.gov.cn/zfxxgk/c/2.htm", "二号文件", date(2021, 8, 1)),
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
            "http://www.xx.gov.cn/zfxxgk/c/1.htm", "全称一号文件关于某事项", date(2021, 8, 30)
        ),
        # No title attribute: the title falls back to the link's text.
        ListEntry("http://www.xx.gov.cn/zfxxgk/c/2.htm", "二号文件", date(2021, 8, 1)),
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
# Real saved pages (read in place, never copied into the repo)
# ---------------------------------------------------------------------------


def _real(name: str) -> str:
    """A saved page decoded as UTF-8 when valid, else by its meta charset, else GB18030."""
    path = REAL_PAGES / name
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


def test_real_dfa66_announcement_list() -> None:
    html = _real("gerapyautoextractor__samples_list_dfa66_announcement.html")
    base = "https://www.dfa66.com/dfaets/news/infodisclosure/announcement/index.html"
    entries = extract_list(html, base, date(2020, 7, 9))
    assert len(entries) == 10
    assert entries[0] == ListEntry(
        "https://www.dfa66.com/dfaets/contents/2020/7/2-b51327b18dff4d8aa163774fcd9240e6.html",
        "东方阿尔法优势产业混合型发起式证券投资基金可投资于科创板股票的公告",
        date(2020, 7, 2),
    )
    # The visible text is cut with "..."; the title attribute carries the full title.
    assert entries[2].title == (
        "关于新增申万宏源证券有限公司和申万宏源西部证券有限公司为东方阿尔法优势产业混合型"
        "发起式证券投资基金基金销售机构的公告"
    )
    assert entries[2].published_on == date(2020, 6, 10)
    assert entries[-1].title == "东方阿尔法基金管理有限公司关于公司住所变更的公告"
    assert entries[-1].published_on == date(2019, 11, 16)
    assert all(e.url.startswith("https://www.dfa66.com/dfaets/contents/") for e in entries)
    assert find_next_page(html, base) == (
        "https://www.dfa66.com/dfaets/news/infodisclosure/announcement/index2.html"
    )


def test_real_hrfund_announcement_list() -> None:
    html = _real("gerapyautoextractor__samples_list_hrfund_announcement.html")
    base = "http://www.hr-fund.com.cn/news/information_2.html"
    entries = extract_list(html, base, date(2020, 7, 9))
    assert len(entries) == 10
    assert entries[0] == ListEntry(
        "http://www.hr-fund.com.cn/Upload/File/202004/20200429175329_3226.pdf",
        "华融基金管理有限公司关于旗下基金参加南京苏宁基金销售有限公司申购补差费费率优惠活动的公告",
        date(2020, 4, 30),
    )
    assert entries[-1].title == "华融现金增利货币市场基金招募说明书（更新）摘要"
    assert [e.published_on for e in entries[1:]] == [date(2020, 4, 27)] * 9
    assert not any("download.aspx" in e.url for e in entries)  # icon-only download links
    assert find_next_page(html, base) == "http://www.hr-fund.com.cn/news/information_3.html"


def test_real_rtfund_disclosure_list() -> None:
    html = _real("gerapyautoextractor__samples_list_rtfund_xxpl.html")
    base = "http://www.rtfund.com/main/gyrt/xxpl/index.shtml"
    entries = extract_list(html, base, date(2020, 7, 9))
    assert len(entries) == 15
    assert entries[0] == ListEntry(
        "http://www.rtfund.com/main/a/20200709/12323944.shtml",
        "融通关于旗下部分开放式基金新增华瑞保险销售有限公司为销售机构并参加其费率优惠活动的公告",
        date(2020, 7, 9),
    )
    assert entries[-1] == ListEntry(
        "http://www.rtfund.com/main/a/20200706/12323017.shtml",
        "关于融通通源短融债券型证券投资基金B类新增兴业银行股份有限公司为销售机构的公告",
        date(2020, 7, 6),
    )
    assert sum(e.published_on == date(2020, 7, 9) for e in entries) == 6
    # Its only 下一页 is a javascript: pager, so there is no followable next page.
    assert find_next_page(html, base) is None


def test_real_yichun_homepage_picks_news_list() -> None:
    html = _real("job__yichun_homepage_saved_as_stat.php.html")
    base = "https://www.yichun.gov.cn/ycsrmzf/index.shtml"
    # The page says it was generated on 2023-10-11; its list dates are year-less (MM-dd).
    entries = extract_list(html, base, date(2023, 10, 11))
    assert len(entries) == 9
    assert entries[0] == ListEntry(
        "https://www.yichun.gov.cn/ycsrmzf/zwyw/202310/34e1d41233c34c52a652e278c5529a33.shtml",
        "2023年度全市综合考核工作分析部署会召开",
        date(2023, 10, 11),
    )
    assert entries[-1].title == "严允：加快建设绿色生态强市打造美丽江西“宜春样板”"
    assert entries[-1].published_on == date(2023, 10, 8)
    assert all("/ycsrmzf/zwyw/202310/" in e.url for e in entries)
    # Year inference across the new year on the same page.
    later = extract_list(html, base, date(2024, 1, 5))
    assert later[0].published_on == date(2023, 10, 11)
    assert find_next_page(html, base) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # The visible labelled date wins over meta PubDate, which these portals re-stamped
        # when republishing (2023-05-16, 2023-05-16, 2023-08-16, 2022-04-24)...
        ("job__jiangxi_2022_tjgb_on_yichun_article.html", date(2023, 3, 31)),  # 发文日期
        ("job__yichun_2022_tjgb_article.html", date(2023, 4, 18)),  # 发文日期
        ("job__wanzai_2022_tjgb_article.html", date(2023, 5, 11)),  # 生成日期
        ("job__wanzai_2015_tjgb_article.html", date(2017, 5, 15)),  # 发布日期
        ("generalnewsextractor__tests_gzggw_1.html", date(2016, 11, 22)),
        ("generalnewsextractor__tests_shanxi_1.html", date(2019, 9, 18)),
        # gov.cn meta firstpublishedtime "2007-08-20-23:59:59"; the body is script-rendered.
        ("generalnewsextractor__tests_other_1.html", date(2007, 8, 20)),
        # ...labelled visible dates where there is no meta...
        ("generalnewsextractor__tests_cmse_1.html", date(2012, 6, 24)),
        ("generalnewsextractor__tests_sxmu_1.html", date(2018, 5, 17)),
        # 发布日期 sits between HTML comments, after a body text that starts "2019年2月27日".
        ("generalnewsextractor__tests_zsnews_1.html", date(2019, 3, 6)),
        # WeChat renders "昨天" by script from var ct = "1581517074" / "1581418070".
        ("generalnewsextractor__tests_wechat_1.html", date(2020, 2, 12)),
        ("generalnewsextractor__tests_wechat_2.html", date(2020, 2, 11)),
    ],
)
def test_real_article_dates(name: str, expected: date) -> None:
    assert extract_article_date(_real(name), date(2023, 10, 11)) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("job__jiangxi_2022_tjgb_on_yichun_article.html", date(2023, 3, 31)),  # 发文日期
        ("job__yichun_2022_tjgb_article.html", date(2023, 4, 18)),  # 发文日期
        ("job__wanzai_2022_tjgb_article.html", date(2023, 5, 11)),  # 生成日期
        ("job__wanzai_2015_tjgb_article.html", date(2017, 5, 15)),  # 发布日期, not the header date
        ("generalnewsextractor__tests_gzggw_1.html", date(2016, 11, 22)),  # 发布日期
        ("generalnewsextractor__tests_shanxi_1.html", date(2019, 9, 18)),  # 时间
    ],
)
def test_real_article_visible_dates_without_meta(name: str, expected: date) -> None:
    html = re.sub(r"(?i)<meta[^>]+name=\"?pubdate[^>]*>", "", _real(name))
    assert "PubDate" not in html
    assert extract_article_date(html, date(2023, 10, 11)) == expected


def test_real_wechat_without_timestamp_has_no_date() -> None:
    html = _real("generalnewsextractor__tests_wechat_1.html").replace("var ct", "var cx")
    assert extract_article_date(html, date(2023, 10, 11)) is None
