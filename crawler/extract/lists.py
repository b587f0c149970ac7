"""Generic list detection: the repeated records of a column page, their titles, links and dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from crawler.extract.dates import _date_from_url, _row_date, _scan
from crawler.extract.model import DATE_ROW, DATE_URL
from crawler.extract.parsing import _resolve, _visible_text
from crawler.extract.text import _norm_space, to_halfwidth
from govwatch.urls import plain_path

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
_TRUNCATION_ENDS = frozenset("….。")  # the last characters ``_TRUNCATED_RE`` can match
_TOKEN_SPLIT_RE = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_SPACE_RE = re.compile(r"\s")
_NUMBERS_ONLY_RE = re.compile(r"[\d\-/.:年月日]+")
_NUMBER_CHARS = frozenset("-/.:年月日")  # what ``_NUMBERS_ONLY_RE`` matches besides digits


def _looks_like_title(text: str) -> bool:
    """Link text that can be an entry title rather than a control or a menu label."""
    if len(text) < 4:
        return False
    core = text.strip(_TITLE_STRIP).lower()
    if len(core) < 4 or core in _NOT_TITLES or core.startswith(("更多", "more")):
        return False
    if "下载" in core and len(core) <= 6:
        return False
    # Page numbers and bare dates are not titles; a text that starts otherwise is none.
    first = core[0]
    if not (first.isdecimal() or first in _NUMBER_CHARS or first.isspace()):
        return True
    return not _NUMBERS_ONLY_RE.fullmatch(_SPACE_RE.sub("", core))


def _tokens(value: str | None) -> frozenset[str]:
    """Lower-cased words of a class/id value, splitting on punctuation and camelCase.

    Remembered when short: a site's pages repeat their templates' few class and id values (a
    hostile page's long ones are split each time, not kept)."""
    if not value:
        return frozenset()
    if len(value) > 100:
        return _split_tokens(value)
    return _remembered_tokens(value)


def _split_tokens(value: str) -> frozenset[str]:
    return frozenset(part.lower() for part in _TOKEN_SPLIT_RE.split(value) if part)


_remembered_tokens = lru_cache(maxsize=4096)(_split_tokens)


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
    if text and text.rstrip()[-1:] not in _TRUNCATION_ENDS:
        return text  # not cut: the text is the title, whatever the attribute says
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


# What may follow a trailing date (``_TRAILING_DATE_RE``'s closing class, and ］, which is ]
# once half-width); the date itself ends in a digit or 日.
_AFTER_DATE = frozenset("])）】］")


def _may_end_in_date(text: str) -> bool:
    """False when ``text`` cannot end in a date (``_TRAILING_DATE_RE``): most titles, told
    so without mapping and searching them."""
    last = text[-1:]
    if not (last in _AFTER_DATE or last.isspace() or last.isdecimal() or last == "日"):
        return False  # most titles: a character that neither closes a date nor is one
    end = len(text)
    while end and (text[end - 1] in _AFTER_DATE or text[end - 1].isspace()):
        end -= 1
    return end > 0 and (text[end - 1].isdecimal() or text[end - 1] == "日")


def _title_and_date(title: str, reference: date) -> tuple[str, date | None]:
    """Split a date written at the end of a link text from the title."""
    if not _may_end_in_date(title):
        return title, None
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
        # link -> (url, title, its visible text normalised)
        self.links: dict[etree._Element, tuple[str, str, str]] = {}
        self.marked: set[etree._Element] = set()  # elements that contain a title link
        self.heads: dict[etree._Element, list[str] | None] = {}  # table -> column headers
        for link in (doc if scope is None else scope).iter("a"):
            # Cheap tests first: resolving the URL costs most, so it comes last.
            href = link.get("href")
            if not href:
                continue
            # Only links with visible text can be titles (icon links are controls). A link
            # without children (most) shows its own text: no walk.
            text = _norm_space((link.text or "") if not len(link) else _visible_text(link))
            if not text:
                continue
            title = _entry_title(link, text)
            if not _looks_like_title(title):
                continue
            url = _resolve(href, base)
            if not url:
                continue
            self.links[link] = (url, title, text)
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
        link = (candidates[0] if len(candidates) == 1
                else max(candidates, key=lambda el: len(self.links[el][1])))
        url, whole, shown = self.links[link]
        # A date inside the link belongs to this entry: in an element of its own, or glued
        # to the end of the link text. The title is the rest (or a@title when that is cut):
        # the link's whole text's title when no date came off it.
        own = _link_date(link, self.reference) if len(link) else None
        text, link_date = own or _title_and_date(shown, self.reference)
        title = whole if text is shown else _entry_title(link, text)
        published, source = self._record_date(record, link, url, link_date)
        return _Record(record, link, url, title, published, source)

    def groups(self) -> list[list[_Record]]:
        """Records grouped by their list container, adjacent twin containers merged."""
        return [built for built in map(self._built, self._grouped()) if built]

    def _grouped(self) -> list[list[etree._Element]]:
        """``groups``' record elements, not yet read."""
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
        return self._merge_twins(by_parent)

    def _built(self, records: list[etree._Element]) -> list[_Record]:
        return [rec for rec in map(self._build, records) if rec]

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
        grouped = self._grouped()
        content = [(k, g) for k, g in enumerate(grouped) if not _is_chrome(g[0].getparent())]
        scored = []
        if content:
            # an entry weighs at most 3 (``_record_weight``): a group of n cannot reach a
            # score above 3n, and is not read once one has (menus, link blocks beside the list)
            top = 0.0
            for k, records in sorted(content, key=lambda kg: -len(kg[1])):
                if 3 * len(records) < top:
                    break
                built = self._built(records)
                if built:
                    score = sum(_record_weight(rec) for rec in built)
                    top = max(top, score)
                    scored.append((k, score, built))
        else:
            # A portal may wrap everything in an unlucky class; dated lists still count.
            scored = [(k, sum(_record_weight(rec) for rec in built), built)
                      for k, built in enumerate(map(self._built, grouped))
                      if any(r.published_on for r in built)]
        if not scored:
            return []
        scored.sort(key=lambda item: item[0])  # equals: the first on the page wins
        return max(scored, key=lambda item: (
            item[1], len(item[2]), sum(len(rec.title) for rec in item[2]) / len(item[2])))[2]


def _record_weight(rec: _Record) -> float:
    """Score of one entry: dates count most; short menu-like labels and column links little."""
    weight = 3.0 if rec.published_on else 1.0
    weight *= min(1.0, (len(rec.title) / 10) ** 2)
    path = plain_path(rec.url)
    if path is None:
        path = urlsplit(rec.url).path
    if not path or path.endswith("/") or _COLUMN_PAGE_RE.search(path):
        weight *= 0.5
    return weight
