"""Article dates: what the page prints by the article's title first, then labels, meta tags, the
URL, guesses; and 不作解读 statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import lxml.html
from lxml import etree

from crawler.extract.dates import (
    _DOCUMENT,
    _FURNITURE,
    _GENERIC,
    _OTHER,
    _PLAIN,
    _PUBLISH,
    _date_from_url,
    _find_full_date,
    _Hit,
    _hits,
    _label_kind,
    _make_date,
)
from crawler.extract.lists import (
    _CHROME_TAGS,
    _CHROME_TOKENS,
    _RECORD_TAGS,
    _is_chrome,
    _looks_like_title,
    _tokens,
)
from crawler.extract.model import (
    DATE_ARTICLE_BYLINE,
    DATE_ARTICLE_HEADER,
    DATE_ARTICLE_LABEL,
    DATE_ARTICLE_TABLE,
    DATE_FALLBACK,
    DATE_META,
    DATE_URL,
)
from crawler.extract.parsing import _SKIP_TEXT_TAGS, _parse, _visible_text
from crawler.extract.text import _nonspace, _norm_space, to_halfwidth

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


def _is_clock(names: frozenset[str]) -> bool:
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
