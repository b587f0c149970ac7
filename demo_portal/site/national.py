"""Ground truth of the national website checks (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号)
and of the seeds' 重大扣分 risks: what the portal plants, which rule each plant must give and the
near misses that must give nothing.

- ``HOMEPAGES``: B02 县教育局's own small site ``/jyj/``, whose newest dated item is 15 days old
  (homepage_stale, over ``HOMEPAGE_STALE_DAYS``); the county portal's ``/`` — configured as
  A01 城关镇's, the county seat: no assessed unit runs the portal — whose 最新动态 list's newest
  item is 1 day old (near miss).
- ``BLANK_COLUMN``: A03 六泉乡's 专项公开, a list page frame with 暂无信息 and no items
  (blank_column).
- ``UNANSWERED_MESSAGE``: M7 of A02's 留言 board (``measures.MESSAGES``), asked 100 days before
  the as-of date and never answered (unanswered_message, over ``UNANSWERED_DAYS``); it is a late
  reply too (``late_reply_messages``).
- ``DEAD_LINK``: the newest article of B03's 双随机一公开 links in its text to a same-site file
  answering 404 (dead_link); ``LINK_NEAR_MISSES`` beside it: a same-site page that exists and
  a link off the portal, which the link check never fetches.
- ``HIDDEN_LINKS``: a ``display:none`` gambling link on B03's 双随机一公开 list page
  (hidden_link); a ``display:none`` link to a government site on B04's 卫生健康 list page (near
  miss).
- ``WRONG_EXPRESSION``: 中华人名共和国, once, in the second newest article of A01's 政务动态
  (wrong_expression); ``WRONG_EXPRESSION_NEAR_MISSES``: the newest and the third newest say
  中华人民共和国 in the same sentence.
- ``PERSONAL_INFO``: a 拟录用人员的公示 (the newest item of A02's 信息公开) listing names with
  valid 18-digit 身份证号 (personal_info) — synthesised (region 410105, GB 11643 check digit),
  nobody's; ``MASKED_NOTICE`` (the next item) lists masked ones, and both end with
  ``CONTACT_LINES`` (phones after 联系电话: near misses).
- ``BACKDATED``: A01's 公示公告 (``/a01/gsgg/``) publishes in batches. Every ``RELEASE_EVERY``
  days — on the release days, ``RELEASE_ANCHOR`` (2021-09-08) and 2022-01-03 among them — three
  items appear at once: two dated 6 and 5 days before (backdated_item, over
  ``BACKDATED_DAYS``) and one dated the day before (near miss). Between releases only
  ``ROUTINE`` items appear, on their own dates, the last 20 days before the release: built for
  the three days before a release day the column is stale (17–19 days), on the day itself its
  newest item is 1 day old. So a crawl 3 days before a release day finds the column stale, and
  one on the release day finds two back-dated items.

Every date is relative to the as-of date, except the 公示公告 column's: an item is listed from its
``visible_from`` date on, whatever the as-of date, with the same title, path and date (a crawl
before the release and one on it see the same older items). ``national_findings`` is what one
crawl on an as-of date must give; ``first_listed_on`` and ``gsgg_items`` what back-dating a
second crawl sees. Plain data and pure functions; nothing here does I/O or reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from demo_portal.site.measures import MESSAGES, Message
from demo_portal.site.sources import SOURCE_BY_PATH

# -- homepages (首页) -----------------------------------------------------------------------

HOMEPAGE_STALE_DAYS = 14  # settings.national.homepage_stale_days


@dataclass(frozen=True)
class Homepage:
    """A source of ``kind: homepage``: its newest dated item's age at the as-of date and the
    rule the national checks must give (``None``: a near miss)."""

    unit: str
    name: str
    path: str
    newest_age: int
    rule: str | None


HOMEPAGES: tuple[Homepage, ...] = (
    Homepage("B02", "县教育局网站首页", "/jyj/", 15, "homepage_stale"),
    Homepage("A01", "县政府门户网站首页", "/", 1, None),
)
HOMEPAGE_STALE, PORTAL_HOME = HOMEPAGES

# /jyj/: its boxes — (heading, folder of the articles, ages of the items, newest first)
JYJ_BOXES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("工作动态", "/jyj/gzdt/", (15, 18, 22, 27, 33, 40, 48)),
    ("通知公告", "/jyj/tzgg/", (17, 24, 31, 45, 60, 76)),
)
# /: its 最新动态 list — the newest PORTAL_LATEST_PER_COLUMN items of each of these columns,
# newest first (their newest_age: 1, 2, 2, 2)
PORTAL_LATEST_FROM = ("/a01/zwdt/", "/a02/xzdt/", "/b03/ssj/", "/a03/tzgg/")
PORTAL_LATEST_PER_COLUMN = 2
PORTAL_LATEST_HEADING = "最新动态"

# -- blank column (空白栏目) ----------------------------------------------------------------


@dataclass(frozen=True)
class BlankColumn:
    unit: str
    name: str
    path: str
    notice: str  # what the list area shows instead of items
    rule: str


BLANK_COLUMN = BlankColumn("A03", "专项公开", "/a03/zxgk/", "暂无信息", "blank_column")

# -- 留言 unanswered -------------------------------------------------------------------------

UNANSWERED_DAYS = 90  # settings.national.unanswered_days
UNANSWERED_MESSAGE = "M7"  # its key in measures.MESSAGES (asked 100 days before the as-of date)
MESSAGE_BOARD = "/a02/hdjl/"


def unanswered_messages(as_of: date, days: int = UNANSWERED_DAYS) -> tuple[Message, ...]:
    """The 留言 still unanswered more than ``days`` days after they were asked (M7)."""
    return tuple(m for m in MESSAGES if (m.unanswered_days(as_of) or 0) > days)


def late_reply_messages(as_of: date) -> tuple[Message, ...]:
    """The 留言 for which late_reply must fire on ``as_of`` (``Message.gives_late_reply``):
    M1, and M7 while its deadline — 98 days before — is in the as-of year."""
    return tuple(m for m in MESSAGES if m.gives_late_reply(as_of))


# -- links ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkPlant:
    """A link in the text of an article of a general column (``article``: its position in the
    column, newest first)."""

    column: str
    article: int
    href: str
    label: str
    rule: str | None


DEAD_LINK = LinkPlant(
    "/b03/ssj/", 0, "/b03/ssj/attach/missing.pdf", "双随机抽查事项清单.pdf", "dead_link"
)
LINK_NEAR_MISSES: tuple[LinkPlant, ...] = (
    LinkPlant("/b03/ssj/", 0, "/b03/ssj/", "双随机一公开专栏", None),  # same site, exists
    LinkPlant("/b03/ssj/", 0, "http://www.gsxt.gov.cn/", "国家企业信用信息公示系统", None),  # off
)


@dataclass(frozen=True)
class HiddenLink:
    """An anchor inside ``<div style="display:none">`` on a column's list page."""

    column: str
    href: str
    text: str
    rule: str | None


HIDDEN_LINKS: tuple[HiddenLink, ...] = (
    HiddenLink("/b03/ssj/", "http://www.88bet-casino.com/", "澳门赌场 在线娱乐", "hidden_link"),
    HiddenLink("/b04/wsjk/", "http://www.shanxi.gov.cn/", "山西省人民政府", None),
)

# -- 错敏词 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextPlant:
    """A phrase in one sentence of an article's text (``WRONG_SENTENCE`` with ``phrase``)."""

    column: str
    article: int
    phrase: str
    rule: str | None


WRONG_SENTENCE = "会议要求，要严格依照{phrase}有关法律法规开展{topic}工作，做到依法依规、规范有序。"
WRONG_EXPRESSION = TextPlant("/a01/zwdt/", 1, "中华人名共和国", "wrong_expression")
WRONG_EXPRESSION_NEAR_MISSES: tuple[TextPlant, ...] = (
    TextPlant("/a01/zwdt/", 0, "中华人民共和国", None),
    TextPlant("/a01/zwdt/", 2, "中华人民共和国", None),
)

# -- personal information (个人信息) -----------------------------------------------------------

_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))


def id_check_digit(first17: str) -> str:
    """The check digit of a 居民身份证号码 (GB 11643-1999, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"17 digits expected: {first17!r}")
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _resident_id(region: str, born: str, serial: str) -> str:
    first17 = region + born + serial
    return first17 + id_check_digit(first17)


@dataclass(frozen=True)
class Person:
    """A row of a 公示: the 17th digit of the number is odd for 男, even for 女."""

    name: str
    gender: str
    id_number: str  # full (valid) or masked (410105********123X)
    post: str


@dataclass(frozen=True)
class Notice:
    """A 公示 replacing one generated item of a general column (``article``: newest first);
    ``title`` and ``intro`` (its first paragraph) have ``{y}``, the year of the item's date.
    The page lists ``people`` in a table (序号, 姓名, 性别, 身份证号, 拟录用岗位 or 拟聘用岗位),
    then the objection period and ``CONTACT_LINES``."""

    column: str
    article: int
    title: str
    intro: str
    people: tuple[Person, ...]
    rule: str | None


PERSONAL_INFO = Notice(
    "/a02/xxgk/",
    0,
    "关于{y}年度河西镇公开招聘社区工作者拟录用人员的公示",
    "根据《{y}年度河西镇公开招聘社区工作者公告》，经报名、资格审查、笔试、面试、体检和考察等程序，"
    "经镇党委研究，拟录用以下人员为社区工作者，现予以公示。",
    (
        Person("王晓明", "男", _resident_id("410105", "19950314", "021"), "社区工作者"),
        Person("李思雨", "女", _resident_id("410105", "19970826", "042"), "社区工作者"),
        Person("赵文博", "男", _resident_id("410105", "19990102", "013"), "社区工作者"),
    ),
    "personal_info",
)
MASKED_NOTICE = Notice(
    "/a02/xxgk/",
    1,
    "关于{y}年度河西镇公益性岗位拟聘用人员的公示",
    "根据《{y}年度河西镇公益性岗位开发管理工作方案》，经个人申请、资格审核和综合评议，"
    "拟聘用以下人员到公益性岗位工作，现予以公示。",
    (
        Person("陈佳怡", "女", "410105********102X", "便民服务中心协管员"),
        Person("周浩然", "男", "410105********0357", "农村公路养护员"),
        Person("刘子涵", "女", "410105********0483", "乡村保洁员"),
    ),
    None,
)
# the last lines of both 公示: phone numbers after 联系电话 are contacts, not personal data
CONTACT_LINES = ("联系电话：0356-1234567", "联系人：刘女士　联系电话：13812345678")

# -- back-dated items (倒签) -----------------------------------------------------------------

BACKDATED_DAYS = 3  # settings.thresholds.backdated_days
BACKDATED_PATH = "/a01/gsgg/"
RELEASE_ANCHOR = date(2021, 9, 8)  # a release day (the demo's as-of date)
RELEASE_EVERY = 39  # days between release days: 2022-01-03 is 3 × 39 days after the anchor
GSGG_LIST_SIZE = 15  # the list page shows the newest 15 items listed so far


@dataclass(frozen=True)
class RoundItem:
    """One item of each round of 公示公告, dated ``published`` days from the round's release
    day and listed from ``visible_from`` days from it on. ``title`` has ``{y}`` and ``{m}``,
    the year and month of its date (rounds are 39 days apart: titles never repeat)."""

    key: str
    title: str
    published: int
    visible_from: int
    backdated: bool  # first listed more than BACKDATED_DAYS days after its date


# First listed on the release day: G1 and G2 back-dated, G3 (1 day) the near miss.
BACKDATED: tuple[RoundItem, ...] = (
    RoundItem("G1", "城关镇关于{y}年{m}月农村低保对象动态调整情况的公示", -6, 0, True),
    RoundItem("G2", "城关镇{y}年{m}月临时救助对象名单公示", -5, 0, True),
    RoundItem("G3", "城关镇{y}年{m}月高龄津贴发放对象名单公示", -1, 0, False),
)
# Listed on their own dates.
ROUTINE: tuple[RoundItem, ...] = (
    RoundItem("R1", "城关镇{y}年{m}月城乡居民最低生活保障金发放情况公示", -30, -30, False),
    RoundItem("R2", "城关镇{y}年{m}月特困人员救助供养金发放情况公示", -20, -20, False),
)
ROUND: tuple[RoundItem, ...] = (*ROUTINE, *BACKDATED)  # oldest first


@dataclass(frozen=True)
class GsggItem:
    """One item of 公示公告 as listed: the same on every as-of date it is listed."""

    key: str
    title: str
    path: str
    published: date
    visible_from: date
    backdated: bool
    release: date  # its round's release day


def is_release_day(day: date) -> bool:
    return (day - RELEASE_ANCHOR).days % RELEASE_EVERY == 0


def release_day(on: date) -> date:
    """The latest release day on or before ``on``."""
    return on - timedelta(days=(on - RELEASE_ANCHOR).days % RELEASE_EVERY)


def _round(release: date) -> list[GsggItem]:
    out = []
    for serial, rec in enumerate(ROUND, start=1):
        day = release + timedelta(days=rec.published)
        out.append(
            GsggItem(
                rec.key,
                rec.title.format(y=day.year, m=day.month),
                f"{BACKDATED_PATH}{day:%Y%m}/t{day:%Y%m%d}_{8100 + serial}.html",
                day,
                release + timedelta(days=rec.visible_from),
                rec.backdated,
                release,
            )
        )
    return out


def gsgg_items(as_of: date) -> tuple[GsggItem, ...]:
    """The items 公示公告 lists on ``as_of``, newest first: the newest ``GSGG_LIST_SIZE`` of
    those whose ``visible_from`` is on or before ``as_of``."""
    last = release_day(as_of) + timedelta(days=RELEASE_EVERY)  # its routine items may show
    found: list[GsggItem] = []
    k = 0
    while len(found) < 3 * GSGG_LIST_SIZE:
        found += [i for i in _round(last - timedelta(days=k * RELEASE_EVERY))
                  if i.visible_from <= as_of]
        k += 1
    return tuple(sorted(found, key=lambda i: i.published, reverse=True)[:GSGG_LIST_SIZE])


def gsgg_newest_age(as_of: date) -> int:
    """Days since the newest listed item's date (1 on a release day, 17 three days before)."""
    return (as_of - gsgg_items(as_of)[0].published).days


def first_listed_on(as_of: date) -> tuple[GsggItem, ...]:
    """The items listed on ``as_of`` and not the day before (on a release day: G1, G2, G3)."""
    before = {i.path for i in gsgg_items(as_of - timedelta(days=1))}
    return tuple(i for i in gsgg_items(as_of) if i.path not in before)


def backdated_items(as_of: date, days: int = BACKDATED_DAYS) -> tuple[GsggItem, ...]:
    """The items first listed on ``as_of`` more than ``days`` days after their date."""
    return tuple(i for i in first_listed_on(as_of) if (as_of - i.published).days > days)


# -- what a crawl must give ----------------------------------------------------------------


def _named(rule: str, path: str) -> tuple[str, str, str]:
    spec = SOURCE_BY_PATH[path]
    return (rule, spec.unit, spec.name)


def national_findings(as_of: date) -> frozenset[tuple[str, str, str]]:
    """(rule, unit code, source name) the national checks and the text and link checks must
    give after one crawl of the whole county on ``as_of`` (backdated_item needs an earlier
    crawl of 公示公告: ``backdated_items``)."""
    found = {_named(h.rule, h.path) for h in HOMEPAGES if h.rule}
    found.add(_named(BLANK_COLUMN.rule, BLANK_COLUMN.path))
    if unanswered_messages(as_of):
        found.add(_named("unanswered_message", MESSAGE_BOARD))
    found.add(_named("dead_link", DEAD_LINK.column))
    found |= {_named(h.rule, h.column) for h in HIDDEN_LINKS if h.rule}
    found.add(_named("wrong_expression", WRONG_EXPRESSION.column))
    found.add(_named("personal_info", PERSONAL_INFO.column))
    return frozenset(found)
