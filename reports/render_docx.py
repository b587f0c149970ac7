"""DOCX rendering of the weekly bulletin (python-docx): the document the office circulates.

A4 with 公文 margins, East Asian fonts set explicitly (``w:eastAsia``: 仿宋 body, 黑体 headings,
宋体 title and tables), a red 红头 and title, tables with bordered cells and a header row that
repeats on each page, and page numbers (— 1 —) in the footer. python-docx escapes XML itself;
characters XML cannot hold are removed first (``clean``).
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell as _DocxCell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from govwatch.timeutil import chinese_date
from reports.model import Cell, Link, Section, Table, WeeklyBulletin, cell_text, clean, is_web_url

RED = RGBColor(0xD4, 0x00, 0x00)
BODY_FONT, HEAD_FONT, TITLE_FONT, TABLE_FONT = "仿宋", "黑体", "宋体", "宋体"
BODY_SIZE, TABLE_SIZE = Pt(16), Pt(10.5)
TEXT_WIDTH_MM = 210 - 28 - 26


# Run and paragraph properties are built once per look and copied after that: a province's
# bulletin has tens of thousands of table cells, and python-docx's property setters are slow.
_RUN_LOOKS: dict[tuple[object, ...], Any] = {}
_CELL_LOOKS: dict[bool, Any] = {}
_CELL_RUNS: dict[tuple[bool, bool], Any] = {}


def set_font(run: Run, east_asian: str, size: Pt | None = None, *, bold: bool = False,
             colour: RGBColor | None = None) -> Run:
    """Font of a run for Latin (Times New Roman) and East Asian text (``w:eastAsia``)."""
    key = (east_asian, size, bool(bold), str(colour) if colour is not None else None)
    fresh = run._element.rPr is None
    if fresh and key in _RUN_LOOKS:
        run._element.insert(0, deepcopy(_RUN_LOOKS[key]))
        return run
    _set_font(run, east_asian, size, bold=bold, colour=colour)
    if fresh:
        _RUN_LOOKS[key] = deepcopy(run._element.rPr)
    return run


def _set_font(run: Run, east_asian: str, size: Pt | None, *, bold: bool,
              colour: RGBColor | None) -> None:
    run.font.name = "Times New Roman"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size is not None:
        run.font.size = size
    run.font.bold = bold or None
    if colour is not None:
        run.font.color.rgb = colour


def _para(doc: Document, text: str = "", *, font: str = BODY_FONT, size: Pt = BODY_SIZE,
          align: int | None = None, indent: bool = True, bold: bool = False,
          colour: RGBColor | None = None) -> Paragraph:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size.pt * 2)
    if size.pt > BODY_SIZE.pt:  # the red head and the title: no clipping by the fixed lines
        p.paragraph_format.line_spacing = 1.15
    p.paragraph_format.space_after = Pt(0)
    if text:
        set_font(p.add_run(clean(text)), font, size, bold=bold, colour=colour)
    return p


def add_hyperlink(paragraph: Paragraph, url: str, text: str) -> None:
    """A clickable external link (python-docx has no API for it)."""
    rel = _link_rel(paragraph.part, url)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = paragraph.add_run(clean(text))
    set_font(run, TABLE_FONT, Pt(8.5), colour=RGBColor(0x05, 0x63, 0xC1))
    run.font.underline = True
    link.append(run._element)
    paragraph._p.append(link)


def _link_rel(part: Any, url: str) -> str:
    """The relationship id of an external link, one per URL: python-docx's ``relate_to``
    searches every relationship of the part for each link, quadratic over thousands."""
    links: dict[str, str] = part.__dict__.setdefault("_govwatch_links", {})
    if url not in links:
        links[url] = f"rIdLink{len(links) + 1}"
        part.rels.add_relationship(RELATIONSHIP_TYPE.HYPERLINK, url, links[url],
                                   is_external=True)
    return links[url]


def _repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _shade(cell: object, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tcpr.append(shading)


def _fill_cell(cell: object, value: Cell, *, bold: bool = False, centre: bool = False) -> None:
    p = cell.paragraphs[0]  # type: ignore[attr-defined]
    if p._p.pPr is None and centre in _CELL_LOOKS:
        p._p.insert(0, deepcopy(_CELL_LOOKS[centre]))
    else:
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _CELL_LOOKS.setdefault(centre, deepcopy(p._p.pPr))
    if isinstance(value, Link) and is_web_url(value.url):
        add_hyperlink(p, value.url.strip(), value.text)
        return
    text = clean(cell_text(value))
    colour = RED if text == "未整改" else None
    key = (bold or colour is not None, colour is not None)
    if key in _CELL_RUNS and "\n" not in text and "\t" not in text:
        run = deepcopy(_CELL_RUNS[key])  # <w:r><w:rPr/><w:t/></w:r>, filled in
        run[-1].text = text
        p._p.append(run)
        return
    r = set_font(p.add_run(text), TABLE_FONT, TABLE_SIZE, bold=key[0], colour=colour)
    if len(r._element) == 2 and r._element[-1].tag == qn("w:t"):
        _CELL_RUNS.setdefault(key, deepcopy(r._element))


def add_table(doc: Document, t: Table) -> DocxTable | None:
    if t.caption:
        _para(doc, t.caption, font="楷体")
    if not t.rows:
        _para(doc, t.empty)
        return None
    table = doc.add_table(rows=1, cols=len(t.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = t.widths or tuple(1 for _ in t.headers)
    unit_mm = TEXT_WIDTH_MM / sum(widths)
    sizes = [Mm(width * unit_mm) for width in widths]
    for cell, header, size in zip(table.rows[0].cells, t.headers, sizes, strict=True):
        _fill_cell(cell, header, bold=True, centre=True)
        _shade(cell, "E7E6E6")
        cell.width = size
    _repeat_header(table.rows[0])
    blank = None
    for row in t.rows:
        # python-docx's add_row scans the whole table for each new row (quadratic); a copy of
        # the first, still empty, row (widths set) is appended instead
        if blank is None:
            new = table.add_row()
            for cell, size in zip(new.cells, sizes, strict=True):
                cell.width = size
            blank = deepcopy(new._tr)
            cells = new.cells
        else:
            tr = deepcopy(blank)
            table._tbl.append(tr)
            cells = [_DocxCell(tc, table) for tc in tr.tc_lst]
        for cell, value in zip(cells, row, strict=True):
            _fill_cell(cell, value, centre=isinstance(value, int | float)
                       or cell_text(value) in ("已整改", "未整改", "待审核"))
    return table


def _page_number(doc: Document) -> None:
    """Footer — PAGE — centred, as a field Word updates."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(p.add_run("— "), TITLE_FONT, Pt(14))
    run = set_font(p.add_run(), TITLE_FONT, Pt(14))
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._element.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._element.append(shown)
    set_font(p.add_run(" —"), TITLE_FONT, Pt(14))


def _section(doc: Document, s: Section) -> None:
    _para(doc, s.heading, font=HEAD_FONT)
    if s.intro:
        _para(doc, s.intro)
    for t in s.tables:
        add_table(doc, t)


def render(b: WeeklyBulletin) -> Document:
    """The bulletin as a python-docx Document."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", BODY_SIZE
    normal.paragraph_format.line_spacing = Pt(28)  # 公文: fixed 28-point lines
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.core_properties.title = clean(b.title)
    doc.core_properties.author = clean(b.issuer)

    _para(doc, b.issuer, font=TITLE_FONT, size=Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER,
          indent=False, bold=True, colour=RED)
    rule = _para(doc, indent=False)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "D40000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    # schema order: pBdr comes before shd, tabs, spacing, ind, jc…
    rule._p.get_or_add_pPr().insert_element_before(
        border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
        "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
        "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange")
    _para(doc, b.title, font=TITLE_FONT, size=Pt(20), align=WD_ALIGN_PARAGRAPH.CENTER,
          indent=False, bold=True, colour=RED)
    _para(doc, f"{b.issuer}　　{chinese_date(b.issued_on)}", size=Pt(14),
          align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc)
    _para(doc, b.salutation, indent=False)
    _para(doc, b.opening)
    _para(doc, b.summary)
    for s in b.sections:
        _section(doc, s)
    _para(doc, b.closing)
    _para(doc)
    _para(doc, b.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, chinese_date(b.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    for number, s in enumerate(b.appendices):
        if number == 0:
            doc.add_page_break()
        else:
            _para(doc)
        _section(doc, s)
    _page_number(doc)
    return doc


def write(b: WeeklyBulletin, path: Path) -> None:
    render(b).save(str(path))
