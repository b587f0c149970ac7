"""What the pages show, read from storage (and written back for reviews and manual entries).

Route handlers stay thin: each asks one function here for a plain dataclass and renders it.
Findings come from ``storage.repo`` (the same rows the CLI lists); scores from
``scoring.service``; manual entries are validated by ``scoring.entries.validate_rows`` exactly
as a CSV import is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govwatch.config import CountyConfig
from govwatch.timeutil import CHINA, now, today
from govwatch.vocabulary import RULE_NAMES, STATUS_NAMES, describe
from scoring.engine import UnitScore
from scoring.entries import (
    EXAMPLE_PREFIX,
    KIND_NAMES,
    ParsedEntry,
    RawRow,
    UnitRef,
    list_entries,
    validate_rows,
)
from scoring.rubric import RubricSet
from scoring.service import ScoreReport
from storage import repo
from storage.models import Finding, ManualEntry, Rectification, Review, Snapshot, Unit
from web.security import web_url

Scope = frozenset[str] | None  # the unit codes a user is limited to; None: every unit

PAGE_SIZE = 100
# Web action → (to-status, Chinese verb)
ACTIONS = {"confirm": ("confirmed", "确认"), "dismiss": ("dismissed", "驳回"),
           "reopen": ("pending", "重新打开")}


# ----------------------------------------------------------------------------- queue


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters; ``status`` "all" shows every status."""

    status: str = "pending"
    unit: str = ""
    rule: str = ""
    week: str = ""
    page: int = 1
    q: str = ""  # words searched in titles, units, sources and descriptions

    def query(self, **changes: Any) -> str:
        """The filters as a query string (empty ones and page 1 left out), with ``changes``."""
        values = {"status": self.status, "unit": self.unit, "rule": self.rule,
                  "week": self.week, "q": self.q, "page": self.page, **changes}
        return urlencode({k: v for k, v in values.items()
                          if v not in (None, "") and not (k == "page" and v == 1)})


@dataclass(frozen=True)
class QueueRow:
    row: repo.FindingRow
    rule_name: str
    description: str
    status_name: str
    statement: bool = False  # a unit submitted 整改说明 on it


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    counts: dict[str, int]  # per status under the unit/rule/week filters; "all": every status
    total: int  # rows matching every filter
    page: int
    pages: int
    units: list[tuple[str, str]]
    weeks: list[str]


def _queue_row(row: repo.FindingRow, statement: bool = False) -> QueueRow:
    return QueueRow(row, RULE_NAMES.get(row.rule, row.rule), describe(row),
                    STATUS_NAMES.get(row.status, row.status), statement)


def _searched(row: repo.FindingRow, words: list[str]) -> bool:
    """Whether every word is in the finding's title, unit, source or description."""
    ev = row.evidence
    text = " ".join(str(v) for v in (
        row.unit_code, row.unit_name, row.source_name, describe(row), ev.get("policy_title"),
        ev.get("title"), ev.get("newest_title"), RULE_NAMES.get(row.rule, row.rule))
        if v).lower()
    return all(word in text for word in words)


def in_scope(code: str | None, scope: Scope) -> bool:
    """Whether a unit's data is inside a user's scope (``Account.scope``)."""
    return scope is None or (code is not None and code in scope)


def queue_rows(session: Session, filters: QueueFilters, scope: Scope = None,
               ) -> tuple[list[repo.FindingRow], dict[str, int]]:
    """Every finding under the filters in queue order (newest period first), and the counts
    per status under the filters other than status; ``scope``: only those units' findings."""
    rows = repo.list_findings(session, unit=filters.unit or None, rule=filters.rule or None,
                              period=filters.week or None)
    rows = [r for r in rows if in_scope(r.unit_code, scope)]
    words = filters.q.lower().split()
    if words:
        rows = [r for r in rows if _searched(r, words)]
    counts = Counter(r.status for r in rows)
    all_counts = {s: counts.get(s, 0) for s in STATUS_NAMES} | {"all": len(rows)}
    if filters.status in STATUS_NAMES:
        rows = [r for r in rows if r.status == filters.status]
    rows.sort(key=lambda r: r.period, reverse=True)  # stable: unit, rule, id within a week
    return rows, all_counts


def next_pending(session: Session, filters: QueueFilters, after: int) -> int | None:
    """The pending finding that follows ``after`` in the queue under ``filters`` (the one
    reviewed a moment ago, whatever its status now), wrapping round; None when none is left."""
    rows, _ = queue_rows(session, replace(filters, status="all"))
    ids = [r.id for r in rows]
    start = ids.index(after) + 1 if after in ids else 0
    for row in rows[start:] + rows[:start]:
        if row.status == "pending" and row.id != after:
            return row.id
    return None


def queue(session: Session, filters: QueueFilters, scope: Scope = None) -> QueuePage:
    """Findings under the filters (newest period first), one page of them, counts by status;
    ``scope``: only those units (and only they in the unit filter)."""
    rows, all_counts = queue_rows(session, filters, scope)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(filters.page, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    units = [(u.code, u.name) for u in session.scalars(select(Unit).order_by(Unit.code))
             if in_scope(u.code, scope)]
    weeks = sorted(session.scalars(select(Finding.period).distinct()), reverse=True)
    stated = repo.with_rectification(session, [r.id for r in shown])
    return QueuePage([_queue_row(r, r.id in stated) for r in shown], all_counts, len(rows),
                     page, pages, units, weeks)


# ----------------------------------------------------------------------------- one finding


@dataclass(frozen=True)
class RubricTarget:
    """The rubric line and deduction rule a finding deducts from."""

    rubric_title: str
    line_id: str
    line_path: str
    line_weight: Decimal
    rule_id: str
    rule_text: str
    points: Decimal | None


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    url: str
    taken_at: datetime
    http_status: int | None
    has_html: bool
    has_png: bool


@dataclass(frozen=True)
class FindingDetail:
    item: QueueRow
    source_url: str | None
    target: RubricTarget | None
    target_error: str | None
    snapshot: SnapshotInfo | None
    history: list[Review]
    rectifications: list[Rectification] = field(default_factory=list)  # 整改说明

    @property
    def row(self) -> repo.FindingRow:
        return self.item.row

    @property
    def evidence(self) -> dict[str, Any]:
        return self.item.row.evidence


def finding_unit(session: Session, finding_id: int) -> str | None:
    """The unit code of a finding; None when there is no such finding."""
    return session.scalar(select(Unit.code).join(Finding, Finding.unit_id == Unit.id)
                          .where(Finding.id == finding_id))


def _finding_row(session: Session, finding_id: int) -> repo.FindingRow | None:
    finding = session.get(Finding, finding_id)
    if finding is None:
        return None
    unit = session.get(Unit, finding.unit_id)
    rows = repo.list_findings(session, unit=unit.code if unit else None, rule=finding.rule,
                              period=finding.period)
    return next((r for r in rows if r.id == finding_id), None)


def rubric_target(rubrics: RubricSet, rule: str, category: str) -> RubricTarget | None:
    """Where ``rule`` deducts for a unit of ``category`` (None: it never deducts)."""
    rubric = rubrics.for_category(category)
    found = rubric.monitor_target(rule)
    if found is None:
        return None
    line, deduction = found
    return RubricTarget(rubric.title, line.id, line.path_text, line.weight, deduction.id,
                        deduction.text, deduction.points)


def finding_detail(session: Session, rubrics: RubricSet, finding_id: int) -> FindingDetail | None:
    row = _finding_row(session, finding_id)
    if row is None:
        return None
    finding = session.get(Finding, finding_id)
    assert finding is not None
    target, error = None, None
    try:
        target = rubric_target(rubrics, row.rule, row.category)
    except KeyError as exc:
        error = str(exc.args[0])
    snap = repo.finding_snapshot(session, finding_id)
    info = None
    if snap is not None:
        info = SnapshotInfo(snap.id, snap.url, snap.taken_at, snap.http_status,
                            repo.snapshot_has_html(session, snap),
                            _png(snap) is not None)
    source_url = finding.source.url if finding.source is not None else None
    statements = repo.rectifications_of(session, finding_id)
    return FindingDetail(_queue_row(row, bool(statements)), source_url, target, error, info,
                         repo.finding_history(session, finding_id), statements)


def _png(snapshot: Snapshot) -> Path | None:
    if not snapshot.png_path:
        return None
    path = Path(snapshot.png_path)
    return path if path.suffix.lower() == ".png" and path.is_file() else None


def snapshot_html(session: Session, finding_id: int) -> str | None:
    snap = repo.finding_snapshot(session, finding_id)
    return repo.read_snapshot_html(session, snap) if snap is not None else None


def screenshot_path(session: Session, finding_id: int) -> Path | None:
    snap = repo.finding_snapshot(session, finding_id)
    return _png(snap) if snap is not None else None


def review(session: Session, ids: Sequence[int], action: str, actor: str,
           reason: str | None, seen: Mapping[int, str] | None = None,
           ) -> tuple[list[int], list[int]]:
    """Apply a review action; (changed ids, ids left alone because their status forbids it,
    or changed since the reviewer saw it: ``seen``, id → the status shown).

    Raises ``repo.ReviewError`` (unknown id, missing reason…).
    """
    to_status, _verb = ACTIONS[action]
    changed = repo.review_findings(session, list(ids), to_status=to_status, actor=actor,
                                   reason=(reason or "").strip() or None, seen=seen)
    return changed, [i for i in ids if i not in set(changed)]


# ----------------------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitSummary:
    code: str
    name: str
    category: str
    sources: int
    pending: int
    confirmed: int
    score: UnitScore | None


def units_overview(session: Session, report: ScoreReport, scope: Scope = None,
                   ) -> list[UnitSummary]:
    units = [u for u in session.scalars(select(Unit).where(Unit.active.is_(True))
                                        .order_by(Unit.code)) if in_scope(u.code, scope)]
    facts = repo.source_facts(session, today())
    sources = Counter(f.unit_code for f in facts)
    status = Counter((r.unit_code, r.status) for r in repo.list_findings(session, evidence=False))
    scores = {s.unit.code: s for s in report.scores}
    return [UnitSummary(u.code, u.name, u.category, sources[u.code], status[(u.code, "pending")],
                        status[(u.code, "confirmed")], scores.get(u.code)) for u in units]


@dataclass(frozen=True)
class UnitPage:
    code: str
    name: str
    category: str
    county: str
    sources: list[repo.SourceFacts]
    findings: list[QueueRow]
    score: UnitScore | None
    entries: list[Any]
    policy_items: list[repo.PolicyItemRow]  # policy-column items, their class and verdict
    warnings: list[repo.WarningRow] = field(default_factory=list)  # the open warnings


def unit_page(session: Session, code: str, report: ScoreReport) -> UnitPage | None:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        return None
    facts = [f for f in repo.source_facts(session, today()) if f.unit_code == code]
    rows = repo.list_findings(session, unit=code)
    rows.sort(key=lambda r: (r.period, r.id), reverse=True)
    score = next((s for s in report.scores if s.unit.code == code), None)
    entries = list_entries(session, year=report.year, unit=code)
    return UnitPage(unit.code, unit.name, unit.category, unit.county, facts,
                    [_queue_row(r) for r in rows], score, entries,
                    repo.policy_items(session, code), repo.open_warnings(session, code))


def default_year(session: Session) -> int:
    """The assessment year to show: that of the newest finding or entry, else this year."""
    newest = session.scalar(select(func.max(Finding.as_of)))
    entry_year = session.scalar(select(func.max(ManualEntry.year)))
    years = [y for y in (newest.year if isinstance(newest, date) else None, entry_year) if y]
    return max(years) if years else today().year


# ----------------------------------------------------------------------------- entries


@dataclass
class EntryForm:
    """The manual-entry form's fields, as typed (strings)."""

    unit: str = ""
    kind: str = "扣分"
    ref: str = ""
    points: str = ""
    percent: str = ""
    note: str = ""
    year: str = ""
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> EntryForm:
        def text(key: str) -> str:
            value = form.get(key, "")
            return value.strip() if isinstance(value, str) else ""

        return cls(text("unit"), text("kind") or "扣分", text("ref"), text("points"),
                   text("percent"), text("note"), text("year"))


ENTRY_KINDS = ("扣分", "加分", "重大扣分")


def validate_entry(form: EntryForm, config: CountyConfig, rubrics: RubricSet, *, entered_by: str,
                   default_year: int) -> ParsedEntry | None:
    """The entry the form describes, validated as an import row would be; problems go to
    ``form.problems``."""
    units = {u.code: UnitRef(u.code, u.name, u.category) for u in config.units}
    if form.note.startswith(EXAMPLE_PREFIX):
        form.problems.append(f"说明不能以“{EXAMPLE_PREFIX}”开头（导入时这样的行会被当作示例跳过）")
        return None
    raw = RawRow(1, {"unit": form.unit, "kind": form.kind, "ref": form.ref,
                     "points": form.points, "percent": form.percent, "note": form.note,
                     "entered_by": entered_by, "year": form.year})
    entries, problems, _ = validate_rows([raw], units, rubrics, default_by=entered_by,
                                         default_year=default_year)
    form.problems.extend(p.message for p in problems)
    return entries[0] if entries and not problems else None


def add_entry(session: Session, entry: ParsedEntry) -> int:
    """Store a validated manual entry; its id."""
    unit_id = session.scalar(select(Unit.id).where(Unit.code == entry.unit_code))
    if unit_id is None:  # config and database disagree: the config lists a unit not synced
        raise ValueError(f"unknown unit {entry.unit_code}")
    row = ManualEntry(unit_id=unit_id, kind=entry.kind, rubric_line=entry.ref,
                      points=float(entry.points), note=entry.note,
                      entered_by=entry.entered_by, entered_at=now(), year=entry.year)
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True)
class RefOption:
    id: str
    label: str


def ref_options(rubrics: RubricSet) -> list[RefOption]:
    """Every id a manual entry may name, with its text, for the form's suggestion list."""
    out: list[RefOption] = []
    for rubric in rubrics.rubrics:
        for line in rubric.lines.values():
            out.append(RefOption(line.id, f"{line.path_text}（{line.weight}分）"))
            for rule in line.spec.deductions:
                out.append(RefOption(rule.id, rule.text))
        for item_id, item in rubric.bonuses.items():
            out.append(RefOption(item_id, f"加分：{item.text}"))
        for item_id, item in rubric.majors.items():
            out.append(RefOption(item_id, f"重大扣分：{item.text}"))
    return out


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


# ----------------------------------------------------------------------------- downloads


@dataclass(frozen=True)
class BulletinFiles:
    week: str
    files: list[Path]
    modified: datetime  # China time: a file's mtime is a moment, shown as 北京时间


def bulletin_files(reports_dir: Path) -> list[BulletinFiles]:
    """The bulletins in ``<data_dir>/reports`` (通报-<week>.<fmt>), newest week first."""
    if not reports_dir.is_dir():
        return []
    weeks: dict[str, list[Path]] = {}
    for path in reports_dir.iterdir():
        if path.is_file() and not path.name.startswith(".") and path.name.startswith("通报-"):
            weeks.setdefault(path.stem.removeprefix("通报-"), []).append(path)
    order = {"docx": 0, "xlsx": 1, "html": 2, "md": 3}
    out = []
    for week, files in weeks.items():
        files.sort(key=lambda p: (order.get(p.suffix.lstrip("."), 9), p.name))
        modified = datetime.fromtimestamp(max(p.stat().st_mtime for p in files), CHINA)
        out.append(BulletinFiles(week, files, modified))
    out.sort(key=lambda b: b.week, reverse=True)
    return out


def report_file(reports_dir: Path, name: str) -> Path | None:
    """A file directly inside the reports folder, by exact name (never a path)."""
    for bulletin in bulletin_files(reports_dir):
        for path in bulletin.files:
            if path.name == name:
                return path
    return None


QUEUE_HEADERS = ("编号", "单位代码", "单位名称", "栏目/账号", "问题类型", "情况", "周期",
                 "监测日期", "拟扣分", "状态", "链接")


def queue_workbook(rows: Sequence[repo.FindingRow]) -> bytes:
    """The queue as an XLSX sheet (审核清单): one row per finding, crawled text kept as text."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from govwatch.tabular import without_formulas

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "审核清单"
    ws.append(QUEUE_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append((r.id, r.unit_code, r.unit_name, r.source_name or "",
                   RULE_NAMES.get(r.rule, r.rule), describe(r), r.period, r.as_of,
                   float(r.points), STATUS_NAMES.get(r.status, r.status), r.item_url or ""))
    for column, width in zip("ABCDEFGHIJK", (8, 10, 16, 16, 14, 60, 10, 12, 8, 8, 50),
                             strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    without_formulas(book)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- 整改说明

STATEMENT_MAX_CHARS = 2000


def check_statement(text: str, url: str) -> str | None:
    """What is wrong with a 整改说明 as typed (Chinese), else None."""
    if not text:
        return "请填写整改说明。"
    if len(text) > STATEMENT_MAX_CHARS:
        return f"整改说明不能超过 {STATEMENT_MAX_CHARS} 个字符。"
    if url and (len(url) > 1000 or web_url(url) is None):
        return "佐证链接须是以 http:// 或 https:// 开头的完整网址。"
    return None
