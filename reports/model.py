"""The weekly bulletin (周通报) as plain data: what every renderer shows.

``reports.weekly.build_weekly`` makes a ``WeeklyBulletin``; the renderers (Markdown, HTML, DOCX,
XLSX) only lay it out. Tables are generic (headers + rows of cells) so the four formats show
exactly the same rows. Strings here may come from crawled pages: each renderer escapes them for
its own format.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from govwatch.timeutil import chinese_date

# The rules that are violations (counted, listed, linked to the bulletin); crawl_failure is not.
VIOLATIONS = ("stale_column", "low_post_frequency", "uninterpreted_policy", "not_rectified")
CRAWL_FAILURE = "crawl_failure"
FORMATS = ("md", "html", "docx", "xlsx")

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: object) -> str:
    """Text with the characters XML (DOCX, XLSX) cannot hold removed; None becomes ''."""
    if text is None:
        return ""
    return _XML_ILLEGAL.sub("", str(text))


def is_web_url(url: str | None) -> bool:
    """Whether a URL may be shown as a link: absolute http(s) only."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class Link:
    """A cell that links somewhere; renderers link it only when ``is_web_url(url)``."""

    text: str
    url: str


Cell = str | int | float | date | Link

# The 整改情况 that every format shows in red.
NOT_RECTIFIED = "未整改"


def link_target(cell: Cell) -> str | None:
    """Where a cell links to: a ``Link`` to an http(s) URL, stripped and cleaned; else None."""
    if isinstance(cell, Link) and is_web_url(cell.url):
        return clean(cell.url.strip())
    return None


def cell_text(cell: Cell) -> str:
    """A cell as plain text."""
    if isinstance(cell, Link):
        return cell.text
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float):
        return f"{cell:g}"
    return str(cell)


@dataclass(frozen=True)
class Table:
    """One table of the bulletin; ``sheet`` names its XLSX sheet."""

    key: str
    sheet: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str  # shown instead of the table when there are no rows
    caption: str = ""  # e.g. （一）上期通报问题整改情况
    widths: tuple[int, ...] = ()  # relative column widths, in characters


@dataclass(frozen=True)
class Section:
    """A numbered section (一、…) or an appendix: heading, a paragraph, tables."""

    key: str
    heading: str
    intro: str
    tables: tuple[Table, ...]
    chart: bool = False  # the HTML shows the per-unit chart here


@dataclass(frozen=True)
class UnitTally:
    """One unit's confirmed violations of the week, by rule, and their points."""

    code: str
    name: str
    category: str
    counts: dict[str, int]
    points: float

    @property
    def total(self) -> int:
        return sum(self.counts.get(rule, 0) for rule in VIOLATIONS)


@dataclass(frozen=True)
class Rectification:
    """整改情况 of one finding named in the previous bulletin."""

    finding_id: int
    unit: str
    subject: str  # column or account
    problem: str
    rectified: bool
    note: str


@dataclass(frozen=True)
class DocumentParts:
    """What makes the bulletin an official document (公文), from ``settings.bulletin``:
    the issuing office (发文机关), the 文号 (None on a draft: assigned at approval), who signed
    it (签发人), and the 版记 — 抄送 offices and the printing office (印发机关)."""

    issuer: str | None = None  # None: 「{county}政务公开领导小组办公室」
    number: str | None = None
    signer: str | None = None
    cc: tuple[str, ...] = ()
    printer: str | None = None  # None: the issuer


DRAFT_MARK = "审核稿（草稿）：经审核通过并发布前不得印发"
DRAFT_NUMBER = "文号：审核发布时编排"


@dataclass(frozen=True)
class WeeklyBulletin:
    """Everything a weekly bulletin says, ready to render.

    ``draft``: the internal draft reviewers approve — it also lists pending findings (待审核)
    and pending crawl failures, marked, and has no 文号 yet. The published edition (``draft``
    False) carries confirmed findings only.
    """

    county: str
    week: str  # ISO week, e.g. 2021-W35
    week_start: date
    week_end: date
    issued_on: date
    issuer: str
    title: str
    salutation: str
    opening: str
    summary: str
    closing: str
    sections: tuple[Section, ...]
    appendices: tuple[Section, ...]
    units: tuple[UnitTally, ...]
    confirmed: dict[str, int]  # confirmed violations of the week, by rule
    previous_confirmed: dict[str, int]  # the same for the week before
    pending_count: int
    crawl_issue_count: int
    rectifications: tuple[Rectification, ...]
    previous_period: str | None  # the bulletin section 四 looks back at
    listed_ids: tuple[int, ...]  # confirmed findings named (→ BulletinFinding)
    pending_ids: tuple[int, ...] = field(default=())
    draft: bool = False
    number: str | None = None  # 文号
    signer: str | None = None  # 签发人
    cc: tuple[str, ...] = ()  # 抄送
    printer: str = ""  # 印发机关; empty: the issuer

    @property
    def file_stem(self) -> str:
        return f"通报-{self.week}-草稿" if self.draft else f"通报-{self.week}"

    @property
    def number_text(self) -> str:
        """The 文号 line's text: the 文号, or on a draft where it will go."""
        return self.number or (DRAFT_NUMBER if self.draft else "")

    @property
    def mark(self) -> str:
        """What goes before the title on one line (an XLSX sheet's title row): the draft's
        mark, or the 文号."""
        if self.draft:
            return "【审核稿（草稿）】"
        return f"{self.number}　" if self.number else ""

    @property
    def signer_text(self) -> str:
        return f"签发人：{self.signer}" if self.signer else ""

    @property
    def cc_line(self) -> str:
        """版记: 「抄送：A，B。」, or empty without 抄送 offices."""
        return f"抄送：{'，'.join(self.cc)}。" if self.cc else ""

    @property
    def printed(self) -> tuple[str, str]:
        """版记: the printing office and 「2021年9月13日印发」."""
        return self.printer or self.issuer, f"{chinese_date(self.issued_on)}印发"

    def content_digest(self) -> str:
        """A digest of what the bulletin says (not its 文号, 签发人, dates or draft marks):
        equal for the draft's published edition and the edition approved from it."""
        said = (self.title, self.salutation, self.opening, self.summary, self.closing,
                self.sections, self.appendices, self.listed_ids)
        return hashlib.sha256(repr(said).encode("utf-8")).hexdigest()

    @property
    def total(self) -> int:
        return sum(self.confirmed.values())

    def tables(self) -> list[Table]:
        """Every table, sections then appendices."""
        return [t for s in (*self.sections, *self.appendices) for t in s.tables]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables() if t.key == key)
