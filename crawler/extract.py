"""Pure extraction helpers for county portal pages: dates, list entries, pagination.

Everything here is data in, data out: no network, no Scrapy engine, no database. Functions
never raise on malformed HTML; they return an empty list or None instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from storage.models import ARTICLE_TEXT_LIMIT

__all__ = [
    "ListEntry",
    "ListLayout",
    "ListPage",
    "ListSelectors",
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


@dataclass(frozen=True)
class ListEntry:
    """One entry of a column list."""

    url: str  # absolute (resolved against base_url), fragment removed
    title: str  # whitespace-normalised link text (or the a@title when the text is truncated)
    published_on: date | None


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
# Compact dates only inside URL paths: /t20210830_123.html, /20200709/123.shtml.
_URL_YMD_RE = re.compile(r"(?<=/)t?(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?=[_/.])")
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


def _with_time(day: date, text: str, pos: int) -> datetime:
    """Attach the time of day written right after a date, or midnight."""
    match = _TIME_RE.match(text, pos)
    if match:
        hour, minute = int(match["H"]), int(match["M"])
        second = int(match["S"]) if match["S"] else 0
        if hour < 24 and minute < 60 and second < 60:
            return datetime(day.year, day.month, day.day, hour, minute, second)
    return datetime(day.year, day.month, day.day)


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
)
_YEARLESS_DATES: tuple[tuple[re.Pattern[str], Check | None, Reader], ...] = (
    (_MD_RE, _md_ok, _read_yearless),
    (_CN_MD_RE, None, _read_yearless),
)


def _scan(
    text: str, reference: date, *, yearless: bool = True, start: int = 0
) -> tuple[int, datetime] | None:
    """Earliest date in text (already half-width) as (position, datetime)."""
    best: tuple[int, datetime] | None = None
    forms = _FULL_DATES + (_YEARLESS_DATES if yearless else ())
    for pattern, check, read in forms:
        for match in pattern.finditer(text, start):
            if best is not None and match.start() >= best[0]:
                break  # a form found later than the best so far cannot win
            if check is not None and not check(text, match):
                continue
            value = read(match, reference)
            if value:
                best = (match.start(), _with_time(value, text, match.end()))
                break
        if best is not None and best[0] == start:
            break  # a date right at the start: no other form can be earlier
    return best


def find_datetime(text: str, reference: date) -> datetime | None:
    """Like find_date but keeps a time of day when present (naive; midnight when no time)."""
    if not text or not isinstance(text, str):
        return None
    found = _scan(to_halfwidth(text), reference)
    return found[1] if found else None


def find_date(text: str, reference: date) -> date | None:
    """First calendar date in text (Chinese portal forms), or None.

    Year-less dates take the year that puts them on or before `reference`.
    """
    found = find_datetime(text, reference)
    return found.date() if found else None


def _find_full_date(text: str, reference: date) -> date | None:
    """First date that carries its own year (no inference)."""
    found = _scan(to_halfwidth(text), reference, yearless=False) if text else None
    return found[1].date() if found else None


def _date_from_url(url: str, reference: date) -> date | None:
    """Compact date in a URL path, e.g. /t20210830_123.html or /art/2021/8/30/."""
    if not url:
        return None
    path = urlsplit(url).path if "://" in url else url
    return _find_full_date(path, reference)


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


def _visible_text(root: etree._Element, skip: Iterable[etree._Element] = ()) -> str:
    """Text of an element with line breaks at block boundaries; skips scripts and `skip`.

    Iterative (iterwalk), so deeply nested junk cannot exhaust the recursion limit.
    """
    if len(root) == 0 and not skip:
        # A leaf (most links and dates): its own text, no walk. Comments and processing
        # instructions are children too, so a leaf has none.
        tag = root.tag.lower() if isinstance(root.tag, str) else ""
        if tag in _SKIP_TEXT_TAGS:
            return ""
        return (root.text or "") + ("\n" if tag in _BLOCK_TAGS else "")
    skipped = set(skip)
    parts: list[str] = []
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
            elif not hidden and el.text:
                parts.append(el.text)
            continue
        if is_hidden:
            hidden -= 1
        if not hidden:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el is not root and el.tail:
                parts.append(el.tail)
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
    if not found or found[0] != match.start(1):
        return title, None
    stripped = title[: match.start()].rstrip()
    return (stripped or title), found[1].date()


@dataclass
class _Record:
    element: etree._Element
    link: etree._Element
    url: str
    title: str
    published_on: date | None


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

    def _record_date(self, record: etree._Element, link: etree._Element, url: str) -> date | None:
        """Date written in the record outside the title, in the title, or in the URL."""
        text = to_halfwidth(_visible_text(record, skip=[link] if record is not link else ()))
        found = _scan(text, self.reference)
        if found:
            return found[1].date()
        # Flat lists ("<a>…</a> 2021-08-30<br>") keep the date after the record: look at
        # its tail and a few following siblings, stopping at the next entry.
        trailing = [record.tail or ""]
        sibling = record.getnext()
        while sibling is not None and len(trailing) < 4 and sibling not in self.marked:
            if isinstance(sibling.tag, str):
                trailing.append(_visible_text(sibling))
                trailing.append(sibling.tail or "")
            sibling = sibling.getnext()
        tail_text = to_halfwidth("".join(trailing))[:80]
        found = _scan(tail_text, self.reference)
        if found:
            return found[1].date()
        return _date_from_url(url, self.reference)

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
        url, title = self.links[link]
        title, title_date = _title_and_date(title, self.reference)
        published = self._record_date(record, link, url)
        if title_date is not None:
            # A date glued to the link text belongs to this entry.
            published = published or title_date
        return _Record(record, link, url, title, published)

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
        else:
            date_text = _visible_text(item)
        published = find_date(date_text, reference) or _date_from_url(url, reference)
        entries.append(ListEntry(url=url, title=title, published_on=published))
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
        entries.append(ListEntry(url=rec.url, title=rec.title, published_on=rec.published_on))
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

_LABEL_TIERS = (
    # Publication proper, then the document's own date, then bare "time/date" labels.
    re.compile(
        r"(?:发布日期|发布时间|发文日期|发稿时间|发表时间|公开日期|公开时间)\s*:|发布于\s*:?"
    ),
    re.compile(r"(?:成文日期|印发日期|生成日期)\s*:"),
    re.compile(
        r"(?<!更新|修改|访问|截止|开始|结束|办理|服务|工作|开放|有效|打印|当前|北京)(?:时间|日期)\s*:"
    ),
)
_WECHAT_CT_RE = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{10})["']?""")
_CHINA_TZ = timezone(timedelta(hours=8))  # China has kept UTC+8 without DST since 1991


def _meta_date(doc: lxml.html.HtmlElement, names: tuple[str, ...], reference: date) -> date | None:
    values: dict[str, str] = {}
    for meta in doc.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop") or ""
        key = key.strip().lower()
        if key and key not in values and meta.get("content"):
            values[key] = meta.get("content", "")
    for name in names:
        if name in values:
            found = _find_full_date(values[name], reference)
            if found:
                return found
    return None


def _labelled_date(text: str, reference: date) -> date | None:
    """Date right after a label such as 发布日期： (brackets and spaces may intervene)."""
    for pattern in _LABEL_TIERS:
        for match in pattern.finditer(text):
            window = text[match.end() : match.end() + 60]
            found = _scan(window, reference)
            if found and not window[: found[0]].strip(" \t\r\n[]()【】<>"):
                return found[1].date()
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


def _page_text(doc: lxml.html.HtmlElement) -> str:
    """Visible text of the whole document but <head>: templates that emit a stray </html>
    leave the article outside <body>, so reading only <body> would miss it."""
    head = doc.find("head")
    return _visible_text(doc, skip=[head] if head is not None else [])


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


def extract_article_date(html: str | bytes, reference: date, url: str | None = None) -> date | None:
    """Publication date of an article page.

    Order: a labelled date in the visible text (发布日期：…, then 成文日期：…, then
    时间/日期：…); publication meta tags; WeChat's script timestamp; a date in the page URL
    (`url`, canonical link or og:url); a last-modified meta tag; the first full date in the
    main text; htmldate's heuristics last. None when nothing is found.
    """
    doc = _parse(html)
    if doc is None:
        return None
    # The visible labelled date comes first: it is what the assessment team sees, and portals
    # re-stamp meta PubDate on batch republishing, which would make a stale column look fresh.
    found = _labelled_date(to_halfwidth(_page_text(doc)), reference)
    if found:
        return found
    found = _meta_date(doc, _META_PUBLISHED, reference)
    if found:
        return found
    raw_text = html.decode("latin-1") if isinstance(html, bytes | bytearray) else html
    if "var ct" in raw_text:
        found = _wechat_date(raw_text, reference)
        if found:
            return found
    for page_url in _page_urls(doc, url):
        found = _date_from_url(page_url, reference)
        if found:
            return found
    found = _meta_date(doc, _META_MODIFIED, reference)
    if found:
        return found
    found = _find_full_date(_main_text(doc), reference)
    if found:
        return found
    return _htmldate_fallback(doc, reference)


def _htmldate_fallback(doc: lxml.html.HtmlElement, reference: date) -> date | None:
    """htmldate's heuristics, last: alone it misreads Chinese dates (it takes
    发布日期：2021年8月30日 for 2021-01-01), so it only speaks when our patterns found nothing."""
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
    return parsed if parsed <= reference else None


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
