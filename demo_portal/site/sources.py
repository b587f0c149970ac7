"""Ground truth of the portal: its addresses, units, sources and what a crawl must record.

The URL layout and sizes of the CMS shapes (TRS, Hanweb, gkmlpt, Weibo, the failure shapes),
the assessed ``UNITS``, the ``SOURCES`` (one ``SourceSpec`` per column or account: its shape,
the age of its newest item, an account's posts per ISO week, the failure a crawl must record),
``SHAPES`` (what each page shape looks like), and ``expected_outcome`` / ``accepted_outcomes``.
Plain data; nothing here does I/O or reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

from demo_portal.site.policies import OTHER_INTERPRETATIONS, POLICIES

CST = timezone(timedelta(hours=8), "CST")  # China time; no DST since 1991
COUNTY = "演示县"
SITE_NAME = "演示县人民政府"

JSON_TYPE = "application/json; charset=utf-8"
PAGE_SIZE = 20  # items per page of the paginated (TRS-style) column
JSON_LIST_PATH = "/b02/gzdt/api/list.json"
ATOM_PATH = "/b03/atom.xml"
WEIBO_API = "/api/container/getIndex"
WEIBO_UID = 1000000004
WEIBO_CONTAINER = f"107603{WEIBO_UID}"
WEIBO_PROFILE = "/b04/weibo/"
WEIBO_PAGE_SIZE = 10
HOSTILE_TITLE = '<script>alert("xss")</script>关于做好防汛工作的通知'
HOSTILE_PATH = "/a01/zwdt/"
HOSTILE_INDEX = 6  # position in the list, newest first
# TRS WCM column whose pager exists only as <script>createPageHTML(…)</script>
TRS_PAGER_JS = "/js/createPageHTML.js"  # defines createPageHTML (document.write of the pager)
TRS_SCRIPT_COUNT = 55  # items of the script-paged column: pages of 20, 20, 15
# Hanweb 大汉 column: 15 records inline, the rest from the jpage data proxy (XML)
HANWEB_COLUMN = 2031
HANWEB_UNIT_ID = 7001
HANWEB_WEBNAME = "演示县教育局"
HANWEB_PATH = f"/col/col{HANWEB_COLUMN}/index.html"
HANWEB_PROXY = "/module/web/jpage/dataproxy.jsp"
HANWEB_JPAGE_JS = "/module/jslib/jquery/jpage/jquery.jpage.js"
HANWEB_PER_PAGE = 15
HANWEB_COUNT = 57
HANWEB_ART_BASE = 1000  # art_2031_1001.html is the oldest
# Guangdong gkmlpt: an app shell plus /gkmlpt/api/all/<category>?page=N (JSON, 10 a page)
GKMLPT_SHELL = "/gkmlpt/index"
GKMLPT_CATEGORY = 5061
GKMLPT_CLASSIFY = "卫生健康"
GKMLPT_API = "/gkmlpt/api/all/"
GKMLPT_PAGE_SIZE = 10
GKMLPT_COUNT = 43
GKMLPT_ID_BASE = 3456700
# Failure shapes
SLOW_DELAY = 6.0  # seconds the slow column waits before answering
OVERSIZED_BYTES = 6 * 1024 * 1024  # body size of the oversized column
RUISHU_JS = "/4QbVtADbnLVIc/c.FxJzG50F.js"


@dataclass(frozen=True)
class Unit:
    """An assessed unit of the demo county."""

    code: str
    name: str
    category: str
    org: str  # full organisation name, shown as 来源
    slug: str  # URL prefix, e.g. "a01"


UNITS: tuple[Unit, ...] = (
    Unit("A01", "城关镇", "A", "城关镇人民政府", "a01"),
    Unit("A02", "河西镇", "A", "河西镇人民政府", "a02"),
    Unit("A03", "六泉乡", "A", "六泉乡人民政府", "a03"),
    Unit("B01", "县发改局", "B", "演示县发展和改革局", "b01"),
    Unit("B02", "县教育局", "B", "演示县教育局", "b02"),
    Unit("B03", "县市场监管局", "B", "演示县市场监督管理局", "b03"),
    Unit("B04", "县卫体局", "B", "演示县卫生健康和体育局", "b04"),
)
UNIT_BY_CODE: dict[str, Unit] = {u.code: u for u in UNITS}

SHAPES: dict[str, str] = {
    "ul-span": "ul/li list, <span>YYYY-MM-DD</span> after the link",
    "gbk-cn": "GBK bytes, charset only in <meta http-equiv>, dates YYYY年M月D日",
    "table": "table rows <td><a>…</a></td><td>YYYY/M/D</td>, header row 标题/发布日期",
    "paged": "TRS pagination index.html, index_1.html, …; 首页/上一页/下一页/尾页",
    "archive": "ul/li list with dates; rarely updated (机构概况)",
    "bracket": "ul/li list with year-less dates [MM-DD]",
    "no-date": "ul/li list without dates; 发布日期 only on the article pages",
    "policy": "policy files; article pages show 文号 and 成文日期",
    "interp": "policy interpretations; some link back to their policy",
    "js-json": "HTML shell rendered by JS from a JSON list API",
    "wechat": "WeChat profile-style list (weui_media_box), articles at s/<id>",
    "http-500": "always answers HTTP 500",
    "div-list": "div.news-item blocks with <em>YYYY.MM.DD</em>",
    "rss": "RSS 2.0 feed (plus an Atom feed of the same posts)",
    "weibo": "m.weibo.cn container API (getIndex), 10 cards per page",
    "ul-fr": "ul/li list, <span class=fr>YYYY-MM-DD</span> before the link",
    "trs-script": 'TRS WCM list, pager only <script>createPageHTML(3, k, "index", "html")'
    "</script>; ./YYYYMM/tYYYYMMDD_N.html",
    "hanweb": "Hanweb 大汉 jpage column: 15 records in <script type=text/xml>, rest via "
    "dataproxy.jsp (XML, startrecord/endrecord, columnid)",
    "gkmlpt": "Guangdong gkmlpt app shell; JSON /gkmlpt/api/all/<id>?page=N, 10 a page, "
    "create_time in epoch seconds",
    "slow": "valid ul/li list answered only after a 6 s delay (config timeout: 2)",
    "ruishu-412": "瑞数 anti-bot challenge: HTTP 412, $_ts script, no content",
    "jsl-521": "加速乐 anti-bot challenge: HTTP 521, document.cookie=__jsl_clearance script",
    "oversized": "valid ul/li list padded with an HTML comment to 6 MiB (max_response_mb: 5)",
    "interp-forms": "ul/li list with dates of interpretations in several forms (图解, 视频, "
    "text); article pages with content images, <video>, a player <iframe> or long text",
    "messages": "互动交流 留言 board: table 标题/留言时间/状态; each 留言 page shows the question "
    "and reply times (YYYY-MM-DD HH:MM:SS)",
    "annual-report": "ul/li list with dates of 政府信息公开工作年度报告 (one per year)",
    "portal-home": "the county portal's 首页 (/): unit boxes of undated links and a 最新动态 "
    "ul/li list with <span>YYYY-MM-DD</span>",
    "homepage": "a unit's own small site 首页: boxes (工作动态, 通知公告) of ul/li dated links to "
    "article pages under the site's folder",
    "blank": "a column's list page frame with 暂无信息 in the list area and no items",
    "backdated": "ul/li list with dates, released in batches every 39 days: some items are "
    "first listed days after the date they show",
}

# What a crawl of a source must record. For ``too_large`` the crawler drops the response; it
# may record that as too_large, parse_error or http_error (``accepted_outcomes``).
# empty: a blank column (暂无信息) — reported by the national checks' blank_column
OUTCOMES = ("ok", "http_error", "timeout", "blocked", "too_large", "empty")
ACCEPTED_OUTCOMES: dict[str, frozenset[str]] = {
    "ok": frozenset({"ok"}),
    "http_error": frozenset({"http_error"}),
    "timeout": frozenset({"timeout"}),
    "blocked": frozenset({"blocked"}),
    "too_large": frozenset({"too_large", "parse_error", "http_error"}),
    "empty": frozenset({"empty"}),
}


@dataclass(frozen=True)
class SourceSpec:
    """One source of the demo county: a disclosure column or a new-media account.

    ``path`` is what the config points at (for the Weibo account the API, for RSS the feed,
    for gkmlpt the shell with ``#<category>``). ``newest_age`` is the newest item's age in days
    at the as-of date (``None`` for accounts, for columns without content, for the measured
    columns, whose items ``measures`` dates — some by the as-of year — and for the national
    checks' columns, whose items ``national`` dates). ``weekly_posts``
    gives an account's posts per ISO week: index 0 is the week holding the as-of date (posts
    only on days up to it), 1 the week before, and so on; there are no older posts.
    ``profile`` and ``timeout`` are the config values of the column; ``fault`` names the
    failure a crawl must record (``timeout``, ``blocked``, ``too_large``; see
    ``expected_outcome``).
    """

    unit: str
    name: str
    path: str
    type: str  # column | account
    # column kind (general | policy | interpretation | messages | annual_report | homepage) or
    # account platform
    kind: str
    shape: str
    newest_age: int | None
    expect_update: bool = True
    render: str = "static"
    status: int = 200
    encoding: str = "utf-8"
    weekly_posts: tuple[int, ...] = ()
    profile: str = "auto"
    timeout: float | None = None
    fault: str | None = None

    @property
    def unit_name(self) -> str:
        return UNIT_BY_CODE[self.unit].name

    @property
    def category(self) -> str:
        return UNIT_BY_CODE[self.unit].category

    def is_stale(self, stale_days: int = 7) -> bool:
        """Whether the stale-column rule must fire (an unreachable column never is)."""
        return (
            self.type == "column"
            and self.expect_update
            and self.status == 200
            and self.fault is None
            and self.newest_age is not None
            and self.newest_age >= stale_days
        )

    def short_weeks(self, min_posts: int = 3) -> tuple[int, ...]:
        """Offsets (1 = last week, …) of complete weeks with fewer than ``min_posts`` posts."""
        return tuple(k for k, n in enumerate(self.weekly_posts) if k >= 1 and n < min_posts)


def _newest(ages: list[int]) -> int:
    return min(ages)


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec("A01", "政务动态", "/a01/zwdt/", "column", "general", "ul-span", 1),
    SourceSpec("A01", "通知公告", "/a01/tzgg/", "column", "general", "gbk-cn", 10, encoding="gbk"),
    SourceSpec("A02", "信息公开", "/a02/xxgk/", "column", "general", "table", 6),
    SourceSpec("A02", "乡镇动态", "/a02/xzdt/", "column", "general", "paged", 2),
    SourceSpec(
        "A03", "机构概况", "/a03/jggk/", "column", "general", "archive", 400, expect_update=False
    ),
    SourceSpec("A03", "工作动态", "/a03/gzdt/", "column", "general", "bracket", 7),
    SourceSpec("B01", "通知公告", "/b01/tzgg/", "column", "general", "no-date", 12),
    SourceSpec(
        "B01",
        "政策文件",
        "/b01/zcwj/",
        "column",
        "policy",
        "policy",
        _newest([p.age for p in POLICIES]),
        expect_update=False,
    ),
    SourceSpec(
        "B01",
        "政策解读",
        "/b01/zcjd/",
        "column",
        "interpretation",
        "interp",
        _newest(
            [p.interpretation_age for p in POLICIES if p.interpretation_age is not None]
            + [age for _, age in OTHER_INTERPRETATIONS]
        ),
        expect_update=False,
    ),
    SourceSpec(
        "B02", "工作动态", "/b02/gzdt/", "column", "general", "js-json", 3, render="browser"
    ),
    SourceSpec(
        "B02",
        "演示县教育发布",
        "/b02/wechat/",
        "account",
        "wechat",
        "wechat",
        None,
        weekly_posts=(1, 1, 3, 3, 4, 5, 4),
    ),
    SourceSpec("B03", "通知公告", "/b03/tzgg/", "column", "general", "http-500", None, status=500),
    SourceSpec("B03", "双随机一公开", "/b03/ssj/", "column", "general", "div-list", 2),
    SourceSpec(
        "B03",
        "演示县市场监管",
        "/b03/rss.xml",
        "account",
        "rss",
        "rss",
        None,
        weekly_posts=(0, 5, 4, 3, 6, 3, 4),
    ),
    SourceSpec("B04", "卫生健康", "/b04/wsjk/", "column", "general", "ul-fr", 0),
    SourceSpec(
        "B04",
        "演示县卫体局",
        f"{WEIBO_API}?containerid={WEIBO_CONTAINER}",
        "account",
        "weibo",
        "weibo",
        None,
        weekly_posts=(1, 3, 2, 4, 5, 3, 3),
    ),
    # Issue #4: one column per CMS shape, then the failure shapes. Appended last on purpose:
    # article serials of the sources above depend on their position in this tuple.
    SourceSpec(
        "A03", "通知公告", "/a03/tzgg/", "column", "general", "trs-script", 2, profile="trs"
    ),
    SourceSpec("B02", "教育资讯", HANWEB_PATH, "column", "general", "hanweb", 1, profile="hanweb"),
    SourceSpec(
        "B04",
        "政府信息公开目录",
        f"{GKMLPT_SHELL}#{GKMLPT_CATEGORY}",
        "column",
        "general",
        "gkmlpt",
        3,
        profile="gkmlpt",
    ),
    SourceSpec(
        "B03",
        "行政执法公示",
        "/b03/xzzf/",
        "column",
        "general",
        "slow",
        2,
        timeout=2,
        fault="timeout",
    ),
    SourceSpec(
        "B04",
        "办事指南",
        "/b04/bszn/",
        "column",
        "general",
        "ruishu-412",
        None,
        status=412,
        fault="blocked",
    ),
    SourceSpec(
        "A02",
        "通知公告",
        "/a02/tzgg/",
        "column",
        "general",
        "jsl-521",
        None,
        status=521,
        fault="blocked",
    ),
    SourceSpec(
        "A01", "图片新闻", "/a01/tpxw/", "column", "general", "oversized", 1, fault="too_large"
    ),
    # The national website checks (ground truth in ``national``): a stale unit homepage and the
    # portal's 首页 (near miss), a blank column, a column with back-dated items. Inserted before
    # the measured block, not after it: no page of that block depends on its position (its
    # paths are fixed), so every existing page keeps its serials, and the measured block stays
    # last (``SOURCES[-4:]``).
    SourceSpec(
        "B02",
        "县教育局网站首页",
        "/jyj/",
        "column",
        "homepage",
        "homepage",
        None,
        expect_update=False,
    ),
    SourceSpec(
        "A01",
        "县政府门户网站首页",
        "/",
        "column",
        "homepage",
        "portal-home",
        None,
        expect_update=False,
    ),
    SourceSpec(
        "A03", "专项公开", "/a03/zxgk/", "column", "general", "blank", None, expect_update=False,
        fault="empty",
    ),
    SourceSpec("A01", "公示公告", "/a01/gsgg/", "column", "general", "backdated", None),
    # The measured rubric lines (ground truth in ``measures``), appended last for the same
    # reason: interpretation forms and channels, 留言 replies, annual reports.
    SourceSpec(
        "B02",
        "政策解读",
        "/b02/zcjd/",
        "column",
        "interpretation",
        "interp-forms",
        None,
        expect_update=False,
    ),
    SourceSpec(
        "A02", "互动交流", "/a02/hdjl/", "column", "messages", "messages", None, expect_update=False
    ),
    SourceSpec(
        "A03",
        "政府信息公开年报",
        "/a03/ndbg/",
        "column",
        "annual_report",
        "annual-report",
        None,
        expect_update=False,
    ),
    SourceSpec(
        "B03",
        "政府信息公开年报",
        "/b03/ndbg/",
        "column",
        "annual_report",
        "annual-report",
        None,
        expect_update=False,
    ),
)
SOURCE_BY_PATH: dict[str, SourceSpec] = {s.path: s for s in SOURCES}


def expected_outcome(spec: SourceSpec) -> str:
    """What crawling ``spec`` must end in: one of ``OUTCOMES``."""
    if spec.fault is not None:
        return spec.fault
    return "ok" if spec.status == 200 else "http_error"


def accepted_outcomes(spec: SourceSpec) -> frozenset[str]:
    """The crawl_run outcomes that satisfy ``expected_outcome(spec)``."""
    return ACCEPTED_OUTCOMES[expected_outcome(spec)]
