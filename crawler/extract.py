"""Pure extraction helpers for county portal pages: dates, list entries, pagination.

Everything here is data in, data out: no network, no Scrapy engine, no database. Functions
never raise on malformed HTML; they return an empty list or None instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from typing import NamedTuple
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from storage.models import ARTICLE_TEXT_LIMIT

__all__ = [
    "ArticleDate",
    "ListEntry",
    "ListLayout",
    "ListPage",
    "ListSelectors",
    "article_date",
    "extract_article_date",
    "extract_list",
    "find_date",
    "find_datetime",
    "find_next_page",
    "list_entries",
    "next_page_link",
    "parse_list_page",
    "to_halfwidth",
]


@dataclass(frozen=True)
class ListSelectors:
    """Operator-configured selectors for a list page.

    Each is CSS, or XPath when it starts with '/' or '(' or './'. Within an item, an XPath
    starting with '/' is read relative to the item ('//span' means './/span').
    """

    item: str  # selects each list entry (e.g. "ul.list li")
    title: str | None = None  # within item; default: the first <a> with text
    link: str | None = None  # within item, an element whose href is used; default: same <a>
    date: str | None = None  # within item; default: the item's whole text is searched


# Where an entry's date was read (``ListEntry.date_source``, ``ArticleDate.date_source``;
# docs/extractor.md lists the order in which each is tried):
DATE_ROW = "row"  # printed in the entry's row of the list (for gkmlpt: the row's API record)
DATE_URL = "url"  # the entry's URL (/t20210830_…): the row or page prints no date
DATE_ARTICLE_TABLE = "article_table"  # the article's 信息公开 table (索引号 … 发布日期)
DATE_ARTICLE_HEADER = "article_header"  # a labelled date by the article's title (发布时间：)
DATE_ARTICLE_BYLINE = "article_byline"  # an unlabelled date right under the title
DATE_ARTICLE_LABEL = "article_label"  # a labelled date elsewhere on the article page
DATE_META = "meta"  # a meta tag (PubDate, article:published_time …) or WeChat's stamp
DATE_FALLBACK = "fallback"  # a guess: the first date of the text, or htmldate's


@dataclass(frozen=True)
class ListEntry:
    """One entry of a column list."""

    url: str  # absolute (resolved against base_url), fragment removed
    title: str  # whitespace-normalised link text (or the a@title when the text is truncated)
    published_on: date | None
    date_source: str | None = None  # DATE_ROW or DATE_URL; None when undated


# ---------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------

# Full-width ASCII block (！..～) maps onto ASCII by a fixed offset; U+3000 is the CJK space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20


def to_halfwidth(text: str) -> str:
    """Map full-width digits and punctuation (０-９，－，／，．，：…) to ASCII."""
    return text.translate(_HALFWIDTH)


def _norm_space(text: str) -> str:
    """Collapse all whitespace (including nbsp and the CJK space) to single spaces."""
    return " ".join(text.split())


def _nonspace(text: str) -> int:
    """How many characters of text are not whitespace."""
    return len(text) - sum(map(str.isspace, text))


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MIN_YEAR = 1990

# Optional time of day right after a date: "2021-08-20 09:30", "…T10:00:00+08:00",
# "2007-08-20-23:59:59" (gov.cn meta tags) and "9时30分".
_TIME_RE = re.compile(
    r"(?:\s*|T|-)(?P<H>\d{1,2})(?::|时)(?P<M>\d{2})(?:(?::|分)(?P<S>\d{2}))?(?!\d)"
)

_YMD_RE = re.compile(r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)")
_CN_YMD_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})(?!\d)\s*[日号]?"
)
_CN_NUM_YMD_RE = re.compile(
    r"(?P<y>[〇零○O0一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*[日号]"
)
# Social and forum timestamps with a two-digit year, read year first as those platforms
# write them: "24-5-13 17:07", "24/05/13". The day has two digits unless a time follows, so
# section numbers such as "12-3-1" stay what they are.
_YY_MD_RE = re.compile(
    r"(?<![\d\-/.A-Za-z第])(?P<y>\d{2})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)"
    r"(?P<d>\d{2}(?![\d\-/.])|\d(?=\s+\d{1,2}:\d{2}))"
)
# Compact dates only inside URL paths: /t20210830_123.html, /20200709/123.shtml, _20200709.
_URL_YMD_RE = re.compile(r"(?<=[/_])t?(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?=[_/.]|$)")
# The date forms of URL paths (checked by ``_date_from_url``): /2019-12/10/, /201912/10/,
# /20191210/, /t20191210_123.html, _20191210, /2019/1210/, /2019/12/10/ and /2019-12-10/.
_URL_DATE_RES = (
    re.compile(r"(?<=/)(?P<y>\d{4})-(?P<m>\d{1,2})/(?P<d>\d{1,2})(?=/)"),
    re.compile(r"(?<=/)(?P<y>\d{4})(?P<m>\d{2})/(?P<d>\d{2})(?=/)"),
    _URL_YMD_RE,
    re.compile(r"(?<=/)(?P<y>\d{4})/(?P<m>\d{2})(?P<d>\d{2})(?=[/_.])"),
    re.compile(r"(?<=/)(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?=[/_.\-]|$)"),
)
# Year-less forms: 08-30, 8-30, 08/30 (the day always has two digits, so counts like
# "1-2" are not dates) and 8月30日.
_MD_RE = re.compile(
    r"(?<![\d\-/.:年第A-Za-z])(?P<m>\d{1,2})(?P<sep>[-/])(?P<d>\d{2})(?![\d:])(?!\s*[-/]\s*\d)"
)
_CN_MD_RE = re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
# A number followed by one of these is a count or a range, not a date ("3-10人", "1-20页").
_UNIT_AFTER_RE = re.compile(r"\s*[人个次年月日天岁名万亿元件项%倍户家只号期批届页条章节款]")

_CN_DIGITS = {
    "〇": 0, "零": 0, "○": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip


def _cn_small_number(text: str) -> int | None:
    """Value of a Chinese numeral from 1 to 39 (十, 十二, 二十, 三十一), or None."""
    if "十" not in text:
        return _CN_DIGITS.get(text) if len(text) == 1 else None
    tens_part, _, units_part = text.partition("十")
    if "十" in units_part or len(tens_part) > 1 or len(units_part) > 1:
        return None
    tens = _CN_DIGITS.get(tens_part, -1) if tens_part else 1
    units = _CN_DIGITS.get(units_part, -1) if units_part else 0
    if tens < 0 or units < 0:
        return None
    return tens * 10 + units


def _make_date(year: int, month: int, day: int, reference: date) -> date | None:
    """A real calendar date within the accepted year range, or None."""
    if not _MIN_YEAR <= year <= reference.year + 1:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _infer_year(month: int, day: int, reference: date) -> date | None:
    """Year-less date: the latest occurrence on or before the reference date."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    # Walking back a few years also finds the last 29 February.
    for year in range(reference.year, reference.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference:
            return candidate
    return None


def _with_time(day: date, text: str, pos: int) -> tuple[datetime, int]:
    """The date with the time of day written right after it (else midnight), and where
    the whole stamp ends."""
    match = _TIME_RE.match(text, pos)
    if match:
        hour, minute = int(match["H"]), int(match["M"])
        second = int(match["S"]) if match["S"] else 0
        if hour < 24 and minute < 60 and second < 60:
            return datetime(day.year, day.month, day.day, hour, minute, second), match.end()
    return datetime(day.year, day.month, day.day), pos


def _ymd_ok(text: str, match: re.Match[str]) -> bool:
    """Reject numeric dates that are part of longer dotted/dashed number chains."""
    sep = match["sep"]
    start, end = match.start(), match.end()
    if start >= 2 and text[start - 1] in "-/." and text[start - 2].isdigit():
        return False  # e.g. the tail of "1.2021.08.30" or a phone number chain
    if end + 1 < len(text) and text[end] == sep and text[end + 1].isdigit():
        # "2007-08-20-23:59:59" carries a time; anything else is a longer number.
        return sep == "-" and _TIME_RE.match(text, end) is not None
    return True


def _md_ok(text: str, match: re.Match[str]) -> bool:
    """Reject year-less numeric forms that are counts or ranges."""
    return _UNIT_AFTER_RE.match(text, match.end()) is None


def _read_ymd(match: re.Match[str], reference: date) -> date | None:
    return _make_date(int(match["y"]), int(match["m"]), int(match["d"]), reference)


def _read_yy_md(match: re.Match[str], reference: date) -> date | None:
    return _make_date(2000 + int(match["y"]), int(match["m"]), int(match["d"]), reference)


def _read_cn_numerals(match: re.Match[str], reference: date) -> date | None:
    year = int("".join(str(_CN_DIGITS[ch]) for ch in match["y"]))
    month, day = _cn_small_number(match["m"]), _cn_small_number(match["d"])
    return _make_date(year, month, day, reference) if month and day else None


def _read_yearless(match: re.Match[str], reference: date) -> date | None:
    return _infer_year(int(match["m"]), int(match["d"]), reference)


Check = Callable[[str, re.Match[str]], bool]
Reader = Callable[[re.Match[str], date], date | None]
# Full dates first, in order of how surely they are dates; year-less forms last.
_FULL_DATES: tuple[tuple[re.Pattern[str], Check | None, Reader], ...] = (
    (_YMD_RE, _ymd_ok, _read_ymd),
    (_CN_YMD_RE, None, _read_ymd),
    (_CN_NUM_YMD_RE, None, _read_cn_numerals),
    (_URL_YMD_RE, None, _read_ymd),
    (_YY_MD_RE, None, _read_yy_md),
)
_YEARLESS_DATES: tuple[tuple[re.Pattern[str], Check | None, Reader], ...] = (
    (_MD_RE, _md_ok, _read_yearless),
    (_CN_MD_RE, None, _read_yearless),
)


class _Hit(NamedTuple):
    """A date found in a text: where it starts and ends (with its time of day, if any)."""

    start: int
    end: int
    moment: datetime  # naive; midnight when no time is written
    full: bool  # written with its year (not inferred from the reference date)


def _hits(text: str, reference: date, *, yearless: bool = True, start: int = 0) -> list[_Hit]:
    """Every date in text (already half-width), in order and not overlapping: where two
    readings overlap, the earlier start wins, then the surer form."""
    found: list[tuple[int, int, _Hit]] = []
    forms = _FULL_DATES + (_YEARLESS_DATES if yearless else ())
    for rank, (pattern, check, read) in enumerate(forms):
        for match in pattern.finditer(text, start):
            if check is not None and not check(text, match):
                continue
            value = read(match, reference)
            if value:
                moment, end = _with_time(value, text, match.end())
                found.append((match.start(), rank,
                              _Hit(match.start(), end, moment, rank < len(_FULL_DATES))))
    found.sort(key=lambda item: item[:2])
    hits: list[_Hit] = []
    for _, _, hit in found:
        if not hits or hit.start >= hits[-1].end:
            hits.append(hit)
    return hits


def _scan(text: str, reference: date, *, yearless: bool = True, start: int = 0) -> _Hit | None:
    """Earliest date in text (already half-width)."""
    found = _hits(text, reference, yearless=yearless, start=start)
    return found[0] if found else None


def find_datetime(text: str, reference: date) -> datetime | None:
    """Like find_date but keeps a time of day when present (naive; midnight when no time)."""
    if not text or not isinstance(text, str):
        return None
    found = _scan(to_halfwidth(text), reference)
    return found.moment if found else None


def find_date(text: str, reference: date) -> date | None:
    """First calendar date in text (Chinese portal forms), or None.

    Year-less dates take the year that puts them on or before `reference`; a two-digit year
    (``24-5-13 17:07``) is read year first.
    """
    found = find_datetime(text, reference)
    return found.date() if found else None


def _find_full_date(text: str, reference: date) -> date | None:
    """First date that carries its own year (no inference)."""
    found = _scan(to_halfwidth(text), reference, yearless=False) if text else None
    return found.moment.date() if found else None


def _date_from_url(url: str, reference: date) -> date | None:
    """The date a URL path carries (see ``_URL_DATE_RES``), the leftmost one that is a real
    calendar date not after the reference date: a URL date is only a hint, never the future."""
    if not url:
        return None
    path = urlsplit(url).path if "://" in url else url
    best: tuple[int, date] | None = None
    for pattern in _URL_DATE_RES:
        for match in pattern.finditer(path):
            if best is not None and match.start() >= best[0]:
                break
            found = _read_ymd(match, reference)
            if found and found <= reference:
                best = (match.start(), found)
                break
    return best[1] if best else None


# ---------------------------------------------------------------------------
# What a printed date is: the label in front of it
# ---------------------------------------------------------------------------

# The kinds of date a page prints, read from the words right before the date:
_PUBLISH = "publish"  # 发布日期, 发布时间, 发文日期, 公开日期, 发布于 …: when it was published
_DOCUMENT = "document"  # 成文日期, 印发日期, 生成日期: the document's own date
_GENERIC = "generic"  # a bare 时间 or 日期: the publish date in a byline, an event's in a body
_PLAIN = "plain"  # no label: a list row's or a byline's date, or a date in running text
_OTHER = "other"  # another kind: 报名时间, 截止日期, 会议时间, 有效期至, 更新时间, 于…, 自…起
_FURNITURE = "furniture"  # the site's, not the article's: 今天是, 当前时间, 最后更新, clocks

# Between a label and its date: spaces, a colon, brackets (half-width: ：（） are : ()).
_LABEL_GAP_RE = re.compile(r"[\s:\[\]【】()<>|丨/]*$")
_LABEL_RUN_RE = re.compile(r"[\u4e00-\u9fff]{1,16}$")
# Tried on the run of Chinese characters right before a date, in this order.
_FURNITURE_LABEL_RE = re.compile(
    r"(?:今天是|今天|今日|当前日期|当前时间|系统时间|现在时间|现在是|北京时间|服务器时间"
    r"|最后更新(?:时间|日期)?|(?:网站|本站)更新(?:时间|日期)?|打印(?:时间|日期)|访问时间)$"
)
_PUBLISH_LABEL_RE = re.compile(
    r"(?:(?:发布|发文|发稿|发表|公开|公布|上网|录入)(?:日期|时间)|发布于|发布"
    r"|(?:来信|写信|留言|提问|咨询|投诉)(?:日期|时间))$"  # when a letter or message was posted
)
_DOCUMENT_LABEL_RE = re.compile(r"(?:成文|印发|生成|签发|签署)(?:日期|时间)$")
_GENERIC_LABEL_RE = re.compile(r"^(?:时间|日期)$")
# Any other word naming a date or a moment, and the prepositions of running text
# (会议于…, 自…起施行): a date of another kind.
_OTHER_LABEL_RE = re.compile(r"(?:时间|日期|时段|期限|期|日|至|到|止|起|于|自|从|在)$")


def _label_kind(text: str, start: int) -> str:
    """The kind of the date starting at ``start`` in half-width text, from its label."""
    before = _LABEL_GAP_RE.sub("", text[max(0, start - 80) : start], count=1)
    run = _LABEL_RUN_RE.search(before)
    if run is None:
        return _PLAIN
    word = run.group(0)
    for pattern, kind in (
        (_FURNITURE_LABEL_RE, _FURNITURE),
        (_PUBLISH_LABEL_RE, _PUBLISH),
        (_DOCUMENT_LABEL_RE, _DOCUMENT),
        (_GENERIC_LABEL_RE, _GENERIC),
        (_OTHER_LABEL_RE, _OTHER),
    ):
        if pattern.search(word):
            return kind
    return _PLAIN


# How a list row's dates rank: what it says was published, then its plain date, then the
# document's date, then a bare 时间/日期. Dates of another kind are never the row's date.
_ROW_RANK = {_PUBLISH: 0, _PLAIN: 1, _DOCUMENT: 2, _GENERIC: 3}


def _row_date(text: str, reference: date) -> date | None:
    """The publish date a list row prints (``text`` half-width), or None."""
    best: tuple[int, date] | None = None
    for hit in _hits(text, reference):
        rank = _ROW_RANK.get(_label_kind(text, hit.start))
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, hit.moment.date())
    return best[1] if best else None


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(raw: bytes) -> str:
    """Decode page bytes: UTF-8 when valid, else the declared charset, else GB18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET_RE.search(raw[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        # GB2312/GBK declarations routinely carry GB18030-only characters.
        if name in {"gb2312", "gbk", "x-gbk", "gb_2312-80"}:
            name = "gb18030"
        try:
            return raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("gb18030", errors="replace")


_CLOSING_BODY_RE = re.compile(r"</(?:body|html)\s*>", re.I)


def _parse(html: str | bytes | None) -> lxml.html.HtmlElement | None:
    """Parse HTML leniently; None for empty, binary or unparsable input."""
    if html is None:
        return None
    if isinstance(html, bytes | bytearray):
        html = decode_html(bytes(html))
    if not isinstance(html, str):
        return None
    # lxml refuses str input with an encoding declaration and chokes on NULs.
    text = _XML_DECL_RE.sub("", html).replace("\x00", "")
    # Templates that close </body></html> early (an included header) make libxml2 drop the
    # rest of the page; the closing tags are implied at the end anyway.
    text = _CLOSING_BODY_RE.sub("", text)
    if not text.strip() or "<" not in text:
        return None
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError):
        return None
    return doc


def _page_base(doc: lxml.html.HtmlElement, base_url: str) -> str:
    """The document's <base href> resolved against the page URL, else the page URL."""
    for base in doc.iter("base"):
        href = _clean_href(base.get("href"))
        if href:
            return urljoin(base_url, href)
    return base_url


_HREF_BREAK_RE = re.compile(r"\s*[\t\r\n]\s*")


def _clean_href(href: str | None) -> str:
    """Href trimmed, with template line breaks (and their indentation) removed.

    CMS templates often wrap long hrefs over lines; a lone inner space is kept, encoded.
    """
    if not href:
        return ""
    href = href.strip()
    if "\t" in href or "\r" in href or "\n" in href:  # rare: skip the regex otherwise
        href = _HREF_BREAK_RE.sub("", href)
    return href.replace(" ", "%20")


_BAD_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:")


def _resolve(href: str | None, base: str) -> str | None:
    """Absolute URL without fragment, or None for links that lead nowhere useful."""
    href = _clean_href(href)
    if not href or href.startswith("#") or href.lower().startswith(_BAD_SCHEMES):
        return None
    try:
        url = urldefrag(urljoin(base, href))[0]
    except ValueError:  # e.g. malformed IPv6 hosts
        return None
    return url or None


_SKIP_TEXT_TAGS = {"script", "style", "noscript", "template", "textarea", "select"}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "label",
}  # fmt: skip


def _visible_text(root: etree._Element, skip: Iterable[etree._Element] = (),
                  spans: dict[etree._Element, tuple[int, int]] | None = None) -> str:
    """Text of an element with line breaks at block boundaries; skips scripts and `skip`.

    ``spans``: elements to locate; each one shown gets its (start, end) in the text.
    Iterative (iterwalk), so deeply nested junk cannot exhaust the recursion limit.
    """
    if len(root) == 0 and not skip and spans is None:
        # A leaf (most links and dates): its own text, no walk. Comments and processing
        # instructions are children too, so a leaf has none.
        tag = root.tag.lower() if isinstance(root.tag, str) else ""
        if tag in _SKIP_TEXT_TAGS:
            return ""
        return (root.text or "") + ("\n" if tag in _BLOCK_TAGS else "")
    skipped = set(skip)
    parts: list[str] = []
    located: dict[etree._Element, list[int]] = {}  # element -> [first part, end part]
    hidden = 0  # depth inside a skipped subtree
    # Comments and processing instructions get their own event; their tails are still text.
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not hidden and el is not root and el.tail:
                parts.append(el.tail)
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        is_hidden = el in skipped or tag in _SKIP_TEXT_TAGS
        if event == "start":
            if is_hidden:
                hidden += 1
            elif not hidden:
                if spans is not None and el in spans:
                    located[el] = [len(parts), len(parts)]
                if el.text:
                    parts.append(el.text)
            continue
        if is_hidden:
            hidden -= 1
        if not hidden:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el in located:
                located[el][1] = len(parts)
            if el is not root and el.tail:
                parts.append(el.tail)
    if spans is not None:
        offsets = [0, *accumulate(map(len, parts))]
        for el, (first, end) in located.items():
            spans[el] = (offsets[first], offsets[end])
    return "".join(parts)


# ---------------------------------------------------------------------------
# Generic list detection
# ---------------------------------------------------------------------------

_NOT_TITLES = {
    "更多", "more", "首页", "上一页", "下一页", "上页", "下页", "尾页", "末页", "返回",
    "打印", "关闭", "返回顶部", "返回首页", "关闭窗口", "打印本页", "加入收藏", "设为首页",
    "查看", "详情", "查看详情", "阅读全文", "点击下载", "附件下载", "网站地图", "联系我们",
    "网站无障碍", "无障碍", "关怀版", "登录", "注册", "english", "next", "prev", "previous",
    "home", "top", "首 页",
}  # fmt: skip
_TITLE_STRIP = " \t[]【】()（）<>《》«»‹›·•.…:：|/>"
# Words in class/id values that mark page chrome rather than content lists.
_CHROME_TOKENS = {
    "nav", "navbar", "navigation", "menu", "menus", "submenu", "header", "head", "footer",
    "foot", "crumb", "crumbs", "breadcrumb", "breadcrumbs", "link", "links", "friendlink",
    "yqlj", "bottom", "top", "topbar", "sitemap", "copyright",
}  # fmt: skip
_CHROME_TAGS = {"nav", "header", "footer"}
_RECORD_TAGS = {"li", "tr", "dd", "dt"}
_COLUMN_PAGE_RE = re.compile(r"(?:^|/)(?:index|list|default|main|more)[_\-\d]*\.\w+$", re.I)
_TRUNCATED_RE = re.compile(r"(?:…|\.{2,}|。{2,})\s*$")
_TOKEN_SPLIT_RE = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def _looks_like_title(text: str) -> bool:
    """Link text that can be an entry title rather than a control or a menu label."""
    if len(text) < 4:
        return False
    core = text.strip(_TITLE_STRIP).lower()
    if len(core) < 4 or core in _NOT_TITLES or core.startswith(("更多", "more")):
        return False
    if "下载" in core and len(core) <= 6:
        return False
    compact = re.sub(r"\s", "", core)
    # Page numbers and bare dates are not titles.
    return not re.fullmatch(r"[\d\-/.:年月日]+", compact)


def _tokens(value: str | None) -> set[str]:
    """Lower-cased words of a class/id value, splitting on punctuation and camelCase."""
    if not value:
        return set()
    return {part.lower() for part in _TOKEN_SPLIT_RE.split(value) if part}


def _is_chrome(el: etree._Element | None) -> bool:
    """Whether el or an ancestor is navigation, header, footer, breadcrumb or link area."""
    while el is not None and isinstance(el.tag, str) and el.tag not in ("body", "html"):
        if el.tag.lower() in _CHROME_TAGS:
            return True
        if _tokens(el.get("class")) & _CHROME_TOKENS or _tokens(el.get("id")) & _CHROME_TOKENS:
            return True
        el = el.getparent()
    return False


def _entry_title(link: etree._Element, text: str | None = None) -> str:
    """Link text, or its title attribute when the text is visibly truncated.

    ``text``: the link's normalised visible text, when the caller has it already.
    """
    if text is None:
        text = _norm_space(_visible_text(link))
    attr = _norm_space(link.get("title") or "")
    if not text:
        return attr
    cut = _TRUNCATED_RE.search(text)
    if attr and cut and len(attr) > len(text[: cut.start()].rstrip()):
        return attr
    return text


# A date closing a link text: "标题 2021-08-30", "标题[08-30]", "标题（2021年8月30日）".
_TRAILING_DATE_RE = re.compile(
    r"[\s\[(（【]*"
    r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[\sT]+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?"
    r"|\d{1,2}[-/]\d{2}"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"[\])）】\s]*$"
)


def _title_and_date(title: str, reference: date) -> tuple[str, date | None]:
    """Split a date written at the end of a link text from the title."""
    half = to_halfwidth(title)  # same length as title: the mapping is one char to one char
    match = _TRAILING_DATE_RE.search(half)
    if not match:
        return title, None
    # Re-scan in context so the usual boundary checks see the preceding characters.
    found = _scan(half, reference, start=match.start(1))
    if not found or found.start != match.start(1):
        return title, None
    stripped = title[: match.start()].rstrip()
    return (stripped or title), found.moment.date()


def _link_date(link: etree._Element, reference: date) -> tuple[str, date] | None:
    """A date the title link prints in an element of its own, before or after the title
    (``<a><span>标题</span><span>2019-12-16</span></a>``): the link text without it, and
    the date."""
    for el in link.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        text = to_halfwidth(_norm_space(_visible_text(el))).strip(" []【】()")
        if not text or len(text) > 24:  # a date with its time of day is shorter
            continue
        hit = _scan(text, reference)
        if hit is not None and hit.start == 0 and hit.end == len(text):
            return _norm_space(_visible_text(link, skip=[el])), hit.moment.date()
    return None


def _dated(printed: date | None, url: str, reference: date) -> tuple[date | None, str | None]:
    """An entry's date and its evidence: the date its row prints, else its URL's date."""
    if printed is not None:
        return printed, DATE_ROW
    from_url = _date_from_url(url, reference)
    return (from_url, DATE_URL) if from_url else (None, None)


@dataclass
class _Record:
    element: etree._Element
    link: etree._Element
    url: str
    title: str
    published_on: date | None
    date_source: str | None


class _Detector:
    """Finds the main repeated list of links on a page.

    ``scope`` limits it to the links inside one element (the list container a column's
    earlier page used, see ``records_in``); the whole document by default.
    """

    def __init__(self, doc: lxml.html.HtmlElement, base: str, reference: date,
                 scope: etree._Element | None = None) -> None:
        self.doc = doc
        self.base = base
        self.reference = reference
        self.links: dict[etree._Element, tuple[str, str]] = {}  # link -> (url, title)
        self.marked: set[etree._Element] = set()  # elements that contain a title link
        self.heads: dict[etree._Element, list[str] | None] = {}  # table -> column headers
        for link in (doc if scope is None else scope).iter("a"):
            # Cheap tests first: resolving the URL costs most, so it comes last.
            href = link.get("href")
            if not href:
                continue
            # Only links with visible text can be titles (icon links are controls).
            text = _norm_space(_visible_text(link))
            if not text:
                continue
            title = _entry_title(link, text)
            if not _looks_like_title(title):
                continue
            url = _resolve(href, base)
            if not url:
                continue
            self.links[link] = (url, title)
            node: etree._Element | None = link
            while node is not None and node not in self.marked:
                self.marked.add(node)
                node = node.getparent()

    def _repeats(self, el: etree._Element) -> bool:
        """Whether el has at least one same-tag sibling that also holds a title link."""
        parent = el.getparent()
        if parent is None:
            return False
        count = 0
        for sibling in parent:
            if sibling.tag == el.tag and sibling in self.marked:
                count += 1
                if count >= 2:
                    return True
        return False

    def _record_of(self, link: etree._Element) -> etree._Element | None:
        """Nearest ancestor-or-self that is one entry of a repeated structure."""
        el: etree._Element | None = link
        while el is not None and el is not self.doc:
            parent = el.getparent()
            if parent is None:
                return None
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag in _RECORD_TAGS:
                return el
            # Inside an <li>/<tr> the list item itself is the record, even when it holds
            # several links (title plus attachment).
            if parent.tag not in _RECORD_TAGS and self._repeats(el):
                return el
            el = parent
        return None

    def _column_heads(self, row: etree._Element) -> list[str] | None:
        """The header cells of a row's table (标题, 成文日期, 发布日期 …), when it has a
        header row: the first row, of <th> cells or without title links."""
        table = next((el for el in row.iterancestors() if el.tag == "table"), None)
        if table is None:
            return None
        if table not in self.heads:
            first = next((tr for tr in table.iter("tr")
                          if next(tr.iterancestors("table"), None) is table), None)
            heads = None
            if first is not None and first is not row and (
                    first.find("th") is not None or first not in self.marked):
                heads = [_norm_space(_visible_text(cell)) for cell in first
                         if cell.tag in ("td", "th")]
            self.heads[table] = heads
        return self.heads[table]

    def _row_text(self, record: etree._Element, link: etree._Element) -> str:
        """The record's text outside its title link, half-width. In a table with a header
        row each cell is labelled with its column's header, so a 发布日期 column is read as
        such and beats a 成文日期 column."""
        if record is link:
            return ""
        if record.tag == "tr":
            heads = self._column_heads(record)
            cells = [cell for cell in record if cell.tag in ("td", "th")]
            if heads and len(heads) == len(cells):
                return to_halfwidth("\n".join(
                    f"{head}:{_visible_text(cell, skip=[link])}"
                    for head, cell in zip(heads, cells, strict=True)))
        return to_halfwidth(_visible_text(record, skip=[link]))

    def _record_date(self, record: etree._Element, link: etree._Element, url: str,
                     link_date: date | None) -> tuple[date | None, str | None]:
        """The date the record prints (outside the title, inside the title link, or after a
        flat list's link), else the date in its URL; and which of the two it is."""
        found = _row_date(self._row_text(record, link), self.reference) or link_date
        if found is None:
            # Flat lists ("<a>…</a> 2021-08-30<br>") keep the date after the record: look
            # at its tail and a few following siblings, stopping at the next entry.
            trailing = [record.tail or ""]
            sibling = record.getnext()
            while sibling is not None and len(trailing) < 4 and sibling not in self.marked:
                if isinstance(sibling.tag, str):
                    trailing.append(_visible_text(sibling))
                    trailing.append(sibling.tail or "")
                sibling = sibling.getnext()
            found = _row_date(to_halfwidth("".join(trailing))[:80], self.reference)
        return _dated(found, url, self.reference)

    def _build(self, record: etree._Element) -> _Record | None:
        """Entry data for one record: the longest title link wins over category links."""
        candidates = (
            [record]
            if record in self.links
            else [el for el in record.iter("a") if el in self.links]
        )
        if not candidates:
            return None
        link = max(candidates, key=lambda el: len(self.links[el][1]))
        url = self.links[link][0]
        # A date inside the link belongs to this entry: in an element of its own, or glued
        # to the end of the link text. The title is the rest (or a@title when that is cut).
        own = _link_date(link, self.reference) if len(link) else None
        text, link_date = own or _title_and_date(_norm_space(_visible_text(link)),
                                                  self.reference)
        title = _entry_title(link, text)
        published, source = self._record_date(record, link, url, link_date)
        return _Record(record, link, url, title, published, source)

    def groups(self) -> list[list[_Record]]:
        """Records grouped by their list container, adjacent twin containers merged."""
        seen: set[etree._Element] = set()
        by_parent: dict[etree._Element, list[etree._Element]] = {}
        for link in self.links:
            record = self._record_of(link)
            if record is None or record in seen:
                continue
            seen.add(record)
            parent = record.getparent()
            if parent is not None:
                by_parent.setdefault(parent, []).append(record)
        merged = self._merge_twins(by_parent)
        result = []
        for records in merged:
            built = [rec for rec in (self._build(el) for el in records) if rec]
            if built:
                result.append(built)
        return result

    def records_in(self, container: etree._Element) -> list[_Record]:
        """The records ``groups`` would find with ``container`` as their parent.

        Records, their dates and titles depend only on elements inside their container, so
        a detector scoped to the container finds the same ones as a whole-page detector.
        """
        seen: set[etree._Element] = set()
        records = []
        for link in self.links:
            record = self._record_of(link)
            if record is None or record in seen or record.getparent() is not container:
                continue
            seen.add(record)
            records.append(record)
        return [rec for rec in (self._build(el) for el in records) if rec]

    def _merge_twins(
        self, by_parent: dict[etree._Element, list[etree._Element]]
    ) -> list[list[etree._Element]]:
        """Join lists split into consecutive same-looking containers (5 <li> per <ul>)."""
        done: set[etree._Element] = set()
        merged: list[list[etree._Element]] = []
        for parent, records in by_parent.items():
            if parent in done:
                continue
            done.add(parent)
            run = list(records)
            grand = parent.getparent()
            if grand is not None:
                key = (parent.tag, parent.get("class"), records[0].tag)
                sibling = parent.getnext()
                while sibling is not None:
                    if (
                        sibling in by_parent
                        and sibling not in done
                        and (sibling.tag, sibling.get("class"), by_parent[sibling][0].tag) == key
                    ):
                        done.add(sibling)
                        run.extend(by_parent[sibling])
                    elif sibling in self.marked:
                        break  # a different block with links ends the run
                    sibling = sibling.getnext()
            # Containers are visited in document order and twins only follow, so `run`
            # is already in page order.
            merged.append(run)
        return merged

    def best(self) -> list[_Record]:
        """The main list: dated, numerous, article-like entries score highest."""
        scored = []
        for records in self.groups():
            container = records[0].element.getparent()
            score = sum(_record_weight(rec) for rec in records)
            avg_len = sum(len(rec.title) for rec in records) / len(records)
            scored.append((_is_chrome(container), score, len(records), avg_len, records))
        content = [item for item in scored if not item[0]]
        if not content:
            # A portal may wrap everything in an unlucky class; dated lists still count.
            content = [item for item in scored if any(r.published_on for r in item[4])]
        if not content:
            return []
        return max(content, key=lambda item: item[1:4])[4]


def _record_weight(rec: _Record) -> float:
    """Score of one entry: dates count most; short menu-like labels and column links little."""
    weight = 3.0 if rec.published_on else 1.0
    weight *= min(1.0, (len(rec.title) / 10) ** 2)
    path = urlsplit(rec.url).path
    if not path or path.endswith("/") or _COLUMN_PAGE_RE.search(path):
        weight *= 0.5
    return weight


# ---------------------------------------------------------------------------
# Selector-driven extraction
# ---------------------------------------------------------------------------


def _is_xpath(expr: str) -> bool:
    return expr.startswith(("/", "(", "./"))


def _select(node: etree._Element, expr: str, *, within: bool) -> list[object]:
    """Apply a CSS or XPath selector; XPath may return strings (text(), @attr)."""
    try:
        if _is_xpath(expr):
            if within and expr.startswith("/"):
                expr = "." + expr  # "//span" inside an item means the item's spans
            result = node.xpath(expr)
            return list(result) if isinstance(result, list) else [result]
        return list(node.cssselect(expr))
    # cssselect reports syntax errors as SyntaxError and unsupported features (pseudo
    # elements, bad nth-child series) as RuntimeError subclasses.
    except (etree.XPathError, ValueError, SyntaxError, RuntimeError) as exc:
        raise ValueError(f"invalid selector {expr!r}: {exc}") from exc


def _as_text(value: object) -> str:
    if isinstance(value, etree._Element):
        return _norm_space(_visible_text(value))
    return _norm_space(str(value))


def _first_text_link(item: etree._Element) -> etree._Element | None:
    for link in item.iter("a"):
        if link.get("href") and _norm_space(_visible_text(link)):
            return link
    return None


def _extract_with_selectors(
    doc: lxml.html.HtmlElement, base: str, reference: date, selectors: ListSelectors
) -> list[ListEntry]:
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in _select(doc, selectors.item, within=False):
        if not isinstance(item, etree._Element):
            continue
        title_value: object | None
        if selectors.title:
            found = _select(item, selectors.title, within=True)
            title_value = found[0] if found else None
        else:
            title_value = _first_text_link(item)
        if selectors.link:
            found = _select(item, selectors.link, within=True)
            link_value = found[0] if found else None
        elif isinstance(title_value, etree._Element) and title_value.get("href"):
            link_value = title_value
        else:
            link_value = _first_text_link(item)
        if isinstance(link_value, etree._Element):
            href = link_value.get("href")
            if href is None:
                inner = next((a for a in link_value.iter("a") if a.get("href")), None)
                href = inner.get("href") if inner is not None else None
        else:
            href = str(link_value) if link_value is not None else None  # e.g. "./a/@href"
        url = _resolve(href, base)
        if not url or url in seen:
            continue
        seen.add(url)
        if isinstance(title_value, etree._Element):
            title = _entry_title(title_value)
        else:
            title = _as_text(title_value) if title_value is not None else ""
        if not title and isinstance(link_value, etree._Element):
            title = _entry_title(link_value)
        if selectors.date:
            date_text = " ".join(_as_text(v) for v in _select(item, selectors.date, within=True))
        else:  # the item's text but its title, which may end in a word like 时间
            skip = [title_value] if isinstance(title_value, etree._Element) else []
            date_text = _visible_text(item, skip=skip)
        printed = _row_date(to_halfwidth(date_text), reference)
        if printed is None and not selectors.date:
            printed = _title_and_date(title, reference)[1]
        published, source = _dated(printed, url, reference)
        entries.append(ListEntry(url, title, published, source))
    return entries


# ---------------------------------------------------------------------------
# Public list / pagination / article API
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    """A column page parsed once, so list detection and pagination read the same tree."""

    doc: lxml.html.HtmlElement
    url: str  # the page's own URL
    base: str  # what its relative links resolve against (<base href>, else url)


def parse_list_page(html: str | bytes, base_url: str) -> ListPage | None:
    """The parsed page, or None for empty, binary or unparsable input."""
    doc = _parse(html)
    if doc is None:
        return None
    return ListPage(doc, base_url, _page_base(doc, base_url))


@dataclass(frozen=True)
class ListLayout:
    """Where the generic detector found a column's list: its container element.

    A column's pages come from one template, so its later pages are read there first
    (``list_entries``) instead of weighing every repeated block of the page again.
    """

    container: str  # ElementTree path of the container, e.g. /html/body/div[2]/ul
    container_class: str | None  # checked too: the path alone may land on another block


def extract_list(
    html: str | bytes,
    base_url: str,
    reference: date,
    selectors: ListSelectors | None = None,
) -> list[ListEntry]:
    """Entries of the main list on a column page, in page order, deduplicated by URL.

    With `selectors` they are applied literally (an invalid selector raises ValueError);
    otherwise a generic detector picks the best repeated block of dated links.
    """
    page = parse_list_page(html, base_url)
    if page is None:
        return []
    return list_entries(page, reference, selectors)[0]


def list_entries(
    page: ListPage,
    reference: date,
    selectors: ListSelectors | None = None,
    layout: ListLayout | None = None,
) -> tuple[list[ListEntry], ListLayout | None]:
    """Entries of the page's main list (as ``extract_list``) and the layout they sat in.

    With ``layout`` (learned on an earlier page of the same column) the list is read in
    that container first; full detection runs when the container is gone or yields fewer
    than a few entries. The layout returned is None when the list cannot be located that way
    (operator selectors, lists split over several containers).
    """
    if selectors is not None:
        return _extract_with_selectors(page.doc, page.base, reference, selectors), None
    if layout is not None:
        container = _layout_container(page.doc, layout)
        if container is not None:
            scoped = _Detector(page.doc, page.base, reference, scope=container)
            records = scoped.records_in(container)
            if len(records) >= _LAYOUT_MIN_RECORDS:
                return _unique_entries(records), layout
    records = _Detector(page.doc, page.base, reference).best()
    return _unique_entries(records), _layout_of(records)


def _unique_entries(records: list[_Record]) -> list[ListEntry]:
    """Records as entries, in page order, the first of each URL kept."""
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for rec in records:
        if rec.url in seen:
            continue
        seen.add(rec.url)
        entries.append(ListEntry(rec.url, rec.title, rec.published_on, rec.date_source))
    return entries


# A layout is learned from, and trusted for, lists of at least this many records: one or
# two links in a generic block (body, a wrapper div) say little about where the list is.
_LAYOUT_MIN_RECORDS = 3


def _layout_of(records: list[_Record]) -> ListLayout | None:
    """The layout of a detected list, when all its records share one container."""
    if len(records) < _LAYOUT_MIN_RECORDS:
        return None
    container = records[0].element.getparent()
    if container is None or any(rec.element.getparent() is not container for rec in records):
        return None  # twin containers merged: the detector's merge rules are needed
    return ListLayout(container.getroottree().getpath(container), container.get("class"))


def _layout_container(doc: lxml.html.HtmlElement, layout: ListLayout) -> etree._Element | None:
    """The layout's container on this page, unless it is missing, changed or has twins."""
    found = doc.getroottree().xpath(layout.container)
    if len(found) != 1 or not isinstance(found[0], etree._Element):
        return None
    container = found[0]
    if container.get("class") != layout.container_class:
        return None
    # Same-looking sibling blocks may be one list split in two: leave that to full detection.
    key = (container.tag, layout.container_class)
    for preceding in (False, True):
        for sibling in container.itersiblings(preceding=preceding):
            if (sibling.tag, sibling.get("class")) == key:
                return None
    return container


_NEXT_TEXTS = {"下一页", "下页", "下一頁", "下一张", ">", ">>", "›", "»", "next", "next page"}


def find_next_page(html: str | bytes, base_url: str) -> str | None:
    """Absolute URL of the next list page (link text 下一页 / 下页 / > / next), or None."""
    page = parse_list_page(html, base_url)
    return next_page_link(page) if page is not None else None


def next_page_link(page: ListPage) -> str | None:
    """``find_next_page`` on an already parsed page."""
    doc, base = page.doc, page.base
    current = urldefrag(page.url)[0]
    for link in doc.iter("a"):
        text = _norm_space(to_halfwidth(_visible_text(link))).lower()
        core = text.strip(" []【】()（）<>«»‹›")
        title = _norm_space(link.get("title") or "").lower()
        if not (text in _NEXT_TEXTS or core in _NEXT_TEXTS or title in {"下一页", "next page"}):
            continue
        url = _resolve(link.get("href"), base)
        if url and url != current:
            return url
    return None


_META_PUBLISHED = (
    "pubdate",
    "publishdate",
    "publish_date",
    "firstpublishedtime",
    "article:published_time",
    "og:article:published_time",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "originalpublicationdate",
    "datepublished",
)
_META_MODIFIED = ("lastmodifiedtime", "article:modified_time", "datemodified")
_META_TITLES = ("articletitle", "og:title")  # TRS writes ArticleTitle
_WECHAT_CT_RE = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{10})["']?""")
_CHINA_TZ = timezone(timedelta(hours=8))  # China has kept UTC+8 without DST since 1991


def _meta_values(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """The page's meta tags, by lower-cased name (or property, or itemprop); first wins."""
    values: dict[str, str] = {}
    for meta in doc.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop") or ""
        key = key.strip().lower()
        if key and key not in values and meta.get("content"):
            values[key] = meta.get("content", "")
    return values


def _meta_date(values: dict[str, str], names: tuple[str, ...], reference: date) -> date | None:
    for name in names:
        if name in values:
            found = _find_full_date(values[name], reference)
            if found:
                return found
    return None


def _wechat_date(html_text: str, reference: date) -> date | None:
    """WeChat articles render the date by script from `var ct = "<unix time>"`."""
    match = _WECHAT_CT_RE.search(html_text)
    if not match:
        return None
    moment = datetime.fromtimestamp(int(match.group(1)), _CHINA_TZ).date()
    return _make_date(moment.year, moment.month, moment.day, reference)


def _page_urls(doc: lxml.html.HtmlElement, url: str | None) -> list[str]:
    urls = [url] if url else []
    urls += [el.get("href", "") for el in doc.iter("link") if el.get("rel") == "canonical"]
    urls += [el.get("content", "") for el in doc.iter("meta") if el.get("property") == "og:url"]
    return urls


def _main_text(doc: lxml.html.HtmlElement) -> str:
    """Page text without <head>, scripts and obvious chrome (nav, header, footer, menus)."""
    root = doc
    head = doc.find("head")
    chrome = [head] if head is not None else []
    for el in root.iter():
        if el is root or not isinstance(el.tag, str):
            continue
        if el.tag.lower() in _CHROME_TAGS or (
            (_tokens(el.get("class")) | _tokens(el.get("id")))
            & {"nav", "navbar", "menu", "header", "footer", "crumb", "breadcrumb"}
        ):
            chrome.append(el)
    return _visible_text(root, skip=chrome)


# ---------------------------------------------------------------------------
# Article dates: what the page prints by the article's title first
# ---------------------------------------------------------------------------

_TITLE_SPLIT_RE = re.compile(r"[|_\-—–·:]+")
_NOT_TITLE_TAGS = {"a", "title", "option", "select", "textarea"} | _SKIP_TEXT_TAGS
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _compact(text: str) -> str:
    """Half-width text without any whitespace, for comparing titles."""
    return "".join(to_halfwidth(text).split())


def _title_element(doc: lxml.html.HtmlElement, names: list[str]) -> etree._Element | None:
    """The element that prints the article's title: the longest one whose text is one of
    ``names`` (the page's <title>, its ArticleTitle or og:title meta tag, the title the list
    showed) or most of it, outside links; on a tie, content beats menus and headings win.

    It anchors the article's header: the site's banner repeats the site name the <title>
    carries too, but never the article's title.
    """
    titles = [t for t in map(_compact, names) if len(t) >= 4]
    if not titles:
        return None
    # The site name beside the title in <title> ("标题_某某县人民政府") is not enough.
    need = max(4, int(0.6 * max(len(part) for t in titles for part in _TITLE_SPLIT_RE.split(t))))
    body = doc.find("body")
    root = body if body is not None else doc
    seen: set[etree._Element] = set()
    best: tuple[tuple[int, bool, bool, int], etree._Element] | None = None
    # Text nodes rather than elements: few carry text, and a title wrapped in template
    # comments (<b><!-- 标题 begin -->标题<!-- end --></b>) is a comment's tail.
    for order, chunk in enumerate(root.xpath(".//text()")):
        if not chunk.strip():
            continue
        own = _compact(chunk)
        if len(own) < 2 or not any(own in t for t in titles):
            continue
        el = chunk.getparent()
        if chunk.is_tail and el is not None:
            el = el.getparent()
        if (el is None or el in seen or not isinstance(el.tag, str)
                or el.tag.lower() in _NOT_TITLE_TAGS):
            continue
        seen.add(el)
        if next(el.iterancestors("a"), None) is not None:
            continue  # a link to an article: a sidebar or a related-articles box
        node, text = el, _compact(el.text_content())
        if not any(text in t for t in titles):
            continue
        parent = node.getparent()
        while parent is not None and parent is not root:  # <h1><span>标题</span></h1>
            wider = _compact(parent.text_content())
            if not any(wider in t for t in titles):
                break
            node, text, parent = parent, wider, parent.getparent()
        key = (len(text), not _is_chrome(node), node.tag in _HEADINGS, -order)
        if len(text) >= need and (best is None or key > best[0]):
            best = (key, node)
    return best[1] if best else None


# Class/id words of the elements a script writes the current time into (JS clocks).
_CLOCK_TOKENS = {"clock", "jsclock", "today", "nowtime", "nowdate", "curtime", "curdate",
                 "currenttime", "currentdate", "systime", "servertime"}
_CLOCK_PREFIXES = {"now", "cur", "current", "sys", "system", "server"}


def _is_clock(names: set[str]) -> bool:
    return bool(names & _CLOCK_TOKENS) or bool(
        names & _CLOCK_PREFIXES and names & {"time", "date"})


# A list row holds little text besides its title link: a date, a source, a hit count.
_ROW_EXTRA_TEXT = 40


def _is_list_row(el: etree._Element) -> bool:
    """Whether el (an li, tr, dd or dt) is a row of a list of articles: a link with a title
    and little else. A table cell that lays out the whole article holds far more text."""
    links = [a for a in el.iter("a")
             if a.get("href") and _looks_like_title(_norm_space(a.text_content()))]
    if not links:
        return False
    extra = _nonspace(el.text_content()) - sum(_nonspace(a.text_content()) for a in links)
    return extra <= _ROW_EXTRA_TEXT


Span = tuple[int, int]


def _within(spans: list[Span], pos: int) -> bool:
    return any(start <= pos < end for start, end in spans)


@dataclass(frozen=True)
class _ArticlePage:
    """An article page's visible text (half-width, without <head>), its dates, and where the
    parts that tell them apart are."""

    text: str
    hits: list[_Hit]
    title: Span | None  # the article's title
    chrome: list[Span]  # the site's banner, nav, breadcrumb, footer (not the article's header)
    rows: list[Span]  # rows of lists of other articles: a sidebar, 相关稿件, 上一篇/下一篇
    clocks: list[Span]  # elements a script writes the time into


def _article_page(doc: lxml.html.HtmlElement, reference: date,
                  titles: list[str]) -> _ArticlePage:
    title = _title_element(doc, titles)
    # A header or top block that holds the article's title is the article's header, not
    # the page's chrome.
    holds_title = set() if title is None else {title, *title.iterancestors()}
    roles: dict[etree._Element, str] = {}
    for el in doc.iter():
        if not isinstance(el.tag, str) or el in holds_title:
            continue
        names = _tokens(el.get("class")) | _tokens(el.get("id"))
        tag = el.tag.lower()
        if _is_clock(names):
            roles[el] = "clock"
        elif tag in _CHROME_TAGS or names & _CHROME_TOKENS:
            roles[el] = "chrome"
        elif tag in _RECORD_TAGS and _is_list_row(el):
            roles[el] = "row"
    spans: dict[etree._Element, Span] = dict.fromkeys(roles, (-1, -1))
    if title is not None:
        spans[title] = (-1, -1)
    head = doc.find("head")
    # The whole document but <head>: templates that emit a stray </html> leave the article
    # outside <body>.
    text = to_halfwidth(_visible_text(doc, skip=[head] if head is not None else [],
                                      spans=spans))
    shown = {el: span for el, span in spans.items() if span[0] >= 0}

    def where(role: str) -> list[Span]:
        return [span for el, span in shown.items() if roles.get(el) == role]

    return _ArticlePage(text, _hits(text, reference),
                        shown.get(title) if title is not None else None,
                        where("chrome"), where("row"), where("clock"))


# Page furniture around a date without a publish label: a clock's weekday after it, or the
# footer's copyright, record numbers and visitor counters before it on its line.
_WEEKDAY_RE = re.compile(r"\s*(?:星期|礼拜|周)[一二三四五六日天]")
_FOOTER_RE = re.compile(
    r"©|\(c\)|copyright|版权所有|icp|备案|网站标识码|公网安备|技术支持|访问量|访问人次|访客"
    r"|浏览量|浏览次数|点击量|点击数|计数",
    re.I,
)


def _date_kind(page: _ArticlePage, hit: _Hit) -> str:
    """What a date of the article page is: its label's kind, or _FURNITURE when a clock, the
    footer or a visitor counter prints it."""
    if _within(page.clocks, hit.start):
        return _FURNITURE
    kind = _label_kind(page.text, hit.start)
    if kind in (_PLAIN, _GENERIC):
        if _WEEKDAY_RE.match(page.text, hit.end):
            return _FURNITURE
        line_start = page.text.rfind("\n", 0, hit.start) + 1
        if _FOOTER_RE.search(page.text, max(line_start, hit.start - 60), hit.start):
            return _FURNITURE
    return kind


# How far the article's header reaches, in non-space characters: above the title a 信息公开
# table (索引号 … 发布日期), below it the byline (来源 … 发布时间 … 浏览次数).
_HEADER_ABOVE = 300
_HEADER_BELOW = 150


def _in_header(page: _ArticlePage, pos: int) -> bool:
    """Whether ``pos`` is in the article's header: near its title, no sentence between."""
    if page.title is None:
        return False
    top, bottom = page.title
    if pos >= bottom:
        start, end, limit = bottom, pos, _HEADER_BELOW
    elif pos < top:
        start, end, limit = pos, top, _HEADER_ABOVE
    else:
        return False
    if end - start > 40 * limit:  # far away however much whitespace there is
        return False
    between = page.text[start:end]
    return "。" not in between and _nonspace(between) <= limit


_META_TABLE_RE = re.compile(
    r"索\s*引\s*号|发文字号|发文机关|发布机构|公开方式|主题分类|信息分类|组配分类"
)


def _in_metadata_table(page: _ArticlePage, hit: _Hit) -> bool:
    """Whether the date belongs to a 信息公开 metadata table (索引号, 发布机构 … fields)."""
    for name in _META_TABLE_RE.finditer(page.text, max(0, hit.start - 2000), hit.end + 2000):
        if name.end() <= hit.start:
            start, end = name.end(), hit.start
        else:
            start, end = hit.end, name.start()
        if _nonspace(page.text[start:end]) <= 120:
            return True
    return False


# A byline date stands alone on its line, or before the byline's next field (来源：…).
_BYLINE_NEXT_RE = re.compile(r"[|丨/【\[(]|[\u4e00-\u9fff]{1,8}:")
_SENTENCE_MARKS_RE = re.compile(r"[,;，。、；]")


def _stands_alone(text: str, end: int) -> bool:
    line_end = text.find("\n", end)
    tail = text[end : line_end if line_end >= 0 else len(text)].strip()
    return (not tail or _BYLINE_NEXT_RE.match(tail) is not None
            or (len(tail) <= 16 and not _SENTENCE_MARKS_RE.search(tail)))


def _printed_date(page: _ArticlePage) -> tuple[date, str] | None:
    """The publish date the article page prints, and where.

    In order: a publish-labelled date (发布日期, 发布时间 …; the one in the article's header or
    信息公开 table first); a date right under the title, unlabelled (a byline) or with a bare
    时间/日期; a document date (成文日期, 生成日期 …). Never the page's furniture, a date of
    another kind (报名时间, 截止日期 …), or a date in a list of other articles.
    """
    best: tuple[int, _Hit, str, bool] | None = None
    for hit in page.hits:
        kind = _date_kind(page, hit)
        header = _in_header(page, hit.start)
        if kind in (_OTHER, _FURNITURE):
            continue
        if _within(page.rows, hit.start) and (kind == _PLAIN or not header):
            continue  # another article's date (a labelled one by the title: a table's)
        if kind == _PUBLISH:
            rank = 0 if header or _in_metadata_table(page, hit) else 1
        elif kind == _GENERIC and (header or page.title is None):
            rank = 2  # without a title to go by, a bare 时间 anywhere, as before
        elif (kind == _PLAIN and header and hit.full and page.title is not None
              and hit.start >= page.title[1] and _stands_alone(page.text, hit.end)):
            rank = 2
        elif kind == _DOCUMENT:
            rank = 3
        else:
            continue
        if best is None or rank < best[0]:
            best = (rank, hit, kind, header)
            if rank == 0:
                break
    if best is None:
        return None
    _, hit, kind, header = best
    if kind == _PLAIN:
        source = DATE_ARTICLE_BYLINE
    elif _in_metadata_table(page, hit):
        source = DATE_ARTICLE_TABLE
    else:
        source = DATE_ARTICLE_HEADER if header else DATE_ARTICLE_LABEL
    return hit.moment.date(), source


def _is_guess_ok(found: date, reference: date) -> bool:
    """A guessed date within a day of the crawl is most likely the page's clock, not the
    article's date: a stale column must not look fresh."""
    return found < reference - timedelta(days=1)


def _text_date(page: _ArticlePage, reference: date) -> date | None:
    """A guess: the first unlabelled full date of the page's own text, outside its chrome,
    its furniture and lists of other articles."""
    for hit in page.hits:
        if (hit.full and not _within(page.chrome, hit.start) and not _within(page.rows, hit.start)
                and _date_kind(page, hit) == _PLAIN and _is_guess_ok(hit.moment.date(), reference)):
            return hit.moment.date()
    return None


@dataclass(frozen=True)
class ArticleDate:
    """An article page's publish date and the evidence it was read from (a DATE_* value)."""

    published_on: date | None
    date_source: str | None


def article_date(html: str | bytes, reference: date, url: str | None = None,
                 title: str | None = None) -> ArticleDate:
    """Publication date of an article page, and where it was read.

    Order: what the page prints (``_printed_date``: its 发布日期 or 发布时间, a byline under
    the title, its 成文日期); publication meta tags; WeChat's script timestamp; a date in the
    page URL (`url`, canonical link or og:url); a last-modified meta tag; then guesses, each
    only when not within a day of `reference`: the first full date of the text, htmldate's
    heuristics. ``title`` (the title the list showed) helps find the article's title on the
    page. Both None when nothing is found: an undated article, not a wrong date.
    """
    doc = _parse(html)
    if doc is None:
        return ArticleDate(None, None)
    metas = _meta_values(doc)
    titles = [title or "", *(el.text_content() for el in doc.iter("title")),
              *(metas.get(name, "") for name in _META_TITLES)]
    page = _article_page(doc, reference, titles)
    # The printed date comes first: it is what the assessment team sees, and portals
    # re-stamp meta PubDate on batch republishing, which would make a stale column look fresh.
    printed = _printed_date(page)
    if printed:
        return ArticleDate(*printed)
    found = _meta_date(metas, _META_PUBLISHED, reference)
    if found is None:
        raw_text = html.decode("latin-1") if isinstance(html, bytes | bytearray) else html
        found = _wechat_date(raw_text, reference) if "var ct" in raw_text else None
    if found:
        return ArticleDate(found, DATE_META)
    for page_url in _page_urls(doc, url):
        found = _date_from_url(page_url, reference)
        if found:
            return ArticleDate(found, DATE_URL)
    found = _meta_date(metas, _META_MODIFIED, reference)
    if found:
        return ArticleDate(found, DATE_META)
    found = _text_date(page, reference) or _htmldate_fallback(doc, page, reference)
    return ArticleDate(found, DATE_FALLBACK if found else None)


def extract_article_date(html: str | bytes, reference: date, url: str | None = None,
                         title: str | None = None) -> date | None:
    """``article_date``'s date alone."""
    return article_date(html, reference, url, title).published_on


def _htmldate_fallback(doc: lxml.html.HtmlElement, page: _ArticlePage,
                       reference: date) -> date | None:
    """htmldate's heuristics, last: alone it misreads Chinese dates (it takes
    发布日期：2021年8月30日 for 2021-01-01), so it only speaks when our patterns found nothing.

    A date the page prints is never taken from it: had it been printed as the article's, it
    would have been found already, so htmldate read it off the furniture (最后更新, a clock,
    the footer) or an event. What it finds in markup (<time datetime>) is a guess like any."""
    try:
        from htmldate import find_date as htmldate_find
    except ImportError:  # optional at run time
        return None
    try:
        found = htmldate_find(doc, extensive_search=False, outputformat="%Y-%m-%d",
                              max_date=reference.isoformat())
    except Exception:  # htmldate raises on odd trees; a missing date is not an error
        return None
    if not found:
        return None
    parsed = date.fromisoformat(found)
    if any(hit.moment.date() == parsed for hit in page.hits):
        return None
    return parsed if _is_guess_ok(parsed, reference) else None


_NO_INTERPRETATION = re.compile(
    r"[^。！？\n]{0,80}不[作予]解读[^。！？\n]{0,120}[。！？]?"
    r"(?:\s*(?:理由|原因|依据)[^。！？\n]{0,160}[。！？]?)?"  # the reason often follows
)


def find_no_interpretation_statement(html: str | bytes) -> str | None:
    """The sentence in which a policy page says it will not be interpreted (不作解读 /
    不予解读, usually with its reason), or None."""
    doc = _parse(html)
    if doc is None:
        return None
    match = _NO_INTERPRETATION.search(_main_text(doc))
    return _norm_space(match.group(0)) if match else None


# ---------------------------------------------------------------------------
# Article body (正文): the text a policy rule reads for 文号 and cited names
# ---------------------------------------------------------------------------

BODY_LIMIT = ARTICLE_TEXT_LIMIT  # characters of an article's text kept (storage's bound)
MAX_ARTICLE_LINKS = 300
# Containers the CMSs of Chinese government portals put the article text in (TRS, Hanweb,
# gkmlpt, 大汉, 政务公开 templates); the first with text wins.
_BODY_HINTS = (
    "TRS_Editor", "TRS_UEDITOR", "zoom", "UCAP-CONTENT", "article-content", "articleContent",
    "article_content", "pages_content", "wzy_nr", "zw", "content-text", "main-text", "detail",
    "details", "article", "content", "text", "con", "view", "nr", "info-cont", "bt-article",
)
_BODY_HINT_RANK = {hint.lower(): k for k, hint in enumerate(_BODY_HINTS)}
_LABELLED_NUMBER = re.compile(
    r"(?:发文字号|发文文号|文\s*号)\s*[:：]\s*([\u4e00-\u9fa5]{1,12}\s*[〔\[【(（﹝]\s*\d{4}\s*"
    r"[〕\]】)）﹞]\s*第?\s*\d{1,4}\s*号)")
# A link labelled as the article's related document (相关解读, 政策原文, 原文链接, 查看解读):
# a short label, not the title of some other article in a "latest" list
_RELATED_LABEL = re.compile(r"^(?:相关|政策|查看|阅读|点击)?(?:解读|原文|文件|链接|附件|图解)"
                            r"(?:链接|材料|全文)?$")
_SIDE_TOKENS = {"side", "sidebar", "aside", "right", "left", "rank", "hot", "latest", "news",
                "list", "tab", "tabs", "recommend", "related_list"} | _CHROME_TOKENS


@dataclass(frozen=True)
class ArticleText:
    """An article page's text (bounded) and the links of its article part."""

    body: str
    links: list[str]
    found_container: bool


def _body_container(doc: lxml.html.HtmlElement) -> etree._Element | None:
    """The element holding the article's text: a known CMS container with text, else the
    element whose paragraphs hold the most text."""
    best: tuple[int, etree._Element] | None = None
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag.lower() in _CHROME_TAGS:
            continue
        names = {v.lower() for v in (el.get("id") or "", *(el.get("class") or "").split()) if v}
        ranks = [_BODY_HINT_RANK[n] for n in names if n in _BODY_HINT_RANK]
        if (ranks and (best is None or min(ranks) < best[0])
                and len(_norm_space(_visible_text(el))) >= 30):
            best = (min(ranks), el)
    if best is not None:
        return best[1]
    scores: dict[etree._Element, int] = {}
    for p in doc.iter("p"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(p.text_content() or "")
    if scores:
        parent, size = max(scores.items(), key=lambda kv: kv[1])
        if size >= 60:
            return parent
    return None


def _related_label(a: etree._Element) -> bool:
    """A 【相关解读】-style link outside the text block, not in a menu or a side list."""
    label = re.sub(r"[\s【】\[\]<>《》:：|｜>»]+", "", a.text_content() or "")
    if not _RELATED_LABEL.match(label):
        return False
    for el in a.iterancestors():
        if not isinstance(el.tag, str):
            continue
        if el.tag.lower() in ("nav", "aside", "header", "footer") or (
                (_tokens(el.get("class")) | _tokens(el.get("id"))) & _SIDE_TOKENS):
            return False
    return True


def article_text(html: str | bytes, base_url: str) -> ArticleText:
    """The text of an article page (its 正文 container, else the page without chrome),
    at most ``BODY_LIMIT`` characters, and the links of its article part.

    Links are those of the container and of its enclosing article block (a 【相关解读】 line
    under the text), plus links labelled as the related document (相关解读, 政策原文) elsewhere
    on the page; links in menus and side lists are left out, so a sidebar of the latest
    interpretations does not pass for a link between a policy and its interpretation.
    """
    doc = _parse(html)
    if doc is None:
        return ArticleText("", [], False)
    base = _page_base(doc, base_url)
    container = _body_container(doc)
    main = _main_text(doc)
    if container is None:
        text = main
        region: etree._Element = doc
    else:
        text = _visible_text(container)
        region = container
        parent = container.getparent()
        if parent is not None and parent.tag not in ("body", "html"):
            # the block around the text (title, info, related links — and the 文号 and
            # 成文日期 table of a policy page) when it is no bigger than the text plus its
            # furniture
            around = _visible_text(parent)
            if len(_norm_space(around)) <= len(_norm_space(text)) + 600:
                region, text = parent, around
    body = re.sub(r"[ \t\u3000\xa0]+", " ", text)
    body = re.sub(r"\s*\n\s*", "\n", body).strip()
    labelled = _LABELLED_NUMBER.search(main)
    if labelled and labelled.group(1) not in body[:600]:
        # the 文号 of a metadata table (发文字号：…) standing apart from the text
        body = f"文号：{labelled.group(1)}\n{body}"
    body = body[:BODY_LIMIT]
    links: list[str] = []
    seen: set[str] = set()
    in_region = set(region.iter("a"))
    for a in doc.iter("a"):
        if a not in in_region and not _related_label(a):
            continue
        url = _resolve(a.get("href"), base)
        if url and url not in seen:
            seen.add(url)
            links.append(url)
            if len(links) >= MAX_ARTICLE_LINKS:
                break
    return ArticleText(body, links, container is not None)
