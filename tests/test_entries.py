"""Manual entries: template, CSV/XLSX reading, all-or-nothing validation, re-import."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from scoring.entries import (
    COLUMNS,
    HEADERS,
    EntryFileError,
    EntryImportError,
    RawRow,
    UnitRef,
    import_file,
    list_entries,
    read_rows,
    validate_rows,
)
from scoring.rubric import load_rubric_set
from scoring.sheets import write_template
from storage import repo
from storage.db import Database
from storage.models import ManualEntry

from .conftest import DEMO_CONFIG, config_in

RUBRICS = load_rubric_set("lingchuan-2021")
UNITS = {u.code: u for u in (UnitRef("A01", "城关镇", "A"), UnitRef("A02", "河西镇", "A"),
                             UnitRef("B01", "县发改局", "B"), UnitRef("B02", "县教育局", "B"))}


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([list(HEADERS), *rows])
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "录入"
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def row(unit: str, kind: str, ref: str, points: str = "", percent: str = "",
        note: str = "2021年第3号通报", by: str = "张三", year: str = "2021",
        name: str = "") -> list[str]:
    return [unit, name, kind, ref, points, percent, note, by, year]


def _raw(number: int, values: list[str]) -> RawRow:
    return RawRow(number, {key: value for (key, _), value in zip(COLUMNS, values, strict=True)})


@pytest.fixture()
def db(tmp_path: Path, sqlite_db: Database) -> Database:
    config = config_in(DEMO_CONFIG, tmp_path / "data")
    with sqlite_db.session() as session:
        repo.sync_config(session, config)
    return sqlite_db


GOOD = [
    row("A01", "扣分", "A1.1.1", note="缺少第三季度会议纪要"),  # one rule: its 1 point
    row("A01", "扣分", "A3.2.1a", note="信息发布不准确造成负面影响"),  # 不得分 → weight 5
    row("B01", "扣分", "B5.2.1a", percent="88%", note="多样化解读 22/25"),  # measured
    row("A02", "加分", "A-JF1", note="省级先进单位"),  # default +3
    row("A02", "加分", "A4.3.1", points="0.5", note="便民答复 依申请〔2021〕7号"),
    row("B02", "重大扣分", "B-ZD1", note="（2021）晋05行初12号 败诉"),  # default 10
    row("B02", "扣分", "B6.1.1", points="1.5分", by="", note="季度检查"),  # --by fills 录入人
]


def test_valid_rows_resolve_points() -> None:
    entries, problems, examples = validate_rows(
        [_raw(i, r) for i, r in enumerate(GOOD, 2)], UNITS, RUBRICS, default_by="李四",
        default_year=2021)
    assert problems == [] and examples == []
    assert [(e.row, e.unit_code, e.kind, e.ref, e.points, e.entered_by) for e in entries] == [
        (2, "A01", "deduction", "A1.1.1", 1, "张三"),
        (3, "A01", "deduction", "A3.2.1a", 5, "张三"),
        (4, "B01", "measure", "B5.2.1a", 88, "张三"),
        (5, "A02", "bonus", "A-JF1", 3, "张三"),
        (6, "A02", "bonus", "A4.3.1", Decimal("0.5"), "张三"),
        (7, "B02", "major", "B-ZD1", 10, "张三"),
        (8, "B02", "deduction", "B6.1.1", Decimal("1.5"), "李四"),
    ]


def test_every_bad_row_is_reported_and_nothing_is_imported(tmp_path: Path,
                                                           db: Database) -> None:
    path = write_csv(tmp_path / "录入.csv", [
        row("A01", "扣分", "A3.1.1a"),  # 2: good
        row("X99", "扣分", "A3.1.1a"),  # 3: unknown unit
        row("A01", "扣分", "A9.9.9"),  # 4: unknown line
        row("A01", "扣分", "A3.1.1a", points="两分"),  # 5: bad number
        row("A01", "扣分", "A3.1.1a", points="-1"),  # 6: negative
        row("B01", "扣分", "A3.1.1a"),  # 7: a class-A line for a class-B unit
        row("A01", "罚分", "A3.1.1a"),  # 8: bad kind
        row("A01", "扣分", "A3.1.1a", note=""),  # 9: no evidence note
        row("A01", "加分", "A3.1.1"),  # 10: line without a bonus rule
        row("B01", "扣分", "B5.2.1a"),  # 11: percentage rule without a percentage
        row("A01", "扣分", "A6.1.1"),  # 12: several rules, no points
        row("A01", "扣分", "A3.1.1a", year="二〇二一"),  # 13: bad year
        row("A01", "扣分", "A3.1.1a", name="河西镇"),  # 14: name does not match the code
        row("A01", "扣分", "A3.1.1a", percent="120"),  # 15: percentage on a per-event rule
    ])
    with pytest.raises(EntryImportError) as info, db.session() as session:
        import_file(session, path, UNITS, RUBRICS, default_by=None, default_year=2021)
    problems = info.value.problems
    assert [p.row for p in problems] == list(range(3, 16))
    report = str(info.value)
    assert report.startswith("录入文件有 13 处错误，未导入任何记录")
    for text in ("第 3 行：单位代码「X99」不存在",
                 "第 4 行：评分项编号「A9.9.9」在《2021年度陵川县政务公开工作考核细则与评分表（A类）》"
                 "中不存在",
                 "第 5 行：分值「两分」不是数字",
                 "第 6 行：分值「-1」应大于 0 且不超过 100",
                 "第 7 行：评分项编号「A3.1.1a」在《2021年度陵川县政务公开工作考核细则与评分表（B类）》",
                 "第 8 行：类型「罚分」无效",
                 "第 9 行：缺少说明（证据）",
                 "第 10 行：评分项编号「A3.1.1」不是加分项",
                 "第 11 行：评分项编号「B5.2.1a」按实测百分比计算扣分",
                 "第 12 行：三级指标 A6.1.1 有多条扣分规则",
                 "第 13 行：年度「二〇二一」不是年份",
                 "第 14 行：单位名称「河西镇」与单位代码 A01（城关镇）不符",
                 "第 15 行：评分项编号「A3.1.1a」不按百分比扣分"):
        assert text in report
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ManualEntry)) == 0


def test_xlsx_import_and_reimport_replaces(tmp_path: Path, db: Database) -> None:
    path = write_xlsx(tmp_path / "2021评分录入.xlsx", GOOD)
    with db.session() as session:
        result = import_file(session, path, UNITS, RUBRICS, default_by="李四",
                             default_year=2021)
    assert (result.imported, result.replaced) == (7, 0)
    with db.session() as session:
        stored = list_entries(session, year=2021)
    assert [(r.unit_code, r.kind, r.ref, r.points, r.file, r.row) for r in stored] == [
        ("A01", "deduction", "A1.1.1", 1, "2021评分录入.xlsx", 2),
        ("A01", "deduction", "A3.2.1a", 5, "2021评分录入.xlsx", 3),
        ("A02", "bonus", "A-JF1", 3, "2021评分录入.xlsx", 5),
        ("A02", "bonus", "A4.3.1", Decimal("0.5"), "2021评分录入.xlsx", 6),
        ("B01", "measure", "B5.2.1a", 88, "2021评分录入.xlsx", 4),
        ("B02", "major", "B-ZD1", 10, "2021评分录入.xlsx", 7),
        ("B02", "deduction", "B6.1.1", Decimal("1.5"), "2021评分录入.xlsx", 8),
    ]
    assert stored[0].note == "缺少第三季度会议纪要"
    assert stored[0].source.startswith("录入#") and "2021评分录入.xlsx 第2行" in stored[0].source

    # The same file again: replaced, not doubled.
    with db.session() as session:
        result = import_file(session, path, UNITS, RUBRICS, default_by="李四",
                             default_year=2021)
    assert (result.imported, result.replaced) == (7, 7)
    # A corrected file under the same name: its two rows replace the seven.
    write_xlsx(path, GOOD[:2])
    with db.session() as session:
        result = import_file(session, path, UNITS, RUBRICS, default_by=None, default_year=2021)
        assert (result.imported, result.replaced) == (2, 7)
        assert session.scalar(select(func.count()).select_from(ManualEntry)) == 2

    # The same content under another name is refused.
    copy = tmp_path / "副本.xlsx"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(EntryImportError, match=r"已导入的「2021评分录入\.xlsx」完全相同"), \
            db.session() as session:
        import_file(session, copy, UNITS, RUBRICS, default_by=None, default_year=2021)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ManualEntry)) == 2

    # A header-only file of that name withdraws its entries.
    write_xlsx(path, [])
    with db.session() as session:
        result = import_file(session, path, UNITS, RUBRICS, default_by=None, default_year=2021)
        assert (result.imported, result.replaced) == (0, 2)
        assert session.scalar(select(func.count()).select_from(ManualEntry)) == 0


def test_gbk_csv_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [row("A01", "扣分", "A3.1.1a")], encoding="gbk")
    (raw,) = read_rows(path)
    assert raw.row == 2 and raw.values["kind"] == "扣分"


def test_missing_header_and_unknown_type(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("单位代码,类型,分值\nA01,扣分,1\n", encoding="utf-8")
    with pytest.raises(EntryFileError, match="第 1 行缺少表头：评分项编号"):
        read_rows(path)
    with pytest.raises(EntryFileError, match="不支持的文件类型"):
        read_rows(tmp_path / "x.txt")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_template_has_headers_and_a_skipped_example(tmp_path: Path, suffix: str) -> None:
    units = list(UNITS.values())
    path = write_template(tmp_path / f"模板{suffix}", units, RUBRICS)
    rows = read_rows(path)
    assert len(rows) == 1 and rows[0].values["unit"] == "A01"
    entries, problems, examples = validate_rows(rows, UNITS, RUBRICS, default_by=None,
                                                default_year=2021)
    assert (entries, problems, examples) == ([], [], [2])
    if suffix == ".xlsx":
        book = load_workbook(path)
        assert book.sheetnames == ["录入", "评分项编号", "单位", "填写说明"]
        sheet = book["录入"]
        assert [c.value for c in sheet[1]] == list(HEADERS)
        assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
        ids = [c.value for c in book["评分项编号"]["B"]]
        assert {"A1.1.1", "A1.2.1c", "A-JF1", "A-ZD7", "B5.2.1a", "B-JF5"} <= set(ids)
        # The example row, copied with its note changed, is a valid entry.
        example = [c.value for c in sheet[2]]
        assert example[:5] == ["A01", "城关镇", "扣分", "A1.1.1a", "1"]
