"""Ground truth of the measured rubric lines: interpretation forms and channels, 留言 replies
and 政府信息公开工作年度报告.

- ``INTERPRETATIONS``: B02 县教育局's 政策解读 column (``/b02/zcjd/``) — ten interpretations,
  eight of them varied (图解, 视频: 80 %), four also carried by B02's WeChat account (40 %);
  ``WECHAT_NEAR_MISS`` is a WeChat post on the topic of an uncarried one that is no copy of it.
- ``MESSAGES``: A02 河西镇's 互动交流 留言 board (``/a02/hdjl/``) — exactly one reply later
  than ``REPLY_HOURS`` (M1), and one question unanswered for 100 days (M7: the national
  checks' unanswered_message, see ``national``; late too, ``Message.gives_late_reply``).
- ``ANNUAL_REPORT_COLUMNS``: the 政府信息公开年报 columns of A03 六泉乡 and B03 县市场监管局;
  B03 lacks the report last due (``MISSING_ANNUAL_REPORT``) and shows a 工作要点 instead.

Every time is relative to the as-of date (``interpretation_age``, ``Message.asked_at``,
``annual_reports``). Plain data and pure functions; nothing here does I/O or reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from demo_portal.site.sources import CST, UNIT_BY_CODE

FORMS = ("graphic", "video", "text")
VARIED_FORMS = ("graphic", "video")
RECOGNISED_BY = ("title", "page", "player")  # title; the article page; only an embedded player


@dataclass(frozen=True)
class Interpretation:
    """One interpretation of B02's 政策解读 column.

    ``form``: graphic (图解/一图读懂), video or text. ``recognisable``: how a crawler can tell
    the form — ``title`` (图解/一图读懂/视频解读 in the title), ``page`` (the article page: its
    content images, its <video>, or for text ones a long text beside only chrome images) or
    ``player`` (only an embedded player <iframe> the crawler never fetches). ``age``: days before
    the as-of date (3–30; see ``interpretation_age``). ``carried_on_wechat``: a post of B02's
    WeChat account (演示县教育发布) carries it, titled ``wechat_title``, its digest quoting the
    first sentence — a post published after the interpretation from 31 January on. Earlier in
    the year the account's few posts since 1 January (1 a week in the last two weeks) come up
    to a week before; in about the first ten days of January some come more than a week
    before, where a channel rule with a week's tolerance cannot see them.
    """

    key: str
    path: str
    title: str
    form: str
    age: int
    recognisable: str
    carried_on_wechat: bool
    name: str  # the policy interpreted
    topic: str
    wechat_title: str | None = None

    @property
    def varied(self) -> bool:
        """Whether the form counts as varied (图解 or 视频) by default."""
        return self.form in VARIED_FORMS


_ZCJD = "/b02/zcjd/"

INTERPRETATIONS: tuple[Interpretation, ...] = (
    # graphic, recognisable by title (article: 1–2 long images and a caption of <= 40 chars)
    Interpretation(
        "J1", f"{_ZCJD}content_4101.html", "一图读懂《演示县学前教育普惠发展行动方案》",
        "graphic", 28, "title", True, "演示县学前教育普惠发展行动方案", "学前教育普惠发展",
        wechat_title="一图读懂《演示县学前教育普惠发展行动方案》",
    ),
    Interpretation(
        "J2", f"{_ZCJD}content_4102.html", "图解：演示县中小学课后服务实施办法",
        "graphic", 12, "title", False, "演示县中小学课后服务实施办法", "课后服务",
    ),
    Interpretation(
        "J3", f"{_ZCJD}content_4103.html", "【图解】演示县学生营养改善计划实施细则",
        "graphic", 5, "title", False, "演示县学生营养改善计划实施细则", "学生营养改善",
    ),
    # graphic, recognisable by page only (2–3 large images, under 60 chars of text)
    Interpretation(
        "J4", f"{_ZCJD}content_4104.html", "演示县中小学校园安全风险防控办法解读",
        "graphic", 17, "page", False, "演示县中小学校园安全风险防控办法", "校园安全风险防控",
    ),
    Interpretation(
        "J5", f"{_ZCJD}content_4105.html", "《演示县教师队伍建设三年行动计划》政策解读",
        "graphic", 24, "page", True, "演示县教师队伍建设三年行动计划", "教师队伍建设",
        wechat_title="【解读】《演示县教师队伍建设三年行动计划》政策解读",
    ),
    # video: by title, by a <video> on the page, by an embedded player only
    Interpretation(
        "J6", f"{_ZCJD}content_4106.html", "视频解读｜演示县义务教育优质均衡发展实施方案",
        "video", 22, "title", True, "演示县义务教育优质均衡发展实施方案", "义务教育优质均衡发展",
        wechat_title="视频解读 | 演示县义务教育优质均衡发展实施方案",
    ),
    Interpretation(
        "J7", f"{_ZCJD}content_4107.html", "《演示县儿童青少年近视防控工作方案》解读",
        "video", 9, "page", False, "演示县儿童青少年近视防控工作方案", "儿童青少年近视防控",
    ),
    Interpretation(
        "J8", f"{_ZCJD}content_4108.html", "《演示县校外培训机构规范管理若干措施》政策解读",
        "video", 14, "player", False, "演示县校外培训机构规范管理若干措施", "校外培训机构规范管理",
    ),
    # text: long text; the page's logo, QR code and print icon are no content images
    Interpretation(
        "J9", f"{_ZCJD}content_4109.html", "关于《演示县中小学教师职称评审实施办法》的解读",
        "text", 26, "page", True, "演示县中小学教师职称评审实施办法", "中小学教师职称评审",
        wechat_title="关于“演示县中小学教师职称评审实施办法”的解读",
    ),
    Interpretation(
        "J10", f"{_ZCJD}content_4110.html", "关于《演示县家庭经济困难学生认定办法》的解读",
        "text", 3, "page", False, "演示县家庭经济困难学生认定办法", "家庭经济困难学生认定",
    ),
)

# A WeChat post sharing topic words with uncarried J7 but a different article (a meeting
# report): it carries no interpretation.
WECHAT_NEAR_MISS: tuple[str, str] = ("J7", "县教育局召开全县儿童青少年近视防控工作会议")

YEAR_START_DAYS = 30  # interpretations are 3–30 days old, all inside the as-of year


def interpretation_age(age: int, as_of: date) -> int:
    """Days before ``as_of`` an interpretation of nominal ``age`` is published.

    From 31 January on, the nominal age (3–30 days) itself, inside the as-of year. Before 31
    January the nominal ages are scaled into the days of the year so far: ``age * (days since
    1 January) // 30`` — 0 to ``days since 1 January`` days, never in the future and never
    in the year before (so on 1 January all are published on the as-of date).
    """
    since = (as_of - date(as_of.year, 1, 1)).days
    return age if since >= YEAR_START_DAYS else age * since // YEAR_START_DAYS


REPLY_HOURS = 48  # a 留言 must be answered within this many hours of the question


@dataclass(frozen=True)
class Message:
    """One 留言 of A02's 互动交流 board.

    ``asked``: when the question was asked, as an offset from 00:00 (China time) of the as-of
    date (negative: days before). ``reply_after``: how long after the question the reply came,
    ``None`` when there is no reply yet. ``late``: replied more than ``REPLY_HOURS`` after the
    question (never for an unanswered one: whether that is overdue depends on the as-of date,
    see ``gives_late_reply`` — M4 is not yet due at any crawl on the as-of date, M7 long
    overdue).
    """

    key: str
    path: str
    title: str
    asker: str  # masked as the board shows it
    asked: timedelta
    reply_after: timedelta | None
    late: bool
    question: str
    answer: str = ""

    def asked_at(self, as_of: date) -> datetime:
        return datetime.combine(as_of, time(0), CST) + self.asked

    def replied_at(self, as_of: date) -> datetime | None:
        return None if self.reply_after is None else self.asked_at(as_of) + self.reply_after

    def reply_due(self, as_of: date) -> datetime:
        """The deadline of the reply: ``REPLY_HOURS`` after the question."""
        return self.asked_at(as_of) + timedelta(hours=REPLY_HOURS)

    def gives_late_reply(self, as_of: date) -> bool:
        """Whether a crawl on ``as_of`` must give late_reply for this message: it was answered
        after ``reply_due`` or is still unanswered, and ``reply_due`` falls in the as-of
        date's year, on or before the as-of date (M1, and M7 when its deadline — 98 days
        before — is still in the as-of year; never M4, due two days after)."""
        due = self.reply_due(as_of)
        replied = self.replied_at(as_of)
        overdue = replied is None or replied > due
        return overdue and due.year == as_of.year and due.date() <= as_of

    def unanswered_days(self, as_of: date) -> int | None:
        """Whole days from the question's date to ``as_of`` while no reply has come (``None``
        once answered)."""
        if self.reply_after is not None:
            return None
        return (as_of - self.asked_at(as_of).date()).days


def _days(days: int, hours: int, minutes: int = 0, seconds: int = 0) -> timedelta:
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


_HDJL = "/a02/hdjl/"

MESSAGES: tuple[Message, ...] = (
    # LATE: asked 09:00 four days before, replied 73 hours later (the day before, 10:00)
    Message(
        "M1", f"{_HDJL}detail_5101.html", "关于河西村主干道路灯损坏的反映", "王**",
        -_days(4, 0) + _days(0, 9), timedelta(hours=73), True,
        "河西村主干道从村委会到小学一段有六盏路灯损坏，晚上出行很不方便，学生晚自习放学回家存在安全隐患，"
        "希望尽快维修。",
        "您好！您反映的问题已转交镇村建中心，经现场核实，路灯损坏系线路老化所致，维修人员已更换线路和"
        "灯具，目前路灯已恢复正常照明。感谢您对我镇工作的关心和支持！",
    ),
    # ON TIME: replied 20 hours after the question
    Message(
        "M2", f"{_HDJL}detail_5102.html", "咨询农村危房改造补助申请条件", "李**",
        -_days(9, 0) + _days(0, 15, 10, 12), timedelta(hours=20), False,
        "我家房屋是上世纪八十年代建的土坯房，墙体开裂，请问申请农村危房改造补助需要符合哪些条件？到哪里申请？",
        "您好！农村危房改造补助对象为住房安全鉴定为C级或D级危房的农村低收入群体等重点对象。请携带户口簿、"
        "身份证到所在村委会提出申请，经村级评议、镇级审核后报县住建局审批。咨询电话：0799-6123456。",
    ),
    # NEAR MISS: replied 47 h 30 min after the question — on time
    Message(
        "M3", f"{_HDJL}detail_5103.html", "河西镇集市占道经营问题", "张**",
        -_days(7, 0) + _days(0, 10, 20, 35), _days(1, 23, 30), False,
        "每逢赶集日，河西镇老街两侧摊位占道经营严重，车辆无法通行，希望相关部门加强管理。",
        "您好！收到您的留言后，镇综合行政执法队已于赶集日对老街占道经营行为进行集中整治，划定临时摊位区，"
        "并安排专人常态化巡查。感谢您的监督！",
    ),
    # NOT YET REPLIED: asked at 08:00 on the as-of date — not due at any crawl that day
    Message(
        "M4", f"{_HDJL}detail_5104.html", "建议在镇中心小学门口增设减速带", "刘**",
        _days(0, 8), None, False,
        "镇中心小学门口道路车流量大，上下学时段车辆车速较快，建议增设减速带和警示标志，保障学生出行安全。",
    ),
    # ordinary on-time ones
    Message(
        "M5", f"{_HDJL}detail_5105.html", "咨询高龄津贴办理流程", "陈**",
        -_days(15, 0) + _days(0, 16, 45, 8), _days(0, 18, 5), False,
        "我父亲今年满八十周岁，请问高龄津贴怎么申请？需要准备哪些材料？",
        "您好！年满80周岁的本县户籍老年人可申请高龄津贴。请携带老人身份证、户口簿和本人银行账户到"
        "镇便民服务中心民政窗口办理，审核通过后按月发放。",
    ),
    Message(
        "M6", f"{_HDJL}detail_5106.html", "反映西街垃圾清运不及时的问题", "赵**",
        -_days(2, 0) + _days(0, 8, 30, 41), _days(0, 4, 10), False,
        "西街垃圾收集点近几天垃圾堆积，没有及时清运，天气转热后气味较大，请尽快处理。",
        "您好！经核实，因清运车辆检修，西街收集点清运延误。镇环卫所已调配车辆完成清运，并增加该收集点的"
        "清运频次。给您带来不便，敬请谅解。",
    ),
    # UNANSWERED for 100 days (asked 10:12:40): the national checks' unanswered_message (over
    # 90 days), and overdue since 48 h after the question
    Message(
        "M7", f"{_HDJL}detail_5107.html", "东坡村灌溉水渠淤塞请求清理", "孙**",
        -_days(100, 0) + _days(0, 10, 12, 40), None, False,
        "东坡村南片灌溉水渠多年未清理，渠道淤塞严重，灌溉时水流不到下游农田，影响村民耕种，"
        "恳请镇里组织清淤。",
    ),
)


# 政府信息公开工作年度报告: the report for year X is due on 31 January of X + 1.
ANNUAL_REPORT_DUE = (1, 31)  # (month, day)
ANNUAL_REPORT_TITLE = "{org}{x}年政府信息公开工作年度报告"
ANNUAL_REPORT_NEAR_MISS_TITLE = "{org}{x}年政府信息公开工作要点"


@dataclass(frozen=True)
class AnnualReportColumn:
    """A 政府信息公开年报 column: which reports it lists, as years before ``Y`` (see
    ``latest_due_year``: 1 is the report last due), and whether it shows the near miss (a
    工作要点 for year ``Y - 1`` published in January of ``Y``)."""

    unit: str
    path: str
    years_back: tuple[int, ...]
    near_miss: bool = False


ANNUAL_REPORT_COLUMNS: tuple[AnnualReportColumn, ...] = (
    AnnualReportColumn("A03", "/a03/ndbg/", (1, 2, 3)),
    AnnualReportColumn("B03", "/b03/ndbg/", (2, 3), near_miss=True),
)
MISSING_ANNUAL_REPORT = "B03"  # the unit whose report last due is not published


@dataclass(frozen=True)
class AnnualReportItem:
    """One item of a 政府信息公开年报 column for an as-of date (``annual_reports``)."""

    unit: str
    column: str  # the column's path
    path: str
    title: str
    year: int  # the year reported on (or planned, for the near miss)
    published_on: date
    is_report: bool


def latest_due_year(as_of: date) -> int:
    """``Y``: the year of the latest due date (31 January) already passed on ``as_of``; the
    report last due is the one for ``Y - 1``."""
    due = date(as_of.year, *ANNUAL_REPORT_DUE)
    return as_of.year if as_of > due else as_of.year - 1


def annual_reports(as_of: date) -> tuple[AnnualReportItem, ...]:
    """Every item of the 年报 columns on ``as_of``, newest first per column.

    The report for year X is published on 15–25 January of X + 1, the near miss on 6–12
    January of ``Y`` — all on or before ``as_of``. Paths and days depend only on the year."""
    y = latest_due_year(as_of)
    items = []
    for col in ANNUAL_REPORT_COLUMNS:
        org = UNIT_BY_CODE[col.unit].org
        found = []
        for back in col.years_back:
            x = y - back
            day = date(x + 1, 1, 15 + (x * 7 + len(col.unit) + ord(col.unit[0])) % 11)
            found.append(AnnualReportItem(
                col.unit, col.path, f"{col.path}content_{x}0131.html",
                ANNUAL_REPORT_TITLE.format(org=org, x=x), x, day, True))
        if col.near_miss:
            x = y - 1
            found.append(AnnualReportItem(
                col.unit, col.path, f"{col.path}content_{x}0108.html",
                ANNUAL_REPORT_NEAR_MISS_TITLE.format(org=org, x=x), x,
                date(y, 1, 6 + x % 7), False))
        items += sorted(found, key=lambda i: i.published_on, reverse=True)
    return tuple(items)
