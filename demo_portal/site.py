"""演示县 demo portal: a pure function from an as-of date to every page of the site.

Nothing here does I/O or reads the clock. ``build_site(as_of, base_url)`` returns a ``Site``
whose pages (bytes, content type, status) are byte-identical for the same arguments; all
randomness is ``random.Random`` seeded with the as-of date and the source's path.

The ground truth — the units, their sources and the shape of each source's pages, the age of
each column's newest item, each account's posts per ISO week, which policy files have an
interpretation — is the plain data in ``UNITS``, ``SOURCES`` and ``POLICIES``; the pages are
generated from it, so tests and docs read it instead of repeating it. ``expected_outcome``
and ``Site.expected`` turn it into what a crawl must record (ok, http_error, timeout, blocked,
too_large) and find.

A few answers depend on the request, not only on the path (``Site.get``): the Hanweb data proxy
(query and POST form), the gkmlpt JSON API (``page``) and the Weibo API (403 without a Referer).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

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


# --------------------------------------------------------------------------- ground truth


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


@dataclass(frozen=True)
class PolicyDoc:
    """One entry of B01's 政策文件 column and how (or whether) it is interpreted.

    ``match`` says how an interpretation is found: ``title`` (policy name — the 《…》 part, or the
    title without its 文号 — found in the interpretation's title), ``fuzzy`` (titles only
    similar), ``link`` (only the policy page's 相关解读 link), ``declined`` (page states it is
    not interpreted), ``grace`` (too new to need one), ``none`` (missing: a finding),
    ``not-policy`` (a notice the config's ``policy_titles.exclude`` filters out).
    """

    key: str
    title: str  # ``{y}`` = year of publication
    name: str  # the policy's own name (inside 《》 when the title is 关于印发《…》的通知)
    topic: str
    age: int
    match: str
    doc_no: str | None = None  # 文号, ``{y}`` = year
    is_policy: bool = True
    interpretation: str | None = None
    interpretation_age: int | None = None
    policy_links_interpretation: bool = False  # policy page has a 相关解读 link
    interpretation_links_policy: bool = False  # interpretation page links back
    declined: str | None = None  # 不作解读 statement on the policy page
    # the interpretation's text cites the policy by its 文号 (its title names little of it)
    interpretation_cites_number: bool = False
    joint_with: str | None = None  # explained by the (joint) interpretation of that entry

    def expect_finding(self, grace_days: int = 3) -> bool:
        """Whether the no-interpretation rule must fire for this entry."""
        return (
            self.is_policy
            and self.interpretation is None
            and self.joint_with is None
            and self.declined is None
            and self.age > grace_days
        )

    def names(self, title: str) -> bool:
        """Whether a title (as published, years filled in) is this entry's."""
        pattern = re.escape(self.name).replace(re.escape("{y}"), r"\d{4}")
        return re.search(pattern, title) is not None


POLICIES: tuple[PolicyDoc, ...] = (
    PolicyDoc(
        "P1",
        "演示县人民政府关于印发《演示县优化营商环境若干措施》的通知",
        "演示县优化营商环境若干措施",
        "优化营商环境",
        20,
        "title",
        "演政发〔{y}〕12号",
        interpretation="关于《演示县优化营商环境若干措施》的解读",
        interpretation_age=18,
        interpretation_links_policy=True,
    ),
    PolicyDoc(
        "P2",
        "演示县粮食生产扶持资金管理办法",
        "演示县粮食生产扶持资金管理办法",
        "粮食生产扶持资金管理",
        15,
        "none",
        "演发改发〔{y}〕7号",
    ),
    PolicyDoc(
        "P3",
        "演示县农村人居环境整治提升实施方案（试行）",
        "演示县农村人居环境整治提升实施方案",
        "农村人居环境整治提升",
        10,
        "fuzzy",
        "演政办发〔{y}〕14号",
        interpretation="一图读懂｜演示县农村人居环境整治提升实施方案",
        interpretation_age=8,
        interpretation_links_policy=True,
    ),
    PolicyDoc(
        "P4",
        "演示县促进消费扩容提质若干措施",
        "演示县促进消费扩容提质若干措施",
        "促进消费扩容提质",
        1,
        "grace",
        "演政办发〔{y}〕20号",
    ),
    PolicyDoc(
        "P5",
        "演示县发展和改革局{y}年度重点工作任务分解方案",
        "演示县发展和改革局{y}年度重点工作任务分解方案",
        "年度重点工作任务落实",
        12,
        "declined",
        "演发改发〔{y}〕9号",
        declined="本文件不作解读。理由：本文件为内部工作安排，不涉及公众权利义务。",
    ),
    PolicyDoc(
        "P6",
        "演示县城区停车管理办法",
        "演示县城区停车管理办法",
        "城区停车管理",
        9,
        "link",
        "演政办发〔{y}〕15号",
        interpretation="图解：城区停车新规来了",
        interpretation_age=7,
        policy_links_interpretation=True,
    ),
    PolicyDoc(
        "P7",
        "演示县人民政府办公室关于印发《演示县招商引资优惠政策若干规定》的通知",
        "演示县招商引资优惠政策若干规定",
        "招商引资",
        28,
        "title",
        "演政办发〔{y}〕8号",
        interpretation="《演示县招商引资优惠政策若干规定》政策解读",
        interpretation_age=27,
    ),
    PolicyDoc(
        "P8",
        "演示县重点项目建设管理办法（演发改发〔{y}〕5号）",
        "演示县重点项目建设管理办法",
        "重点项目建设管理",
        33,
        "title",
        "演发改发〔{y}〕5号",
        interpretation="演示县重点项目建设管理办法解读",
        interpretation_age=31,
    ),
    # Traps of real portals (issue 15): yearly work points beside last year's interpretation
    # of the same name (OTHER_INTERPRETATIONS) — a finding;
    PolicyDoc(
        "P9",
        "关于印发《演示县{y}年政务公开工作要点》的通知",
        "演示县{y}年政务公开工作要点",
        "政务公开",
        12,
        "none",
        "演政办发〔{y}〕21号",
    ),
    # a joint interpretation naming two policies — both interpreted;
    PolicyDoc(
        "P10",
        "关于印发《演示县养老服务补贴办法》的通知",
        "演示县养老服务补贴办法",
        "养老服务补贴",
        14,
        "joint",
        "演民发〔{y}〕4号",
        interpretation="《演示县养老服务补贴办法》和《演示县居家养老服务管理细则》政策解读",
        interpretation_age=13,
    ),
    PolicyDoc(
        "P11",
        "关于印发《演示县居家养老服务管理细则》的通知",
        "演示县居家养老服务管理细则",
        "居家养老服务管理",
        14,
        "joint",
        "演民发〔{y}〕5号",
        joint_with="P10",
    ),
    # an interpretation whose title shares little with the policy, its text citing the 文号;
    PolicyDoc(
        "P12",
        "演示县农业产业化龙头企业认定和运行监测管理办法",
        "演示县农业产业化龙头企业认定和运行监测管理办法",
        "龙头企业认定和运行监测",
        16,
        "number",
        "演农发〔{y}〕6号",
        interpretation="助力龙头企业做大做强——我县出台新规",
        interpretation_age=15,
        interpretation_cites_number=True,
    ),
    # an interpretation titled like one policy (P13) whose page links to another (P14): it is
    # P14's, and P13 has none — a finding.
    PolicyDoc(
        "P13",
        "关于印发《演示县物业服务收费管理办法》的通知",
        "演示县物业服务收费管理办法",
        "物业服务收费",
        18,
        "none",
        "演发改发〔{y}〕11号",
    ),
    PolicyDoc(
        "P14",
        "关于印发《演示县物业服务企业信用评价办法》的通知",
        "演示县物业服务企业信用评价办法",
        "物业服务企业信用评价",
        18,
        "link",
        "演发改发〔{y}〕12号",
        interpretation="《演示县物业服务收费管理办法》解读",
        interpretation_age=17,
        interpretation_links_policy=True,
    ),
    PolicyDoc(
        "N1",
        "关于张三同志任职的通知",
        "关于张三同志任职的通知",
        "人事任免",
        5,
        "not-policy",
        is_policy=False,
    ),
    PolicyDoc(
        "N2",
        "演示县发改局{y}年公开招聘工作人员公告",
        "演示县发改局{y}年公开招聘工作人员公告",
        "公开招聘",
        16,
        "not-policy",
        is_policy=False,
    ),
    # notices the built-in classifier keeps out (no pattern in the config names them)
    PolicyDoc(
        "N3",
        "关于公布{y}年度全县优化营商环境先进单位名单的通知",
        "关于公布{y}年度全县优化营商环境先进单位名单的通知",
        "名单公布",
        11,
        "not-policy",
        "演发改发〔{y}〕10号",
        is_policy=False,
    ),
    PolicyDoc(
        "N4",
        "关于举办演示县第三届“创业之星”大赛的通知",
        "关于举办演示县第三届“创业之星”大赛的通知",
        "创业大赛",
        9,
        "not-policy",
        is_policy=False,
    ),
)

# Interpretations in 政策解读 of policies published elsewhere (not in B01's 政策文件); ``{y}`` =
# year of publication (last year's work points, a year before P9).
OTHER_INTERPRETATIONS: tuple[tuple[str, int], ...] = (
    ("《演示县{y}年政务公开工作要点》解读", 362),
    ("演示县义务教育阶段学生资助政策问答", 38),
    ("《演示县城镇老旧小区改造实施方案》政策解读", 45),
    ("《演示县困难群众基本生活救助办法》解读", 52),
    ("一图读懂演示县稳就业十条措施", 61),
)

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
}

# What a crawl of a source must record. For ``too_large`` the crawler drops the response; it
# may record that as too_large, parse_error or http_error (``accepted_outcomes``).
OUTCOMES = ("ok", "http_error", "timeout", "blocked", "too_large")
ACCEPTED_OUTCOMES: dict[str, frozenset[str]] = {
    "ok": frozenset({"ok"}),
    "http_error": frozenset({"http_error"}),
    "timeout": frozenset({"timeout"}),
    "blocked": frozenset({"blocked"}),
    "too_large": frozenset({"too_large", "parse_error", "http_error"}),
}


@dataclass(frozen=True)
class SourceSpec:
    """One source of the demo county: a disclosure column or a new-media account.

    ``path`` is what the config points at (for the Weibo account the API, for RSS the feed,
    for gkmlpt the shell with ``#<category>``). ``newest_age`` is the newest item's age in days
    at the as-of date (``None`` for accounts and for columns without content). ``weekly_posts``
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
    kind: str  # column kind (general | policy | interpretation) or account platform
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


# --------------------------------------------------------------------------- output model


@dataclass(frozen=True)
class Page:
    """One HTTP answer: body bytes, Content-Type header, status and extra headers.

    ``delay`` is how long the server waits before answering (the slow column).
    """

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


@dataclass(frozen=True)
class Entry:
    """One item or post as published: title, root-relative URL path and publication time."""

    title: str
    path: str
    published: datetime  # aware, China time


@dataclass(frozen=True)
class GkmlptCategory:
    """One gkmlpt category: its name and its articles (API objects), newest first."""

    name: str
    articles: tuple[dict, ...]


@dataclass(frozen=True)
class Site:
    """Every page of the demo portal for one as-of date.

    Static pages are in ``pages``; the Hanweb data proxy, the gkmlpt API and the Weibo API
    answer from ``hanweb``, ``gkmlpt`` and ``pages`` depending on the request (see ``get``).
    """

    as_of: date
    base_url: str
    pages: Mapping[str, Page]  # keyed by path (the Weibo API by path?query)
    entries: Mapping[str, tuple[Entry, ...]]  # by SourceSpec.path, newest first
    not_found: Page
    weibo_empty: Page
    hanweb: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # columnid → <li>s
    gkmlpt: Mapping[int, GkmlptCategory] = field(default_factory=dict)

    def absolute(self, path: str) -> str:
        """``base_url`` + a root-relative path."""
        return self.base_url + path

    def expected(self, path: str) -> tuple[Entry, ...]:
        """What a crawler must find in the source at ``path``: its entries if its crawl
        should succeed, else nothing (the entries of a slow or oversized column exist but a
        crawl with the demo config cannot get them)."""
        spec = SOURCE_BY_PATH[path]
        return self.entries[path] if expected_outcome(spec) == "ok" else ()

    def get(
        self,
        target: str,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Page:
        """The page answering a request (target = path with optional query; POST form body)."""
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        query = parse_qs(parts.query)
        if path == WEIBO_API:
            sent = {k.lower(): v for k, v in (headers or {}).items()}
            if not sent.get("referer"):
                return _weibo_login_required()
            cid = query.get("containerid", [""])[0]
            number = query.get("page", ["1"])[0]
            number = number if number.isdigit() else "1"
            key = f"{WEIBO_API}?containerid={cid}&page={int(number)}"
            return self.pages.get(key, self.weibo_empty)
        if path == HANWEB_PROXY:
            form = parse_qs(body.decode("utf-8", "replace")) if method == "POST" else {}
            return self.hanweb_proxy({**form, **query})
        if path.startswith(GKMLPT_API):
            return self.gkmlpt_api(path.removeprefix(GKMLPT_API), query)
        page = self.pages.get(path)
        if page is not None:
            return page
        if not path.endswith("/") and path + "/" in self.pages:
            where = path + "/"
            body = f'<html><body><a href="{where}">301 Moved Permanently</a></body></html>'
            return Page(body.encode(), status=301, headers=(("Location", where),))
        return self.not_found

    def hanweb_proxy(self, params: Mapping[str, list[str]]) -> Page:
        """jpage's dataproxy.jsp: records startrecord..endrecord (1-based, inclusive)."""

        def number(name: str, default: int) -> int:
            value = params.get(name, [""])[0].strip()
            return int(value) if value.isdigit() else default

        records = self.hanweb.get(number("columnid", -1), ())
        per_page = max(1, number("perpage", HANWEB_PER_PAGE))
        start = max(1, number("startrecord", 1))
        end = number("endrecord", start + 3 * per_page - 1)
        chosen = records[start - 1 : end] if end >= start else ()
        rows = "".join(f"<record><![CDATA[{r}]]></record>\n" for r in chosen)
        text = (
            '<?xml version="1.0" encoding="UTF-8"?><datastore>'
            f"<totalrecord>{len(records)}</totalrecord>"
            f"<totalpage>{-(-len(records) // per_page)}</totalpage>"
            f"<recordset>\n{rows}</recordset></datastore>"
        )
        return Page(text.encode("utf-8"), "text/xml; charset=UTF-8")

    def gkmlpt_api(self, rest: str, query: Mapping[str, list[str]]) -> Page:
        """/gkmlpt/api/all/<category>?page=N: 10 articles a page; past the end, none."""
        if not rest.isdigit():
            return self.not_found
        category = self.gkmlpt.get(int(rest))
        number = query.get("page", ["1"])[0]
        page = max(1, int(number)) if number.isdigit() else 1
        size = GKMLPT_PAGE_SIZE
        articles = category.articles if category else ()
        data = {
            "articles": list(articles[(page - 1) * size : page * size]),
            "total": len(articles),
            "page": page,
            "classify": {"id": int(rest), "name": category.name} if category else None,
        }
        return Page(json.dumps(data, ensure_ascii=False).encode("utf-8"), JSON_TYPE)


def _weibo_login_required() -> Page:
    text = json.dumps({"ok": -100, "msg": "请先登录"}, ensure_ascii=False)
    return Page(text.encode("utf-8"), JSON_TYPE, status=403)


def build_site(as_of: date, base_url: str = "") -> Site:
    """Generate the whole portal for ``as_of``; ``base_url`` prefixes absolute links in feeds."""
    return _Builder(as_of, base_url).build()


# --------------------------------------------------------------------------- text pools


@dataclass(frozen=True)
class _Pool:
    """Title templates × fills, picked by index (``{u}`` unit, ``{t}`` fill, ``{y}`` year)."""

    templates: tuple[str, ...]
    fills: tuple[str, ...]
    offset: int = 0

    def pick(self, i: int, unit: str, year: int) -> tuple[str, str]:
        j = i + self.offset
        fill = self.fills[j % len(self.fills)]
        return self.templates[j % len(self.templates)].format(u=unit, t=fill, y=year), fill


TOWN_TOPICS = (
    "人居环境整治",
    "安全生产",
    "森林防火",
    "防汛备汛",
    "乡村振兴",
    "禁毒宣传",
    "耕地保护",
    "河湖长制",
    "矛盾纠纷排查化解",
    "文明创建",
    "燃气安全",
)
TOWN_NEWS = (
    "{u}召开{t}工作推进会",
    "{u}开展{t}专项行动",
    "{u}主要负责同志带队督导{t}工作",
    "{u}扎实推进{t}工作",
    "{u}组织召开{t}工作部署会",
    "{u}多措并举抓好{t}工作",
    "{u}举办{t}业务培训班",
)
EDU_TOPICS = (
    "校园安全",
    "“双减”",
    "师德师风建设",
    "义务教育优质均衡",
    "学前教育",
    "教师培训",
    "控辍保学",
    "校园食品安全",
    "学生资助",
    "课后服务",
    "近视防控",
)
HEALTH_TOPICS = (
    "疫苗接种",
    "爱国卫生运动",
    "家庭医生签约",
    "基本公共卫生服务",
    "医疗质量安全",
    "职业病防治",
    "慢性病防控",
    "无偿献血",
    "全民健身",
    "妇幼健康",
    "健康素养提升",
)
MARKET_TOPICS = (
    "食品安全",
    "价格监管",
    "特种设备安全",
    "知识产权保护",
    "药品安全",
    "计量监督",
    "网络交易监管",
    "产品质量",
    "消费维权",
    "商标保护",
    "电梯安全",
)

POOLS: dict[str, _Pool] = {
    "/a01/zwdt/": _Pool(TOWN_NEWS, TOWN_TOPICS),
    "/a01/tzgg/": _Pool(
        (
            "关于做好{t}工作的通知",
            "城关镇关于开展{t}集中整治的通告",
            "关于{t}工作检查情况的通报",
            "关于进一步加强{t}工作的通知",
            "城关镇{t}工作方案",
        ),
        TOWN_TOPICS,
    ),
    "/a02/xxgk/": _Pool(
        (
            "河西镇{y}年{t}发放情况公示",
            "河西镇{t}对象名单公示",
            "河西镇关于{t}申报审核结果的公示",
            "河西镇{t}资金使用情况公开",
            "河西镇{t}政策告知书",
        ),
        (
            "农村低保",
            "特困人员供养",
            "高龄津贴",
            "耕地地力保护补贴",
            "农村危房改造",
            "临时救助",
            "残疾人两项补贴",
            "退役军人优待金",
            "农机购置补贴",
        ),
    ),
    "/a02/xzdt/": _Pool(TOWN_NEWS, TOWN_TOPICS, offset=3),
    "/a03/gzdt/": _Pool(TOWN_NEWS, TOWN_TOPICS, offset=5),
    "/b01/tzgg/": _Pool(
        (
            "关于开展{t}工作的通知",
            "关于报送{t}有关材料的通知",
            "关于组织申报{t}的通知",
            "关于{t}情况的通报",
            "关于召开{t}工作会议的通知",
        ),
        (
            "重点项目建设",
            "价格监测",
            "粮食安全",
            "节能审查",
            "社会信用体系建设",
            "招标投标监管",
            "以工代赈",
            "中央预算内投资项目",
            "成本调查",
        ),
    ),
    "/b02/gzdt/": _Pool(
        (
            "县教育局召开{t}工作推进会",
            "县教育局开展{t}专项督导",
            "我县扎实推进{t}工作",
            "县教育局部署{t}工作",
            "全县{t}工作现场会在县实验小学召开",
            "县教育局举办{t}专题培训",
            "县教育局多措并举做好{t}工作",
        ),
        EDU_TOPICS,
    ),
    "/b02/wechat/": _Pool(
        (
            "{t}｜演示县教育局致家长的一封信",
            "关注！{t}最新通知",
            "{t}，我们在行动",
            "权威发布｜{t}工作有新要求",
            "图说｜{t}进校园",
        ),
        EDU_TOPICS,
    ),
    "/b03/ssj/": _Pool(
        (
            "{y}年{t}双随机抽查结果公示",
            "关于开展{y}年{t}双随机抽查的公告",
            "{t}随机抽查事项清单",
            "{t}双随机抽查工作计划",
            "{t}抽查检查情况通报",
        ),
        (
            "食品生产企业",
            "特种设备使用单位",
            "工业产品生产企业",
            "药品零售企业",
            "计量器具使用单位",
            "广告发布单位",
            "农资经营户",
            "个体工商户年报",
            "医疗器械经营企业",
        ),
    ),
    "/b03/rss.xml": _Pool(
        (
            "演示县市场监管局开展{t}专项检查",
            "{t}消费提示",
            "县市场监管局召开{t}工作会",
            "【以案说法】{t}典型案例",
            "演示县{t}监督抽检信息公告",
        ),
        MARKET_TOPICS,
    ),
    "/b04/wsjk/": _Pool(
        (
            "县卫体局开展{t}宣传活动",
            "演示县{t}工作推进会召开",
            "县卫体局部署{t}工作",
            "我县扎实推进{t}工作",
            "县人民医院开展{t}主题义诊活动",
            "县卫体局督查{t}工作",
            "健康提示：{t}知识问答",
        ),
        HEALTH_TOPICS,
    ),
    f"{WEIBO_API}?containerid={WEIBO_CONTAINER}": _Pool(
        (
            "【{t}】县卫体局提醒广大群众",
            "【{t}】这些知识请收好",
            "【{t}】我县在行动",
            "【{t}】权威解答来了",
            "【{t}】一起来看",
        ),
        HEALTH_TOPICS,
    ),
    "/a03/tzgg/": _Pool(
        (
            "六泉乡关于做好{t}工作的通知",
            "六泉乡关于开展{t}专项整治的通告",
            "关于{t}工作督查情况的通报",
            "六泉乡{y}年{t}工作实施方案",
            "关于进一步加强{t}工作的通知",
            "六泉乡关于{t}的温馨提示",
        ),
        TOWN_TOPICS,
        offset=2,
    ),
    HANWEB_PATH: _Pool(
        (
            "演示县教育局关于做好{t}工作的通知",
            "县教育局召开{t}工作专题会议",
            "我县{t}工作取得阶段性成效",
            "演示县{y}年{t}工作要点",
            "县教育局组织开展{t}专项检查",
            "关于公布{y}年{t}工作考核结果的通报",
        ),
        EDU_TOPICS,
        offset=4,
    ),
    f"{GKMLPT_SHELL}#{GKMLPT_CATEGORY}": _Pool(
        (
            "演示县卫生健康和体育局关于开展{t}工作的通知",
            "关于{y}年{t}工作情况的报告",
            "演示县{t}工作实施方案",
            "关于公布{t}监督检查结果的公告",
            "演示县卫生健康和体育局{y}年{t}工作要点",
        ),
        HEALTH_TOPICS,
        offset=1,
    ),
    "/b03/xzzf/": _Pool(
        (
            "演示县市场监督管理局行政处罚决定书（{t}）",
            "{t}行政处罚信息公示",
            "关于{t}违法案件行政处罚信息的公开",
            "{t}行政检查结果公示",
            "{t}行政许可信息公示",
        ),
        MARKET_TOPICS,
        offset=2,
    ),
    "/a01/tpxw/": _Pool(
        (
            "【图片新闻】{u}{t}现场",
            "{u}开展{t}活动掠影",
            "图说{u}：{t}见成效",
            "{u}{t}工作剪影",
            "镜头里的{u}{t}",
        ),
        TOWN_TOPICS,
        offset=7,
    ),
}

ARCHIVE_ITEMS: tuple[tuple[str, int], ...] = (
    ("六泉乡人民政府机构职能", 400),
    ("六泉乡领导班子成员及分工", 455),
    ("六泉乡内设机构及职责", 610),
    ("六泉乡联系方式及办公地址", 790),
    ("六泉乡所属事业单位简介", 1000),
)

MIDDLES = (
    "会议强调，要进一步提高思想认识，压紧压实工作责任，加强统筹协调，形成工作合力；"
    "要坚持问题导向，聚焦群众关切，切实解决好群众急难愁盼问题。",
    "活动现场，工作人员通过发放宣传资料、设置咨询台、现场讲解等方式，向群众宣传相关政策和知识，"
    "引导群众积极参与、共同维护。",
    "检查组一行深入村（社区）、企业和重点场所，实地查看工作开展情况，详细了解存在的困难和问题，"
    "并现场提出整改意见。",
    "据悉，此次活动共发放宣传资料1200余份，接受群众咨询300余人次，取得了良好的社会效果。",
    "会上，各相关单位分别汇报了近期工作开展情况，与会人员围绕存在的问题进行了深入交流讨论。",
)
CLOSINGS = (
    "下一步，{org}将持续跟踪问效，推动{t}工作不断取得新成效。",
    "{org}有关负责同志表示，将以此次活动为契机，建立健全长效机制，确保{t}工作落到实处。",
    "下一步，{org}将坚持以人民为中心，持续在{t}上下功夫、见实效，不断增强群众获得感。",
)
WEEKDAYS = "一二三四五六日"
NAV = (
    ("首页", "/"),
    ("政务公开", "/"),
    ("政务服务", "/zwfw/"),
    ("互动交流", "/hdjl/"),
    ("走进演示", "/zjys/"),
)
FRIEND_LINKS = (
    ("中国政府网", "http://www.gov.cn/"),
    ("国家政务服务平台", "http://gjzwfw.www.gov.cn/"),
    ("省人民政府", "http://www.example.gov.cn/"),
    ("市人民政府", "http://www.example-city.gov.cn/"),
    ("演示县融媒体中心", "http://www.example-news.cn/"),
)
CSS = """body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;
background:#f0f0f0}a{color:#333;text-decoration:none}a:hover{color:#c00}
.wrap{width:1000px;margin:0 auto;background:#fff}.top-bar{background:#eee;font-size:12px;
padding:0 12px;line-height:30px}.top-bar .fr{float:right}.top-bar a{margin-left:10px}
.header{background:#b40000;height:96px}.header h1{margin:0;padding:24px 20px;color:#fff;
font-size:34px;letter-spacing:4px}.nav{background:#8c0000}.nav ul{margin:0;padding:0;
list-style:none;overflow:hidden}.nav li{float:left}.nav a{display:block;color:#fff;
padding:0 28px;line-height:40px;font-size:16px}.crumb{padding:6px 15px;
border-bottom:1px solid #ddd}.main{overflow:hidden;padding:15px}.side{float:left;width:200px}
.side h3{background:#b40000;color:#fff;margin:0;padding:6px 12px;font-size:15px}
.side ul{list-style:none;margin:0;padding:0;border:1px solid #ddd}
.side li{border-bottom:1px dashed #ddd;padding:4px 12px}.content{float:right;width:760px}
.list-hd h2{font-size:18px;color:#b40000;border-bottom:2px solid #b40000;margin:0 0 10px}
.list li,#list li,.news-item{list-style:none;border-bottom:1px dashed #ddd;line-height:34px;
overflow:hidden}.list li span,#list li span,.news-item em{float:right;color:#888;font-style:normal}
.list li span.fr{float:right}table.xxgk-list{border-collapse:collapse}
table.xxgk-list th,table.xxgk-list td{border:1px solid #ddd;padding:4px 8px}
.pages{text-align:center;margin:15px 0}.pages a,.pages span{margin:0 4px}
.article h1{text-align:center;font-size:22px;color:#b40000}.article .info{text-align:center;
color:#888;font-size:12px;border-bottom:1px solid #ddd;padding-bottom:8px}
.article .text p{text-indent:2em}.meta{width:100%;border-collapse:collapse;margin:10px 0}
.meta td{border:1px solid #ddd;padding:4px 8px}.footer{background:#444;color:#ddd;
text-align:center;font-size:12px;padding:10px}.footer a{color:#ddd;margin:0 6px}
.friend ul{display:inline;margin:0;padding:0}.friend li{display:inline;list-style:none}
"""
DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)


def esc(text: str) -> str:
    """HTML-escape text, quotes included (crawled-looking text is never trusted)."""
    return html.escape(text, quote=True)


def cn_date(d: date) -> str:
    """2021年8月27日 (no zero padding)."""
    return f"{d.year}年{d.month}月{d.day}日"


def rfc822(dt: datetime) -> str:
    """RFC 822 date with English names, e.g. ``Mon, 30 Aug 2021 10:00:00 +0800``."""
    return format_datetime(dt)


def weibo_time(dt: datetime) -> str:
    """m.weibo.cn ``created_at``, e.g. ``Mon Aug 30 10:00:00 +0800 2021``."""
    day, _, rest = rfc822(dt).partition(", ")
    dd, mon, year, clock, zone = rest.split()
    return f"{day} {mon} {dd} {clock} {zone} {year}"


def _token(*parts: object, length: int = 22) -> str:
    """A deterministic base62 identifier (WeChat-style article ids)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), 16)
    out = []
    for _ in range(length):
        number, rem = divmod(number, 62)
        out.append(alphabet[rem])
    return "".join(out)


TRS_PAGER_SCRIPT = """// TRS WCM pager: writes 首页 上一页 1 2 3 下一页 尾页 where it is called.
function createPageHTML(nPageCount, nCurrIndex, sPageName, sPageExt) {
  if (nPageCount == null || nPageCount <= 1) { return; }
  function name(k) {
    return k === 0 ? sPageName + "." + sPageExt : sPageName + "_" + k + "." + sPageExt;
  }
  function link(k, label) { return "<a href='" + name(k) + "'>" + label + "</a> "; }
  var out = "<span>共" + nPageCount + "页</span> ";
  out += nCurrIndex > 0 ? link(0, "首页") + link(nCurrIndex - 1, "上一页")
    : "<span>首页</span> <span>上一页</span> ";
  for (var i = 0; i < nPageCount; i++) {
    out += i === nCurrIndex ? "<span>" + (i + 1) + "</span> " : link(i, String(i + 1));
  }
  out += nCurrIndex < nPageCount - 1 ? link(nCurrIndex + 1, "下一页") + link(nPageCount - 1, "尾页")
    : "<span>下一页</span> <span>尾页</span>";
  document.write(out);
}
"""
HANWEB_JPAGE_STUB = """/* jQuery jpage (demo stub). The real plugin reads the <datastore> in the
   column's <script type="text/xml"> and fetches further records from dataproxy.jsp with
   startrecord, endrecord and perpage plus the nextgroup link's parameters. */
"""
RUISHU_SCRIPT = """/* dynamic security bootstrap (demo stub): the real script is obfuscated,
   computes a cookie from $_ts.cd and reloads the page. */
(function () { var _$ts = window.$_ts || {}; void _$ts; })();
"""
GKMLPT_APP = """<script type="text/javascript">
(function () {
  var app = document.getElementById("gkmlpt-app");
  function day(t) { return new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 10); }
  function load(page) {
    var cid = location.hash.replace("#", "") || "@CID@";
    fetch("@API@" + cid + "?page=" + page)
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var ul = document.createElement("ul");
        ul.className = "list";
        data.articles.forEach(function (it) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = it.url;
          a.target = "_blank";
          a.textContent = it.title;
          var span = document.createElement("span");
          span.textContent = day(it.create_time);
          li.appendChild(a);
          li.appendChild(span);
          ul.appendChild(li);
        });
        app.innerHTML = "";
        app.appendChild(ul);
        if (page * 10 < data.total) {
          var more = document.createElement("button");
          more.textContent = "下一页";
          more.onclick = function () { load(page + 1); };
          app.appendChild(more);
        }
      });
  }
  window.addEventListener("hashchange", function () { load(1); });
  load(1);
})();
</script>"""


@functools.cache
def _filler() -> bytes:
    """Digit-free base64-looking lines, enough for the oversized page's padding."""
    line = b"QUFBQUFB" * 9 + b"QUFB\n"
    return line * (OVERSIZED_BYTES // len(line) + 1)


def _padding(size: int) -> bytes:
    """An HTML comment of exactly ``size`` bytes."""
    head, tail = "<!-- 轮播图历史数据（已停用）\n".encode(), b"\n-->"
    return head + _filler()[: size - len(head) - len(tail)] + tail


# --------------------------------------------------------------------------- the builder


@dataclass
class _Article:
    title: str
    path: str
    published: datetime
    org: str
    paragraphs: tuple[str, ...]
    topic: str = ""
    views: int = 0
    doc_no: str | None = None
    written_on: date | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, path) shown after the text
    policy: PolicyDoc | None = None

    def entry(self) -> Entry:
        return Entry(self.title, self.path, self.published)


@dataclass
class _Builder:
    as_of: date
    base_url: str
    pages: dict[str, Page] = field(default_factory=dict)
    entries: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    hanweb: dict[int, tuple[str, ...]] = field(default_factory=dict)
    gkmlpt: dict[int, GkmlptCategory] = field(default_factory=dict)

    # -- helpers -------------------------------------------------------------------------

    def rng(self, key: str) -> random.Random:
        return random.Random(f"{self.as_of.isoformat()}|{key}")

    def absolute(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def stamp(self, day: date, rng: random.Random) -> datetime:
        """A publication time on ``day``; early morning when ``day`` is the as-of date."""
        hour = rng.randint(7, 8) if day == self.as_of else rng.randint(8, 18)
        return datetime.combine(day, time(hour, rng.randrange(0, 60)), CST)

    def day(self, age: int) -> date:
        return self.as_of - timedelta(days=age)

    def paragraphs(self, rng: random.Random, topic: str, org: str, when: date) -> tuple[str, ...]:
        event = when - timedelta(days=rng.choice((0, 1, 1, 2)))
        lead = rng.choice(("近日", "日前", f"{event.month}月{event.day}日"))
        first = (
            f"{lead}，{org}围绕{topic}工作召开专题会议，传达学习上级有关会议和文件精神，"
            "分析当前形势，安排部署下一阶段重点任务。"
        )
        middle = rng.sample(MIDDLES, 2)
        closing = rng.choice(CLOSINGS).format(org=org, t=topic)
        return (first, *middle, closing)

    def add_html(self, path: str, text: str, encoding: str = "utf-8", status: int = 200) -> None:
        if encoding == "utf-8":
            self.pages[path] = Page(text.encode("utf-8"), "text/html; charset=utf-8", status)
        else:  # charset declared only in the <meta http-equiv>, as on many old portals
            self.pages[path] = Page(text.encode(encoding), "text/html", status)

    def add_data(self, path: str, text: str, content_type: str) -> None:
        self.pages[path] = Page(text.encode("utf-8"), content_type)

    # -- page furniture ------------------------------------------------------------------

    def layout(
        self,
        title: str,
        crumbs: list[tuple[str, str | None]],
        content: str,
        unit: Unit | None = None,
        charset: str = "utf-8",
        head: str = "",
    ) -> str:
        today = f"{self.as_of.year}年{self.as_of:%m}月{self.as_of:%d}日"
        weekday = WEEKDAYS[self.as_of.weekday()]
        nav = "".join(f'<li><a href="{href}">{name}</a></li>' for name, href in NAV)
        trail = ['<a href="/">首页</a>']
        for name, href in crumbs:
            here = f"<span>{esc(name)}</span>"
            trail.append(f'<a href="{href}">{esc(name)}</a>' if href else here)
        friends = "".join(
            f'<li><a href="{href}" target="_blank">{name}</a></li>' for name, href in FRIEND_LINKS
        )
        body = content
        if unit is not None:
            side = f'<div class="side">{self.side_menu(unit)}</div>'
            body = f'{side}<div class="content">{content}</div>'
        return f"""{DOCTYPE}
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<meta name="SiteName" content="{SITE_NAME}" />
<meta name="SiteIDCode" content="3609990001" />
<title>{esc(title)}_{SITE_NAME}</title>
<style type="text/css">{CSS}</style>
{head}</head>
<body>
<div class="wrap">
<div class="top-bar"><span class="fr"><a href="/">设为首页</a><a href="/">加入收藏</a>\
<a href="/">无障碍浏览</a><a href="/">English</a></span>今天是：{today} 星期{weekday}</div>
<div class="header"><h1>{SITE_NAME}</h1></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="crumb">当前位置：{" &gt; ".join(trail)}</div>
<div class="main">
{body}
</div>
<div class="footer">
<div class="friend">友情链接：<ul>{friends}</ul></div>
<p><a href="/zjys/">关于我们</a>|<a href="/">网站地图</a>|<a href="/hdjl/">联系我们</a></p>
<p>主办单位：演示县人民政府办公室　承办单位：演示县政务公开办公室</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">演ICP备20160001号-1</a>\
<a href="http://www.beian.gov.cn/" target="_blank">演公网安备 36099902000123号</a>\
网站标识码：3609990001</p>
<p>本站为govwatch演示网站，所有单位、人名和内容均为虚构。</p>
</div>
</div>
</body>
</html>
"""

    def side_menu(self, unit: Unit) -> str:
        links = []
        for src in SOURCES:
            if src.unit != unit.code:
                continue
            href, label = src.path, src.name
            if src.shape == "weibo":
                href, label = WEIBO_PROFILE, f"政务微博：{src.name}"
            elif src.shape == "wechat":
                label = f"微信公众号：{src.name}"
            elif src.shape == "rss":
                label = f"RSS订阅：{src.name}"
            links.append(f'<li><a href="{href}">{esc(label)}</a></li>')
        return (
            f'<h3><a href="/{unit.slug}/" style="color:#fff">{unit.name}</a></h3>'
            f'<ul class="side-menu">{"".join(links)}</ul>'
        )

    def column_crumbs(self, unit: Unit, src: SourceSpec) -> list[tuple[str, str | None]]:
        return [(unit.name, f"/{unit.slug}/"), (src.name, None)]

    def list_box(self, src: SourceSpec, inner: str, pager: str = "") -> str:
        return (
            f'<div class="list-hd"><h2>{esc(src.name)}</h2></div>\n'
            f'<div class="list-bd">\n{inner}\n</div>\n{pager}'
        )

    def count_line(self, n: int) -> str:
        return f'<div class="pages"><span>共{n}条记录</span> <span>第1/1页</span></div>'

    def article_page(self, src: SourceSpec, unit: Unit, art: _Article) -> str:
        info = (
            f"发布日期：{art.published:%Y-%m-%d %H:%M}　　来源：{esc(art.org)}　　"
            '字号：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            f'<a href="javascript:doZoom(14)">小</a>]　　阅读次数：{art.views}'
        )
        meta = ""
        if art.doc_no and art.written_on:
            serial = art.path.rsplit("_", 1)[-1].split(".")[0]
            meta = (
                '<table class="meta"><tr>'
                f"<td>索引号：11360999MB0001234X/{art.written_on.year}-{serial}</td>"
                f"<td>发布机构：{esc(art.org)}</td></tr><tr>"
                f"<td>文号：{esc(art.doc_no)}</td>"
                f"<td>成文日期：{art.written_on.year}年{art.written_on:%m}月{art.written_on:%d}日"
                "</td></tr></table>"
            )
        text = "\n".join(f"<p>{esc(p)}</p>" for p in art.paragraphs)
        links = "".join(
            f'<p class="related">【<a href="{href}">{esc(label)}</a>】</p>'
            for label, href in art.links
        )
        content = f"""<div class="article">
<h1>{esc(art.title)}</h1>
<div class="info">{info}</div>
{meta}
<div class="text" id="zoom">
{text}
</div>
{links}
<div class="tools"><a href="javascript:window.print()">【打印本页】</a>\
<a href="javascript:window.close()">【关闭窗口】</a></div>
</div>"""
        crumbs = [(unit.name, f"/{unit.slug}/"), (src.name, src.path), ("正文", None)]
        charset = "gb2312" if src.encoding == "gbk" else "utf-8"
        return self.layout(art.title, crumbs, content, unit, charset)

    # -- item generation -----------------------------------------------------------------

    def general_articles(
        self,
        src: SourceSpec,
        unit: Unit,
        url: Callable[[datetime, int], str],
        count: int | None = None,
        gaps: tuple[int, ...] = (0, 1, 2, 2, 3, 3, 4, 4, 5),
    ) -> list[_Article]:
        """20–40 dated items back ~90 days, the newest ``src.newest_age`` days old."""
        assert src.newest_age is not None
        rng = self.rng(src.path)
        pool = POOLS[src.path]
        ages = [src.newest_age]
        while len(ages) < (count or 40):
            age = ages[-1] + rng.choice(gaps)
            if count is None and age > src.newest_age + 90:
                break
            ages.append(age)
        n = len(ages)
        serial_base = 1000 * (SOURCES.index(src) + 11)
        arts = []
        for i, age in enumerate(ages):
            published = self.stamp(self.day(age), rng)
            title, topic = pool.pick(i, unit.name, published.year)
            if src.path == HOSTILE_PATH and i == HOSTILE_INDEX:
                title, topic = HOSTILE_TITLE, "防汛备汛"
            arts.append(
                _Article(
                    title,
                    url(published, serial_base + n - i),
                    published,
                    unit.org,
                    self.paragraphs(rng, topic, unit.org, published.date()),
                    topic,
                    views=rng.randint(80, 3000),
                )
            )
        return arts

    def spread_articles(
        self,
        src: SourceSpec,
        unit: Unit,
        url: Callable[[datetime, int], str],
        count: int,
        serial_base: int,
        hours: tuple[int, ...] = (),
    ) -> list[_Article]:
        """Exactly ``count`` items over 84–89 days, newest ``src.newest_age`` days old, sorted
        newest first; serials ``serial_base + 1`` (oldest) … ``serial_base + count``."""
        assert src.newest_age is not None and count >= 2
        rng = self.rng(src.path)
        pool = POOLS[src.path]
        span = rng.randint(84, 89)
        newest = src.newest_age
        ages = [newest, newest + span] + [newest + rng.randint(0, span) for _ in range(count - 2)]
        stamps = []
        for age in ages:
            published = self.stamp(self.day(age), rng)
            if hours:  # e.g. early-morning posts whose UTC date is the day before
                published = published.replace(hour=rng.choice(hours))
            stamps.append(published)
        stamps.sort(reverse=True)
        arts = []
        for i, published in enumerate(stamps):
            title, topic = pool.pick(i, unit.name, published.year)
            arts.append(
                _Article(
                    title,
                    url(published, serial_base + count - i),
                    published,
                    unit.org,
                    self.paragraphs(rng, topic, unit.org, published.date()),
                    topic,
                    views=rng.randint(80, 3000),
                )
            )
        return arts

    def publish(self, src: SourceSpec, unit: Unit, arts: list[_Article]) -> None:
        """Serve every article page and record the ground-truth entries."""
        for art in arts:
            self.add_html(art.path, self.article_page(src, unit, art), src.encoding)
        self.entries[src.path] = tuple(a.entry() for a in arts)

    @staticmethod
    def trs(prefix: str) -> Callable[[datetime, int], str]:
        return lambda dt, n: f"{prefix}{dt:%Y%m}/t{dt:%Y%m%d}_{n}.html"

    @staticmethod
    def plain(prefix: str, stem: str = "content_") -> Callable[[datetime, int], str]:
        return lambda dt, n: f"{prefix}{stem}{n}.html"

    # -- the column shapes ---------------------------------------------------------------

    def shape_ul_span(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.trs(src.path))
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            ),
            '<ul class="list news-list">',
        )

    def shape_gbk_cn(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.trs(src.path))
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a>'
            f'<span class="date">{cn_date(a.published.date())}</span></li>'
            ),
            '<ul class="list">',
        )

    def shape_table(self, src: SourceSpec, unit: Unit) -> None:
        column = 1200 + SOURCES.index(src)
        arts = self.general_articles(
            src,
            unit,
            lambda dt, n: f"{src.path}art/{dt.year}/{dt.month}/{dt.day}/art_{column}_{n}.html",
        )
        rows = "\n".join(
            f'<tr><td class="bt"><a href="{a.path}" target="_blank">{esc(a.title)}</a></td>'
            f'<td class="rq" align="center">{a.published.year}/{a.published.month}/'
            f"{a.published.day}</td></tr>"
            for a in arts
        )
        inner = (
            '<table class="xxgk-list" width="100%" border="0" cellspacing="0" cellpadding="0">\n'
            '<tr class="list-head"><th>标题</th><th width="120">发布日期</th></tr>\n'
            f"{rows}\n</table>"
        )
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(arts))))
        self.publish(src, unit, arts)

    def shape_paged(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(
            src, unit, self.trs(src.path), count=3 * PAGE_SIZE, gaps=(0, 1, 1, 2, 2, 3)
        )
        pages = [arts[i : i + PAGE_SIZE] for i in range(0, len(arts), PAGE_SIZE)]
        total = len(pages)

        def name(k: int) -> str:
            return "index.html" if k == 0 else f"index_{k}.html"

        for k, chunk in enumerate(pages):
            rows = "\n".join(
                f'<li><a href="./{a.path.removeprefix(src.path)}" target="_blank">'
                f"{esc(a.title)}</a><span>{a.published:%Y-%m-%d}</span></li>"
                for a in chunk
            )
            links = [f'<a href="{name(0)}">首页</a>']
            if k > 0:
                links.append(f'<a href="{name(k - 1)}">上一页</a>')
            if k < total - 1:
                links.append(f'<a href="{name(k + 1)}">下一页</a>')
            links.append(f'<a href="{name(total - 1)}">尾页</a>')
            pager = (
                '<div class="pages">\n<script type="text/javascript">\n'
                f'createPageHTML({total}, {k}, "index", "html");\n</script>\n'
                f"<span>共{len(arts)}条 当前第{k + 1}/{total}页</span> {' '.join(links)}\n</div>"
            )
            inner = f'<ul class="list">\n{rows}\n</ul>'
            head = (
                '<script type="text/javascript">\n'
                "// TRS WCM pager hook; the static pager below is what visitors use.\n"
                "function createPageHTML(count, current, prefix, ext) { return; }\n</script>\n"
            )
            text = self.layout(
                src.name,
                self.column_crumbs(unit, src),
                self.list_box(src, inner, pager),
                unit,
                head=head,
            )
            self.add_html(src.path + name(k), text)
            if k == 0:
                self.add_html(src.path, text)
        self.publish(src, unit, arts)

    def shape_archive(self, src: SourceSpec, unit: Unit) -> None:
        rng = self.rng(src.path)
        arts = []
        for i, (title, age) in enumerate(ARCHIVE_ITEMS):
            published = self.stamp(self.day(age), rng)
            text = (
                f"{title}如下（如有变动，以最新公布为准）。",
                f"{unit.org}地址：演示县六泉乡六泉街1号；办公时间：工作日上午8:00—12:00，"
                "下午14:30—17:30（夏季）。",
                "联系电话：0799-6123456。",
            )
            arts.append(
                _Article(
                    title,
                    f"{src.path}content_{9000 - i}.html",
                    published,
                    unit.org,
                    text,
                    views=rng.randint(200, 5000),
                )
            )
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}">{esc(a.title)}</a><span>{a.published:%Y-%m-%d}</span></li>'
            ),
            '<ul class="list">',
        )

    def shape_bracket(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.plain(src.path))
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a> '
            f'<span class="time">[{a.published:%m-%d}]</span></li>'
            ),
            '<ul class="list">',
        )

    def shape_no_date(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.plain(src.path))
        rows = "\n".join(
            f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a></li>' for a in arts
        )
        inner = f'<ul class="list">\n{rows}\n</ul>'
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(arts))))
        self.publish(src, unit, arts)

    def shape_div_list(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.plain(src.path, "detail_"))
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<div class="news-item"><a href="{a.path}" target="_blank">{esc(a.title)}</a>'
            f"<em>{a.published:%Y.%m.%d}</em></div>"
            ),
            '<div class="news-list">',
        )

    def shape_ul_fr(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, lambda dt, n: f"{src.path}{dt:%Y%m%d}/{n}.html")
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><span class="fr">{a.published:%Y-%m-%d}</span>'
            f'<a href="{a.path}" target="_blank">{esc(a.title)}</a></li>'
            ),
            '<ul class="list list-con">',
        )

    def shape_js_json(self, src: SourceSpec, unit: Unit) -> None:
        arts = self.general_articles(src, unit, self.trs(src.path))
        data = {
            "total": len(arts),
            "items": [
                {"title": a.title, "url": a.path, "date": f"{a.published:%Y-%m-%d}"} for a in arts
            ],
        }
        self.add_data(JSON_LIST_PATH, json.dumps(data, ensure_ascii=False), JSON_TYPE)
        script = f"""<script type="text/javascript">
(function () {{
  var list = document.getElementById("list");
  fetch("{JSON_LIST_PATH}")
    .then(function (r) {{ return r.json(); }})
    .then(function (data) {{
      list.innerHTML = "";
      data.items.forEach(function (it) {{
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = it.url;
        a.target = "_blank";
        a.textContent = it.title;
        var span = document.createElement("span");
        span.textContent = it.date;
        li.appendChild(a);
        li.appendChild(span);
        list.appendChild(li);
      }});
    }})
    .catch(function () {{
      list.innerHTML = '<li class="error">加载失败，请刷新页面重试</li>';
    }});
}})();
</script>"""
        inner = f'<ul id="list"><li class="loading">加载中…</li></ul>\n{script}'
        self.column_page(src, unit, self.list_box(src, inner))
        self.publish(src, unit, arts)

    def shape_http_500(self, src: SourceSpec, unit: Unit) -> None:
        text = f"""{DOCTYPE}
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>500 - 服务器内部错误</title></head>
<body><h1>500 - 服务器内部错误</h1>
<p>抱歉，您访问的页面暂时无法显示，请稍后再试。</p>
<hr /><p>java.lang.NullPointerException at com.trs.cms.ColumnServlet.doGet</p>
<p><a href="/">返回首页</a></p></body></html>
"""
        self.add_html(src.path, text, status=500)
        self.add_html(src.path + "index.html", text, status=500)

    def shape_trs_script(self, src: SourceSpec, unit: Unit) -> None:
        """TRS WCM list whose pager is only a createPageHTML(…) call (no static 下一页)."""
        arts = self.spread_articles(src, unit, self.trs(src.path), TRS_SCRIPT_COUNT, 4500)
        pages = [arts[i : i + PAGE_SIZE] for i in range(0, len(arts), PAGE_SIZE)]
        head = f'<script type="text/javascript" src="{TRS_PAGER_JS}"></script>\n'
        for k, chunk in enumerate(pages):
            rows = "\n".join(
                f'<li><a href="./{a.path.removeprefix(src.path)}" target="_blank" '
                f'title="{esc(a.title)}">{esc(a.title)}</a><span>{a.published:%Y-%m-%d}</span></li>'
                for a in chunk
            )
            pager = (
                '<div class="pages" id="pagenav">\n'
                f'<script>createPageHTML({len(pages)}, {k}, "index", "html");</script>\n</div>'
            )
            inner = f'<ul class="list">\n{rows}\n</ul>'
            text = self.layout(
                src.name,
                self.column_crumbs(unit, src),
                self.list_box(src, inner, pager),
                unit,
                head=head,
            )
            self.add_html(src.path + ("index.html" if k == 0 else f"index_{k}.html"), text)
            if k == 0:
                self.add_html(src.path, text)
        self.add_data(TRS_PAGER_JS, TRS_PAGER_SCRIPT, "application/javascript; charset=utf-8")
        self.publish(src, unit, arts)

    def shape_hanweb(self, src: SourceSpec, unit: Unit) -> None:
        """Hanweb jpage column: 15 records inline in a text/xml datastore, all via the proxy."""
        col = HANWEB_COLUMN
        arts = self.spread_articles(
            src,
            unit,
            lambda dt, n: f"/art/{dt.year}/{dt.month}/{dt.day}/art_{col}_{n}.html",
            HANWEB_COUNT,
            HANWEB_ART_BASE,
        )
        records = tuple(
            f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            for a in arts
        )
        self.hanweb[col] = records
        nextgroup = (
            f'<a href="{HANWEB_PROXY}?page=1&appid=1&webid=1&path=/&columnid={col}'
            f'&unitid={HANWEB_UNIT_ID}&webname={HANWEB_WEBNAME}&permissiontype=0"></a>'
        )
        inline = "".join(f"<record><![CDATA[{r}]]></record>\n" for r in records[:HANWEB_PER_PAGE])
        datastore = (
            f'<div id="{col}"><script type="text/xml"><datastore>'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>"
            f"<recordset>\n{inline}</recordset></datastore></script></div>"
        )
        script = f"""<script language="javascript" src="{HANWEB_JPAGE_JS}"></script>
<script language="javascript">
$(document).ready(function () {{
  $("#{col}").jpage({{
    dataBefore: '<ul class="list">',
    dataAfter: "</ul>",
    perPage: {HANWEB_PER_PAGE},
    groupSize: 3,
    proxyUrl: "{HANWEB_PROXY}",
    totalRecord: {len(records)},
    barPosition: "bottom",
    showMode: "full",
    themeName: "default"
  }});
}});
</script>"""
        self.column_page(src, unit, self.list_box(src, f"{datastore}\n{script}"))
        self.pages[f"/col/col{col}/"] = self.pages[src.path]
        self.add_data(HANWEB_JPAGE_JS, HANWEB_JPAGE_STUB, "application/javascript; charset=utf-8")
        self.publish(src, unit, arts)

    def shape_gkmlpt(self, src: SourceSpec, unit: Unit) -> None:
        """gkmlpt: an app shell without items; the articles come from the JSON API."""

        def url(dt: datetime, n: int) -> str:
            ident = GKMLPT_ID_BASE + n
            return f"/gkmlpt/content/{ident // 1_000_000}/{ident // 1000}/post_{ident}.html"

        arts = self.spread_articles(
            src, unit, url, GKMLPT_COUNT, 0, hours=(6, 7, 7, 9, 10, 11, 15, 16, 17)
        )
        rng = self.rng(f"{src.path}|meta")
        articles = []
        for i, art in enumerate(arts):
            serial = GKMLPT_COUNT - i
            doc_no = f"演卫体发〔{art.published.year}〕{serial}号" if serial % 3 == 0 else ""
            if doc_no:
                art.doc_no = doc_no
                art.written_on = art.published.date() - timedelta(days=rng.randint(1, 4))
            articles.append(
                {
                    "id": GKMLPT_ID_BASE + serial,
                    "title": art.title,
                    "url": self.absolute(art.path),
                    "create_time": int(art.published.timestamp()),
                    "identifier": f"11360999MB0004567K/{art.published.year}-{serial:05d}",
                    "document_number": doc_no,
                }
            )
        self.gkmlpt[GKMLPT_CATEGORY] = GkmlptCategory(GKMLPT_CLASSIFY, tuple(articles))
        script = GKMLPT_APP.replace("@API@", GKMLPT_API).replace("@CID@", str(GKMLPT_CATEGORY))
        inner = (
            '<div id="gkmlpt-app" class="gkmlpt"><div class="loading">正在加载…</div></div>\n'
            "<noscript>请开启浏览器的JavaScript功能后浏览政府信息公开目录。</noscript>\n"
            f"{script}"
        )
        text = self.layout(src.name, self.column_crumbs(unit, src), self.list_box(src, inner), unit)
        self.add_html(GKMLPT_SHELL, text)
        self.publish(src, unit, arts)

    def shape_slow(self, src: SourceSpec, unit: Unit) -> None:
        """A valid list the server answers only after ``SLOW_DELAY`` seconds."""
        arts = self.spread_articles(src, unit, self.plain(src.path, "xzcf_"), 36, 5200)
        self.list_column(
            src, unit, arts,
            lambda a: (
            f'<li><a href="{a.path}" target="_blank">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            ),
            '<ul class="list">',
        )
        self.pages[src.path] = replace(self.pages[src.path], delay=SLOW_DELAY)

    def shape_ruishu_412(self, src: SourceSpec, unit: Unit) -> None:
        """瑞数-style challenge: HTTP 412 and a $_ts bootstrap script, whatever is asked."""
        rng = self.rng(src.path)
        letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
        cd = "qqqq" + "".join(rng.choice(letters) for _ in range(1600))
        text = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
            f'$_ts.nsd=12345;$_ts.cd="{cd}";</script>'
            f'<script type="text/javascript" charset="utf-8" src="{RUISHU_JS}"></script>'
            "</head><body></body></html>"
        )
        cookie = f"FSSBBIl1UgzbN7NS={_token(self.as_of, src.path, length=64)}; Path=/; HttpOnly"
        page = Page(text.encode("utf-8"), status=412, headers=(("Set-Cookie", cookie),))
        self.pages[src.path] = self.pages[src.path + "index.html"] = page
        self.add_data(RUISHU_JS, RUISHU_SCRIPT, "application/javascript; charset=utf-8")

    def shape_jsl_521(self, src: SourceSpec, unit: Unit) -> None:
        """加速乐-style challenge: HTTP 521 and a script that sets __jsl_clearance."""
        rng = self.rng(src.path)
        issued = int(datetime.combine(self.as_of, time(9), CST).timestamp())
        value = f"{issued}.{rng.randint(100, 999)}|0|{_token(self.as_of, src.path, length=30)}"
        pieces = "+".join(f"('{c}')" for c in f"__jsl_clearance={value}")
        text = (
            f"<script>document.cookie={pieces}+';max-age=3600;path=/';"
            "var _jsl_tn='__jsl_clearance';"
            "location.href=location.pathname+location.search</script>"
        )
        cookie = f"__jsluid_h={_token('jsluid', self.as_of, length=32)}; max-age=31536000; path=/"
        page = Page(text.encode("utf-8"), status=521, headers=(("Set-Cookie", cookie),))
        self.pages[src.path] = self.pages[src.path + "index.html"] = page

    def shape_oversized(self, src: SourceSpec, unit: Unit) -> None:
        """A valid list padded with an HTML comment to exactly ``OVERSIZED_BYTES``."""
        arts = self.spread_articles(src, unit, self.trs(src.path), 32, 6100)
        rows = "\n".join(
            f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            for a in arts
        )
        marker = "<!--@PADDING@-->"
        inner = f'<ul class="list pic-list">\n{rows}\n</ul>\n{marker}'
        text = self.layout(
            src.name,
            self.column_crumbs(unit, src),
            self.list_box(src, inner, self.count_line(len(arts))),
            unit,
        )
        head, tail = text.encode("utf-8").split(marker.encode())
        self.pages[src.path] = Page(head + _padding(OVERSIZED_BYTES - len(head) - len(tail)) + tail)
        self.publish(src, unit, arts)

    def list_column(self, src: SourceSpec, unit: Unit, arts: list[_Article],
                    row: Callable[[_Article], str], container: str) -> None:
        """A column whose page is one list of ``row(article)`` inside ``container``."""
        close = f"</{container[1:].split()[0].rstrip('>')}>"
        rows = "\n".join(row(a) for a in arts)
        inner = f"{container}\n{rows}\n{close}"
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(arts))))
        self.publish(src, unit, arts)

    def column_page(self, src: SourceSpec, unit: Unit, content: str) -> None:
        charset = "gb2312" if src.encoding == "gbk" else "utf-8"
        text = self.layout(src.name, self.column_crumbs(unit, src), content, unit, charset)
        self.add_html(src.path, text, src.encoding)

    # -- policy files and interpretations ------------------------------------------------

    def policy_columns(self) -> None:
        """B01's 政策文件 and 政策解读 columns, cross-linked as ``POLICIES`` says."""
        unit = UNIT_BY_CODE["B01"]
        psrc, isrc = SOURCE_BY_PATH["/b01/zcwj/"], SOURCE_BY_PATH["/b01/zcjd/"]
        rng = self.rng(psrc.path)
        policies: dict[str, _Article] = {}
        interps: dict[str, _Article] = {}
        order = sorted(POLICIES, key=lambda p: -p.age)
        for n, doc in enumerate(order):
            published = self.stamp(self.day(doc.age), rng)
            y = published.year
            policies[doc.key] = _Article(
                doc.title.format(y=y),
                f"{psrc.path}content_{31000 + n}.html",
                published,
                unit.org,
                (),
                doc.topic,
                rng.randint(100, 3000),
                doc.doc_no.format(y=y) if doc.doc_no else None,
                published.date() - timedelta(days=rng.randint(2, 5)) if doc.doc_no else None,
                policy=doc,
            )
        extra = [(title, age, None) for title, age in OTHER_INTERPRETATIONS]
        wanted = [(d.interpretation, d.interpretation_age, d) for d in POLICIES if d.interpretation]
        jobs = sorted(extra + wanted, key=lambda job: -(job[1] or 0))
        for n, (title, age, doc) in enumerate(jobs):
            assert title is not None and age is not None
            published = self.stamp(self.day(age), rng)
            art = _Article(
                title.format(y=published.year),
                f"{isrc.path}content_{32000 + n}.html",
                published,
                unit.org,
                (),
                views=rng.randint(100, 3000),
                policy=doc,
            )
            interps[doc.key if doc else title] = art
        for doc in POLICIES:
            art = policies[doc.key]
            art.paragraphs = self.policy_text(doc, art)
            if doc.policy_links_interpretation:
                art.links = (("相关解读", interps[doc.key].path),)
        for key, art in interps.items():
            doc = art.policy
            art.paragraphs = self.interpretation_text(
                art.title, doc, unit, policies[key] if doc else None)
            if doc and doc.interpretation_links_policy:
                art.links = ((f"相关文件：{policies[key].title}", policies[key].path),)
        for src, arts in ((psrc, policies), (isrc, interps)):
            ordered = sorted(arts.values(), key=lambda a: a.published, reverse=True)
            rows = "\n".join(
                f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}'
                f"</a><span>{a.published:%Y-%m-%d}</span></li>"
                for a in ordered
            )
            inner = f'<ul class="list">\n{rows}\n</ul>'
            self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(ordered))))
            self.publish(src, unit, ordered)

    def policy_text(self, doc: PolicyDoc, art: _Article) -> tuple[str, ...]:
        if not doc.is_policy:
            if doc.topic == "人事任免":
                return (
                    "各股室、局属各单位：",
                    "经局党组研究决定：张三同志任演示县发展和改革局价格监督检查股股长，试用期一年。",
                    "特此通知。",
                )
            return (
                f"根据工作需要，经研究，{art.org}决定面向社会公开招聘工作人员3名。"
                "现将有关事项公告如下：",
                "一、招聘岗位及人数：综合文字岗2名，项目管理岗1名。",
                "二、报名方式：请于公告发布之日起7日内携带相关材料到县发改局办公室现场报名。",
            )
        assert art.written_on is not None
        name = doc.name.format(y=art.published.year)
        kind = "措施" if name.endswith("措施") else ("方案" if "方案" in name else "办法")
        issuer = {"演政发": "演示县人民政府", "演政办发": "演示县人民政府办公室"}.get(
            (art.doc_no or "").split("〔")[0], "演示县发展和改革局"
        )
        written = cn_date(art.written_on)
        lines: list[str] = []
        if "印发" in art.title:
            lines += [
                "各乡镇人民政府，县政府各部门：",
                f"现将《{name}》印发给你们，请结合实际，认真贯彻执行。",
                f"{issuer}　{written}",
            ]
        lines += [
            f"第一条　为进一步做好{doc.topic}工作，根据有关法律法规和政策规定，结合本县实际，"
            f"制定本{kind}。",
            f"第二条　本{kind}适用于本县行政区域内{doc.topic}相关工作。",
            f"第三条　县直有关部门和各乡镇应当按照职责分工，做好{doc.topic}的组织实施和监督管理。",
            f"第四条　本{kind}自印发之日起施行，由{issuer}负责解释。",
        ]
        if doc.declined:
            lines.append(doc.declined)
        return tuple(lines)

    def interpretation_text(self, title: str, doc: PolicyDoc | None, unit: Unit,
                            policy: _Article | None = None) -> tuple[str, ...]:
        name = doc.name if doc else title.split("》")[0].lstrip("《")
        topic = doc.topic if doc else "相关"
        if doc and doc.interpretation_cites_number and policy is not None:
            return (
                f"近日，{policy.org}印发《龙头企业认定和监测办法》（{policy.doc_no}），"
                "明确了县级龙头企业的认定条件、申报程序和运行监测要求。",
                "新规实行“两年一监测”，监测合格的保留资格，不合格的取消资格。",
                f"解读机关：{unit.org}　联系电话：0799-6123456",
            )
        partners = [p.name for p in POLICIES if doc and p.joint_with == doc.key]
        if partners:  # one interpretation for two policies
            name = "》和《".join([name, *partners])
        if title.startswith(("一图读懂", "图解")):
            return (
                f"【图解】{title}",
                f"一图带您了解{topic}工作的主要内容、适用对象和办理流程。",
                "（图片内容：政策要点一、政策要点二、政策要点三、办理渠道）",
                f"解读机关：{unit.org}　联系电话：0799-6123456",
            )
        return (
            f"一、起草背景。为深入贯彻落实上级决策部署，县有关部门牵头起草了《{name}》。",
            f"二、主要内容。文件围绕{topic}明确了目标任务、支持措施和保障机制。",
            "三、适用范围。本县行政区域内符合条件的单位和个人。",
            f"四、解读机关及联系方式：{unit.org}，联系电话：0799-6123456。",
        )

    # -- new-media accounts --------------------------------------------------------------

    def posts(self, src: SourceSpec) -> list[_Article]:
        """An account's posts following ``src.weekly_posts``, newest first."""
        unit = UNIT_BY_CODE[src.unit]
        rng = self.rng(src.path)
        pool = POOLS[src.path]
        monday = self.as_of - timedelta(days=self.as_of.weekday())
        stamps: list[datetime] = []
        for k, count in enumerate(src.weekly_posts):
            start = monday - timedelta(weeks=k)
            last = self.as_of.weekday() if k == 0 else 6
            days = sorted(rng.sample(range(last + 1), count))
            stamps += [self.stamp(start + timedelta(days=d), rng) for d in days]
        stamps.sort(reverse=True)
        arts = []
        for i, published in enumerate(stamps):
            title, topic = pool.pick(i, unit.name, published.year)
            arts.append(
                _Article(
                    title,
                    "",
                    published,
                    unit.org,
                    self.paragraphs(rng, topic, unit.org, published.date()),
                    topic,
                    views=rng.randint(300, 20000),
                )
            )
        return arts

    def wechat(self, src: SourceSpec) -> None:
        arts = self.posts(src)
        blocks = []
        for i, art in enumerate(arts):
            token = _token(self.as_of, src.path, i)
            art.path = f"{src.path}s/{token}"
            msgid = 2247483000 + len(arts) - i
            href = esc(self.absolute(art.path))
            blocks.append(
                f'<div class="weui_media_box appmsg" msgid="{msgid}" id="WXAPPMSG{msgid}">\n'
                f'<span class="weui_media_hd" hrefs="{href}" data-s="640"></span>\n'
                f'<div class="weui_media_bd">\n'
                f'<h4 class="weui_media_title" hrefs="{href}">{esc(art.title)}</h4>\n'
                f'<p class="weui_media_desc">{esc(art.paragraphs[0][:40])}…</p>\n'
                f'<p class="weui_media_extra_info">{cn_date(art.published.date())}</p>\n'
                "</div>\n</div>"
            )
            self.add_html(art.path, self.wechat_article(src, art))
        text = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" />
<meta name="viewport" content="width=device-width,initial-scale=1.0,user-scalable=0" />
<title>{esc(src.name)}</title>
<style>body{{font-family:-apple-system,"PingFang SC",sans-serif;margin:0;background:#f7f7f7}}
.profile_info{{background:#fff;padding:20px}}.weui_media_box{{background:#fff;padding:15px 20px;
border-bottom:1px solid #eee}}.weui_media_title{{margin:0 0 6px;font-size:17px}}
.weui_media_desc,.weui_media_extra_info{{color:#999;font-size:13px;margin:2px 0}}</style>
</head>
<body id="activity-profile" class="zh_CN">
<div class="profile_info_area">
<div class="profile_info"><strong class="profile_nickname">{esc(src.name)}</strong>
<p class="profile_account">微信号：yanshijiaoyu</p>
<p class="profile_desc">演示县教育局官方微信公众号，发布全县教育工作动态和政策信息。</p></div>
</div>
<div class="weui_panel weui_panel_access">
<div class="weui_panel_hd">全部消息</div>
<div class="weui_msg_card_list" id="history">
{chr(10).join(blocks)}
</div>
</div>
</body></html>
"""
        self.add_html(src.path, text)
        self.entries[src.path] = tuple(a.entry() for a in arts)

    def wechat_article(self, src: SourceSpec, art: _Article) -> str:
        text = "\n".join(f'<p style="text-indent:2em">{esc(p)}</p>' for p in art.paragraphs)
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" />
<meta property="og:title" content="{esc(art.title)}" />
<title>{esc(art.title)}</title></head>
<body id="activity-detail" class="zh_CN mm_appmsg">
<div class="rich_media_area_primary">
<h1 class="rich_media_title" id="activity-name">{esc(art.title)}</h1>
<div id="meta_content" class="rich_media_meta_list">
<span class="rich_media_meta rich_media_meta_text">原创</span>
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt">\
<a href="{src.path}" id="js_name">{esc(src.name)}</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text">\
{art.published:%Y-%m-%d %H:%M}</em>
</div>
<div class="rich_media_content" id="js_content">
{text}
</div>
<div class="rich_media_tool"><span>阅读 {art.views}</span></div>
</div>
<script type="text/javascript">
var nickname = "{esc(src.name)}";
var user_name = "gh_7e3c0a1b2d4f";
var ct = "{int(art.published.timestamp())}";
var msg_title = "{esc(art.title)}".html(false);
</script>
</body></html>
"""

    def rss(self, src: SourceSpec) -> None:
        unit = UNIT_BY_CODE[src.unit]
        arts = self.posts(src)
        serial_base = 52000
        feed_src = SourceSpec(src.unit, "新闻资讯", f"/{unit.slug}/", "column", "general", "", None)
        for i, art in enumerate(arts):
            art.path = f"/b03/xw/{serial_base + len(arts) - i}.html"
            self.add_html(art.path, self.article_page(feed_src, unit, art))
        self.entries[src.path] = tuple(a.entry() for a in arts)
        newest = arts[0].published if arts else datetime.combine(self.as_of, time(0), CST)
        items = "\n".join(
            f"<item>\n<title>{xml_escape(a.title)}</title>\n"
            f"<link>{xml_escape(self.absolute(a.path))}</link>\n"
            f'<guid isPermaLink="true">{xml_escape(self.absolute(a.path))}</guid>\n'
            f"<pubDate>{rfc822(a.published)}</pubDate>\n"
            f"<description>{xml_escape(a.paragraphs[0])}</description>\n</item>"
            for a in arts
        )
        rss = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{xml_escape(src.name)}</title>
<link>{xml_escape(self.absolute(f"/{unit.slug}/"))}</link>
<description>{unit.org}政务信息</description>
<language>zh-cn</language>
<lastBuildDate>{rfc822(newest)}</lastBuildDate>
<atom:link href="{xml_escape(self.absolute(src.path))}" rel="self" \
type="application/rss+xml" />
{items}
</channel>
</rss>
"""
        self.add_data(src.path, rss, "application/rss+xml; charset=utf-8")
        entries = "\n".join(
            f"<entry>\n<title>{xml_escape(a.title)}</title>\n"
            f'<link rel="alternate" href="{xml_escape(self.absolute(a.path))}" />\n'
            f"<id>tag:ys.gov.cn,2016:{a.path}</id>\n"
            f"<published>{a.published.isoformat()}</published>\n"
            f"<updated>{a.published.isoformat()}</updated>\n"
            f"<summary>{xml_escape(a.paragraphs[0])}</summary>\n</entry>"
            for a in arts
        )
        atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-cn">
<title>{xml_escape(src.name)}</title>
<id>tag:ys.gov.cn,2016:{ATOM_PATH}</id>
<updated>{newest.isoformat()}</updated>
<link rel="self" href="{xml_escape(self.absolute(ATOM_PATH))}" />
<link rel="alternate" href="{xml_escape(self.absolute(f"/{unit.slug}/"))}" />
<author><name>{unit.org}</name></author>
{entries}
</feed>
"""
        self.add_data(ATOM_PATH, atom, "application/atom+xml; charset=utf-8")

    def weibo(self, src: SourceSpec) -> None:
        unit = UNIT_BY_CODE[src.unit]
        arts = self.posts(src)
        tag = "#健康演示#"
        search = (
            "https://m.weibo.cn/search?containerid="
            + quote(f"231522type=1&q={tag}", safe="")
            + "&extparam="
            + quote(tag, safe="")
        )
        user = {
            "id": WEIBO_UID,
            "screen_name": src.name,
            "verified": True,
            "verified_type": 1,
            "description": f"{unit.org}官方微博",
        }
        cards = []
        for i, art in enumerate(arts):
            mid = str(4600000000000000 + int(art.published.timestamp()) * 10 + i % 10)
            art.path = f"{WEIBO_PROFILE}status/{mid}"
            text = (
                f"{esc(art.title)}{esc(art.paragraphs[0])}"
                f'<a href="{esc(search)}" data-hide=""><span class="surl-text">{tag}</span></a> '
            )
            mblog = {
                "visible": {"type": 0, "list_id": 0},
                "created_at": weibo_time(art.published),
                "id": mid,
                "mid": mid,
                "bid": _token("bid", mid, length=9),
                "text": text,
                "source": "微博 weibo.com",
                "isLongText": False,
                "reposts_count": art.views % 37,
                "comments_count": art.views % 23,
                "attitudes_count": art.views % 151,
                "user": user,
            }
            cards.append(
                {
                    "card_type": 9,
                    "itemid": f"{WEIBO_CONTAINER}_-_{mid}",
                    "scheme": self.absolute(art.path),
                    "mblog": mblog,
                }
            )
            status = {"status": mblog}
            self.add_html(art.path, self.weibo_status(src, art, status))
        self.entries[src.path] = tuple(a.entry() for a in arts)
        chunks = [cards[i : i + WEIBO_PAGE_SIZE] for i in range(0, len(cards), WEIBO_PAGE_SIZE)]
        for n, chunk in enumerate(chunks, start=1):
            data = {
                "ok": 1,
                "data": {
                    "cardlistInfo": {
                        "containerid": WEIBO_CONTAINER,
                        "v_p": 42,
                        "show_style": 1,
                        "total": len(cards),
                        "page": n + 1 if n < len(chunks) else None,
                    },
                    "cards": chunk,
                    "scheme": f"sinaweibo://cardlist?containerid={WEIBO_CONTAINER}",
                    "showAppTips": 0,
                },
            }
            key = f"{WEIBO_API}?containerid={WEIBO_CONTAINER}&page={n}"
            self.add_data(key, json.dumps(data, ensure_ascii=False), JSON_TYPE)
        api = f"{WEIBO_API}?containerid={WEIBO_CONTAINER}&amp;page=1"
        profile = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" />
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1" />
<title>{esc(src.name)}的微博</title></head>
<body>
<div id="app" data-uid="{WEIBO_UID}" data-containerid="{WEIBO_CONTAINER}">
<div class="profile-header"><h2 class="m-text-cut">{esc(src.name)}</h2>
<p class="profile-desc">{esc(user["description"])}</p>
<p>微博 {len(cards)}　关注 56　粉丝 1.2万</p></div>
<p><a href="{api}">查看全部微博</a></p>
<p><a href="/{unit.slug}/">返回{unit.name}</a></p>
</div>
</body></html>
"""
        self.add_html(WEIBO_PROFILE, profile)

    def weibo_status(self, src: SourceSpec, art: _Article, status: dict) -> str:
        data = json.dumps([status], ensure_ascii=False).replace("</", "<\\/")
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" /><title>微博正文 - 微博</title></head>
<body>
<div class="weibo-main"><header class="weibo-top"><h3 class="m-text-cut">{esc(src.name)}</h3>
<h4 class="m-text-cut"><span class="time">{art.published:%Y-%m-%d %H:%M}</span>
<span class="from">来自 微博 weibo.com</span></h4></header>
<article class="weibo-text">{status["status"]["text"]}</article></div>
<script>
var $render_data = {data}[0] || {{}};
</script>
</body></html>
"""

    # -- site-level pages ----------------------------------------------------------------

    def home(self) -> None:
        boxes = []
        for unit in UNITS:
            links = []
            for src in SOURCES:
                if src.unit != unit.code:
                    continue
                href = WEIBO_PROFILE if src.shape == "weibo" else src.path
                label = {"wechat": "微信公众号", "rss": "RSS订阅", "weibo": "政务微博"}.get(
                    src.kind if src.type == "account" else "", "栏目"
                )
                links.append(f'<li><a href="{href}">{label}：{esc(src.name)}</a></li>')
                if src.shape == "rss":
                    links.append(f'<li><a href="{ATOM_PATH}">Atom订阅：{esc(src.name)}</a></li>')
            boxes.append(
                f'<div class="unit-box" id="{unit.slug}"><h3><a href="/{unit.slug}/">'
                f"{unit.code} {unit.name}</a>（{unit.category}类）</h3>\n"
                f'<ul class="list">{"".join(links)}</ul></div>'
            )
            self.add_html(
                f"/{unit.slug}/",
                self.layout(
                    unit.name,
                    [(unit.name, None)],
                    f'<div class="list-hd"><h2>{unit.name}政务公开</h2></div>'
                    f'<ul class="list">{"".join(links)}</ul>',
                    unit,
                ),
            )
        content = (
            '<div class="list-hd"><h2>政务公开目录</h2></div>\n'
            "<p>以下为各考核单位的信息公开栏目和政务新媒体账号：</p>\n" + "\n".join(boxes)
        )
        self.add_html("/", self.layout("首页", [], content))
        self.add_data("/robots.txt", "User-agent: *\nDisallow:\n", "text/plain; charset=utf-8")
        stubs = {
            "/zwfw/": ("政务服务", "请登录省政务服务网办理各类政务服务事项。"),
            "/hdjl/": ("互动交流", "县长信箱：请通过省12345政务服务便民热线反映诉求。"),
            "/zjys/": ("走进演示", "演示县位于某省西部，辖3个乡镇，总面积1200平方公里。"),
        }
        for path, (title, text) in stubs.items():
            self.add_html(
                path,
                self.layout(
                    title,
                    [(title, None)],
                    f'<div class="list-hd"><h2>{title}</h2></div><p>{text}</p>',
                ),
            )

    def build(self) -> Site:
        shapes: dict[str, Callable[[SourceSpec, Unit], None]] = {
            "ul-span": self.shape_ul_span,
            "gbk-cn": self.shape_gbk_cn,
            "table": self.shape_table,
            "paged": self.shape_paged,
            "archive": self.shape_archive,
            "bracket": self.shape_bracket,
            "no-date": self.shape_no_date,
            "div-list": self.shape_div_list,
            "ul-fr": self.shape_ul_fr,
            "js-json": self.shape_js_json,
            "http-500": self.shape_http_500,
            "trs-script": self.shape_trs_script,
            "hanweb": self.shape_hanweb,
            "gkmlpt": self.shape_gkmlpt,
            "slow": self.shape_slow,
            "ruishu-412": self.shape_ruishu_412,
            "jsl-521": self.shape_jsl_521,
            "oversized": self.shape_oversized,
        }
        for src in SOURCES:
            if src.shape in shapes:
                shapes[src.shape](src, UNIT_BY_CODE[src.unit])
            elif src.shape == "wechat":
                self.wechat(src)
            elif src.shape == "rss":
                self.rss(src)
            elif src.shape == "weibo":
                self.weibo(src)
        self.policy_columns()
        self.home()
        not_found = self.layout(
            "页面不存在",
            [("页面不存在", None)],
            '<div class="list-hd"><h2>404</h2></div><p>抱歉，您访问的页面不存在或已被删除。</p>',
        )
        empty = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
        return Site(
            as_of=self.as_of,
            base_url=self.base_url.rstrip("/"),
            pages=dict(sorted(self.pages.items())),
            entries={s.path: self.entries.get(s.path, ()) for s in SOURCES},
            not_found=Page(not_found.encode("utf-8"), status=404),
            weibo_empty=Page(
                json.dumps(empty, ensure_ascii=False).encode("utf-8"),
                JSON_TYPE,
            ),
            hanweb=dict(self.hanweb),
            gkmlpt=dict(self.gkmlpt),
        )
