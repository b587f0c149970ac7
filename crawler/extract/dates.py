"""Dates: every printed form (2021-08-30, 2021年8月30日, 〇 numerals, 24-5-13, yearless), dates in
URLs, and what a printed date is by the label in front of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from crawler.extract.text import to_halfwidth

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


@lru_cache(maxsize=4096)
def _row_date(text: str, reference: date) -> date | None:
    """The publish date a list row prints (``text`` half-width), or None.

    Remembered: a row's text beside its title is mostly its date alone, the same on many
    rows and pages."""
    best: tuple[int, date] | None = None
    for hit in _hits(text, reference):
        rank = _ROW_RANK.get(_label_kind(text, hit.start))
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, hit.moment.date())
    return best[1] if best else None
