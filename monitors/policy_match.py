"""Which interpretation (政策解读) explains which policy file: evidence, weighed in order.

Pure functions over plain documents (``PolicyDoc``, ``InterpretationDoc``); the rule
(``uninterpreted_policy``) and ``make eval`` both use them.

The evidence, strongest first (``Evidence.strength``):

1. a link either way between the two pages (100);
2. the policy's 文号 cited in the interpretation's body (90);
3. one of the policy's names — its 《》 names, or its title without issuer, 文号 and 的通知 —
   cited in the body as what the text is about (印发/制定/出台《…》, 《…》（以下简称…）) (80,
   or 70 when only the base name agrees);
4. the name in the interpretation's own title (60 exact, 50 when one side leaves out an
   edition mark or a place name, 40 fuzzily similar at the county's threshold);
5. a plain body citation, when the interpretation's title names no document of its own (45).

A citation that gives the basis (为贯彻落实《…》, 根据《…》) is no evidence; one of a document the
interpretation says was revised or repealed (修订了《…》（文号）, 原《…》, 《…》同时废止) counts
against that document. Years, editions (（试行）, 2024年修订) and ordinals must agree
wherever a name is compared: 《…2023年…》 never explains 《…2024年…》.

Vetoes: an interpretation published more than ``max_days_before`` (30) days before the policy
was issued cannot explain it (the issue date is the earlier of the list date and the 成文日期
printed in the policy's text); a link from the interpretation to a *different* policy document
leaves only links and 文号 as evidence for any other policy.

One interpretation explains one version of a document: among the policies that share a base
name (the 2018 试行 and the 2020 revision, last year's and this year's), the interpretation goes
to those with the strongest evidence and, among equals, the version current when it was
published (``assign``). A joint interpretation naming two documents explains both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Literal, TypeVar

from rapidfuzz import fuzz, process

from govwatch.charmap import CharMap
from storage.models import ARTICLE_TEXT_LIMIT

MAX_DAYS_BEFORE = 30  # an interpretation this much older than its policy cannot explain it
BODY_LIMIT = ARTICLE_TEXT_LIMIT  # characters of an article's text stored and read

LINK, NUMBER, CITED, CITED_BASE, TITLE, TITLE_BASE, PLAIN_CITED, FUZZY = (
    100, 90, 80, 70, 60, 50, 45, 40)
STRENGTH_LABELS = {
    LINK: "页面互相链接",
    NUMBER: "解读正文引用了文号",
    CITED: "解读正文引用了文件全称",
    CITED_BASE: "解读正文引用了文件名称（版本标注不全）",
    TITLE: "解读标题与文件名称一致",
    TITLE_BASE: "解读标题与文件名称一致（省略了版本或地名）",
    PLAIN_CITED: "解读正文提到了文件名称",
    FUZZY: "标题相似",
}

QUOTED = re.compile(r"[《〈<‹]([^《》〈〉<>‹›]{2,120})[》〉>›]")  # a document's name in 书名号
TITLE_LIMIT = 300  # characters of a title read: longer ones are junk, and regexes pay for them
_NUMBER = re.compile(
    r"[\u4e00-\u9fa5]{1,12}\s*[〔\[【(（﹝]\s*((?:19|20)\d{2})\s*[〕\]】)）﹞]\s*第?\s*(\d{1,4})\s*号")
# A 成文日期: a date standing apart (after a signature, on its own line, or in parentheses
# under the title) — not one a sentence cites (为贯彻国务院2019年5月6日发布的《条例》)
_SIGNED = re.compile(r"(?:^|(?<=[\s（(]))((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
                     r"\s*[)）]?(?=\s|$)")
_BASIS = re.compile(r"贯彻|落实|根据|依据|按照|依照|对照|参照|衔接|遵照|参考")
_REPEALED = re.compile(r"^[^。；;]{0,60}?(?:同时)?(?:废止|失效|停止执行|不再执行)")
_SUBJECT_BEFORE = re.compile(
    r"(?:印发|制定|制订|出台|发布|公布|起草|编制|编写|形成|推出|研究制定|下发|审议通过|修订后|新修订|新)"
    r"(?:了|的|新的)?\s*$")
# The document a new one revises or replaces: 修订了《…》, 对…《…》进行修订, 原《…》
_REVISED_BEFORE = re.compile(r"(?:修订|修定|修改|修正|废止|整合|替代|取代)(?:了)?\s*$")
_FORMER_BEFORE = re.compile(r"原\s*$")
# a date long before the interpretation, just before the citation: 2019年，省科技厅印发《…》
_HISTORY = re.compile(r"((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月)?")
HISTORY_DAYS = 180
_OLD_AFTER = re.compile(
    r"^\s*(?:[（(][^）)]{0,40}[）)])*\s*(?:进行了?|作了?|予以|一并|同时)?\s*"
    r"(?:重新)?(?:修订|修定|修改|修正|废止|整合|清理|失效|停止执行|不再执行)"
    r"|^\s*(?:[（(][^）)]{0,40}[）)]\s*)*[（(][^）)]{0,20}原\s*[“\"]?《"
    r"|^\s*(?:[（(][^）)]{0,40}[）)]\s*)*(?:的)?基础上")
# A 《》 name that is only an abbreviation (《办法》, 《若干措施》, 《行动方案》) names no document.
_ABBREVIATION = re.compile(
    r"^(?:若干|实施|管理|行动|工作|专项|暂行|试行|评价|服务|认定|新|原)*"
    r"(?:政策)?(?:措施|方案|办法|细则|意见|规定|规划|计划|指引|规程|条例|规则|通知|决定|纲要)$")
_SUBJECT_AFTER = re.compile(
    r"^\s*(?:[（(][^）)]{0,30}[）)]\s*)*[（(]\s*以下(?:简)?称(?!\s*[“\"]?原)|^\s*(?:政策)?解读")
_EDITION = re.compile(r"试行|暂行|修订|修正|征求意见稿|草案|送审稿")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_ORDINAL = re.compile(r"第[0-9一二三四五六七八九十百]+[批次届期号]")
_PLACE = re.compile(
    r"^(?:中国|[\u4e00-\u9fa5]{1,8}?(?:省|自治区|市|自治州|州|盟|县|自治县|旗|区|镇|乡|街道))")
_ISSUER = re.compile(
    r"^.{0,60}?(?:办公厅|办公室|人民政府|委员会|厅|局|部|委|院|署|中心|政府)(?:关于)?(?=印发|关于)")
_INTERP_PREFIX = re.compile(
    r"【?(?:一图读懂|一图看懂|一图了解|一图速览|图解|图说|漫解|政策解读|解读|问答)】?\s*[｜|:：、丨]?")
# the words an interpretation's title ends with, longest first (checked with endswith: a
# $-anchored alternation would be tried at every position of every title)
_INTERP_SUFFIXES = tuple(sorted({
    f"{de}{policy}解读{qa}" for de in ("", "的") for policy in ("", "政策") for qa in ("", "问答")
} | {f"{de}{draft}说明" for de in ("", "的") for draft in ("", "起草")}
  | {"图解", "问答", "答记者问"}, key=len, reverse=True))
_SEPARATORS = "-—_=·· \t\u3000"
_NOISE = re.compile(r"[\s\"'“”‘’「」『』·•,，。、:：;；!！?？｜|丨\-—_~～/\\【】\[\]]+")


_BRACKETS = CharMap(str.maketrans("", "", "《》〈〉<>‹›"))  # most titles have none
_DIGIT = re.compile(r"\d")
_NO_LINKS: frozenset[str] = frozenset()
_EDITION_PARENS = re.compile(r"\((?:[^()]*(?:试行|暂行|修订|修正|年|版|稿)[^()]*)\)")
_ISSUED_BY = re.compile(r"^.{0,40}?(?:印发|转发)")
_MARK_TAIL = re.compile(r"[()年度版]+$")


_SPACES = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """NFKC, no spaces: how names and 文号 are compared (（）→(), full-width digits → digits)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", text)


@dataclass(frozen=True)
class DocNumber:
    """A 文号 as compared: the issuer's prefix (冀科平规), year and number; brackets, spaces
    and a leading 第 ignored. Text before the prefix may run into it (印发了冀科平规〔…〕), so
    two prefixes agree when one ends the other."""

    prefix: str
    year: int
    seq: int

    @property
    def serial(self) -> str:
        return f"{self.year}-{self.seq}"

    def same(self, other: DocNumber) -> bool:
        if self.serial != other.serial:
            return False
        short, long_ = sorted((self.prefix, other.prefix), key=len)
        return len(short) >= 2 and long_.endswith(short)

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.seq}号"


def numbers_in(text: str) -> list[tuple[int, DocNumber]]:
    """(position, 文号) of every 文号 in a text."""
    if "号" not in text:
        return []
    return [(m.start(), _doc_number(m)) for m in _NUMBER.finditer(text)]


def _doc_number(match: re.Match[str]) -> DocNumber:
    prefix = squeeze(re.split(r"[〔\[【(（﹝]", match.group(0), maxsplit=1)[0])
    return DocNumber(prefix, int(match.group(1)), int(match.group(2)))


def shared_numbers(a: Iterable[DocNumber], b: Iterable[DocNumber]) -> list[DocNumber]:
    """The 文号 of ``a`` that ``b`` also has."""
    b = list(b)
    return [x for x in a if any(x.same(y) for y in b)]


@dataclass(frozen=True)
class Name:
    """A document name as compared: exact form, base (no edition marks or years), attributes."""

    text: str  # squeezed, NFKC
    base: str
    years: frozenset[str]
    editions: frozenset[str]
    ordinals: frozenset[str]

    def agrees(self, other: Name) -> int:
        """How this name names ``other``: 2 the same, 1 the same but for a mark only one side
        has (or a leading place name one side leaves out), 0 not the same document."""
        if not self.base or not other.base:
            return 0
        same_marks = (self.years == other.years and self.editions == other.editions
                      and self.ordinals == other.ordinals)
        if self.text == other.text or (self.base == other.base and same_marks):
            return 2
        if self.years and other.years and self.years != other.years:
            return 0
        if self.ordinals != other.ordinals and self.ordinals and other.ordinals:
            return 0
        if (self.editions and other.editions and self.editions != other.editions):
            return 0
        if self.base == other.base:
            return 1
        # this name leaves out the place or issuer that begins ``other`` (an interpretation
        # citing 《关于新时代…若干措施》 for 《河北省关于新时代…若干措施》); not the other way
        # round: 《河北省X》 is the province's own document implementing the national 《X》
        if len(self.base) >= 8 and other.base.endswith(self.base):
            lead = other.base[: len(other.base) - len(self.base)]
            if _PLACE.fullmatch(lead) or _ISSUER.match(lead + "印发"):
                return 1
        return 0


@lru_cache(maxsize=200_000)
def make_name(raw: str) -> Name:
    """A name from a 《》 name or a reduced title."""
    text = _BRACKETS(_NOISE.sub("", squeeze(raw[:TITLE_LIMIT])))
    digits = _DIGIT.search(text) is not None
    years = frozenset(_YEAR.findall(text)) if digits else frozenset()
    editions = frozenset(_EDITION.findall(text))
    ordinals = frozenset(_ORDINAL.findall(text)) if "第" in text else frozenset()
    base = _EDITION_PARENS.sub("", text) if "(" in text else text
    if editions:
        base = _EDITION.sub("", base)
    if years:
        base = _YEAR.sub("", base)
    base = _ISSUED_BY.sub("", base) if "发" in base[:42] else base
    base = base.replace("关于", "").replace("的", "")
    if base and base[-1] in "()年度版":
        base = _MARK_TAIL.sub("", base)
    base = base.replace("(", "").replace(")", "")
    return Name(text, base, years, editions, ordinals)


def names_document(name: Name) -> bool:
    """Whether a name is a document's name, not an abbreviation such as 《办法》."""
    return len(name.base) >= 4 and not _ABBREVIATION.match(name.base)


@lru_cache(maxsize=200_000)
def base_keys(name: Name) -> frozenset[str]:
    """The keys a name is indexed under: its base, and its base without a leading place name
    (《河北省关于新时代…若干措施》 is cited as 《关于新时代…若干措施》). Remembered: the place
    pattern is costly, and a name recurs (each version of a document, each citation)."""
    place = _PLACE.match(name.base)
    if place and len(name.base) - place.end() >= 6:
        return frozenset((name.base, name.base[place.end():]))
    return frozenset((name.base,))


def policy_names(title: str) -> list[Name]:
    """A policy's names: each 《》 name of its title, and the title itself reduced (issuer,
    印发/关于, 文号 and 的通知 removed)."""
    title = title[:TITLE_LIMIT]
    quoted = any(mark in title for mark in "《〈<‹")
    names = [make_name(q) for q in QUOTED.findall(title)] if quoted else []
    core = reduce_title(title)
    if not names or not QUOTED.search(core):
        reduced = make_name(QUOTED.sub(_unquote, core) if quoted else core)
        if reduced.base and reduced.base not in {n.base for n in names}:
            names.append(reduced)
    return [n for n in names if len(n.base) >= 4]


_NUMBER_PARENS = re.compile(r"[(（][^()（）]*〔?\d{4}〕?[^()（）]*号[)）]")
_DECREE = re.compile(r"^.{0,30}令第?[0-9一二三四五六七八九十]+号")
_ISSUING = re.compile(r"^(?:关于)?(?:印发|转发|发布|公布)?")
_NOTICE_TAIL = re.compile(r"(?:的)?(?:通知|函|公告|决定)$")


def _unquote(match: re.Match[str]) -> str:
    return match.group(1)


def reduce_title(title: str) -> str:
    """A title without its 文号, issuer, 印发/关于 and 的通知: the document it names."""
    core = title
    if "号" in core:
        core = _NUMBER.sub("", _NUMBER_PARENS.sub("", core))
        core = _DECREE.sub("", core)
    if "印发" in core or "关于" in core:
        core = _ISSUER.sub("", core)
    core = _ISSUING.sub("", core)
    core = _NOTICE_TAIL.sub("", core.strip())
    return core[2:] if core.startswith("关于") else core


def interpretation_names(title: str) -> tuple[list[Name], bool]:
    """(the names an interpretation's title gives, whether they are 《》 names)."""
    title = title[:TITLE_LIMIT]
    quoted = [n for n in (make_name(q) for q in QUOTED.findall(title)) if names_document(n)]
    if quoted:
        return quoted, True
    text = squeeze(title)
    for _ in range(3):  # prefixes and suffixes stack: 图解：关于…的解读
        shorter = _strip_interpretation_words(text)
        if shorter == text:
            break
        text = shorter
    name = make_name(reduce_title(QUOTED.sub(_unquote, text)))
    return ([name] if names_document(name) else []), False


_FORM_PREFIX = re.compile(
    r"^[【\[]?(?:视频|微视频|音频|动漫|H5|h5)?(?:解读|图解)?[】\]]?[｜|:：丨]?")


def title_core(title: str) -> str:
    """What an interpretation's title says without its form words (一图读懂、图解、解读…),
    quotes, brackets and punctuation: how the same interpretation is recognised when a
    new-media post re-titles it lightly (``monitors.interpretation_channels``)."""
    text = _NOISE.sub("", _FORM_PREFIX.sub("", squeeze(title[:TITLE_LIMIT])))
    for _ in range(3):  # prefixes and suffixes stack: 图解：关于…的解读
        # a part of a text without noise has none: no second pass over what is left
        shorter = _strip_interpretation_words(text)
        if shorter == text:
            break
        text = shorter
    text = _BRACKETS(text)
    return text[2:] if text.startswith("关于") else text


def plain(text: str) -> str:
    """Text as ``title_core`` compares it: no spaces, punctuation, quotes or 《》."""
    return _BRACKETS(_NOISE.sub("", squeeze(text)))


def _strip_interpretation_words(text: str) -> str:
    """A title without one leading 一图读懂/图解… and one trailing 解读/说明/图解…."""
    prefix = _INTERP_PREFIX.match(text)
    if prefix and prefix.end():
        text = text[prefix.end():]
    if not text.endswith(_INTERP_SUFFIXES):  # most titles end otherwise: one test, not 16
        return text
    for suffix in _INTERP_SUFFIXES:
        if text.endswith(suffix):
            return text[: len(text) - len(suffix)].rstrip(_SEPARATORS)
    return text


def signed_on(head: str, listed: date) -> date:
    """When a policy was issued: the earlier of its list date and a 成文日期 printed in its
    text (a portal that moved its archive lists old documents under the move's date)."""
    best = listed
    if "日" not in head:
        return best
    for m in _SIGNED.finditer(head[:6000]):
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if listed - timedelta(days=366 * 15) <= day < best:
            best = day
    return best


@dataclass(frozen=True)
class Document:
    """An item of a policy or interpretation column, as matching reads it."""

    key: int
    url: str
    title: str
    published_on: date
    body: str = ""  # the article's text (the head of it suffices for a policy)
    links: tuple[str, ...] = ()
    unit: int | None = None  # the assessed unit whose column lists it
    url_key: str = field(init=False)  # its URL and links as they are compared (``link_key``)
    link_keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "url_key", link_key(self.url))
        object.__setattr__(self, "link_keys",
                           frozenset(link_key(u) for u in self.links) if self.links else _NO_LINKS)


@dataclass(frozen=True)
class PolicyDoc(Document):
    """What matching needs of a policy item: its names, 文号 and issue date."""

    names: tuple[Name, ...] = field(init=False)
    numbers: frozenset[DocNumber] = field(init=False)
    issued_on: date = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "names", tuple(policy_names(self.title)))
        own = [k for _, k in numbers_in(self.title)]
        first = own_number(self.body)
        if first is not None:
            own.append(first[0])
        object.__setattr__(self, "numbers", frozenset(own))
        issued = signed_on(self.body, self.published_on)
        years = [n.year for n in own if n.year < issued.year]
        if years:  # the 文号 says an earlier year than any date found: when in it is unknown
            issued = min(issued, date(min(years), 1, 1))
        object.__setattr__(self, "issued_on", issued)


Role = Literal["subject", "plain", "old"]


@dataclass(frozen=True)
class Citation:
    """A document an interpretation's body names: what the text is about (``subject``: 印发《…》,
    《…》（以下简称…）), a plain mention, or the document it revises or repeals (``old``)."""

    name: Name | None
    number: DocNumber | None
    role: Role


def _is_basis(before: str) -> bool:
    """Whether the words before a citation cite it as the basis (为贯彻落实…印发的《…》): a
    basis word in the same clause (no comma or full stop between it and the citation)."""
    return bool(_BASIS.search(re.split(r"[，。；;,！？!?]", before)[-1]))


def own_number(body: str) -> tuple[DocNumber, str] | None:
    """A document's own 文号 and its text: the first in the head of its text (400 characters)
    not cited as its basis (为贯彻落实《…》（国办发〔2020〕26号）)."""
    head = body[:400]
    for m in _NUMBER.finditer(head):
        if not _is_basis(head[max(0, m.start() - 60): m.start()]):
            return _doc_number(m), squeeze(m.group(0))
    return None


def _long_before(before: str, published_on: date | None) -> bool:
    """Whether the words before a citation date it long before the interpretation."""
    if published_on is None:
        return False
    for m in _HISTORY.finditer(before):
        year, month = int(m.group(1)), int(m.group(2) or 12)
        try:
            told = date(year, month, 28)
        except ValueError:
            continue
        if told < published_on - timedelta(days=HISTORY_DAYS):
            return True
    return False


def citations(body: str, published_on: date | None = None) -> list[Citation]:
    """The 《》 names and 文号 an interpretation's body cites; those it cites as its basis
    (为贯彻落实《…》, 根据《…》) are left out. ``published_on``: the interpretation's date — a
    document it says was issued long before (2019年，省科技厅印发《…》) is an old one."""
    body = body[:BODY_LIMIT]
    found: list[Citation] = []
    taken: set[int] = set()
    for m in QUOTED.finditer(body):
        name = make_name(m.group(1))
        before, after = body[max(0, m.start() - 25): m.start()], body[m.end(): m.end() + 80]
        near = numbers_in(after[:30])
        number = None
        if near and after[: near[0][0]].strip(" （(\u3000") == "":
            number = near[0][1]
            taken.add(near[0][0] + m.end())
        if not names_document(name):
            continue
        role: Role
        if _SUBJECT_AFTER.match(after):
            role = "subject"
        elif (_FORMER_BEFORE.search(before) or _OLD_AFTER.match(after) or _REPEALED.match(after)
              or (number and _REVISED_BEFORE.search(before))
              or _long_before(body[max(0, m.start() - 40): m.start()], published_on)):
            role = "old"
        elif _is_basis(before):
            continue
        elif _SUBJECT_BEFORE.search(before) or m.start() < 3:
            role = "subject"
        else:
            role = "plain"
        found.append(Citation(name, number, role))
    for pos, key in numbers_in(body):
        if pos in taken:
            continue
        before, after = body[max(0, pos - 25): pos], body[pos: pos + 80]
        if _is_basis(before):
            continue
        old = _REVISED_BEFORE.search(before) or _REPEALED.match(after)
        found.append(Citation(None, key, "old" if old else "subject"))
    return found


@dataclass(frozen=True)
class InterpretationDoc(Document):
    """What matching needs of an interpretation item: the names its title gives and the
    documents its text cites."""

    names: tuple[Name, ...] = field(init=False)
    quoted_title: bool = field(init=False)
    cited: tuple[Citation, ...] = field(init=False)
    cited_numbers: frozenset[DocNumber] = field(init=False)  # the 文号 cited, but not as old

    def __post_init__(self) -> None:
        super().__post_init__()
        names, quoted = interpretation_names(self.title)
        object.__setattr__(self, "names", tuple(names))
        object.__setattr__(self, "quoted_title", quoted)
        cited = tuple(citations(self.body, self.published_on))
        object.__setattr__(self, "cited", cited)
        object.__setattr__(self, "cited_numbers", frozenset(
            c.number for c in cited if c.number and c.role != "old"))


DocT = TypeVar("DocT", bound=Document)


@cache
def worked_out_fields(kind: type[Document]) -> tuple[str, ...]:
    """The fields a document works out from its own (names, 文号, dates, citations)."""
    return tuple(f.name for f in fields(kind) if not f.init)


def worked_out(doc: Document) -> tuple[object, ...]:
    """A document's worked-out fields, in ``worked_out_fields`` order: kept between runs and
    given back to ``with_worked_out`` (names, 文号 and citations are plain frozen values)."""
    return tuple(getattr(doc, name) for name in worked_out_fields(type(doc)))


def with_worked_out(kind: type[DocT], key: int, url: str, title: str, published_on: date,
                    body: str, links: tuple[str, ...], unit: int | None,
                    kept: Sequence[object]) -> DocT:
    """The document of these fields whose worked-out fields are ``kept`` (``worked_out`` of
    the same fields, from an earlier run), instead of working them out again."""
    doc = object.__new__(kind)  # a frozen dataclass: its fields are set as __init__ does
    state = doc.__dict__
    state.update(key=key, url=url, title=title, published_on=published_on, body=body,
                 links=links, unit=unit)
    state.update(zip(worked_out_fields(kind), kept, strict=True))
    return doc


def link_key(url: str) -> str:
    """A URL as links are compared: without its #fragment, trailing slash and scheme."""
    url = url.split("#", 1)[0].rstrip("/")
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return url[len(scheme):]
    return url


@dataclass(frozen=True)
class Evidence:
    """Why an interpretation is taken to explain a policy (or was not)."""

    strength: int  # 0: no evidence
    detail: str
    vetoed: str | None = None  # why evidence was set aside (date, a link elsewhere)
    via: str = ""  # what of the interpretation matched: "link", a 文号, a name's base

    @property
    def label(self) -> str:
        return STRENGTH_LABELS.get(self.strength, "无")


NONE = Evidence(0, "")


def title_similarity(a: Name, b: Name) -> float:
    """0–1: fuzzy similarity of two names' bases (rapidfuzz ratio)."""
    if not a.base or not b.base:
        return 0.0
    return fuzz.ratio(a.base, b.base) / 100


def evidence(policy: PolicyDoc, interp: InterpretationDoc, *,
             threshold: float = 0.85, max_days_before: int = MAX_DAYS_BEFORE,
             links_elsewhere: bool = False) -> Evidence:
    """The strongest evidence that ``interp`` explains ``policy``, vetoes applied.

    ``links_elsewhere``: the interpretation links to a different policy document (the caller
    knows the other documents); then only links and 文号 count.
    """
    if policy.url_key in interp.link_keys or interp.url_key in policy.link_keys:
        return Evidence(LINK, "解读页面链接到本文件" if policy.url_key in interp.link_keys
                        else "本文件页面链接到该解读", via="link")
    found = _strongest(policy, interp, threshold)
    if found.strength == 0:
        return found
    earliest = policy.issued_on - timedelta(days=max_days_before)
    if interp.published_on < earliest:
        return Evidence(0, found.detail, vetoed=f"解读发布于{interp.published_on.isoformat()}，"
                        f"早于文件印发（{policy.issued_on.isoformat()}）{max_days_before}天以上")
    if links_elsewhere and found.strength < NUMBER:
        return Evidence(0, found.detail, vetoed="解读页面链接到另一份文件")
    return found


def _strongest(policy: PolicyDoc, interp: InterpretationDoc, threshold: float) -> Evidence:
    quoted = interp.quoted_title
    # the interpretation's title names this policy (or names nothing): its body speaks of it
    about = not quoted or any(own.agrees(name) for own in interp.names for name in policy.names)

    def own_subject(cite: Citation) -> bool:
        """A citation of what the title names (the 文号 given for the title's document)."""
        return cite.name is not None and any(
            cite.name.agrees(own) or own.agrees(cite.name) for own in interp.names)

    old = [c for c in interp.cited if c.role == "old"]
    for cite in old:
        if cite.number and shared_numbers(policy.numbers, [cite.number]):
            return Evidence(0, f"正文：《{cite.name.text if cite.name else cite.number}》",
                            f"解读说明该文件（{cite.number}）已被修订或废止")
    for cite in interp.cited:
        if cite.role == "old" or not cite.number or not (about or own_subject(cite)):
            continue
        if shared_numbers(policy.numbers, [cite.number]):
            # grouped with the name it is given for: the other versions of that name compete
            via = cite.name.base if cite.name else f"文号{cite.number.serial}"
            return Evidence(NUMBER, f"文号：{cite.number}", via=via)
    best = NONE
    current = {c.name.text for c in interp.cited if c.name and c.role != "old"}
    for cite in old:  # an old edition named without its 文号 (原《…（试行）》)
        if cite.number is None and cite.name and cite.name.text not in current and any(
                cite.name.agrees(name) == 2 for name in policy.names):
            return Evidence(0, f"正文：《{cite.name.text}》", "解读说明该文件已被修订或废止")
    for cite in interp.cited:
        if cite.name is None or cite.role == "old" or not about:
            continue
        for name in policy.names:
            agree = cite.name.agrees(name)
            if not agree:
                continue
            if cite.role == "subject":
                strength = CITED if agree == 2 else CITED_BASE
            elif not quoted:
                strength = PLAIN_CITED
            else:
                continue
            if strength > best.strength:
                best = Evidence(strength, f"正文：《{cite.name.text}》", via=cite.name.base)
    for own in interp.names:
        for name in policy.names:
            agree = own.agrees(name)
            if not agree and own.base == name.base and best.strength == 0:
                # the reviewer should see why a same-named interpretation does not count
                best = Evidence(0, f"名称相同但年份、版本或批次不同：{own.text}")
            strength = TITLE if agree == 2 else TITLE_BASE if agree == 1 else 0
            if not strength and not quoted and _attributes_agree(own, name):
                score = title_similarity(own, name)
                if score >= threshold and best.strength < FUZZY:
                    best = Evidence(FUZZY, f"标题相似度{score:.2f}：{own.text}", via=own.base)
                continue
            if strength > best.strength:
                best = Evidence(strength, f"标题：{own.text}", via=own.base)
    return best


def _attributes_agree(a: Name, b: Name) -> bool:
    return ((not a.years or not b.years or a.years == b.years)
            and (not a.ordinals or not b.ordinals or a.ordinals == b.ordinals)
            and (not a.editions or not b.editions or a.editions == b.editions))


def assign(interp: InterpretationDoc, scored: Mapping[int, tuple[PolicyDoc, Evidence]],
           max_days_before: int = MAX_DAYS_BEFORE) -> set[int]:
    """The policies (keys of ``scored``) an interpretation explains, from its evidence for each.

    The policies matched through the same thing of the interpretation (one 《》 name, one 文号)
    compete: only the strongest evidence counts and, among equals, the version current when the
    interpretation was published — the latest issued up to ``max_days_before`` days after it,
    else the earliest — with its copies (issued within ``max_days_before`` days of it). A
    joint interpretation naming two documents explains both.
    """
    groups: dict[str, list[tuple[PolicyDoc, Evidence]]] = {}
    for policy, ev in scored.values():
        if ev.strength > 0:
            groups.setdefault(ev.via, []).append((policy, ev))
    chosen: set[int] = set()
    window = timedelta(days=max_days_before)
    for members in groups.values():
        top = max(ev.strength for _, ev in members)
        best = [p for p, ev in members if ev.strength == top]
        if top >= NUMBER:  # a link or a 文号 names the very document
            chosen.update(p.key for p in best)
            continue
        current = [p for p in best if p.issued_on <= interp.published_on + window]
        if current:
            newest = max(p.issued_on for p in current)
            chosen.update(p.key for p in current if p.issued_on >= newest - window)
        else:
            oldest = min(p.issued_on for p in best)
            chosen.update(p.key for p in best if p.issued_on <= oldest + window)
    return chosen


def links_to_other(interp: InterpretationDoc, policy: PolicyDoc,
                   policy_by_url: Mapping[str, Sequence[PolicyDoc]]) -> bool:
    """Whether the interpretation links to a policy document other than ``policy`` (a copy of
    the same document in another column — same title — is the same document)."""
    if not interp.links:
        return False
    own = squeeze(policy.title)
    linked = False
    for url in interp.link_keys:
        for other in policy_by_url.get(url, ()):
            if squeeze(other.title) == own:
                return False
            linked = True
    return linked


class Matcher:
    """All policies and interpretations of a store, indexed: which interpretations explain a
    policy, with the evidence, and which other candidates were weighed.

    Candidates come from indexes (links, 文号, base names) and, for interpretation titles
    without a 《》 name, from a fuzzy search (rapidfuzz, in C) within a unit: a policy is
    compared with the interpretations of its own unit and of the units that publish
    interpretations but no policies (``policy_units`` are the units with a policy column; a
    county 政府办 interpreting for others) — across a province "甲县…工作要点" and
    "乙县…工作要点" look alike. Versions compete within the unit of the policy judged.
    """

    def __init__(self, policies: Iterable[PolicyDoc], interpretations: Iterable[InterpretationDoc],
                 *, threshold: float = 0.85, max_days_before: int = MAX_DAYS_BEFORE,
                 policy_units: Collection[int] | None = None) -> None:
        self.policies = {p.key: p for p in policies}
        self.interps = {i.key: i for i in interpretations}
        self.threshold = threshold
        self.max_days_before = max_days_before
        self.policy_units = (set(policy_units) if policy_units is not None
                             else {p.unit for p in self.policies.values() if p.unit is not None})
        self.policy_by_url: dict[str, list[PolicyDoc]] = {}
        self.policy_linking: dict[str, list[int]] = {}  # URL → policies linking to it
        self.policy_by_number: dict[str, list[int]] = {}
        self.policy_by_base: dict[str, list[int]] = {}
        self._policy_pools: dict[int | None, list[tuple[int, str]]] = {}
        for p in self.policies.values():
            self.policy_by_url.setdefault(p.url_key, []).append(p)
            for u in p.link_keys:
                self.policy_linking.setdefault(u, []).append(p.key)
            for n in p.numbers:
                self.policy_by_number.setdefault(n.serial, []).append(p.key)
            for name in p.names:
                self._policy_pools.setdefault(p.unit, []).append((p.key, name.base))
                for key in base_keys(name):
                    self.policy_by_base.setdefault(key, []).append(p.key)
        self.by_link: dict[str, list[int]] = {}
        self.by_url: dict[str, list[int]] = {}
        self.by_number: dict[str, list[int]] = {}
        self.by_base: dict[str, list[int]] = {}
        self._own_fuzzy: dict[int, list[tuple[int, str]]] = {}
        self._shared_fuzzy: list[tuple[int, str]] = []
        # every title's names, for the near misses shown to a reviewer
        self._own_near: dict[int, list[tuple[int, str]]] = {}
        self._shared_near: list[tuple[int, str]] = []
        for i in self.interps.values():
            self.by_url.setdefault(i.url_key, []).append(i.key)
            for u in i.link_keys:
                self.by_link.setdefault(u, []).append(i.key)
            for n in i.cited_numbers:
                self.by_number.setdefault(n.serial, []).append(i.key)
            for name in list(i.names) + [c.name for c in i.cited if c.name]:
                # under its own base only: a policy is looked up by its base and by its base
                # without the place name an interpretation may leave out (``base_keys``)
                self.by_base.setdefault(name.base, []).append(i.key)
            own = i.unit is not None and i.unit in self.policy_units
            near = self._own_near.setdefault(i.unit, []) if own else self._shared_near
            near += [(i.key, n.base) for n in i.names]
            if not i.quoted_title:
                pool = self._own_fuzzy.setdefault(i.unit, []) if own else self._shared_fuzzy
                pool += [(i.key, n.base) for n in i.names]
        self._assigned: dict[tuple[int, int | None], set[int]] = {}
        self._bases: dict[int, tuple[Sequence[tuple[int, str]], list[str]]] = {}
        self._scores: dict[tuple[int, int], Evidence] = {}

    def score(self, policy: PolicyDoc, interp: InterpretationDoc) -> Evidence:
        """``evidence`` for the pair (memoised), a link elsewhere looked up."""
        key = (policy.key, interp.key)
        if key not in self._scores:
            self._scores[key] = evidence(
                policy, interp, threshold=self.threshold, max_days_before=self.max_days_before,
                links_elsewhere=links_to_other(interp, policy, self.policy_by_url))
        return self._scores[key]

    def _strings(self, pool: Sequence[tuple[int, str]]) -> list[str]:
        """A pool's names as rapidfuzz takes them, listed once per pool."""
        bases = self._bases.get(id(pool))
        if bases is None or bases[0] is not pool:
            bases = self._bases[id(pool)] = (pool, [b for _, b in pool])
        return bases[1]

    def _fuzzy(self, base: str, pool: Sequence[tuple[int, str]]) -> set[int]:
        if not pool:
            return set()
        hits = process.extract(base, self._strings(pool), scorer=fuzz.ratio,
                               score_cutoff=self.threshold * 100 - 0.1, limit=None)
        return {pool[k][0] for _, _, k in hits}

    def _indexed_candidates(self, policy: PolicyDoc) -> set[int]:
        """Interpretations linked either way, citing its 文号 or one of its names."""
        found = set(self.by_link.get(policy.url_key, ()))
        for u in policy.link_keys:
            found.update(self.by_url.get(u, ()))
        for n in policy.numbers:
            found.update(self.by_number.get(n.serial, ()))
        for name in policy.names:
            for key in base_keys(name):
                found.update(self.by_base.get(key, ()))
        return found

    def _fuzzy_candidates(self, policy: PolicyDoc) -> set[int]:
        """Interpretations whose title without a 《》 name is like one of its names."""
        own = self._own_fuzzy.get(policy.unit, []) if policy.unit is not None else []
        found: set[int] = set()
        for name in policy.names:
            found |= self._fuzzy(name.base, own) | self._fuzzy(name.base, self._shared_fuzzy)
        return found

    def _policy_candidates(self, interp: InterpretationDoc, unit: int | None) -> set[int]:
        found = set(self.policy_linking.get(interp.url_key, ()))
        for u in interp.link_keys:
            found.update(p.key for p in self.policy_by_url.get(u, ()))
        for n in interp.cited_numbers:
            found.update(self.policy_by_number.get(n.serial, ()))
        for name in list(interp.names) + [c.name for c in interp.cited if c.name]:
            found.update(self.policy_by_base.get(name.base, ()))
        if not interp.quoted_title:
            for name in interp.names:
                found |= self._fuzzy(name.base, self._policy_pools.get(unit, []))
        return found

    def explained_by(self, interp_key: int, unit: int | None = None) -> set[int]:
        """The policies an interpretation explains (``assign`` over its candidates; fuzzy
        competitors looked for among the policies of ``unit``)."""
        if (interp_key, unit) not in self._assigned:
            interp = self.interps[interp_key]
            scored = {k: (self.policies[k], self.score(self.policies[k], interp))
                      for k in self._policy_candidates(interp, unit)}
            self._assigned[(interp_key, unit)] = assign(interp, scored, self.max_days_before)
        return self._assigned[(interp_key, unit)]

    def _weigh(self, policy: PolicyDoc, keys: Iterable[int], explaining: list[Weighed],
               others: list[Weighed]) -> None:
        """Sort candidate interpretations into those explaining the policy and the others."""
        for key in keys:
            interp = self.interps[key]
            ev = self.score(policy, interp)
            chosen = self.explained_by(key, policy.unit)
            if ev.strength and policy.key in chosen:
                explaining.append(Weighed(interp, ev, ()))
            else:
                others.append(Weighed(interp, ev, tuple(self.policies[k] for k in sorted(chosen))))

    def near_misses(self, policy: PolicyDoc, limit: int = 5) -> list[tuple[int, float]]:
        """(interpretation key, title similarity) of the titles closest to the policy's names
        in its unit and the shared units — what a reviewer looks at when nothing matched."""
        own = self._own_near.get(policy.unit, []) if policy.unit is not None else []
        best: dict[int, float] = {}
        for pool in (own, self._shared_near):
            if not pool:
                continue
            for name in policy.names:
                for _, score, k in process.extract(name.base, self._strings(pool),
                                                   scorer=fuzz.ratio, score_cutoff=30,
                                                   limit=limit):
                    key = pool[k][0]
                    best[key] = max(best.get(key, 0.0), score / 100)
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    def verdict(self, policy_key: int, near: int = 5, *, complete: bool = True) -> Verdict:
        """Which interpretations explain a policy, and the other candidates weighed (with up
        to ``near`` near misses by title when there are fewer).

        ``complete=False``: when a link, a 文号 or a name already explains the policy, the
        fuzzy title search is skipped — whether it is explained is all the rule asks then.
        """
        policy = self.policies[policy_key]
        explaining: list[Weighed] = []
        others: list[Weighed] = []
        candidates = self._indexed_candidates(policy)
        self._weigh(policy, candidates, explaining, others)
        if complete or not explaining:
            fuzzy = self._fuzzy_candidates(policy) - candidates
            self._weigh(policy, fuzzy, explaining, others)
            candidates |= fuzzy
        others.sort(key=Weighed.order)
        if not explaining and len(others) < near:
            for key, score in self.near_misses(policy, near):
                if key not in candidates and len(others) < near:
                    others.append(Weighed(self.interps[key],
                                          Evidence(0, f"标题相似度{score:.2f}"), ()))
        return Verdict(policy, sorted(explaining, key=Weighed.order), others)


@dataclass(frozen=True)
class Weighed:
    """An interpretation weighed for a policy: its evidence, and — when it has evidence but
    explains other policies instead (another version, a namesake) — those."""

    interp: InterpretationDoc
    evidence: Evidence
    explains_instead: tuple[PolicyDoc, ...]

    def order(self) -> tuple[int, int]:
        return -self.evidence.strength, self.interp.key


@dataclass(frozen=True)
class Verdict:
    policy: PolicyDoc
    explaining: list[Weighed]
    others: list[Weighed]

    @property
    def explained(self) -> bool:
        return bool(self.explaining)
