"""The score sheet carries the seed tables' 扣分标准 and 考核方式 beside each line, and neither
the sheet nor the entry template carries a note from reading the scanned seeds (those stay in
the rubric files' comments)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scoring.engine import UnitInfo
from scoring.entries import UnitRef
from scoring.rubric import RubricSet, available_rubrics, load_rubric_set
from scoring.service import compute_scores
from scoring.sheets import SHEET_HEADERS, write_score_workbook, write_template

LINGCHUAN = load_rubric_set("lingchuan-2021")
UNITS = [UnitInfo("A01", "城关镇", "A"), UnitInfo("B01", "县发改局", "B")]
# What a reading note looks like: OCR, 识读, 原文模糊, 残缺, 按附件2读取, 疑为…
READING_NOTE = re.compile(r"OCR|ocr|识读|原文|模糊|残缺|按附件\s*\d\s*读|疑为|疑似|读作|误识")


def _sheet_rows(path: Path, name: str) -> list[dict[str, object]]:
    ws = load_workbook(path)[name]
    headers = [c.value for c in ws[2]]
    return [dict(zip(headers, (c.value for c in row), strict=True))
            for row in ws.iter_rows(min_row=3)]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = compute_scores("陵川县", UNITS, LINGCHUAN, [], [], 2021)
    return write_score_workbook(report, tmp_path_factory.mktemp("sheet") / "评分表.xlsx")


def test_the_criteria_and_method_columns_follow_the_weight(sheet: Path) -> None:
    ws = load_workbook(sheet)["A01 城关镇"]
    assert [c.value for c in ws[2]] == list(SHEET_HEADERS)
    assert SHEET_HEADERS[3:6] == ("赋分", "扣分标准", "考核方式")  # as the seed tables print them
    assert ws.max_column == len(SHEET_HEADERS)
    assert all(c.alignment.wrap_text for c in ws["E"][2:] if c.value)


@pytest.mark.parametrize(("category", "name"), [("A", "A01 城关镇"), ("B", "B01 县发改局")])
def test_every_line_carries_its_rubric_texts(sheet: Path, category: str, name: str) -> None:
    rubric = LINGCHUAN.for_category(category)
    rows = {r["三级指标"]: r for r in _sheet_rows(sheet, name) if r["三级指标"]}
    assert len(rows) == len(rubric.lines)
    for line in rubric.lines.values():
        row = rows[line.spec.name]
        texts = [rule.text for rule in line.spec.deductions]
        if line.spec.bonus is not None:
            texts.append("加分标准：" + line.spec.bonus.text)
        assert row["扣分标准"] == ("\n".join(texts) or None), line.id
        assert row["考核方式"] == line.spec.method, line.id


def test_the_seed_texts_land_where_the_seed_has_them(sheet: Path) -> None:
    a = {r["三级指标"]: r for r in _sheet_rows(sheet, "A01 城关镇")}
    stale = a["在本乡镇设置目录下保持内容更新"]
    assert stale["扣分标准"] == "对于应更新但长期未更新（一周以上）的栏目，发现一次扣1分"
    assert stale["考核方式"] == "网上检查+被考核单位提供相关材料"
    assert a["对依申请公开的规范答复情况"]["考核方式"] == "县政府办根据查证扣分"
    assert a["明确政务公开工作机构和专职人员，确保信息渠道畅通"]["扣分标准"].splitlines() == [
        "职能职责规定不完善的，扣2分", "因机构设置和职能划分不稳定的，扣2分",
        "因机构设置和职能划分错误的，不得分"]
    media = a["通报整改情况"]["扣分标准"]
    assert "政务新媒体每周更新达不到3次，每通报一次扣2分" in media.splitlines()
    bonus = a["拓展政务公开标准化规范化施行领域和层级情况"]
    assert bonus["扣分标准"] == "加分标准：每个拓展领域加1分，加分上限为6分"
    b = {r["三级指标"]: r for r in _sheet_rows(sheet, "B01 县发改局")}
    assert b["信息公开及政务新媒体更新情况"]["考核方式"] == "网上考核"
    for name in ("A01 城关镇", "B01 县发改局"):
        by_label = {r["一级指标"]: r for r in _sheet_rows(sheet, name)}
        assert by_label["综合加分项"]["考核方式"] == "各被考核单位提供印证材料"
        assert by_label["重大扣分项"]["考核方式"] == "根据考核情况评定"
        assert by_label["得分"]["考核方式"] is None


def _texts(rubrics: RubricSet) -> list[str]:
    """Every text a rubric set puts in front of people."""
    out = []
    for rubric in rubrics.rubrics:
        spec = rubric.spec
        out += [spec.title, spec.bonus_label, spec.major_label, spec.bonus_method or "",
                spec.major_method or ""]
        for line in rubric.lines.values():
            out += [line.level1.name, line.level2.name, line.spec.name, line.spec.method or "",
                    line.criteria]
        out += [item.text for item in (*rubric.bonuses.values(), *rubric.majors.values())]
    return out


@pytest.mark.parametrize("name", available_rubrics())
def test_no_rubric_text_is_a_reading_note(name: str) -> None:
    noted = [text for text in _texts(load_rubric_set(name)) if READING_NOTE.search(text)]
    assert not noted


def test_reading_notes_are_recognised() -> None:
    for note in ("加分上限为6分（OCR：“每个拓展领域,加分为6分”）", "每件加0.5分（OCR 残缺，按附件2读取）",
                 "（原文模糊）", "（识读）"):
        assert READING_NOTE.search(note), note


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_entry_template_carries_no_reading_notes(tmp_path: Path, suffix: str) -> None:
    units = [UnitRef(u.code, u.name, u.category) for u in UNITS]
    path = write_template(tmp_path / f"模板{suffix}", units, LINGCHUAN)
    if suffix == ".csv":
        cells = [path.read_text(encoding="utf-8-sig")]
    else:
        book = load_workbook(path)
        cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows()
                 for c in row if c.value is not None]
        assert "每个拓展领域加1分，加分上限为6分" in cells  # the bonus rule, as the rubric has it
    assert not [text for text in cells if READING_NOTE.search(text)]
