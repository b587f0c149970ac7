"""Manual entries: template, CSV/XLSX reading, all-or-nothing validation, re-import."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy import text as sql

from govwatch.cli import main
from scoring.entries import (
    COLUMNS,
    HEADERS,
    EntryFileError,
    EntryImportError,
    ImportResult,
    ParsedEntry,
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
from storage.db import MIGRATIONS, Database
from storage.models import ManualEntry
from web.queries import add_entry

from .conftest import DEMO_CONFIG, config_in, config_text_in

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


# ----------------------------------------------------------------------------- provenance

# A note quoting an import tag, as the old code appended it (copied from an exported entry)
QUOTED_TAG = "〔导入：人工录入.xlsx 第2行 校验0123456789ab〕"


@pytest.fixture()
def both_db(tmp_path: Path, any_db: Database) -> Database:
    """The demo units in a SQLite file, then in a PostgreSQL database."""
    with any_db.session() as session:
        repo.sync_config(session, config_in(DEMO_CONFIG, tmp_path / "data"))
    return any_db


def _import(db: Database, path: Path, default_year: int = 2021) -> ImportResult:
    with db.session() as session:
        return import_file(session, path, UNITS, RUBRICS, default_by="李四",
                           default_year=default_year)


def _stored(db: Database) -> list[tuple[int, str, str, str, str | None, int | None]]:
    with db.session() as session:
        return sorted((r.year, r.unit_code, r.ref, r.note, r.file, r.row)
                      for r in list_entries(session))


def test_reimport_replaces_that_names_entries_of_its_years_only(tmp_path: Path,
                                                                 both_db: Database) -> None:
    """2025's 人工录入.xlsx, then 2026's file of the same name: the second replaces only its
    own year; a note quoting an import tag is the user's text and never confuses a
    re-import; an entry typed in the web app is never touched."""
    with both_db.session() as session:
        add_entry(session, ParsedEntry(1, "B01", "deduction", "B6.1.1", Decimal(1),
                                       f"抄自导出表 {QUOTED_TAG}", "王五", 2026))
    (tmp_path / "2025").mkdir()
    (tmp_path / "2026").mkdir()
    last_year = write_xlsx(tmp_path / "2025" / "人工录入.xlsx", [
        row("A01", "扣分", "A1.1.1", note="2025年第1号通报", year="2025"),
        row("A02", "加分", "A-JF1", note="省级先进单位", year="2025"),
    ])
    assert _import(both_db, last_year).imported == 2
    this_year = write_xlsx(tmp_path / "2026" / "人工录入.xlsx", [
        row("A01", "扣分", "A3.2.1a", note=f"同上 {QUOTED_TAG}", year="2026"),
        row("B02", "重大扣分", "B-ZD1", note="（2026）晋05行初1号", year="2026"),
    ])
    web = (2026, "B01", "B6.1.1", f"抄自导出表 {QUOTED_TAG}", None, None)
    expected = [
        (2025, "A01", "A1.1.1", "2025年第1号通报", "人工录入.xlsx", 2),
        (2025, "A02", "A-JF1", "省级先进单位", "人工录入.xlsx", 3),
        (2026, "A01", "A3.2.1a", f"同上 {QUOTED_TAG}", "人工录入.xlsx", 2),
        web,
        (2026, "B02", "B-ZD1", "（2026）晋05行初1号", "人工录入.xlsx", 3),
    ]
    for replaced in (0, 2):  # imported, then the same file again: replaced, never doubled
        result = _import(both_db, this_year)
        assert _stored(both_db) == expected
        assert (result.imported, result.replaced) == (2, replaced)
        assert (result.years, result.kept) == ((2026,), {2025: 2})

    # A corrected 2026 file: its one row replaces that year's two.
    write_xlsx(this_year, [row("A02", "扣分", "A1.1.1", note="更正", year="2026")])
    result = _import(both_db, this_year)
    assert (result.imported, result.replaced) == (1, 2)
    assert _stored(both_db) == [*expected[:2], (2026, "A02", "A1.1.1", "更正", "人工录入.xlsx", 2),
                                web]

    # 2025's content under another name is still refused.
    copy = tmp_path / "副本.xlsx"
    copy.write_bytes(last_year.read_bytes())
    with pytest.raises(EntryImportError, match=r"已导入的「人工录入\.xlsx」完全相同"):
        _import(both_db, copy)

    # A header-only file of that name withdraws the entries of its --year only.
    write_xlsx(this_year, [])
    result = _import(both_db, this_year, default_year=2025)
    assert _stored(both_db) == [(2026, "A02", "A1.1.1", "更正", "人工录入.xlsx", 2), web]
    assert (result.imported, result.replaced, result.years, result.kept) == (0, 2, (2025,),
                                                                             {2026: 1})


def _alembic(db: Database, action: str, revision: str) -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_migration_moves_old_note_tags_into_columns(tmp_path: Path, both_db: Database) -> None:
    """0009 reads the tags the old code appended to notes into the provenance columns — the
    import's own tag is the last one, a quoted tag before it stays in the note — and its
    downgrade writes them back."""
    _alembic(both_db, "downgrade", "0008")
    with both_db.engine.begin() as connection:
        unit_id = connection.execute(sql("SELECT id FROM unit WHERE code = 'A01'")).scalar()
        for note in (f"缺少会议纪要 〔导入：旧录入.xlsx 第2行 校验{'a' * 12}〕",
                     f"同上 {QUOTED_TAG} 〔导入：旧录入.xlsx 第3行 校验{'a' * 12}〕",
                     f"网页录入 {QUOTED_TAG}x"):  # typed by hand: not a tag at the end
            connection.execute(sql(
                "INSERT INTO manual_entry (unit_id, kind, rubric_line, points, note, "
                "entered_by, entered_at, year) VALUES (:unit, 'deduction', 'A1.1.1', 1, "
                ":note, '张三', :at, 2021)"), {"unit": unit_id, "note": note,
                                                "at": datetime(2021, 9, 8)})
    _alembic(both_db, "upgrade", "head")
    migrated = [
        (2021, "A01", "A1.1.1", "缺少会议纪要", "旧录入.xlsx", 2),
        (2021, "A01", "A1.1.1", f"同上 {QUOTED_TAG}", "旧录入.xlsx", 3),
        (2021, "A01", "A1.1.1", f"网页录入 {QUOTED_TAG}x", None, None),
    ]
    assert sorted(_stored(both_db)) == sorted(migrated)
    with both_db.session() as session:
        assert {e.source_checksum for e in session.scalars(select(ManualEntry))} == {
            "a" * 12, None}

    # Downgrade and upgrade again: the same entries.
    _alembic(both_db, "downgrade", "0008")
    _alembic(both_db, "upgrade", "head")
    assert sorted(_stored(both_db)) == sorted(migrated)

    # A re-import of the old file replaces both of its entries, and the 12-digit checksum
    # still recognises nothing else (a new file) as a copy.
    path = write_xlsx(tmp_path / "旧录入.xlsx", [row("A01", "扣分", "A1.1.1", note="新")])
    result = _import(both_db, path)
    assert (result.imported, result.replaced) == (1, 2)
    assert sorted(_stored(both_db)) == sorted([
        (2021, "A01", "A1.1.1", "新", "旧录入.xlsx", 2), migrated[2]])


def test_cli_says_what_it_replaced_and_what_it_left(tmp_path: Path) -> None:
    county = tmp_path / "demo.yaml"
    county.write_text(config_text_in(DEMO_CONFIG, tmp_path / "data"), encoding="utf-8")
    (tmp_path / "2025").mkdir()
    (tmp_path / "2026").mkdir()
    last_year = write_xlsx(tmp_path / "2025" / "人工录入.xlsx",
                           [row("A01", "扣分", "A1.1.1", year="2025")])
    this_year = write_xlsx(tmp_path / "2026" / "人工录入.xlsx",
                           [row("A01", "扣分", "A3.2.1a", year="")])

    def run(path: Path) -> str:
        result = CliRunner().invoke(main, ["--config", str(county), "entries", "import",
                                           str(path), "--year", "2026"])
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "已从 人工录入.xlsx 导入 1 条记录。" in run(last_year)
    assert ("已从 人工录入.xlsx 导入 1 条记录；同名文件此前导入的 2025 年度记录 1 条未改动"
            in run(this_year))
    assert "（替换了此前从同名文件导入的 2026 年度记录 1 条）" in run(this_year)


def test_a_mistyped_entry_is_voided_or_corrected_and_the_score_follows(tmp_path: Path) -> None:
    """Correct (replace) one entry and withdraw (void) another through the CLI: the score
    recomputes, `entries list --all` shows both versions with who, when and why, and an entry
    already voided cannot be changed again."""
    county = tmp_path / "demo.yaml"
    county.write_text(config_text_in(DEMO_CONFIG, tmp_path / "data"), encoding="utf-8")
    sheet = write_xlsx(tmp_path / "录入.xlsx", [
        row("A01", "扣分", "A1.1.1", points="1", year="2021"),
        row("A02", "重大扣分", "A-ZD2", points="10", year="2021")])

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--config", str(county), *args])

    def score(code: str) -> float:
        done = run("score", "--year", "2021", "--format", "json")
        assert done.exit_code == 0, done.output
        return next(u["final"] for u in json.loads(done.stdout)["units"]
                    if u["unit_code"] == code)

    assert run("entries", "import", str(sheet)).exit_code == 0
    assert (score("A01"), score("A02")) == (99, 90)
    # the 1-point deduction was meant to be 0.5
    fixed = run("entries", "replace", "1", "--by", "李四", "--reason", "分值录错",
                "--points", "0.5")
    assert fixed.exit_code == 0, fixed.output
    assert "录入#1 作废，新记录为录入#3" in fixed.stdout
    # the major deduction was the wrong unit's: withdrawn
    voided = run("entries", "void", "2", "--by", "李四", "--reason", "误录，应为 A03")
    assert voided.exit_code == 0, voided.output
    assert (score("A01"), score("A02")) == (99.5, 100)
    history = run("entries", "list", "--all")
    assert history.exit_code == 0, history.output
    # the table wraps long cells: read its text without the layout
    text = re.sub(r"[\s│┃]", "", history.stdout)
    for words in ("已作废：李四", "更正为录入#3：分值录错", "误录，应为A03", "更正录入#1", "有效"):
        assert words in text, words
    current = run("entries", "list")
    assert "共 1 条" in current.stdout
    again = run("entries", "void", "2", "--by", "王五", "--reason", "再次作废")
    assert again.exit_code == 1 and "已于" in again.output and "作废" in again.output
    bad = run("entries", "replace", "3", "--by", "李四", "--reason", "试", "--points", "两分")
    assert bad.exit_code == 1 and "分值「两分」" in bad.output
    missing = run("entries", "void", "99", "--by", "李四", "--reason", "x")
    assert missing.exit_code == 1 and "没有编号为 99" in missing.output
