"""Manual entries (人工录入): deductions, bonuses and deductions from the total by hand.

Most rubric lines are not machine-checkable (meeting minutes, awards, court cases…); the
assessment team records them in a CSV or XLSX file made from ``govwatch entries template`` and
imports it with ``govwatch entries import``. Every bad row is reported with its row number and
nothing is imported until all rows are good.

Re-import: every imported entry records its file name, row and the file's checksum in columns
of its own (``manual_entry.source_*``), never in the note, which is the user's free text.
Importing a file whose *name* was imported before replaces the entries that name brought in
*for the years the new file covers* (so a corrected file can be re-imported, the same file
twice never double-counts, and next year's file of the same name leaves last year's entries
alone); entries typed in the web app are never touched; a file whose *content* was already
imported under another name is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govwatch.tabular import (
    RawRow,
    TableFileError,
    TableSpec,
    load_table_file,
    parse_table,
    read_table,
)
from govwatch.timeutil import now
from scoring.rubric import Rubric, RubricSet
from storage.models import ManualEntry, Unit

COLUMNS: tuple[tuple[str, str], ...] = (
    ("unit", "单位代码"),
    ("unit_name", "单位名称"),
    ("kind", "类型"),
    ("ref", "评分项编号"),
    ("points", "分值"),
    ("percent", "实测百分比"),
    ("note", "说明（证据）"),
    ("entered_by", "录入人"),
    ("year", "年度"),
)
HEADERS = tuple(label for _, label in COLUMNS)
REQUIRED = ("unit", "kind", "ref")
_ALIASES = {
    "单位代码": "unit", "代码": "unit", "unit": "unit", "unit_code": "unit",
    "单位名称": "unit_name", "单位": "unit_name", "unit_name": "unit_name",
    "类型": "kind", "kind": "kind",
    "评分项编号": "ref", "评分项": "ref", "指标编号": "ref", "编号": "ref", "rubric_line": "ref",
    "line": "ref",
    "分值": "points", "points": "points",
    "实测百分比": "percent", "百分比": "percent", "percent": "percent",
    "说明（证据）": "note", "说明(证据)": "note", "说明": "note", "证据": "note", "note": "note",
    "录入人": "entered_by", "entered_by": "entered_by",
    "年度": "year", "year": "year",
}
KIND_WORDS = {
    "扣分": "deduction", "减分": "deduction", "deduction": "deduction",
    "加分": "bonus", "bonus": "bonus",
    "重大扣分": "major", "重大扣分项": "major", "扣减得分": "major", "总分扣减": "major",
    "major": "major",
}
KIND_NAMES = {"deduction": "扣分", "measure": "扣分（实测百分比）", "bonus": "加分",
              "major": "重大扣分"}
EXAMPLE_PREFIX = "示例"


EntryFileError = TableFileError  # the file cannot be read as an entry sheet at all

ENTRY_SHEET = TableSpec(columns=COLUMNS, aliases=_ALIASES, required=REQUIRED,
                        template_command="govwatch entries template", sheet="录入")


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def render(self) -> str:
        return f"第 {self.row} 行：{self.message}"


class EntryImportError(Exception):
    """Rows that cannot be imported; nothing was stored. ``str()`` is the Chinese report."""

    def __init__(self, problems: Sequence[RowProblem] = (), message: str | None = None) -> None:
        self.problems = list(problems)
        if message is None:
            lines = "\n".join(f"  {p.render()}" for p in self.problems)
            message = f"录入文件有 {len(self.problems)} 处错误，未导入任何记录：\n{lines}"
        super().__init__(message)


@dataclass(frozen=True)
class ParsedEntry:
    """A valid row: points resolved (for ``measure`` the measured percentage)."""

    row: int
    unit_code: str
    kind: str  # deduction | measure | bonus | major
    ref: str
    points: Decimal
    note: str
    entered_by: str
    year: int


# ----------------------------------------------------------------------------- reading


def read_rows(path: Path) -> list[RawRow]:
    """The non-blank data rows of a CSV (UTF-8 or GBK) or XLSX entry sheet."""
    return read_table(path, ENTRY_SHEET)


def file_checksum(data: bytes) -> str:
    """The checksum that recognises a file's content under another name."""
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------- validation


def _number(text: str, what: str, problems: list[str]) -> Decimal | None:
    cleaned = text.strip().removesuffix("分").removesuffix("%").removesuffix("％").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        problems.append(f"{what}「{text}」不是数字")
        return None
    if not value.is_finite():
        problems.append(f"{what}「{text}」不是数字")
        return None
    return value


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str
    category: str


def _check_ref(rubric: Rubric, kind: str, ref: str, points: Decimal | None,
               percent: Decimal | None, problems: list[str]) -> tuple[str, Decimal] | None:
    """(stored kind, resolved points) for a row, or None with problems noted."""
    found = rubric.kind_of(ref)
    where = f"评分项编号「{ref}」"
    if found is None:
        problems.append(f"{where}在《{rubric.title}》中不存在")
        return None
    if kind == "deduction":
        if found not in ("line", "rule"):
            word = "加分" if found == "bonus" else "重大扣分"
            problems.append(f"{where}是{word}项，类型应填“{word}”")
            return None
        if found == "rule":
            line, rule = rubric.rules[ref]
        else:
            line = rubric.lines[ref]
            rules = line.spec.deductions
            rule = rules[0] if len(rules) == 1 else None
        if rule is not None and rule.kind == "zero" and percent is None:
            return "deduction", line.weight  # 不得分: always the whole weight
        if percent is not None:
            if rule is None or rule.kind != "percentage":
                problems.append(f"{where}不按百分比扣分，请删去实测百分比，在“分值”填写扣分")
                return None
            if not Decimal(0) <= percent <= Decimal(100):
                problems.append(f"实测百分比「{percent}」应在 0 到 100 之间")
                return None
            return "measure", percent
        if points is not None:
            return "deduction", points
        if rule is None:
            codes = "、".join(r.id for r in line.spec.deductions) or "无"
            problems.append(f"三级指标 {ref} 有多条扣分规则，请填写分值，或改填具体规则编号"
                            f"（{codes}）")
            return None
        if rule.kind == "percentage":
            problems.append(f"{where}按实测百分比计算扣分，请填写“实测百分比”（如 88）")
            return None
        if rule.points is None:
            problems.append(f"{where}没有固定分值，请填写“分值”")
            return None
        return "deduction", rule.points
    if percent is not None:
        problems.append("只有扣分行可以填写实测百分比")
        return None
    if kind == "bonus":
        if found == "line" and rubric.lines[ref].spec.bonus is not None:
            default = rubric.lines[ref].spec.bonus.points  # type: ignore[union-attr]
        elif found == "bonus":
            default = rubric.bonuses[ref].points
        else:
            problems.append(f"{where}不是加分项（可加分的是{rubric.spec.bonus_label}和"
                            "有加分标准的三级指标）")
            return None
        value = points if points is not None else default
        if value is None:
            problems.append(f"{where}分值酌情而定，请填写“分值”")
            return None
        return "bonus", value
    if found != "major":
        problems.append(f"{where}不是{rubric.spec.major_label}")
        return None
    value = points if points is not None else rubric.majors[ref].points
    if value is None:
        problems.append(f"{where}请填写“分值”")
        return None
    return "major", value


def validate_rows(rows: Iterable[RawRow], units: Mapping[str, UnitRef], rubrics: RubricSet, *,
                  default_by: str | None, default_year: int
                  ) -> tuple[list[ParsedEntry], list[RowProblem], list[int]]:
    """(good entries, every problem with its row, example rows skipped)."""
    entries: list[ParsedEntry] = []
    problems: list[RowProblem] = []
    examples: list[int] = []
    for raw in rows:
        v = raw.values
        note = v.get("note", "")
        if note.startswith(EXAMPLE_PREFIX):
            examples.append(raw.row)
            continue
        found: list[str] = []
        code = v.get("unit", "")
        unit = units.get(code)
        if not code:
            found.append("缺少单位代码")
        elif unit is None:
            found.append(f"单位代码「{code}」不存在（配置中没有该单位）")
        elif v.get("unit_name") and v["unit_name"] != unit.name:
            found.append(f"单位名称「{v['unit_name']}」与单位代码 {code}（{unit.name}）不符")
        kind_text = v.get("kind", "")
        kind = KIND_WORDS.get(kind_text.replace(" ", "").lower())
        if not kind_text:
            found.append("缺少类型（扣分、加分或重大扣分）")
        elif kind is None:
            found.append(f"类型「{kind_text}」无效，应为 扣分、加分 或 重大扣分")
        ref = v.get("ref", "").strip()
        if not ref:
            found.append("缺少评分项编号")
        points = _number(v.get("points", ""), "分值", found)
        if points is not None and not Decimal(0) < points <= Decimal(100):
            found.append(f"分值「{v['points']}」应大于 0 且不超过 100（扣分也填正数）")
            points = None
        percent = _number(v.get("percent", ""), "实测百分比", found)
        if not note:
            found.append("缺少说明（证据）：请写明依据，如通报文号、文件名或网址")
        entered_by = v.get("entered_by", "") or (default_by or "")
        if not entered_by:
            found.append("缺少录入人（填写“录入人”列，或导入时用 --by 指定）")
        year = default_year
        if v.get("year"):
            try:
                year = int(v["year"].removesuffix("年"))
            except ValueError:
                found.append(f"年度「{v['year']}」不是年份（如 2021）")
            else:
                if not 2000 <= year <= 2100:
                    found.append(f"年度「{v['year']}」不在 2000–2100 之间")
        resolved = None
        if unit is not None and kind is not None and ref and not found:
            try:
                rubric = rubrics.for_category(unit.category)
            except KeyError as exc:
                found.append(str(exc.args[0]))
            else:
                resolved = _check_ref(rubric, kind, ref, points, percent, found)
        if found or resolved is None:
            problems.extend(RowProblem(raw.row, message) for message in found)
            continue
        stored_kind, value = resolved
        entries.append(ParsedEntry(raw.row, code, stored_kind, ref, value, note, entered_by,
                                   year))
    return entries, problems, examples


# ----------------------------------------------------------------------------- storage


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    imported: int
    replaced: int  # entries of this file name and these years removed first
    examples: list[int]
    years: tuple[int, ...]  # the years the file covers: what it replaced
    kept: dict[int, int]  # other years' entries from a file of this name: year → count


@dataclass(frozen=True)
class ManualRecord:
    """A stored manual entry as scoring and listings read it."""

    id: int
    unit_code: str
    kind: str
    ref: str
    points: Decimal
    note: str
    entered_by: str
    entered_at: datetime
    year: int
    file: str | None
    row: int | None
    voided_at: datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None
    replaces: int | None = None  # the entry this one corrected

    @property
    def source(self) -> str:
        where = f"（{self.file} 第{self.row}行）" if self.file else ""
        return f"录入#{self.id}{where}"


def store_entries(session: Session, entries: Sequence[ParsedEntry], *, file_name: str,
                  checksum: str, years: Iterable[int],
                  examples: Sequence[int] = ()) -> ImportResult:
    """Replace the entries earlier imported from ``file_name`` for ``years`` with ``entries``.

    Entries a file of that name brought in for other years, and entries typed in the web app
    (no source file), stay. Refuses (EntryImportError) a file whose content was imported under
    another name.
    """
    # Entries migrated from the old note tag (0009) carry the checksum's first 12 digits only.
    other = session.scalar(
        select(ManualEntry.source_file)
        .where(ManualEntry.source_checksum.in_((checksum, checksum[:12])),
               ManualEntry.source_file != file_name)
        .limit(1))
    if other is not None:
        raise EntryImportError(message=(
            f"此文件内容与已导入的「{other}」完全相同，未重复导入。"
            f"如需更新，请修改「{other}」后按原文件名重新导入"))
    covered = tuple(sorted(set(years)))
    same_name = ManualEntry.source_file == file_name
    # voided entries stay: they are the history of what was corrected or withdrawn
    old = list(session.scalars(select(ManualEntry).where(same_name, ManualEntry.year.in_(covered),
                                                         ManualEntry.voided_at.is_(None))))
    for entry in old:
        session.delete(entry)
    session.flush()
    kept = {year: count for year, count in session.execute(
        select(ManualEntry.year, func.count())
        .where(same_name, ManualEntry.year.not_in(covered))
        .group_by(ManualEntry.year).order_by(ManualEntry.year))}
    unit_ids = {u.code: u.id for u in session.scalars(select(Unit))}
    stamp = now()
    for e in entries:
        session.add(ManualEntry(
            unit_id=unit_ids[e.unit_code], kind=e.kind, rubric_line=e.ref,
            points=float(e.points), note=e.note, entered_by=e.entered_by, entered_at=stamp,
            year=e.year, source_file=file_name, source_row=e.row, source_checksum=checksum,
        ))
    session.flush()
    return ImportResult(file_name, len(entries), len(old), list(examples), covered, kept)


def list_entries(session: Session, *, year: int | None = None, unit: str | None = None,
                 include_voided: bool = False) -> list[ManualRecord]:
    """Stored entries (those in force; with ``include_voided`` the voided ones too)."""
    stmt = (select(ManualEntry, Unit).join(Unit, Unit.id == ManualEntry.unit_id)
            .order_by(Unit.code, ManualEntry.id))
    if not include_voided:
        stmt = stmt.where(ManualEntry.voided_at.is_(None))
    if year is not None:
        stmt = stmt.where(ManualEntry.year == year)
    if unit:
        stmt = stmt.where(Unit.code == unit)
    out = []
    for entry, unit_row in session.execute(stmt):
        out.append(ManualRecord(
            id=entry.id, unit_code=unit_row.code, kind=entry.kind, ref=entry.rubric_line,
            points=Decimal(str(entry.points)), note=(entry.note or "").strip(),
            entered_by=entry.entered_by, entered_at=entry.entered_at, year=entry.year,
            file=entry.source_file, row=entry.source_row, voided_at=entry.voided_at,
            voided_by=entry.voided_by, void_reason=entry.void_reason, replaces=entry.replaces_id,
        ))
    return out


# ----------------------------------------------------------------------------- corrections


class EntryChangeError(ValueError):
    """An entry that cannot be voided or replaced as asked; ``str()`` says why, in Chinese."""


def _entry_in_force(session: Session, entry_id: int) -> ManualEntry:
    entry = session.get(ManualEntry, entry_id)
    if entry is None:
        raise EntryChangeError(f"没有编号为 {entry_id} 的人工录入记录")
    if entry.voided_at is not None:
        raise EntryChangeError(
            f"录入#{entry_id} 已于 {entry.voided_at:%Y-%m-%d %H:%M} 由 {entry.voided_by} 作废"
            f"（{entry.void_reason}），不能再改")
    return entry


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise EntryChangeError("请写明作废或更正的原因（--reason）")
    return text


def void_entry(session: Session, entry_id: int, *, actor: str, reason: str | None) -> None:
    """Withdraw an entry: it stays, marked voided (who, when, why), and counts no more."""
    why = _reason(reason)
    entry = _entry_in_force(session, entry_id)
    entry.voided_at, entry.voided_by, entry.void_reason = now(), actor, why
    session.flush()


def replace_entry(session: Session, entry_id: int, units: Mapping[str, UnitRef],
                  rubrics: RubricSet, *, actor: str, reason: str | None,
                  ref: str | None = None, points: str | None = None,
                  percent: str | None = None, note: str | None = None) -> int:
    """Correct an entry: the old one is voided (「更正为录入#N」), a new one with the changed
    values — checked exactly as an imported row is — replaces it. Returns the new id."""
    why = _reason(reason)
    old = _entry_in_force(session, entry_id)
    unit = session.get_one(Unit, old.unit_id)
    measure = old.kind == "measure"
    values = {
        "unit": unit.code, "kind": KIND_NAMES["deduction" if measure else old.kind],
        "ref": ref if ref is not None else old.rubric_line,
        "points": points if points is not None else ("" if measure else str(old.points)),
        "percent": percent if percent is not None else (str(old.points) if measure else ""),
        "note": note if note is not None else (old.note or ""),
        "entered_by": actor, "year": str(old.year),
    }
    if percent is not None and points is None:
        values["points"] = ""
    if points is not None and percent is None:
        values["percent"] = ""
    parsed, problems, _ = validate_rows([RawRow(0, values)], units, rubrics,
                                        default_by=actor, default_year=old.year)
    if problems or not parsed:
        raise EntryChangeError("更正后的记录无效：" + "；".join(p.message for p in problems))
    new = parsed[0]
    stamp = now()
    replacement = ManualEntry(
        unit_id=old.unit_id, kind=new.kind, rubric_line=new.ref, points=float(new.points),
        note=new.note, entered_by=actor, entered_at=stamp, year=new.year,
        source_file=old.source_file, source_row=old.source_row,
        source_checksum=old.source_checksum, replaces_id=old.id)
    session.add(replacement)
    session.flush()
    old.voided_at, old.voided_by = stamp, actor
    old.void_reason = f"更正为录入#{replacement.id}：{why}"
    session.flush()
    return replacement.id


def import_file(session: Session, path: Path, units: Mapping[str, UnitRef],
                rubrics: RubricSet, *, default_by: str | None,
                default_year: int) -> ImportResult:
    """Read, validate every row and store; on any problem raise and store nothing.

    The file covers the years of its rows; one with no entries (a header-only file, which
    withdraws what its name imported) covers ``default_year``.
    """
    data = load_table_file(path)  # read once: the bytes parsed are the bytes checksummed
    rows = parse_table(path.name, data, ENTRY_SHEET)
    entries, problems, examples = validate_rows(rows, units, rubrics, default_by=default_by,
                                                default_year=default_year)
    if problems:
        raise EntryImportError(problems)
    return store_entries(session, entries, file_name=path.name, checksum=file_checksum(data),
                         years={e.year for e in entries} or {default_year},
                         examples=examples)
