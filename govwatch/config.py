"""County configuration: YAML files validated with pydantic.

A county file (e.g. ``config/demo.yaml``) holds the county's name, its settings and its
units with their sources (disclosure columns and new-media accounts). ``load_config`` returns a
``CountyConfig`` or raises ``ConfigError`` listing *every* problem at once, each naming the file,
the line, the entry and the fix in Chinese — operators are county staff, not programmers.

Strings may reference environment variables as ``${NAME}`` or ``${NAME:-default}``; the demo
config uses this so tests can serve the demo portal on any port.

Big (province-size) files are validated once and then read from a cache while they do not
change (``govwatch.config_cache``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import string
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from govwatch.collector import collector_paused
from govwatch.config_cache import cached

DEFAULT_CONFIG = Path("config/demo.yaml")
CONFIG_ENV = "GOVWATCH_CONFIG"

# messages: a 互动交流 留言 board (question and reply times read from each message's page);
# annual_report: where the unit publishes its 政府信息公开工作年度报告
# homepage: a site's 首页 (national checks: homepage_stale, site_unreachable)
ColumnKind = Literal["general", "policy", "interpretation", "interaction", "messages",
                     "annual_report", "homepage"]
# The national checks' column classes (国办秘函〔2019〕19号): news 动态/要闻 (2 weeks), notice
# 通知公告 and policy 政策文件 (6 months); other: no class threshold
NationalClass = Literal["news", "notice", "policy", "other"]
ProfileName = Literal["national"]
# 解读形式: text 文字, graphic 图解/一图读懂, video 视频, audio 音频, animation 动漫/H5,
# qa 问答/答记者问 (``monitors.interpretation_form``)
InterpretationForm = Literal["text", "graphic", "video", "audio", "animation", "qa"]
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
Platform = Literal["rss", "weibo", "wechat", "html", "manual"]  # manual: imported, never crawled
Render = Literal["static", "browser"]
Profile = Literal["auto", "generic", "trs", "hanweb", "gkmlpt"]


_URL_EXAMPLE = "http://www.example.gov.cn/col/col123/index.html"
# A host name: letters (Chinese domain names too), digits, "-" and "." — no spaces or symbols.
_HOST_NAME = re.compile(r"[^\W_](?:[\w.-]*[^\W_])?")


@lru_cache(maxsize=4096)
def _valid_host(host: str) -> bool:
    """An IP address, or a name of letters, digits, "-" and "." (a county's thousands of
    sources share a few hosts: each is checked once)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return all(_HOST_NAME.fullmatch(label) for label in host.split("."))
    return True


def _url_problem(url: str) -> tuple[str, str, dict[str, str]] | None:
    """(message template, fix, the template's values) for a URL no request can be made to, or
    None. The crawler would otherwise meet it only when building the request."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return ("网址「{url}」无效：不是以 http:// 或 https:// 开头",
                f"请填写以 http:// 或 https:// 开头的完整网址，例如 {_URL_EXAMPLE}", {})
    host = parts.hostname or ""
    if not host:
        return ("网址「{url}」无效：缺少网站域名",
                f"请在 {parts.scheme}:// 之后写上网站域名，例如 {_URL_EXAMPLE}", {})
    if not _valid_host(host):
        return ("网址「{url}」无效：域名「{host}」含有空格或不允许的字符",
                "域名只能由字母、数字、中文、- 和 . 组成，请删除其中的空格等字符",
                {"host": host})
    port_text = parts.netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port_text and not 1 <= port <= 65535:
        return ("网址「{url}」无效：端口号「{port}」不是 1–65535 之间的整数",
                f"端口号是域名后冒号后面的数字；一般网址不需要端口号，请删除「:{port_text}」，"
                f"或改为网站实际使用的端口，例如 http://www.example.gov.cn:8080/…",
                {"port": port_text})
    return None


def _check_url(value: str) -> str:
    url = value.strip()
    problem = _url_problem(url)
    if problem is not None:
        message, fix, values = problem
        raise PydanticCustomError("govwatch_url", message, {"url": url, "fix": fix, **values})
    return url


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise PydanticCustomError(
            "govwatch_regex",
            "正则表达式「{pattern}」无效（{why}）",
            {"pattern": value, "why": str(exc), "fix": "请检查括号、方括号是否成对；"
             "只想匹配普通文字时直接写文字即可"},
        ) from None
    return value


Url = Annotated[str, AfterValidator(_check_url)]


def _check_host(value: str) -> str:
    host = value.strip().lower()
    problem = _url_problem(f"http://{host}/")
    if problem is not None or "/" in host or ":" in host.strip("[]"):
        raise PydanticCustomError(
            "govwatch_host", "「{host}」不是域名",
            {"host": value, "fix": "只写域名本身，例如 xxgk.example.gov.cn（不带 http:// 和路径）"})
    return host


HostName = Annotated[str, AfterValidator(_check_host)]
Pattern = Annotated[str, AfterValidator(_check_regex)]
NonEmpty = Annotated[str, Field(min_length=1)]
# An optional date left empty (e.g. `${VAR:-}` with VAR unset) means "not set".
OptionalDate = Annotated[date | None, BeforeValidator(lambda v: None if v == "" else v)]


class _Strict(BaseModel):
    # inf and nan are numbers YAML reads (.inf, .nan) that no setting can mean
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class WarnPace(_Strict):
    """The new-media pace warning (预警, ``monitors.warnings``): by ISO weekday ``weekday`` of the
    current week (as far as the crawl saw), fewer than ``min_posts`` posts warn."""

    weekday: int = Field(4, ge=1, le=7,
                         description="本周第几天起检查更新进度（周一为 1，周日为 7）")
    min_posts: int = Field(1, ge=0, description="到这一天为止至少应更新的次数（0：不按进度预警）")


class Thresholds(_Strict):
    """Rule thresholds (county defaults)."""

    stale_days: int = Field(7, ge=1, description="栏目超过多少天未更新算长期未更新")
    min_weekly_posts: int = Field(3, ge=1, description="政务新媒体每周最少更新次数")
    interpretation_grace_days: int = Field(3, ge=0, description="政策文件发布后多少天内须有解读")
    interpretation_match: float = Field(0.85, gt=0, le=1, description="解读标题模糊匹配阈值")
    interpretation_max_days_before: int = Field(
        30, ge=0, description="解读早于文件印发多少天以上即不能算作该文件的解读")
    rectify_days: int = Field(7, ge=1, description="通报后多少天内须完成整改")
    crawl_failure_days: int = Field(2, ge=1, description="连续多少天抓取失败才报抓取异常")
    data_max_age_days: int = Field(
        3, ge=1, le=366, description="最近一次抓取距监测日期超过多少天即视为数据过期，不再据此判定")
    warn_lead_days: int = Field(
        2, ge=0, le=366, description="栏目距计为长期未更新还有多少天时预警（0：不预警）")
    warn_pace: WarnPace = Field(WarnPace(), description="政务新媒体本周更新进度预警")
    reply_hours: int = Field(48, ge=1, le=8760, description="留言应在提问后多少小时内回复")
    major_reply_hours: int = Field(
        24, ge=1, le=8760,
        description="影响重大的政务舆情（见 settings.messages）应在多少小时内回复")
    annual_report_due: MonthDay = Field(
        "01-31", description="上一年度政府信息公开工作年度报告的发布期限（月-日）")
    backdated_days: int = Field(
        3, ge=1, le=366, description="每日抓取的栏目中，条目首次出现晚于其发布日期多少天即视为倒签")


class ThresholdOverrides(_Strict):
    """Per-source overrides of ``Thresholds``; unset fields fall back to the county's."""

    stale_days: int | None = Field(None, ge=1)
    min_weekly_posts: int | None = Field(None, ge=1)
    interpretation_grace_days: int | None = Field(None, ge=0)
    interpretation_match: float | None = Field(None, gt=0, le=1)
    interpretation_max_days_before: int | None = Field(None, ge=0)
    rectify_days: int | None = Field(None, ge=1)
    crawl_failure_days: int | None = Field(None, ge=1)
    data_max_age_days: int | None = Field(None, ge=1, le=366)
    warn_lead_days: int | None = Field(None, ge=0, le=366)
    warn_pace: WarnPace | None = None  # replaces the county's as a whole
    reply_hours: int | None = Field(None, ge=1, le=8760)
    major_reply_hours: int | None = Field(None, ge=1, le=8760)
    annual_report_due: MonthDay | None = None
    backdated_days: int | None = Field(None, ge=1, le=366)


class CrawlSettings(_Strict):
    """Politeness and reach of the crawler (passed to Scrapy's settings)."""

    window_days: int = Field(35, ge=1, le=3660, description="翻页抓取到多少天以前为止")
    max_pages: int = Field(5, ge=1, le=10_000, description="每个栏目最多翻多少页")
    download_delay: float = Field(0.5, ge=0, le=600)
    concurrent_requests_per_domain: int = Field(4, ge=1, le=256)
    timeout: float = Field(20, gt=0, le=3600)
    retry_times: int = Field(2, ge=0, le=100)
    obey_robots: bool = True
    max_response_mb: float = Field(20, gt=0, le=4096,
                                   description="超过此大小的响应将被丢弃并记录错误")
    snapshot_retention_days: int = Field(365, ge=1, description="页面快照保留天数")
    processes: int | None = Field(
        None, ge=1, description="同时运行的抓取进程数（默认：CPU 核数；同一网站只在一个进程中抓取；"
        "抓取后的链接检查也用同样多的进程）"
    )
    user_agent: str = "Mozilla/5.0 (compatible; govwatch/0.1; +政务公开监测)"
    browser_executable: str | None = Field(
        None, description="Chromium path for render: browser sources; default: found on machine"
    )
    allowed_hosts: list[HostName] = Field(
        [], description="除各栏目、账号自身的域名外，允许跳转和链接到的其他域名（内网地址除外）")
    scan_articles: bool = Field(
        False, description="也读取普通栏目在抓取窗口内的文章正文（用于错敏词、个人信息和链接检查）")
    check_links: bool = Field(True, description="检查所抓页面上的链接是否有效（每个链接每天一次）")
    links_per_page: int = Field(50, ge=0, le=1000, description="每个页面最多检查多少个链接")
    link_timeout: float = Field(10, gt=0, le=120, description="检查一个链接的超时秒数")

    @property
    def process_count(self) -> int:
        """How many crawl processes run (and link-check processes after them): as configured,
        else one per core."""
        return self.processes or os.cpu_count() or 1


class PolicyClasses(_Strict):
    """Which items of policy columns need an interpretation (政策性文件), county-wide.

    The built-in classifier (``monitors.policy_class``) sorts items into 政策性文件, 年度工作安排,
    非政策性文件 and 未识别; a county's own title patterns (regular expressions) win over it.
    """

    include: list[Pattern] = Field([], description="标题符合即视为政策性文件")
    exclude: list[Pattern] = Field([], description="标题符合即不视为政策性文件")
    yearly_work_is_policy: bool = Field(True, description="年度工作安排类通知是否须有解读")
    unclassified_is_policy: bool = Field(
        False, description="未识别类别的条目是否须有解读（默认不判定，避免误报）")


_NUMBER_FIELDS = {"year": "年份", "n": "当年第几期", "county": "县名", "abbr": "县名首字"}


def _check_number_format(value: str) -> str:
    """A 文号 format: ``{year}`` and ``{n}`` required, only the known placeholders."""
    fix = "例如 陵政公开通〔{year}〕{n}号；可用的占位符：" + "、".join(
        f"{{{name}}}（{word}）" for name, word in _NUMBER_FIELDS.items())
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise PydanticCustomError("govwatch_number", "文号格式「{format}」无效（{why}）",
                                  {"format": value, "why": str(exc), "fix": fix}) from None
    unknown = sorted(used - set(_NUMBER_FIELDS))
    if unknown:
        raise PydanticCustomError("govwatch_number", "文号格式「{format}」含有未知占位符 {names}",
                                  {"format": value, "names": "、".join(f"{{{u}}}" for u in unknown),
                                   "fix": fix})
    if not {"year", "n"} <= used:
        raise PydanticCustomError("govwatch_number", "文号格式「{format}」须含 {required}",
                                  {"format": value, "required": "{year} 和 {n}", "fix": fix})
    try:
        value.format(year=2021, n=1, county="某县", abbr="某")
    except (ValueError, TypeError) as exc:  # a bad format spec, e.g. {n:x2}
        raise PydanticCustomError("govwatch_number", "文号格式「{format}」无效（{why}）",
                                  {"format": value, "why": str(exc), "fix": fix}) from None
    return value


NumberFormat = Annotated[str, AfterValidator(_check_number_format)]


class BulletinSettings(_Strict):
    """The weekly bulletin as an official document (公文): 版头, 文号, 签发人 and 版记.

    ``{county}`` in ``issuer`` and ``printer`` stands for the county's name.
    """

    issuer: NonEmpty = Field("{county}政务公开领导小组办公室", description="发文机关（版头和落款）")
    number_format: NumberFormat = Field(
        "{abbr}政公开通〔{year}〕{n}号",
        description="发文字号格式：{year} 印发年份，{n} 当年第几期（审核发布时按年顺序编号，"
                    "重新发布不变），{county} 县名，{abbr} 县名首字")
    signer: str | None = Field(
        None, description="签发人（默认：审核发布人；调度程序自动发布时不印签发人）")
    cc: list[NonEmpty] = Field([], description="抄送机关（版记），按顺序排列")
    printer: str | None = Field(None, description="印发机关（版记，默认同发文机关）")


_NOTIFY_URL_FIX = (
    "请按 Apprise 的写法填写通知地址，例如钉钉群机器人 dingtalk://{access_token}/（设了加签时 "
    "dingtalk://{secret}@{access_token}/），企业微信群机器人 wecombot://{key}，邮件 "
    "mailtos://用户名:授权码@smtp.example.com?from=发件人@example.com&to=收件人@example.com；"
    "密钥可写成 ${环境变量}。各种渠道的写法见 https://appriseit.com/services/")


def apprise_plugin(url: str) -> Any:
    """Apprise's notifier for a notification URL; raise ``ValueError`` saying, in Chinese,
    why Apprise cannot use it. Apprise is imported only when a URL is configured."""
    import apprise

    try:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=False)
    except Exception as exc:  # the plugin refused its arguments: Apprise says which
        raise ValueError(f"Apprise 无法使用此地址：{exc}") from None
    if plugin is None:
        scheme, found, _ = url.partition("://")
        raise ValueError(f"不支持的通知类型「{scheme}://」" if found and scheme
                         else "不是通知地址（应写成 类型://…）")
    return plugin


def _masked_url(url: str) -> str:
    """A notification URL as messages may show it: passwords and tokens shortened (Apprise's
    CWE-312 helper), for a URL Apprise may not even parse."""
    from apprise.utils.cwe312 import cwe312_url

    return str(cwe312_url(url))


def _check_notify_url(value: str) -> str:
    url = value.strip()
    try:
        apprise_plugin(url)
    except ValueError as exc:
        raise PydanticCustomError(
            "govwatch_notify_url", "通知地址「{url}」无效：{why}",
            {"url": _masked_url(url), "why": str(exc), "fix": _NOTIFY_URL_FIX}) from None
    return url


NotifyUrl = Annotated[str, AfterValidator(_check_notify_url)]


class NotifySettings(_Strict):
    """Daily notifications (通知) through Apprise: the team's digest to ``channels``, each
    unit's digest to its ``contacts`` (``units[].contacts``). When they are sent is the
    ``notify`` job of the schedule file (config/schedule.yaml)."""

    channels: list[NotifyUrl] = Field(
        [], description="考核小组接收每日汇总的通知地址（Apprise 写法：dingtalk://…、"
                        "wecombot://…、mailtos://…），可写多个")
    base_url: Url | None = Field(
        None, description="审核网页的网址（消息中的链接以此开头），例如 https://gov.example.cn/govwatch")
    retry_days: int = Field(
        7, ge=0, le=60, description="发送失败的日报在此后多少天内的运行中重发（0：只在当天重发）")
    max_items: int = Field(
        15, ge=1, le=200, description="每条消息每一部分最多列出的条数（其余只计数，详见网页）")

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value


class NationalSettings(_Strict):
    """The national website checks (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号), run when
    ``profiles`` has ``national``."""

    homepage_stale_days: int = Field(14, ge=1, description="首页超过多少天未更新即单项否决")
    news_stale_days: int = Field(14, ge=1, description="动态、要闻类栏目超过多少天未更新")
    notice_stale_days: int = Field(
        183, ge=1, description="通知公告、政策文件类栏目超过多少天未更新")
    veto_columns: int = Field(5, ge=1, description="未更新或空白栏目达到多少个即单项否决")
    unanswered_days: int = Field(90, ge=1, description="留言超过多少天未回复即单项否决")
    account_silent_days: int = Field(14, ge=1, description="政务新媒体超过多少天未更新即单项否决")
    probe_timeout: float = Field(15, gt=0, le=120, description="首页探测超过多少秒算无法访问")
    unreachable_share: float = Field(
        0.05, gt=0, le=1, description="一周内无法访问的探测次数占比达到多少即单项否决")
    min_probes: int = Field(7, ge=1, description="一周内至少探测多少次才作判定")


class TextCheckSettings(_Strict):
    """错敏词 and personal information checks on crawled titles and texts."""

    dictionaries: list[Path] = Field(
        [], description="本县的错敏词表（YAML，写法同 config/dictionaries/wrong_expressions.yaml）")
    allow: list[NonEmpty] = Field([], description="误报的词或句子（出现即不报）")
    contact_patterns: list[Pattern] = Field(
        [], description="允许公开电话号码的上下文（如 联系电话、监督电话），内置常见写法")


class MessageSettings(_Strict):
    """互动交流 留言 boards (columns of ``kind: messages``)."""

    major_patterns: list[Pattern] = Field(
        [], description="标题或内容符合即视为影响重大的政务舆情（须在 major_reply_hours 内回复）")


class MeasureSettings(_Strict):
    """What the measured rubric lines count (``monitors.measures``)."""

    varied_forms: list[InterpretationForm] = Field(
        ["graphic", "video", "audio", "animation", "qa"],
        description="计为多样化解读的形式：graphic 图解、video 视频、audio 音频、"
                    "animation 动漫/H5、qa 问答/答记者问、text 文字")
    channel_match: float = Field(
        0.85, gt=0, le=1, description="新媒体发文标题与解读标题的相似度达到多少即算同一篇解读")


class Settings(_Strict):
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///<data_dir>/govwatch.db"
    )
    timezone: Literal["Asia/Shanghai"] = "Asia/Shanghai"
    rubric: str = Field("lingchuan-2021", description="评分细则（config/rubrics/ 下的名称）")
    monitoring_start: OptionalDate = Field(
        None, description="监测开始日期（新媒体按周考核从此起算）"
    )
    thresholds: Thresholds = Thresholds()
    policy_classes: PolicyClasses = PolicyClasses()
    crawl: CrawlSettings = CrawlSettings()
    bulletin: BulletinSettings = Field(BulletinSettings(), description="周通报公文格式")
    notify: NotifySettings = Field(NotifySettings(), description="每日通知（考核小组与各单位）")
    messages: MessageSettings = Field(MessageSettings(), description="互动交流留言办理")
    profiles: list[ProfileName] = Field(
        [], description="另外运行的检查：national 全国政府网站与政务新媒体检查指标")
    national: NationalSettings = Field(NationalSettings(), description="全国检查指标的阈值")
    text_checks: TextCheckSettings = Field(TextCheckSettings(), description="错敏词与个人信息检查")
    measures: MeasureSettings = Field(MeasureSettings(), description="可实测的评分项")


class Selectors(_Strict):
    """CSS (or XPath, starting with / or ( or ./) selectors for a list page."""

    item: NonEmpty
    title: str | None = None
    link: str | None = None
    date: str | None = None


class MessageSelectors(_Strict):
    """CSS (or XPath) selectors on a 留言 page, when the built-in reading misses a field."""

    asked_at: str | None = Field(None, description="留言（提问）时间")
    replied_at: str | None = Field(None, description="回复时间")
    status: str | None = Field(None, description="办理状态（已回复、办理中…）")
    department: str | None = Field(None, description="回复（办理）单位")


class TitlePatterns(_Strict):
    """Regular expressions on item titles: which items of a policy column are policy files."""

    include: list[Pattern] = []
    exclude: list[Pattern] = []


class _Fetched(_Strict):
    """How a source is fetched: fields columns and accounts share."""

    name: NonEmpty
    url: Url
    thresholds: ThresholdOverrides = ThresholdOverrides()
    timeout: float | None = Field(None, gt=0, description="本来源的超时秒数（默认用全局设置）")
    obey_robots: bool | None = Field(None, description="是否遵守 robots.txt（默认用全局设置）")
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}


class Column(_Fetched):
    """A disclosure column (信息公开栏目) of a unit."""

    kind: ColumnKind = "general"
    render: Render = "static"
    profile: Profile = Field("auto", description="站群系统：auto 自动识别，或 trs/hanweb/gkmlpt")
    selectors: Selectors | None = None
    wait_for: str | None = Field(None, description="render: browser 时等待出现的 CSS 选择器")
    browser_fallback: bool = Field(False, description="静态抓取被拦截时改用浏览器重试")
    max_pages: int | None = Field(None, ge=1)
    expect_update: bool = True
    policy_titles: TitlePatterns | None = None
    message_selectors: MessageSelectors | None = Field(
        None, description="kind: messages 时，留言页上各项的选择器（默认自动识别）")
    scan_articles: bool | None = Field(
        None, description="读取本栏目抓取窗口内的文章正文以检查错敏词、个人信息和链接"
                          "（默认用 crawl.scan_articles）")
    national_class: NationalClass | None = Field(
        None, description="全国检查指标的栏目类别：news 动态要闻、notice 通知公告、"
                          "policy 政策文件、other（默认按栏目名称和类型判断）")


class Account(_Fetched):
    """A government new-media account (政务新媒体) of a unit."""

    platform: Platform
    monitored_since: OptionalDate = None


class Unit(_Strict):
    """An assessed unit (被考核单位): a township or a county department."""

    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]+$")]
    name: NonEmpty
    category: Literal["A", "B"]
    columns: list[Column] = []
    accounts: list[Account] = []
    contacts: list[NotifyUrl] = Field(
        [], description="接收本单位每日通知的地址（Apprise 写法：本单位的钉钉群、"
                        "企业微信群机器人或邮箱）")

    @field_validator("code")
    @classmethod
    def _code_upper(cls, value: str) -> str:
        return value.strip()


class CountyConfig(_Strict):
    county: NonEmpty
    settings: Settings = Settings()
    units: list[Unit]
    _digest: str | None = PrivateAttr(default=None)

    def digest(self) -> str:
        """SHA-256 of the validated config's JSON, worked out once per config object.

        ``load_config`` works it out before a big config is cached, so it is pickled with the
        config: serialising a province's 60,000 sources again on every command cost ~0.35 s.
        """
        if self._digest is None:
            self._digest = hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()
        return self._digest

    def source_urls(self) -> list[str]:
        """The URL of every configured column and account (the county's own sources)."""
        return [s.url for u in self.units for s in (*u.columns, *u.accounts)]

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> CountyConfig:
        """As pydantic's; a copy with changed fields works out its own digest."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._digest = None
        return copy

    def unit(self, code: str) -> Unit:
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)

    def effective_thresholds(self, overrides: ThresholdOverrides) -> Thresholds:
        """County thresholds with a source's overrides applied."""
        return self.settings.thresholds.model_copy(
            update=overrides.model_dump(exclude_none=True)
        )


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    line: int | None
    entry: str
    message: str
    fix: str

    def render(self) -> str:
        where = f"第 {self.line} 行，" if self.line else ""
        return f"{self.file} {where}{self.entry}：{self.message}\n    修改方法：{self.fix}"


class ConfigError(Exception):
    """Every problem found in a config file; ``str()`` is the Chinese report."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        head = f"配置有 {len(self.problems)} 处错误，请修改后再运行："
        body = "\n".join(f"  {i}. {p.render()}" for i, p in enumerate(self.problems, 1))
        return f"{head}\n{body}"


FIELD_NAMES: dict[str, str] = {
    "county": "县名",
    "settings": "设置",
    "units": "单位列表",
    "code": "单位代码",
    "name": "名称",
    "category": "类别",
    "columns": "栏目列表",
    "accounts": "新媒体账号列表",
    "url": "网址",
    "kind": "栏目类型",
    "render": "抓取方式",
    "platform": "平台",
    "selectors": "选择器",
    "expect_update": "是否应定期更新",
    "thresholds": "阈值",
    "crawl": "抓取设置",
    "data_dir": "数据目录",
    "database_url": "数据库地址",
    "timezone": "时区",
    "item": "条目选择器",
    "policy_titles": "政策文件标题规则",
    "policy_classes": "政策性文件判定",
    "include": "纳入规则",
    "exclude": "排除规则",
    "yearly_work_is_policy": "年度工作安排是否须解读",
    "unclassified_is_policy": "未识别条目是否须解读",
    "interpretation_max_days_before": "解读最多可早于文件天数",
    "monitored_since": "监测开始日期",
    "monitoring_start": "监测开始日期",
    "warn_lead_days": "提前预警天数",
    "reply_hours": "留言回复时限（小时）",
    "major_reply_hours": "重大舆情回复时限（小时）",
    "annual_report_due": "年度报告发布期限",
    "message_selectors": "留言页选择器",
    "messages": "留言办理",
    "major_patterns": "重大舆情规则",
    "measures": "实测评分项",
    "varied_forms": "多样化解读形式",
    "channel_match": "渠道匹配阈值",
    "profiles": "检查方案",
    "national": "全国检查指标",
    "national_class": "全国检查栏目类别",
    "text_checks": "错敏词与个人信息检查",
    "dictionaries": "错敏词表",
    "allow": "允许的词句",
    "contact_patterns": "联系电话上下文",
    "backdated_days": "倒签天数",
    "scan_articles": "读取普通栏目正文",
    "check_links": "检查链接",
    "warn_pace": "新媒体更新进度预警",
    "weekday": "星期几（周一为 1）",
    "min_posts": "最少更新次数",
    "notify": "通知设置",
    "channels": "考核小组通知地址",
    "contacts": "单位通知地址",
    "base_url": "审核网页网址",
}

_TYPE_WORDS = {
    "int": "整数",
    "float": "数字",
    "bool": "true 或 false",
    "string": "文字",
    "date": "日期（如 2021-09-06）",
    "list": "列表（每项以 - 开头）",
    "dict": "映射（键: 值）",
    "model": "映射（键: 值）",
}


def _type_word(error_type: str) -> str | None:
    for prefix, word in _TYPE_WORDS.items():
        if error_type.startswith(prefix):
            return word
    return None


def _model_at(root: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model class that validates the mapping at ``path``."""
    model: type[BaseModel] | None = root
    for part in path:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _describe(error: dict[str, Any], root: type[BaseModel],
              hints: dict[str, str] | None = None) -> tuple[str, str]:
    """Chinese message and fix for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = error["loc"]
    field = str(loc[-1]) if loc else ""
    value = error.get("input")
    if kind.startswith("govwatch_"):
        return error["msg"], str(ctx.get("fix", ""))
    if kind == "missing":
        label = FIELD_NAMES.get(field, field)
        return f"缺少必填字段 {field}（{label}）", f"请添加一行 `{field}: …`"
    if kind == "extra_forbidden":
        model = _model_at(root, tuple(loc[:-1]))
        allowed = "、".join(model.model_fields) if model else ""
        return f"未知字段 {field}", f"请检查拼写或删除该字段；此处允许的字段有：{allowed}"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        expected = expected.replace(" or ", "、").replace(", ", "、")
        return f"取值「{value}」无效", f"可选值：{expected}"
    if kind == "string_pattern_mismatch":
        hint = (hints or {}).get(field)
        return f"「{value}」格式不对", hint or f"应符合格式 {ctx.get('pattern', '')}"
    if kind == "string_too_short":
        return "不能为空", "请填写内容"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": "不小于",
            "greater_than": "大于",
            "less_than_equal": "不大于",
            "less_than": "小于",
        }
        return f"数值 {value} 超出范围", f"应{words[kind]} {bound}"
    word = _type_word(kind)
    if word:
        return f"「{value}」不是{word}", f"请填写{word}"
    return f"取值「{value}」无效（{error['msg']}）", "请参照 README 的配置说明修改"


# --------------------------------------------------------------------------- YAML


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _expand(value: Any, missing: list[str]) -> Any:
    """Replace ${NAME} / ${NAME:-default} in every string of a parsed YAML tree."""
    if isinstance(value, str):
        def sub(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            missing.append(name)
            return match.group(0)

        return _ENV_REF.sub(sub, value)
    if isinstance(value, list):
        return [_expand(v, missing) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, missing) for k, v in value.items()}
    return value


def _line_index(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int],
                dupes: list[tuple[tuple[Any, ...], int]]) -> None:
    """Map each path in the YAML tree to its 1-based line; note duplicate keys."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            out[(*path, key)] = key_node.start_mark.line + 1
            _line_index(value_node, (*path, key), out, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _line_index(child, (*path, i), out, dupes)


@dataclass(frozen=True)
class EntryNames:
    """How to name entries of one kind of YAML file in messages."""

    lists: Mapping[str, str]  # list key → word for its items: units → 单位
    ident: Mapping[str, str] = field(default_factory=dict)  # list key → its items' id field
    fields: Mapping[str, str] = field(default_factory=dict)  # other keys → display names
    keyed: Mapping[str, str] = field(default_factory=dict)  # mapping key → word for its keys


COUNTY_NAMES = EntryNames(lists={"units": "单位", "columns": "栏目", "accounts": "账号"},
                          ident={"units": "code"})


def entry_label(data: Any, path: tuple[Any, ...], names: EntryNames = COUNTY_NAMES) -> str:
    """Human name of the entry at ``path``: 单位 A01「城关镇」 → 栏目「通知公告」 → url."""
    parts: list[str] = []
    node = data
    i = 0
    while i < len(path):
        key = path[i]
        nxt = path[i + 1] if i + 1 < len(path) else None
        child = node.get(key) if isinstance(node, dict) else None
        if key in names.lists and isinstance(nxt, int):
            item = child[nxt] if isinstance(child, list) and nxt < len(child) else {}
            item = item if isinstance(item, dict) else {}
            ident_field = names.ident.get(key)
            ident = f" {item[ident_field]}" if ident_field and item.get(ident_field) else ""
            name = f"「{item['name']}」" if item.get("name") else ""
            position = "" if ident or name else f"（第 {nxt + 1} 项）"
            parts.append(f"{names.lists[key]}{ident}{name}{position}")
            node = item
            i += 2
            continue
        if key in names.keyed and nxt is not None:
            parts.append(f"{names.keyed[key]} {nxt}")
            break
        if isinstance(key, int):
            parts.append(f"第 {key + 1} 项")
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(names.fields.get(str(key), str(key)))
            node = child
        i += 1
    return " → ".join(parts) if parts else "文件顶层"


def nearest_line(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int | None:
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]


def _duplicates(data: dict[str, Any], file: str,
                lines: dict[tuple[Any, ...], int]) -> list[ConfigProblem]:
    """Cross-entry checks pydantic cannot do per field: unique unit codes and source names."""
    problems: list[ConfigProblem] = []
    units = data.get("units")
    if not isinstance(units, list):
        return problems
    first_code: dict[str, int] = {}
    for ui, unit in enumerate(units):
        if not isinstance(unit, dict):
            continue
        code = unit.get("code")
        if isinstance(code, str | int):
            code = str(code)
            if code in first_code:
                first = first_code[code]
                problems.append(ConfigProblem(
                    file, lines.get(("units", ui, "code")), entry_label(data, ("units", ui)),
                    f"单位代码「{code}」重复（第 {lines.get(('units', first, 'code'))} 行已使用）",
                    "每个单位的代码必须唯一，请修改其中一个",
                ))
            else:
                first_code[code] = ui
        seen_names: dict[str, int] = {}
        seen_urls: dict[str, int] = {}
        for group in ("columns", "accounts"):
            sources = unit.get(group)
            if not isinstance(sources, list):
                continue
            for si, source in enumerate(sources):
                if not isinstance(source, dict):
                    continue
                path = ("units", ui, group, si)
                name, url = source.get("name"), source.get("url")
                if isinstance(name, str):
                    if name in seen_names:
                        problems.append(ConfigProblem(
                            file, lines.get((*path, "name")), entry_label(data, path),
                            f"同一单位下名称「{name}」重复（第 {seen_names[name]} 行已使用）",
                            "同一单位的栏目和账号名称必须各不相同，请改名或删除重复项",
                        ))
                    else:
                        seen_names[name] = lines.get((*path, "name"), 0)
                if isinstance(url, str):
                    if url in seen_urls:
                        problems.append(ConfigProblem(
                            file, lines.get((*path, "url")), entry_label(data, path),
                            f"网址与本单位第 {seen_urls[url]} 行的来源重复",
                            "同一网址只需配置一次，请删除重复项",
                        ))
                    else:
                        seen_urls[url] = lines.get((*path, "url"), 0)
    return problems


def _notify_needs_base_url(data: dict[str, Any], file: str,
                           lines: dict[tuple[Any, ...], int]) -> list[ConfigProblem]:
    """Notifications link to the review web app: whoever configures a recipient must say
    where the web app is (``settings.notify.base_url``)."""
    settings = data.get("settings")
    notify = settings.get("notify") if isinstance(settings, dict) else None
    notify = notify if isinstance(notify, dict) else {}
    units = data.get("units") if isinstance(data.get("units"), list) else []
    used = [("settings", "notify", "channels")] if notify.get("channels") else []
    used += [("units", i, "contacts") for i, unit in enumerate(units)
             if isinstance(unit, dict) and unit.get("contacts")]
    if not used or notify.get("base_url"):
        return []
    where = ("settings", "notify") if notify else used[0]
    return [ConfigProblem(
        file, nearest_line(lines, where), entry_label(data, where),
        "已配置通知地址，但没有填写审核网页的网址 settings.notify.base_url（消息中的链接以它开头）",
        "请在 settings 下添加 notify: {base_url: https://审核网页的地址}，即考核小组和各单位"
        "打开 govwatch serve 网页所用的网址，例如 https://gov.example.cn/govwatch")]


def _county_checks(data: dict[str, Any], file: str,
                   lines: dict[tuple[Any, ...], int]) -> list[ConfigProblem]:
    return _duplicates(data, file, lines) + _notify_needs_base_url(data, file, lines)


# libyaml's parser when PyYAML was built with it: a province's config parses 30x faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_YAML_BYTES = 256 * 2**20  # a province's config is ~10 MB
MAX_YAML_NODES = 5_000_000  # nodes after aliases are expanded (a "billion laughs" file)


class YamlShapeError(ValueError):
    """A YAML document whose aliases loop or expand beyond ``MAX_YAML_NODES``."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document holds with every alias expanded — worked out once per
    node (aliases share nodes), without expanding; a node inside itself is a loop."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            open_.discard(key)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), MAX_YAML_NODES + 1)
            continue
        if key in sizes:
            continue
        if key in open_:
            raise YamlShapeError("别名引用了包含它自身的锚点（循环引用）",
                                 node.start_mark.line + 1)
        open_.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_:
                raise YamlShapeError("别名引用了包含它自身的锚点（循环引用）",
                                     child.start_mark.line + 1)
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data, from one parse — refused before
    construction when aliases loop or would expand past ``MAX_YAML_NODES``."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        # only aliases (written *name) make a document larger than its text: without a "*"
        # in the text there is nothing to expand, nor to loop (a province's config: ~3 s)
        if node is not None and "*" in text and _expanded_size(node) > MAX_YAML_NODES:
            raise YamlShapeError(
                f"展开别名后超过 {MAX_YAML_NODES:,} 项（别名层层嵌套）", None)
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def load_config(path: str | Path | None = None) -> CountyConfig:
    """Read and validate a county config; raise ``ConfigError`` with every problem found."""
    file = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    def validate() -> CountyConfig:
        config = load_yaml_model(
            file, CountyConfig, _county_checks, shape="county: … / settings: … / units: …",
            example="config/demo.yaml",
            hints={"code": "单位代码只能用英文字母、数字、- 和 _，例如 A01、LC-B12"})
        config.digest()  # cached with the config
        return config

    # a province's YAML is a million nodes, all kept until validated: the collector's passes
    # over them find nothing (parsing alone took 4 s with it, 1 s without).
    # anchored after the cache: it keys on the file's bytes, wherever the file lies
    with collector_paused():
        return anchored(cached(file, validate), file.resolve().parent)


DATA_DIR_ENV = "GOVWATCH_DATA_DIR"


def anchored(config: CountyConfig, folder: Path) -> CountyConfig:
    """``config`` with a relative data_dir, SQLite path and dictionary files
    (``text_checks.dictionaries``) resolved against ``folder``, the
    config file's: the database a command opens must not depend on the shell's working
    directory. ``$GOVWATCH_DATA_DIR`` overrides data_dir (relative to the working directory,
    as a shell path is)."""
    settings = config.settings
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    data_dir = Path(override).resolve() if override else folder / settings.data_dir
    url = settings.database_url
    if url and url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:" and not path.startswith(("file:", "/")):
            url = f"sqlite:///{(folder / path).resolve()}"
    checks = settings.text_checks
    dictionaries = [path if path.is_absolute() else (folder / path).resolve()
                    for path in checks.dictionaries]
    if (data_dir == settings.data_dir and url == settings.database_url
            and dictionaries == checks.dictionaries):
        return config
    moved = config.model_copy(update={"settings": settings.model_copy(
        update={"data_dir": data_dir.resolve(), "database_url": url,
                "text_checks": checks.model_copy(update={"dictionaries": dictionaries})})})
    # the digest speaks of what the file says (the sync compares units and sources), not of
    # where its data lives: kept, not worked out again (~0.35 s for a province)
    moved._digest = config._digest
    return moved


Lines = dict[tuple[Any, ...], int]
CrossCheck = Callable[[dict[str, Any], str, Lines], list[ConfigProblem]]
M = TypeVar("M", bound=BaseModel)


def load_yaml_model(file: Path, model: type[M], cross_check: CrossCheck | None = None, *,
                    shape: str, example: str, what: str = "配置文件",
                    post_check: Callable[[M, dict[str, Any], str, Lines],
                                         list[ConfigProblem]] | None = None,
                    label: Callable[[Any, tuple[Any, ...]], str] | None = None,
                    hints: dict[str, str] | None = None,
                    error_type: type[ConfigError] = ConfigError) -> M:
    """Read a YAML file into ``model``; raise ``error_type`` with every problem found, each with the
    line, the entry and the fix, in Chinese.

    ``cross_check`` sees the raw data (checks across entries, run even when fields are
    invalid); ``post_check`` sees the validated model; ``label`` names an entry by its path;
    ``hints`` gives the fix for a field whose pattern does not match.
    """
    label = label or entry_label
    name = str(file)
    try:
        if file.is_dir():
            raise IsADirectoryError(name)
        if file.exists() and file.stat().st_size > MAX_YAML_BYTES:
            raise error_type([ConfigProblem(
                name, None, "文件", f"{what}超过 {MAX_YAML_BYTES // 2**20} MB，不像是配置文件",
                "请检查路径是否指向了正确的文件",
            )])
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error_type([ConfigProblem(
            name, None, "文件", f"找不到{what}",
            f"请检查路径，或用 --config 指定配置文件（示例：{example}）",
        )]) from None
    except IsADirectoryError:
        raise error_type([ConfigProblem(
            name, None, "文件", f"这是一个文件夹，不是{what}",
            f"请用 --config 指定文件夹中的 YAML 文件（示例：{example}）",
        )]) from None
    except PermissionError:
        raise error_type([ConfigProblem(
            name, None, "文件", f"没有权限读取{what}", "请检查文件权限，或以有权限的用户运行",
        )]) from None
    except UnicodeDecodeError:
        raise error_type([ConfigProblem(
            name, None, "文件", "文件不是 UTF-8 编码", "请用 UTF-8 编码另存该文件",
        )]) from None
    try:
        node, raw = _parse_yaml(text)
    except YamlShapeError as exc:
        raise error_type([ConfigProblem(
            name, exc.line, "YAML 锚点/别名", str(exc),
            "请去掉循环引用或层层嵌套的 &锚点 / *别名，直接写出各项内容",
        )]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise error_type([ConfigProblem(
            name, line, "YAML 语法", f"无法解析（{problem}）",
            "请检查该行附近的缩进（用空格，不用 Tab）、冒号后的空格和引号是否成对",
        )]) from None
    if not isinstance(raw, dict):
        raise error_type([ConfigProblem(
            name, 1, "文件顶层", f"{what}应为映射（{shape}）",
            f"请参照 {example} 的结构填写",
        )])

    lines: dict[tuple[Any, ...], int] = {}
    dupe_keys: list[tuple[tuple[Any, ...], int]] = []
    if node is not None:
        _line_index(node, (), lines, dupe_keys)
    problems = [
        ConfigProblem(name, line, label(raw, p[:-1]), f"字段 {p[-1]} 重复出现",
                      "同一项下每个字段只能写一次，请删除多余的一行")
        for p, line in dupe_keys
    ]

    missing: list[str] = []
    data = _expand(raw, missing)
    for var in sorted(set(missing)):
        problems.append(ConfigProblem(
            name, None, f"环境变量 {var}", "配置引用了未设置的环境变量",
            f"请设置环境变量 {var}，或在配置中写成 ${{{var}:-默认值}}",
        ))
    if cross_check is not None:
        problems.extend(cross_check(data, name, lines))

    config: M | None = None
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            message, fix = _describe(dict(error), model, hints)
            # the message names the field itself when it is missing or unknown
            parent = error["type"] in ("missing", "extra_forbidden")
            entry_path = loc[:-1] if parent else loc
            problems.append(ConfigProblem(
                name, nearest_line(lines, loc), label(data, entry_path), message, fix,
            ))
    if config is not None and post_check is not None and not problems:
        problems.extend(post_check(config, data, name, lines))
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise error_type(problems)
    assert config is not None
    return config
