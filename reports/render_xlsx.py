"""XLSX rendering of the weekly bulletin (openpyxl): the workbook the office files.

Sheet 汇总 (the per-unit table) first, then one sheet per section and appendix table. Each
sheet: the bulletin title in row 1, bold header in row 2, both frozen, an auto-filter, column
widths, dates as real dates, http(s) links as hyperlinks. Crawled text is always stored as a
string, never as a formula (a title starting with ``=`` stays text).
"""

from __future__ import annotations

from copy import copy
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.model import Cell, Link, Table, WeeklyBulletin, clean, is_web_url

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
FONT = "宋体"


def _put(ws: Worksheet, row: int, column: int, value: Cell,
         looks: dict[str, Any] | None = None) -> None:
    """Write one cell; ``looks`` keeps each kind of cell's finished style so later cells copy
    it (openpyxl re-interns Font, Border and Alignment objects on every assignment)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Link):
        cell.value = clean(value.text)
        cell.data_type = "s"
        look = "text"
        if is_web_url(value.url):
            cell.hyperlink = clean(value.url.strip())
            look = "link"
    elif isinstance(value, date):
        cell.value = value
        look = "date"
    elif isinstance(value, int | float):
        cell.value = value
        look = "number"
    else:
        cell.value = clean(value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        look = "red" if value == "未整改" else "text"
    if looks is not None and look in looks:
        cell._style = copy(looks[look])
        return
    if look == "link":
        cell.font = Font(name=FONT, color="0563C1", underline="single")
    elif look == "date":
        cell.number_format = "yyyy-mm-dd"
    elif look == "red":
        cell.font = Font(name=FONT, bold=True, color="D40000")
    cell.border = BORDER
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    if looks is not None:
        looks[look] = copy(cell._style)


def sheet(wb: Workbook, b: WeeklyBulletin, t: Table, heading: str) -> Worksheet:
    ws = wb.create_sheet(t.sheet[:31])
    title = ws.cell(row=1, column=1, value=clean(f"{b.title} {heading}"))
    title.font = Font(name=FONT, bold=True, size=13)
    for col, header in enumerate(t.headers, 1):
        cell = ws.cell(row=2, column=col, value=header)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    looks: dict[str, Any] = {}
    for r, row in enumerate(t.rows, 3):
        for col, value in enumerate(row, 1):
            _put(ws, r, col, value, looks)
    if not t.rows:
        ws.cell(row=3, column=1, value=clean(t.empty)).data_type = "s"
    widths = t.widths or tuple(12 for _ in t.headers)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = max(width * 1.6, 8)
    ws.freeze_panes = "A3"
    if t.rows:
        ws.auto_filter.ref = f"A2:{get_column_letter(len(t.headers))}{len(t.rows) + 2}"
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    return ws


def render(b: WeeklyBulletin) -> Workbook:
    """The bulletin as an openpyxl Workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = clean(b.title)
    wb.properties.creator = clean(b.issuer)
    sections = [*b.sections, *b.appendices]
    ordered = sorted(((s, t) for s in sections for t in s.tables),
                     key=lambda st: st[1].key != "units")  # 汇总 first
    for s, t in ordered:
        heading = f"{s.heading}{t.caption}" if t.caption else s.heading
        sheet(wb, b, t, heading)
    return wb


def write(b: WeeklyBulletin, path: Path) -> None:
    render(b).save(str(path))
