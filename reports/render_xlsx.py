"""XLSX rendering of the weekly bulletin (openpyxl): the workbook the office files.

Sheet 汇总 (the per-unit table) first, then one sheet per section and appendix table. Each
sheet: the bulletin title in row 1, bold header in row 2, both frozen, an auto-filter, column
widths, dates as real dates, http(s) links as hyperlinks. Crawled text is always stored as a
string, never as a formula (a title starting with ``=`` stays text).

openpyxl (write-only mode) writes the workbook, its styles and each sheet's frame, title and
header; the table bodies are written as text and put into the saved file
(``reports.ooxml``): a province's bulletin has ~100,000 cells.
"""

from __future__ import annotations

import io
import re
from copy import copy
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from reports.model import NOT_RECTIFIED, Cell, Table, WeeklyBulletin, cell_text, clean, link_target
from reports.ooxml import MARKER, write_package, xml_text

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
FONT = "宋体"
BODY = Alignment(vertical="top", wrap_text=True)
# The body of a table is written as text (see reports.ooxml): openpyxl's cells and writer
# cost tens of microseconds a cell. openpyxl writes the marker row, which is replaced.
_MARKER_XML = re.compile(
    f'<row r="\\d+"><c r="A\\d+" t="inlineStr"><is><t>{MARKER}(\\d+)</t></is></c></row>'
    .encode())


# Each kind of cell: its font, fill, border, alignment and number format.
LOOKS: dict[str, dict[str, object]] = {
    "title": {"font": Font(name=FONT, bold=True, size=13)},
    "header": {"font": Font(name=FONT, bold=True), "fill": HEADER_FILL, "border": BORDER,
               "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True)},
    "text": {"border": BORDER, "alignment": BODY},
    "number": {"border": BORDER, "alignment": BODY},
    "date": {"border": BORDER, "alignment": BODY, "number_format": "yyyy-mm-dd"},
    "link": {"font": Font(name=FONT, color="0563C1", underline="single"), "border": BORDER,
             "alignment": BODY},
    "red": {"font": Font(name=FONT, bold=True, color="D40000"), "border": BORDER,
            "alignment": BODY},
}


class Looks:
    """The styles of one workbook's cells: each look's style is made once, then copied."""

    def __init__(self) -> None:
        self._styles: dict[str, StyleArray] = {}
        self._ids: dict[str, int] = {}

    def cell(self, ws: WriteOnlyWorksheet, text: str, look: str) -> XlsxCell:
        """An openpyxl cell holding ``text`` (always a string, never a formula)."""
        cell = WriteOnlyCell(ws, clean(text))
        cell.data_type = "s"
        if look not in self._styles:
            for name, style in LOOKS[look].items():
                setattr(cell, name, style)
            self._styles[look] = copy(cell._style)
        else:
            cell._style = copy(self._styles[look])
        return cell

    def style_id(self, ws: WriteOnlyWorksheet, look: str) -> int:
        """The workbook's index of a look's style (the ``s`` of a cell written as text)."""
        if look not in self._ids:
            self._ids[look] = self.cell(ws, "", look).style_id
        return self._ids[look]


def _look(value: Cell) -> str:
    """The look of a body cell."""
    if isinstance(value, date):
        return "date"
    if isinstance(value, int | float):
        return "number"
    if link_target(value) is not None:
        return "link"
    return "red" if value == NOT_RECTIFIED else "text"


def _cell(ref: str, value: Cell, style: int) -> str:
    """One ``c`` element as openpyxl writes it: numbers and dates (Excel serials) as values,
    text as an inline string, so a leading ``=`` never makes a formula."""
    if isinstance(value, date | int | float):
        number = to_excel(value) if isinstance(value, date) else value
        return f'<c r="{ref}" s="{style}" t="n"><v>{number:.16g}</v></c>'
    text = clean(cell_text(value))
    if not text:
        return f'<c r="{ref}" s="{style}" t="inlineStr"/>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return (f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{xml_text(text)}</t></is>'
            "</c>")


def _body(ws: WriteOnlyWorksheet, t: Table, looks: Looks, first: int) -> bytes:
    """The rows of a table from row ``first`` on, as SpreadsheetML text; their links are
    registered with the sheet, which writes them (and their relationships) when closed."""
    letters = [get_column_letter(col) for col in range(1, len(t.headers) + 1)]
    rows = []
    for r, row in enumerate(t.rows, first):
        cells = []
        for letter, value in zip(letters, row, strict=True):
            look = _look(value)
            cells.append(_cell(f"{letter}{r}", value, looks.style_id(ws, look)))
            if look == "link":
                ws._hyperlinks.append(Hyperlink(ref=f"{letter}{r}", target=link_target(value)))
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(rows).encode("utf-8")


def sheet(wb: Workbook, b: WeeklyBulletin, t: Table, heading: str, looks: Looks,
          bodies: list[bytes]) -> WriteOnlyWorksheet:
    """One table's sheet: title and header rows through openpyxl, the body as a marker row
    that ``write`` replaces by ``bodies[n]``. Widths, panes, filter and page come first: a
    write-only sheet streams out as it goes."""
    ws = wb.create_sheet(t.sheet[:31])
    widths = t.widths or tuple(12 for _ in t.headers)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = max(width * 1.6, 8)
    ws.freeze_panes = "A3"
    if t.rows:
        ws.auto_filter.ref = f"A2:{get_column_letter(len(t.headers))}{len(t.rows) + 2}"
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.append([looks.cell(ws, f"{b.mark}{b.title} {heading}", "title")])
    ws.append([looks.cell(ws, header, "header") for header in t.headers])
    if t.rows:
        ws.append([f"{MARKER}{len(bodies)}"])
        bodies.append(_body(ws, t, looks, first=3))
    else:
        empty = WriteOnlyCell(ws, clean(t.empty))
        empty.data_type = "s"
        ws.append([empty])
    return ws


def render(b: WeeklyBulletin) -> tuple[Workbook, list[bytes]]:
    """The bulletin as a write-only openpyxl Workbook whose sheets hold a marker for their
    body, and the bodies (see ``sheet``; ``write`` saves the two together)."""
    wb = Workbook(write_only=True)
    wb.properties.title = clean(b.title)
    wb.properties.creator = clean(b.issuer)
    looks, bodies = Looks(), []
    sections = [*b.sections, *b.appendices]
    ordered = sorted(((s, t) for s in sections for t in s.tables),
                     key=lambda st: st[1].key != "units")  # 汇总 first
    for s, t in ordered:
        heading = f"{s.heading}{t.caption}" if t.caption else s.heading
        sheet(wb, b, t, heading, looks, bodies)
    return wb, bodies


def write(b: WeeklyBulletin, path: Path) -> None:
    wb, bodies = render(b)
    saved = io.BytesIO()
    wb.save(saved)
    write_package(saved.getvalue(), path, _MARKER_XML, bodies)
