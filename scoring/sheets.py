"""XLSX output: the score workbook (评分表) and the manual-entry template (录入模板).

The score workbook mirrors the seed tables — 一级指标 / 二级指标 / 三级指标 / 赋分 / 扣分标准 /
考核方式, then the unit's 扣分 / 得分 / 扣分说明 — one sheet per unit, plus a ranking sheet (排名)
first. Criteria, methods and the template's rule texts are the rubric's texts as written.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from govwatch.tabular import without_formulas, write_csv
from govwatch.vocabulary import MEASURE_NAMES
from scoring.engine import UNMONITORED, UnitScore, fmt
from scoring.entries import EXAMPLE_PREFIX, HEADERS, UnitRef
from scoring.report import explain, measured_lines
from scoring.rubric import RubricSet
from scoring.service import ScoreReport

SHEET_HEADERS = ("一级指标", "二级指标", "三级指标", "赋分", "扣分标准", "考核方式", "扣分", "得分",
                 "扣分说明")
NUMBER_COLUMNS = (4, 7, 8)  # 赋分, 扣分, 得分: centred
SHEET_WIDTHS = (14, 14, 26, 6, 46, 18, 6, 6, 48)
RANK_HEADERS = ("类别", "排名", "单位代码", "单位名称", "基础得分", "加分", "重大扣分", "总分",
                "得分", "等次", "评分表")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
SUB_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# The look of govwatch's workbooks (the score sheets here, the national self-check in
# ``reports.national``): a centred title over the table, boxed cells, headers bold on blue,
# printed landscape on A4 one page wide.


def header_row(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for col, text in enumerate(headers, 1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEAD_FILL, CENTER, BOX


def column_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width


def print_setup(ws: Worksheet, title_rows: str = "1:2") -> None:
    """Landscape, one page wide, the title and header rows on every page: ready to print
    and hand in."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows


def sheet_title(ws: Worksheet, text: str, columns: int) -> None:
    ws.cell(row=1, column=1, value=text).font = TITLE
    ws.cell(row=1, column=1).alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    ws.row_dimensions[1].height = 28


def sheet_name(s: UnitScore, used: set[str]) -> str:
    """``A01 城关镇``: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "", f"{s.unit.code} {s.unit.name}")[:31]
    name, n = base, 2
    while name in used or name == "排名":
        suffix = f"({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def boxed_row(ws: Worksheet, row: int, values: Sequence[object], *, bold: bool = False,
              fill: PatternFill | None = None,
              centred: Collection[int] = NUMBER_COLUMNS) -> None:
    """One row of a table: boxed, wrapped, the ``centred`` columns (1-based) centred."""
    for col, value in enumerate(values, 1):
        cell = ws.cell(row=row, column=col, value=value if value != "" else None)
        cell.border = BOX
        cell.alignment = CENTER if col in centred else WRAP
        if bold:
            cell.font = BOLD
        if fill is not None:
            cell.fill = fill


def _unit_sheet(ws: Worksheet, report: ScoreReport, s: UnitScore) -> None:
    spec = s.rubric.spec
    sheet_title(ws, f"{report.year}年度 {s.unit.name}（{s.unit.code}）{spec.title}",
                len(SHEET_HEADERS))
    header_row(ws, 2, SHEET_HEADERS)
    row = 3
    for ind in s.indicators:
        start = row
        for l2 in ind.spec.children:
            l2_start = row
            for ls in (x for x in ind.lines if x.line.level2.id == l2.id):
                boxed_row(ws, row, (ind.spec.name, l2.name, ls.line.spec.name, _num(ls.line.weight),
                                    ls.line.criteria, ls.line.spec.method,
                                    _num(ls.deduction) if ls.deduction else None, _num(ls.score),
                                    explain(ls)))
                row += 1
            if row - l2_start > 1:
                ws.merge_cells(start_row=l2_start, start_column=2, end_row=row - 1, end_column=2)
        if row - start > 1:
            ws.merge_cells(start_row=start, start_column=1, end_row=row - 1, end_column=1)
        note = (f"扣分合计 {fmt(ind.raw_deduction)} 分，超过一级指标权重 {fmt(ind.weight)} 分，"
                f"按 {fmt(ind.weight)} 分计" if ind.capped else "")
        boxed_row(ws, row, (f"{ind.spec.name} 小计", None, None, _num(ind.weight), None, None,
                            _num(ind.deduction), _num(ind.score), note), bold=True, fill=SUB_FILL)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        row += 1
    cap = spec.bonus_cap
    bonus_note = "；".join([*(r.text() for r in s.bonus_reasons),
                           *(n for n in s.notes if "加分" in n and "总分" not in n)])
    summary = [
        (spec.bonus_label, _num(cap) if cap is not None else None, spec.bonus_method, None,
         _num(s.bonus),
         bonus_note or (f"加分合计不超过 {fmt(cap)} 分" if cap is not None else "")),
        ("总分（加分后）", _num(spec.total), None, None, _num(s.total),
         "；".join(n for n in s.notes if "总分" in n)),
        (spec.major_label, None, spec.major_method, _num(s.major) if s.major else None,
         _num(-s.major) if s.major else None, "；".join(r.text() for r in s.major_reasons)),
        ("得分", _num(spec.score_cap), None, None, _num(s.final),
         f"等次：{s.grade}；{s.unit.category}类{s.place}"),
    ]
    for label, weight, method, deduction, score, note in summary:
        boxed_row(ws, row, (label, None, None, weight, None, method, deduction, score, note),
                  bold=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        row += 1
    if s.ignored:
        boxed_row(ws, row, ("未计分的记录", *(None,) * (len(SHEET_HEADERS) - 2),
                            "；".join(s.ignored)))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    column_widths(ws, SHEET_WIDTHS)
    ws.freeze_panes = "A3"
    print_setup(ws)


MEASURED_SHEET = "实测明细"
MEASURED_HEADERS = ("单位代码", "单位名称", "实测项", "评分项", "实测值", "计分采用", "标题",
                    "发布日期", "判定", "是否计入", "依据", "网址")


def _measured_sheet(book: Workbook, report: ScoreReport, unit: str | None) -> None:
    """实测明细: every measured value and the items it was computed from (none: no sheet)."""
    lines = measured_lines(report, unit)
    if not lines:
        return
    ws = book.create_sheet(MEASURED_SHEET)
    sheet_title(ws, f"{report.county} {report.year}年度实测项明细（根据抓取内容计算）",
                len(MEASURED_HEADERS))
    header_row(ws, 2, MEASURED_HEADERS)
    names = {s.unit.code: s.unit.name for s in report.scores}
    row = 3
    for m in lines:
        v = m.value
        head = (v.unit_code, names.get(v.unit_code, ""), MEASURE_NAMES[v.measure],
                m.rule_id or "—", f"{fmt(v.percent)}%（{v.hits}/{v.total}）", m.used)
        for item in v.items:
            for col, value in enumerate((*head, item.title, item.published_on.isoformat(),
                                         item.verdict, "是" if item.hit else "否", item.reason,
                                         item.url), 1):
                cell = ws.cell(row=row, column=col, value=value)
                cell.border, cell.alignment = BOX, WRAP
            row += 1
    column_widths(ws, (9, 14, 14, 9, 12, 26, 40, 11, 12, 8, 40, 40))
    ws.freeze_panes = "A3"
    print_setup(ws)


def write_score_workbook(report: ScoreReport, path: Path, unit: str | None = None) -> Path:
    """Write the ranking sheet and one score sheet per unit (or only ``unit``)."""
    book = Workbook()
    ranking = book.active
    assert ranking is not None
    ranking.title = "排名"
    sheet_title(ranking, f"{report.county} {report.year}年度政务公开工作考核得分排名",
                len(RANK_HEADERS))
    header_row(ranking, 2, RANK_HEADERS)
    for row, s in enumerate(report.scores, 3):
        values = (f"{s.unit.category}类", s.rank if s.rank is not None else UNMONITORED,
                  s.unit.code, s.unit.name, _num(s.base),
                  _num(s.bonus), _num(s.major) if s.major else None, _num(s.total),
                  _num(s.final), s.grade, s.rubric.title)
        for col, value in enumerate(values, 1):
            cell = ranking.cell(row=row, column=col, value=value)
            cell.border = BOX
            cell.alignment = WRAP if col in (4, 11) else CENTER
    column_widths(ranking, (7, 6, 10, 26, 10, 7, 10, 8, 8, 8, 48))
    ranking.freeze_panes = "A3"
    print_setup(ranking)
    used: set[str] = {MEASURED_SHEET}
    for s in sorted(report.scores, key=lambda s: s.unit.code):
        if unit in (None, s.unit.code):
            _unit_sheet(book.create_sheet(sheet_name(s, used)), report, s)
    _measured_sheet(book, report, unit)
    path.parent.mkdir(parents=True, exist_ok=True)
    without_formulas(book)  # unit names come from the county's config, not from us
    book.save(path)
    return path


# ----------------------------------------------------------------------------- template


def _example(units: Sequence[UnitRef], rubrics: RubricSet) -> list[str]:
    unit = units[0] if units else UnitRef("A01", "城关镇", "A")
    ref, points = "", ""
    try:
        rubric = rubrics.for_category(unit.category)
    except KeyError:
        rubric = None
    if rubric is not None:
        for _line, rule in rubric.rules.values():
            if rule.kind == "per_event" and rule.points is not None:
                ref, points = rule.id, fmt(rule.points)
                break
    note = (f"{EXAMPLE_PREFIX}：以“示例”开头的行导入时自动跳过；"
            "请写明依据，如通报文号、会议纪要名称、网址")
    return [unit.code, unit.name, "扣分", ref, points, "", note, "张三", ""]


def template_rows(units: Sequence[UnitRef], rubrics: RubricSet) -> list[list[str]]:
    return [list(HEADERS), _example(units, rubrics)]


def write_template_csv(path: Path, units: Sequence[UnitRef], rubrics: RubricSet) -> Path:
    buffer = io.StringIO()
    write_csv(buffer, template_rows(units, rubrics))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")  # BOM: Excel reads it as UTF-8
    return path


GUIDE = (
    "填写说明",
    "1. 在“录入”工作表中每行填写一条记录；第 1 行表头请勿修改。",
    "2. 单位代码：见“单位”工作表。单位名称可不填，填写时须与代码一致。",
    "3. 类型：扣分、加分 或 重大扣分。",
    "4. 评分项编号：见“评分项编号”工作表。扣分可填三级指标编号（如 A1.1.1）或扣分规则编号"
    "（如 A1.2.1a）；加分填综合加分项编号（如 A-JF1）或可加分的三级指标编号；"
    "重大扣分填重大扣分项编号（如 A-ZD1）。",
    "5. 分值：扣分、加分都填正数；不填时按评分表的默认分值（“不得分”按本项全部赋分）。",
    "6. 实测百分比：只用于按百分比扣分的评分项（如多样化解读占比），填实测数值如 88，"
    "由系统计算扣分。",
    "7. 说明（证据）：必填，写明依据（通报文号、会议纪要、网址等）。",
    "8. 录入人：必填（也可在导入时用 --by 统一指定）。年度：不填为当年。",
    "9. 以“示例”开头的说明所在行不会导入。",
    "10. 导入：govwatch entries import 文件名。有任何错误时全部不导入，并列出每个错误的行号。"
    "同名文件再次导入时，只替换该文件上次为同一年度导入的记录，不会重复计分；"
    "其他年度的记录和在网页上录入的记录不受影响。",
)


def write_template_xlsx(path: Path, units: Sequence[UnitRef], rubrics: RubricSet) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "录入"
    rows = template_rows(units, rubrics)
    header_row(ws, 1, rows[0])
    for col, value in enumerate(rows[1], 1):
        ws.cell(row=2, column=col, value=value).alignment = WRAP
    column_widths(ws, (10, 18, 10, 12, 8, 10, 50, 10, 8))
    ws.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1='"扣分,加分,重大扣分"', allow_blank=True)
    ws.add_data_validation(kinds)
    kinds.add("C2:C2000")

    refs = book.create_sheet("评分项编号")
    header_row(refs, 1, ("类别", "编号", "类型", "一级指标", "二级指标", "项目", "赋分",
                          "扣分/加分标准"))
    for rubric in rubrics.rubrics:
        classes = "、".join(rubric.spec.classes)
        for line in rubric.lines.values():
            spec = line.spec
            values: list[object] = [classes, spec.id, "扣分" if spec.deductions else "",
                                    line.level1.name, line.level2.name, spec.name,
                                    _num(spec.weight), ""]
            if spec.bonus is not None:
                values[2] = "扣分、加分" if spec.deductions else "加分"
                values[7] = spec.bonus.text
            refs.append(values)
            for rule in spec.deductions:
                refs.append([classes, rule.id, "扣分（实测百分比）" if rule.kind == "percentage"
                             else "扣分", line.level1.name, line.level2.name, spec.name, None,
                             rule.text])
        for label, kind, items in ((rubric.spec.bonus_label, "加分", rubric.bonuses),
                                   (rubric.spec.major_label, "重大扣分", rubric.majors)):
            for item in items.values():
                refs.append([classes, item.id, kind, label, "", "", None, item.text])
    for line_cells in refs.iter_rows(min_row=2):
        for cell in line_cells:
            cell.alignment = WRAP
    column_widths(refs, (8, 11, 14, 18, 16, 30, 6, 70))
    refs.freeze_panes = "A2"

    unit_sheet = book.create_sheet("单位")
    header_row(unit_sheet, 1, ("单位代码", "单位名称", "类别"))
    for u in units:
        unit_sheet.append([u.code, u.name, u.category])
    column_widths(unit_sheet, (12, 30, 8))
    unit_sheet.freeze_panes = "A2"

    guide = book.create_sheet("填写说明")
    for i, text in enumerate(GUIDE, 1):
        cell = guide.cell(row=i, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if i == 1:
            cell.font = BOLD
    guide.column_dimensions["A"].width = 110
    path.parent.mkdir(parents=True, exist_ok=True)
    without_formulas(book)  # unit names come from the county's config, not from us
    book.save(path)
    return path


def write_template(path: Path, units: Sequence[UnitRef], rubrics: RubricSet) -> Path:
    """A template by the file's suffix: .csv, otherwise .xlsx."""
    if path.suffix.lower() == ".csv":
        return write_template_csv(path, units, rubrics)
    return write_template_xlsx(path, units, rubrics)
