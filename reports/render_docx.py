"""DOCX rendering of the weekly bulletin (python-docx): the document the office circulates.

A4 with 公文 margins, East Asian fonts set explicitly (``w:eastAsia``: 仿宋 body, 黑体 headings,
宋体 title and tables), a red 红头 with the 文号 beneath it (签发人 to its right) and a red
title, tables with bordered cells and a header row that repeats on each page, the signature
kept on one page with the closing paragraph, the 版记 (抄送, 印发机关 and 印发日期 between black
lines) at the end, and page numbers (— 1 —) in the footer. A draft is marked at the top.
python-docx escapes the text of paragraphs, table cells are escaped here (see "table XML"
below); characters XML cannot hold are removed first (``clean``).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from govwatch.timeutil import chinese_date
from reports.model import (
    DRAFT_MARK,
    NOT_RECTIFIED,
    Cell,
    Section,
    Table,
    WeeklyBulletin,
    cell_text,
    clean,
    link_target,
)
from reports.ooxml import MARKER, write_package, xml_text

RED, LINK_BLUE = RGBColor(0xD4, 0x00, 0x00), RGBColor(0x05, 0x63, 0xC1)
BODY_FONT, HEAD_FONT, TITLE_FONT, TABLE_FONT = "仿宋", "黑体", "宋体", "宋体"
BODY_SIZE, TABLE_SIZE, LINK_SIZE = Pt(16), Pt(10.5), Pt(8.5)
TEXT_WIDTH_MM = 210 - 28 - 26


def set_font(run: Run, east_asian: str, size: Pt | None = None, *, bold: bool = False,
             colour: RGBColor | None = None) -> Run:
    """Font of a run for Latin (Times New Roman) and East Asian text (``w:eastAsia``)."""
    run.font.name = "Times New Roman"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size is not None:
        run.font.size = size
    run.font.bold = bold or None
    if colour is not None:
        run.font.color.rgb = colour
    return run


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


def _link_rel(part: Any, url: str) -> str:
    """The relationship id of an external link, one per URL: python-docx's ``relate_to``
    searches every relationship of the part for each link, quadratic over thousands."""
    links: dict[str, str] = part.__dict__.setdefault("_govwatch_links", {})
    if url not in links:
        links[url] = f"rIdLink{len(links) + 1}"
        part.rels.add_relationship(RELATIONSHIP_TYPE.HYPERLINK, url, links[url],
                                   is_external=True)
    return links[url]


# ----------------------------------------------------------------------------- table XML
# Table rows are WordprocessingML text (the markup python-docx itself writes for the same
# look), put into the saved file by ``reports.ooxml.write_package``: python-docx's per-cell
# API, or even parsing the rows into lxml and serialising them again, takes seconds.

# each table holds a comment, <!--govwatch-table-rows-N-->, replaced by its rows on saving
_MARKER_XML = re.compile(f"<!--{MARKER}(\\d+)-->".encode())


def _rpr(*, bold: bool = False, colour: RGBColor | None = None, size: Pt = TABLE_SIZE,
         underline: bool = False) -> str:
    """A table run's ``w:rPr`` (children in schema order: rFonts, b, color, sz, u)."""
    return ("<w:rPr>"
            f'<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" '
            f'w:eastAsia="{TABLE_FONT}"/>'
            + ("<w:b/>" if bold else "")
            + (f'<w:color w:val="{colour}"/>' if colour is not None else "")
            + f'<w:sz w:val="{round(size.pt * 2)}"/>'
            + ('<w:u w:val="single"/>' if underline else "")
            + "</w:rPr>")


_PLAIN, _BOLD, _ALARM = _rpr(), _rpr(bold=True), _rpr(bold=True, colour=RED)
_LINK = _rpr(colour=LINK_BLUE, size=LINK_SIZE, underline=True)
_PPR = {centre: '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
                + ('<w:jc w:val="center"/>' if centre else "") + "</w:pPr>"
        for centre in (False, True)}
_HEADER_SHADE = '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>'
_BREAKS = re.compile(r"([\t\r\n])")
_CENTRED_WORDS = ("已整改", NOT_RECTIFIED, "待审核")


def _t(text: str) -> str:
    """A ``w:t``; edge spaces are kept (``xml:space``), as python-docx does."""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<w:t{space}>{xml_text(text)}</w:t>"


def _run(text: str, rpr: str) -> str:
    """A ``w:r`` holding ``text``; tabs and line breaks become ``w:tab`` and ``w:br``, as
    python-docx's ``run.text`` makes them."""
    if not _BREAKS.search(text):
        return f"<w:r>{rpr}{_t(text)}</w:r>"
    content = "".join("<w:tab/>" if piece == "\t" else "<w:br/>" if piece in "\r\n"
                      else _t(piece) for piece in _BREAKS.split(text) if piece)
    return f"<w:r>{rpr}{content}</w:r>"


def _cell(value: Cell, width: int, part: Any, *, header: bool = False) -> str:
    """One ``w:tc``: a header cell is bold, centred and shaded; a web link is a hyperlink;
    numbers and 整改 words are centred; 未整改 is bold red."""
    target = link_target(value)
    text = clean(cell_text(value))
    if target is not None:
        content = f'<w:hyperlink r:id="{_link_rel(part, target)}">{_run(text, _LINK)}</w:hyperlink>'
    else:
        content = _run(text, _ALARM if text == NOT_RECTIFIED else _BOLD if header else _PLAIN)
    centre = header or isinstance(value, int | float) or cell_text(value) in _CENTRED_WORDS
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>'
            f"{_HEADER_SHADE if header else ''}</w:tcPr>"
            f"<w:p>{_PPR[centre]}{content}</w:p></w:tc>")


def _rows(t: Table, widths: list[int], part: Any) -> str:
    """The header row (repeated on every page) and the body rows of a table, as XML text."""
    header = "".join(_cell(h, w, part, header=True) for h, w in zip(t.headers, widths,
                                                                    strict=True))
    rows = [f'<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>{header}</w:tr>']
    rows.extend("<w:tr>" + "".join(_cell(v, w, part) for v, w in zip(row, widths, strict=True))
                + "</w:tr>" for row in t.rows)
    return "".join(rows)


def add_table(doc: Document, t: Table, rows: list[bytes]) -> DocxTable | None:
    """A bordered table (caption and empty note as paragraphs), column widths from ``t``.

    The table's rows are appended to ``rows`` as XML and stand in the document as a marker
    comment until ``write`` puts them in the saved file.
    """
    if t.caption:
        _para(doc, t.caption, font="楷体")
    if not t.rows:
        _para(doc, t.empty)
        return None
    table = doc.add_table(rows=0, cols=len(t.headers))  # python-docx makes tblPr and grid
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = t.widths or tuple(1 for _ in t.headers)
    unit_mm = TEXT_WIDTH_MM / sum(widths)
    twips = [Mm(width * unit_mm).twips for width in widths]
    table._tbl.append(etree.Comment(f"{MARKER}{len(rows)}"))
    rows.append(_rows(t, twips, doc.part).encode("utf-8"))
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


_PBDR_FOLLOWERS = (  # pPr children after pBdr, in schema order
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
THICK, THIN = "8", "4"  # border widths in eighths of a point: 版记's outer and inner lines


def _border(p: Paragraph, colour: str = "000000", **edges: str) -> None:
    """Single-line borders on a paragraph's edges (``top``, ``bottom``: width in eighths of a
    point)."""
    border = OxmlElement("w:pBdr")
    for edge in ("top", "bottom"):  # schema order
        if edge in edges:
            line = OxmlElement(f"w:{edge}")
            for key, value in (("val", "single"), ("sz", edges[edge]), ("space", "1"),
                               ("color", colour)):
                line.set(qn(f"w:{key}"), value)
            border.append(line)
    p._p.get_or_add_pPr().insert_element_before(border, *_PBDR_FOLLOWERS)


def _two_ends(doc: Document, left: str, right: str, *, size: Pt = BODY_SIZE,
              name: str = "") -> Paragraph:
    """A line with ``left`` one character in from the left margin and ``right`` (then
    ``name`` in 楷体, as 公文 print the 签发人's name) one character in from the right, at a
    right tab stop: 发文字号 and 签发人, 印发机关 and 印发日期."""
    p = _para(doc, indent=False)
    p.paragraph_format.left_indent = Pt(size.pt)
    # tab stops are measured from the left margin
    p.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(size.pt),
                                              WD_TAB_ALIGNMENT.RIGHT)
    set_font(p.add_run(f"{clean(left)}\t{clean(right)}"), BODY_FONT, size)
    if name:
        set_font(p.add_run(clean(name)), "楷体", size)
    return p


def _masthead(doc: Document, b: WeeklyBulletin) -> None:
    """版头: the draft's mark, the red 发文机关, the 文号 beneath it (签发人 to its right), the
    red rule."""
    if b.draft:
        _para(doc, DRAFT_MARK, font=HEAD_FONT, size=Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER,
              indent=False, colour=RED)
    _para(doc, b.issuer, font=TITLE_FONT, size=Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER,
          indent=False, bold=True, colour=RED)
    if b.signer:
        _two_ends(doc, b.number_text, "签发人：", name=b.signer)
    elif b.number_text:
        _para(doc, b.number_text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _border(_para(doc, indent=False), "D40000", bottom="18")


def _signature(doc: Document, b: WeeklyBulletin) -> None:
    """The closing paragraph, then 发文机关署名 and 成文日期: kept with the closing on one page
    (keep with next on the closing and the blank line, keep together on the signature), so
    the signature never stands alone on the last page."""
    closing = _para(doc, b.closing)
    gap = _para(doc)
    issuer = _para(doc, b.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    dated = _para(doc, chinese_date(b.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    for p in (closing, gap, issuer):
        p.paragraph_format.keep_with_next = True
    for p in (issuer, dated):
        p.paragraph_format.keep_together = True


def _imprint(doc: Document, b: WeeklyBulletin) -> None:
    """版记 at the end: 抄送 and 印发机关/印发日期 between black lines (the outer ones thick)."""
    _para(doc)
    size = Pt(14)
    lines = []
    if b.cc_line:
        cc = _para(doc, b.cc_line, size=size, indent=False)
        cc.paragraph_format.left_indent = cc.paragraph_format.right_indent = Pt(size.pt)
        lines.append(cc)
    printer, printed_on = b.printed
    lines.append(_two_ends(doc, printer, printed_on, size=size))
    _border(lines[0], top=THICK, **({"bottom": THIN} if len(lines) > 1 else {"bottom": THICK}))
    if len(lines) > 1:
        _border(lines[-1], bottom=THICK)
    for p in lines:
        p.paragraph_format.keep_together = True
    lines[0].paragraph_format.keep_with_next = len(lines) > 1


def _section(doc: Document, s: Section, rows: list[bytes]) -> None:
    _para(doc, s.heading, font=HEAD_FONT)
    if s.intro:
        _para(doc, s.intro)
    for t in s.tables:
        add_table(doc, t, rows)


def render(b: WeeklyBulletin) -> tuple[Document, list[bytes]]:
    """The bulletin as a python-docx Document whose tables still lack their body, and the
    tables' rows as XML (see ``add_table``; ``write`` saves the two together)."""
    doc = Document()
    rows: list[bytes] = []
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
    doc.core_properties.identifier = clean(b.number or "")

    _masthead(doc, b)
    _para(doc, b.title, font=TITLE_FONT, size=Pt(20), align=WD_ALIGN_PARAGRAPH.CENTER,
          indent=False, bold=True, colour=RED)
    _para(doc, f"{b.issuer}　　{chinese_date(b.issued_on)}", size=Pt(14),
          align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc)
    _para(doc, b.salutation, indent=False)
    _para(doc, b.opening)
    _para(doc, b.summary)
    for s in b.sections:
        _section(doc, s, rows)
    _signature(doc, b)
    for number, s in enumerate(b.appendices):
        if number == 0:
            doc.add_page_break()
        else:
            _para(doc)
        _section(doc, s, rows)
    _imprint(doc, b)
    _page_number(doc)
    return doc, rows


def write(b: WeeklyBulletin, path: Path) -> None:
    doc, rows = render(b)
    saved = io.BytesIO()
    doc.save(saved)
    write_package(saved.getvalue(), path, _MARKER_XML, rows)
