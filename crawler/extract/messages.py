"""One 政民互动 message page (书记信箱, 县长信箱, 留言咨询): when it was asked, whether and when it
was answered, and by whom.

The page prints labelled fields — in a table (``<th>``/``<td>`` or two ``<td>`` cells), a
definition list, or "label：value" lines — and often the reply as a block of its own (a 回复内容
heading, the text, then 回复时间 or a dated signature). All of these read the same once the page
is text with a line break at each block: a label ends its line (the value is on the next) or is
followed by its value. An operator's selectors, when given and matching, win for their field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import lxml.html
from lxml import etree

from crawler.extract.dates import _hits
from crawler.extract.lists import _tokens
from crawler.extract.parsing import _parse, _visible_text
from crawler.extract.selectors import _as_text, _select
from crawler.extract.text import _nonspace, _norm_space, to_halfwidth
from govwatch.timeutil import CHINA


@dataclass(frozen=True)
class MessageSelectors:
    """The operator's fallback for one portal's message pages: a CSS or XPath selector per
    field (same convention as a column's ``ListSelectors``)."""

    asked_at: str | None = None
    replied_at: str | None = None
    status: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class MessageFacts:
    """What a message page tells about its handling."""

    asked_at: datetime | None  # aware, China time
    asked_has_time: bool  # False when only a date was printed (asked_at is then 00:00)
    replied_at: datetime | None
    replied_has_time: bool
    status: str | None  # "replied" | "pending" | None (the page does not tell)
    status_text: str | None  # as printed, e.g. "已办结"
    department: str | None  # the replying / handling unit, as printed
    reply_text_chars: int  # characters of the reply found (0: none)


REPLIED = "replied"
PENDING = "pending"
_NOTHING = MessageFacts(None, False, None, False, None, None, None, 0)
_DEPARTMENT_LIMIT = 100
_STATUS_TEXT_LIMIT = 30

# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------

_ASKED = "asked"
_REPLIED_AT = "replied_at"
_STATUS = "status"
_DEPARTMENT = "department"
_REPLY = "reply"
_OTHER = "other"  # the message's other fields: they end the value before them

_LABELS: dict[str, tuple[str, ...]] = {
    _ASKED: ("留言时间", "提问时间", "来信时间", "咨询时间", "提交时间", "写信时间", "投诉时间",
             "发信时间", "留言日期", "来信日期", "提问日期", "咨询日期", "写信日期", "提交日期",
             "投诉日期"),
    _REPLIED_AT: ("回复时间", "答复时间", "办结时间", "反馈时间", "回信时间", "处理时间",
                  "回复日期", "答复日期", "办结日期", "反馈日期", "处理日期"),
    _STATUS: ("办理状态", "处理状态", "回复状态", "答复状态", "信件状态", "办结状态", "当前状态",
              "状态"),
    # the replying unit first, then the handling one, then the one that took the message in
    _DEPARTMENT: ("回复单位", "答复单位", "回复部门", "答复部门", "回复机构", "答复机构",
                  "答复机关", "办理单位", "办理部门", "承办单位", "承办部门", "处理单位",
                  "处理部门", "受理部门", "受理单位", "受理机构"),
    _REPLY: ("回复内容", "答复内容", "办理结果", "处理结果", "回复意见", "答复意见", "办理意见",
             "处理意见", "办理答复", "回复", "答复", "答"),  # 答: the 问/答 of a Q&A page
    _OTHER: ("留言标题", "来信标题", "信件标题", "咨询标题", "投诉标题", "标题", "主题",
             "留言内容", "来信内容", "咨询内容", "信件内容", "投诉内容", "诉求内容", "问题描述",
             "内容", "留言人", "来信人", "写信人", "提问人", "咨询人", "投诉人", "姓名", "编号",
             "信件编号", "留言编号", "受理编号", "查询码", "类型", "信件类型", "留言类型",
             "咨询类型", "是否公开", "公开", "留言对象", "写信对象", "咨询对象", "收信人",
             "浏览次数", "点击数", "所属领域", "问题类别", "满意度", "评价", "受理时间",
             "转办时间", "办理时限", "评价时间", "问"),
}
_FIELD_OF = {label: name for name, labels in _LABELS.items() for label in labels}
_DEPARTMENT_RANK = {label: k for k, label in enumerate(_LABELS[_DEPARTMENT])}
# Printed as "留 言 时 间" in aligned tables; the longest label first (回复时间 before 回复).
_LABEL_RE = re.compile(
    "|".join(r"\s*".join(map(re.escape, label))
             for label in sorted(_FIELD_OF, key=len, reverse=True))
)
# Short labels are common words: they need a line's start (or a separator), then a colon or
# the end of their line.
_SHORT_LABEL = 3
_BOUNDARY = set(" \t|丨/【】[]()（）,，;；。、·")
_AFTER_LABEL_RE = re.compile(r"[ \t]*[】\]]?[ \t]*(?P<colon>:)?[ \t]*")

# Lines that end a reply block: the page's buttons and links to other messages.
_STOP_LINE_RE = re.compile(
    r"^[【\[]?\s*(?:打印|关闭|返回|打印本页|关闭窗口|返回顶部|返回列表|上一篇|下一篇|上一条|下一条"
    r"|分享到|我要写信|我要留言|相关留言)"
)

# ---------------------------------------------------------------------------
# Status words
# ---------------------------------------------------------------------------

# Not answered yet, read first: 未办结 holds 办结, 未处理 holds 处理.
_PENDING_RE = re.compile(
    r"未回复|未答复|待回复|待答复|未办结|待办结|未处理|待处理|待办理|未办理|未反馈|待反馈|办理中|处理中"
    r"|受理中|正在办理|正在处理|转办中|交办中|审核中|待审核|未受理|待受理|已受理|已转办|已交办"
    r"|暂无回复|暂未回复|尚未回复|暂无答复|暂未答复|尚未答复"
)
_REPLIED_RE = re.compile(r"已回复|已答复|已办结|已处理|已反馈|已完成|已解决|已办理|已回|办结|完成")
# A reply section that says there is none yet.
_NO_REPLY_RE = re.compile(
    r"^(?:暂无|暂未|尚未|还未|未|暂时没有|没有)(?:回复|答复|办理|处理|反馈|内容|结果)?(?:内容|信息|结果)?"
    r"[。.!！]?$|^(?:无|-+|—+|/|待回复|待答复)$"
)
# A placeholder line for a missing reply (not a tab's 未回复: a phrase saying "not yet").
_NO_REPLY_PHRASE_RE = re.compile(
    r"^(?:暂无|暂未|尚未|还未|暂时没有)(?:回复|答复|办理结果|处理结果|反馈)(?:内容|信息)?[。.!！]?$"
)
# A status printed as a badge: alone on its line, or in brackets by the title (【已办结】标题).
_BADGE_WORDS = (r"(?:已回复|已答复|已办结|已处理|已反馈|未回复|待回复|未答复|待答复|办理中|处理中"
                r"|受理中|未办结|待处理)")
_BADGE_RE = re.compile(rf"^{_BADGE_WORDS}$|[【\[]\s*(?P<word>{_BADGE_WORDS})\s*[】\]]")

# A unit signing a reply (县住房和城乡建设局, 城关镇人民政府, 12345热线服务中心 …).
_UNIT_RE = re.compile(
    r"(?:局|委|委员会|办|办公室|政府|中心|镇|乡|街道|办事处|公司|所|院|队|站|处|科|室|部|厅|馆|署"
    r"|社区|管委会|村委会|分局|支队|大队|中队)$"
)
_REPLY_LINES = 300  # paragraphs of a reply at most: the rest of a page is not its reply
_SIGNATURE_LIMIT = 40  # characters: a signature or a dated last line, not a paragraph
_TIME_OF_DAY_RE = re.compile(r"\d(?::|时)\d{2}")


def _classify(text: str) -> str | None:
    """What a printed status says: REPLIED, PENDING, or None."""
    if _PENDING_RE.search(text):
        return PENDING
    if _REPLIED_RE.search(text):
        return REPLIED
    return None


# ---------------------------------------------------------------------------
# The page as labelled lines
# ---------------------------------------------------------------------------

# Blocks that are the site's, not the message's (the header is kept: message templates name
# the message's own top block "header").
_CHROME_TAGS = {"nav", "footer", "aside"}
_CHROME_TOKENS = {"nav", "navbar", "menu", "crumb", "crumbs", "breadcrumb", "footer", "copyright",
                  "side", "sidebar", "aside", "rank", "hot", "latest", "recommend", "friendlink",
                  "yqlj"}


def _page_lines(doc: lxml.html.HtmlElement) -> list[str]:
    """The page's text, half-width, one stripped non-empty line per block, without <head>,
    the site's menus, footer and side lists."""
    skip: list[etree._Element] = []
    head = doc.find("head")
    if head is not None:
        skip.append(head)
    for el in doc.iter():
        if el is doc or not isinstance(el.tag, str):
            continue
        if el.tag.lower() in _CHROME_TAGS or (
                (_tokens(el.get("class")) | _tokens(el.get("id"))) & _CHROME_TOKENS):
            skip.append(el)
    text = to_halfwidth(_visible_text(doc, skip=skip))
    return [line for line in (_norm_space(raw) for raw in text.splitlines()) if line]


@dataclass(frozen=True)
class _Label:
    """A label found on a line: its field and where it and its separator end."""

    label: str
    field: str
    start: int
    end: int  # after the label, its closing bracket and colon


def _labels(line: str) -> list[_Label]:
    """The labels of a line (a label at its start, or after a separator or another value)."""
    found = []
    for match in _LABEL_RE.finditer(line):
        label = re.sub(r"\s+", "", match.group(0))
        after = _AFTER_LABEL_RE.match(line, match.end())
        end = after.end() if after else match.end()
        colon = bool(after and after["colon"])
        at_end = end >= len(line)
        boundary = match.start() == 0 or line[match.start() - 1] in _BOUNDARY
        if len(label) <= _SHORT_LABEL:  # 回复, 状态, 标题: a line's start or a separator
            ok = boundary and (colon or at_end)
        else:  # without a colon: a line's start ("留言时间 2026-11-30") or end (a cell)
            ok = (colon or (match.start() == 0 and end > match.end())
                  or (boundary and at_end))
        if ok:
            found.append(_Label(label, _FIELD_OF[label], match.start(), end))
    return found


@dataclass(frozen=True)
class _Field:
    """A labelled value of the page, and the lines after it (a reply's text)."""

    label: str
    field: str
    value: str
    following: tuple[str, ...]


def _fields(lines: list[str]) -> list[_Field]:
    """Every labelled value of the page, in order.

    A label ending its line takes the next line as its value (a table cell, a ``<dd>``), unless
    that line starts with a label itself (an empty cell). A reply also takes the lines after
    it, up to the next label or the page's buttons.
    """
    found_on = [_labels(line) for line in lines]
    starts = [bool(found) and found[0].start == 0 for found in found_on]
    fields: list[_Field] = []
    for k, (line, labels) in enumerate(zip(lines, found_on, strict=True)):
        for j, found in enumerate(labels):
            last = j + 1 == len(labels)
            value = line[found.end:len(line) if last else labels[j + 1].start].strip(" |丨")
            nxt = k + 1  # the first line after the value
            if not value and last and nxt < len(lines) and not starts[nxt]:
                value, nxt = lines[nxt], nxt + 1
            following: list[str] = []
            if found.field == _REPLY and last:
                for after in range(nxt, min(len(lines), nxt + _REPLY_LINES)):
                    if starts[after] or _STOP_LINE_RE.match(lines[after]):
                        break
                    following.append(lines[after])
            fields.append(_Field(found.label, found.field, value, tuple(following)))
    return fields


def _cell_label(cell: etree._Element) -> str | None:
    """The label a table cell holds alone ("留言时间", "状 态："), else None."""
    text = re.sub(r"[\s:]+", "", to_halfwidth(_visible_text(cell)))
    return text if text in _FIELD_OF else None


def _header_rows(doc: lxml.html.HtmlElement) -> list[str]:
    """Tables that head their columns: a row of labels over a row of values, read as
    "label: value" lines (the line reading would pair each label with the next label)."""
    lines: list[str] = []
    for row in doc.iter("tr"):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("th", "td")]
        labels = [_cell_label(c) for c in cells]
        if len(cells) < 2 or not all(labels):
            continue
        below = row.getnext()
        while below is not None and not isinstance(below.tag, str):
            below = below.getnext()  # a comment between the rows
        if below is None or below.tag != "tr":
            continue
        values = [c for c in below if isinstance(c.tag, str) and c.tag in ("th", "td")]
        if len(values) != len(cells) or any(_cell_label(c) for c in values):
            continue
        lines += [f"{label}: {_norm_space(to_halfwidth(_visible_text(value)))}"
                  for label, value in zip(labels, values, strict=True)]
    return lines


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def _moment(text: str, reference: date) -> tuple[datetime, bool] | None:
    """The first date (and time of day) printed in text, aware, and whether a time was."""
    text = to_halfwidth(text or "")
    found = _hits(text, reference)
    if not found:
        return None
    hit = found[0]
    has_time = _TIME_OF_DAY_RE.search(text, hit.start, hit.end) is not None
    return hit.moment.replace(tzinfo=CHINA), has_time


def _first_moment(fields: Iterable[_Field], reference: date) -> tuple[datetime, bool] | None:
    for found in fields:
        moment = _moment(found.value, reference)
        if moment:
            return moment
    return None


@dataclass(frozen=True)
class _Reply:
    """The reply block: its text's size, a date it ends with, the unit that signs it, and
    whether it is there but empty (暂无回复)."""

    chars: int
    dated: tuple[datetime, bool] | None
    signed_by: str | None
    empty: bool


def _reply(fields: list[_Field], reference: date) -> _Reply | None:
    """The first reply section of the page, None when it has none."""
    section = next((f for f in fields if f.field == _REPLY), None)
    if section is None:
        return None
    if _NO_REPLY_RE.match(section.value):
        return _Reply(0, None, None, True)
    lines = [line for line in (section.value, *section.following) if line]
    if not lines:
        return _Reply(0, None, None, True)
    dated: tuple[datetime, bool] | None = None
    signed_by: str | None = None
    # A signed reply ends with its date, after its unit on the same line or the one before
    # ("县交通运输局 / 2026年11月21日"); a date inside a last sentence ("已于12月1日修复。") is
    # what was done when, not when the reply was written.
    for k in range(len(lines) - 1, max(len(lines) - 3, 0) - 1, -1):
        line = lines[k]
        if len(line) > _SIGNATURE_LIMIT:
            break
        found = _hits(line, reference)
        if not found:
            continue  # a short line after the signature (联系电话 …)
        before = line[:found[0].start].strip(" ,，:")
        if line[found[0].end:].strip(" 。.") or (before and not _UNIT_RE.search(before)):
            break
        dated = _moment(line, reference)
        if not before and k > 0 and _UNIT_RE.search(lines[k - 1]) and (
                len(lines[k - 1]) <= _SIGNATURE_LIMIT):
            before = lines[k - 1]
        signed_by = before or None
        if not line[:found[0].start].strip():
            lines = lines[:k] + lines[k + 1:]  # the date alone is not the reply's text
        break
    return _Reply(sum(map(_nonspace, lines)), dated, signed_by, False)


def _department(fields: list[_Field]) -> str | None:
    """The replying unit by label (回复单位 before 办理单位 before 受理部门), as printed."""
    named = [f for f in fields if f.field == _DEPARTMENT and f.value
             and not _NO_REPLY_RE.match(f.value)]
    if not named:
        return None
    best = min(named, key=lambda f: _DEPARTMENT_RANK[f.label])  # the first of the best label
    return best.value[:_DEPARTMENT_LIMIT].strip()


def _badge(lines: list[str]) -> str | None:
    """A status printed as a badge (【已办结】), when the page prints only one kind (not a
    list's tabs: 已回复 | 未回复)."""
    badges = []
    for line in lines:
        found = _BADGE_RE.search(line)
        if found:
            badges.append(found["word"] or found.group(0))
    kinds = {_classify(badge) for badge in badges}
    return badges[0] if len(kinds) == 1 else None


def _selected(doc: lxml.html.HtmlElement, expr: str | None) -> str:
    """The text a selector picks (all its matches), "" when none."""
    if not expr:
        return ""
    return _norm_space(" ".join(_as_text(v) for v in _select(doc, expr, within=False)))


# ---------------------------------------------------------------------------
# The message
# ---------------------------------------------------------------------------


def message_facts(html: str | bytes, url: str, reference_date: date,
                  selectors: MessageSelectors | None = None) -> MessageFacts:
    """When a message was asked and answered, its status and the answering unit.

    ``status`` is REPLIED when the printed status says so or, with no status printed, when a
    reply time or reply text is found; PENDING when the status says 未回复, 办理中 … or the
    reply section is there but empty (暂无回复); None when nothing tells. A reply time before
    the question is dropped, never corrected. Dates read as ``find_datetime`` reads them
    (year-less ones before ``reference_date``). An invalid selector raises ValueError, as a
    column's selectors do; the page itself never makes this raise.
    """
    doc = _parse(html)
    if doc is None:
        return _NOTHING
    chosen = selectors or MessageSelectors()
    lines = _page_lines(doc)
    # column-headed tables first: the line reading misreads them
    fields = _fields(_header_rows(doc)) + _fields(lines)

    asked = _moment(_selected(doc, chosen.asked_at), reference_date) or _first_moment(
        (f for f in fields if f.field == _ASKED), reference_date)
    reply = _reply(fields, reference_date)
    replied = _moment(_selected(doc, chosen.replied_at), reference_date) or _first_moment(
        (f for f in fields if f.field == _REPLIED_AT), reference_date) or (
        reply.dated if reply else None)
    if asked and replied and _before(replied, asked):
        replied = None  # a misprint or another message's date: not this reply's time

    status_text = _selected(doc, chosen.status) or next(
        (f.value for f in fields if f.field == _STATUS and f.value), None) or _badge(lines)
    status = _classify(status_text) if status_text else None
    reply_chars = reply.chars if reply else 0
    if status is None:
        if replied or reply_chars:
            status = REPLIED
        elif _unanswered(fields, reply, lines):
            status = PENDING

    department = _selected(doc, chosen.department)[:_DEPARTMENT_LIMIT] or _department(fields) or (
        reply.signed_by if reply else None)
    return MessageFacts(
        asked[0] if asked else None, bool(asked and asked[1]),
        replied[0] if replied else None, bool(replied and replied[1]),
        status, status_text[:_STATUS_TEXT_LIMIT] if status_text else None,
        department or None, reply_chars)


def _before(replied: tuple[datetime, bool], asked: tuple[datetime, bool]) -> bool:
    """Whether the reply is printed as earlier than the question: by the minute when both
    carry a time, else by the day (a reply dated the day asked at 09:15 is not earlier)."""
    if replied[1] and asked[1]:
        return replied[0] < asked[0]
    return replied[0].date() < asked[0].date()


def _unanswered(fields: list[_Field], reply: _Reply | None, lines: list[str]) -> bool:
    """Whether the page shows a reply section with nothing in it: a reply heading over no
    text, reply fields left empty, or a 暂无回复 line."""
    if reply is not None and not reply.empty:
        return False
    reply_fields = [f for f in fields if f.field in (_REPLY, _REPLIED_AT)]
    if reply_fields and all(not f.value or _NO_REPLY_RE.match(f.value) for f in reply_fields):
        return True
    return any(_NO_REPLY_PHRASE_RE.match(line) for line in lines)
