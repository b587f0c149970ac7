"""HTML rendering of the weekly bulletin: one self-contained page laid out like a 通报.

Inline CSS (仿宋/宋体 with fallbacks, red 红头 with the 文号 and 签发人 beneath it, red title,
bordered tables, the 版记 between black lines at the end) and an inline SVG bar chart of
violations per unit; no scripts, no external assets, and a Content-Security-Policy
that forbids both. Every string is HTML-escaped (crawled titles, names and URLs alike); links
are made only for http(s) URLs.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

from govwatch.timeutil import chinese_date
from govwatch.vocabulary import RULE_NAMES
from reports.model import (
    DRAFT_MARK,
    VIOLATIONS,
    Cell,
    Link,
    Section,
    Table,
    UnitTally,
    WeeklyBulletin,
    cell_text,
    clean,
    is_web_url,
)

RULE_COLOURS = {
    "stale_column": "#c0392b",
    "low_post_frequency": "#e67e22",
    "uninterpreted_policy": "#2471a3",
    "not_rectified": "#7d3c98",
}

CSS = """
:root {
  --fang: "仿宋", "仿宋_GB2312", FangSong, STFangsong, "Noto Serif CJK SC", "Source Han Serif SC",
    serif;
  --song: "宋体", SimSun, "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif;
  --title: "方正小标宋简体", "华文中宋", STZhongsong, var(--song);
  --hei: "黑体", SimHei, "Heiti SC", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
  --kai: "楷体", "楷体_GB2312", KaiTi, STKaiti, var(--fang);
}
body { margin: 0; background: #f3f3f3; color: #000; font-family: var(--fang); }
.doc { max-width: 210mm; margin: 1.5em auto; background: #fff; padding: 25mm 22mm 28mm;
  box-shadow: 0 0 6px rgba(0,0,0,.15); font-size: 16pt; line-height: 1.75; }
.red-head { color: #d40000; text-align: center; font-size: 26pt; letter-spacing: .08em;
  font-family: var(--title); font-weight: bold; }
.red-rule { border: 0; border-top: 2px solid #d40000; margin: .4em 0 1.2em; }
h1 { color: #d40000; text-align: center; font-size: 20pt; font-weight: bold; line-height: 1.5;
  font-family: var(--title); margin: .4em 0; }
.issuing { text-align: center; font-size: 14pt; margin: 0 0 1.2em; }
h2 { font-family: var(--hei); font-size: 16pt; font-weight: normal; margin: 1.2em 0 .3em; }
h3 { font-family: var(--kai); font-size: 16pt; font-weight: normal; margin: .8em 0 .3em; }
p { margin: .3em 0; text-indent: 2em; }
p.salutation { text-indent: 0; }
.signature { text-align: right; margin-top: 1.5em; }
.signature p { text-indent: 0; margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: 11pt;
  table-layout: fixed;
  line-height: 1.45; font-family: var(--song); }
th, td { border: 1px solid #000; padding: 3px 5px; vertical-align: top; }
th { background: #f0f0f0; font-weight: bold; text-align: center; }
td.num { text-align: center; white-space: nowrap; }
td.url { word-break: break-all; font-size: 9.5pt; }
td.bad { color: #d40000; font-weight: bold; text-align: center; }
td.good { text-align: center; }
figure { margin: .5em 0 1em; text-align: center; }
figcaption { font-size: 12pt; }
svg text { font-family: var(--song); }
.appendix { border-top: 1px dashed #999; margin-top: 2em; padding-top: .5em; }
.draft-mark { color: #d40000; text-align: center; font-family: var(--hei); font-size: 14pt;
  border: 2px solid #d40000; padding: .2em; margin: 0 0 .8em; }
.doc-number { display: flex; justify-content: center; margin: .6em 1em 0; }
.doc-number.signed { justify-content: space-between; }
.signer b { font-family: var(--kai); font-weight: normal; }
.signature, .closing { break-inside: avoid; page-break-inside: avoid; }
.imprint { margin-top: 2em; border-top: 2px solid #000; border-bottom: 2px solid #000;
  font-size: 14pt; break-inside: avoid; page-break-inside: avoid; }
.imprint p { text-indent: 0; margin: 0; padding: .2em 1em; }
.imprint p + p { border-top: 1px solid #000; }
.imprint .printed { display: flex; justify-content: space-between; }
.pending h2 { color: #b35900; }
@media print { body { background: #fff; } .doc { box-shadow: none; margin: 0; padding: 0; } }
"""


def e(text: object) -> str:
    """HTML-escape anything (quotes included, so it is safe in attributes too)."""
    return html.escape(clean(text), quote=True)


def _cell(cell: Cell, header: str) -> str:
    if isinstance(cell, Link):
        if is_web_url(cell.url):
            inner = f'<a href="{e(cell.url.strip())}" rel="noopener noreferrer">{e(cell.text)}</a>'
        else:
            inner = e(cell.text)
        return f'<td class="url">{inner}</td>'
    text = cell_text(cell)
    if header == "整改情况":
        return f'<td class="{"bad" if text == "未整改" else "good"}">{e(text)}</td>'
    if isinstance(cell, int | float) or header in ("序号", "问题编号", "类别"):
        return f'<td class="num">{e(text)}</td>'
    return f"<td>{e(text)}</td>"


def table(t: Table) -> str:
    parts = [f"<h3>{e(t.caption)}</h3>"] if t.caption else []
    if not t.rows:
        parts.append(f'<p class="empty">{e(t.empty)}</p>')
        return "\n".join(parts)
    widths = t.widths or tuple(1 for _ in t.headers)
    cols = "".join(f'<col style="width:{100 * w / sum(widths):.1f}%">' for w in widths)
    head = "".join(f"<th>{e(h)}</th>" for h in t.headers)
    body = "\n".join("<tr>" + "".join(_cell(c, h) for c, h in zip(row, t.headers, strict=True))
                     + "</tr>" for row in t.rows)
    parts.append(f'<table data-key="{e(t.key)}">\n<colgroup>{cols}</colgroup>\n'
                 f"<thead><tr>{head}</tr></thead>\n"
                 f"<tbody>\n{body}\n</tbody>\n</table>")
    return "\n".join(parts)


def chart(units: Sequence[UnitTally]) -> str:
    """A horizontal stacked bar chart (inline SVG) of each unit's violations by rule."""
    label_w, bar_w, row_h, top = 150, 420, 26, 44
    width = label_w + bar_w + 50
    height = top + row_h * max(len(units), 1) + 30
    most = max((u.total for u in units), default=0)
    scale = bar_w / max(most, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
        'font-size="13">',
        '<title id="chart-title">各单位经审核确认的问题数量</title>',
    ]
    x = 10
    for rule in VIOLATIONS:  # legend
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" '
                     f'fill="{RULE_COLOURS[rule]}"/>')
        parts.append(f'<text x="{x + 16}" y="19">{e(RULE_NAMES.get(rule, rule))}</text>')
        x += 16 + 14 * len(RULE_NAMES.get(rule, rule)) + 14
    tick = max(1, math.ceil(most / 10))
    for step in range(0, most + 1, tick):  # grid lines, at most about ten
        gx = label_w + step * scale
        parts.append(f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" '
                     f'y2="{top + row_h * len(units)}" stroke="#ddd"/>')
        parts.append(f'<text x="{gx:.1f}" y="{top + row_h * len(units) + 16}" '
                     f'text-anchor="middle" fill="#555">{step}</text>')
    for i, unit in enumerate(units):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
                     f"{e(unit.name)}</text>")
        bx = float(label_w)
        for rule in VIOLATIONS:
            count = unit.counts.get(rule, 0)
            if not count:
                continue
            w = count * scale
            parts.append(f'<rect x="{bx:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                         f'fill="{RULE_COLOURS[rule]}"><title>{e(unit.name)} '
                         f"{e(RULE_NAMES.get(rule, rule))} {count}条</title></rect>")
            bx += w
        parts.append(f'<text x="{bx + 6:.1f}" y="{y + 17}">{unit.total}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def section(s: Section, units: Sequence[UnitTally], css_class: str = "") -> str:
    parts = [f'<section class="{css_class}" id="section-{e(s.key)}">', f"<h2>{e(s.heading)}</h2>"]
    if s.intro:
        parts.append(f"<p>{e(s.intro)}</p>")
    if s.chart:
        parts.append(f"<figure>{chart(units)}<figcaption>图：各单位经审核确认的问题数量"
                     "</figcaption></figure>")
    parts.extend(table(t) for t in s.tables)
    parts.append("</section>")
    return "\n".join(parts)


def render(b: WeeklyBulletin) -> str:
    """The bulletin as one self-contained HTML page."""
    issued = chinese_date(b.issued_on)
    printer, printed_on = b.printed
    number = (f'<div class="doc-number{" signed" if b.signer else ""}">'
              f"<span>{e(b.number_text)}</span>"
              + (f'<span class="signer">签发人：<b>{e(b.signer)}</b></span>' if b.signer else "")
              + "</div>") if b.number_text or b.signer else ""
    body = [
        f'<p class="draft-mark">{e(DRAFT_MARK)}</p>' if b.draft else "",
        f'<div class="red-head">{e(b.issuer)}</div>',
        number,
        '<hr class="red-rule">',
        f"<h1>{e(b.title)}</h1>",
        f'<p class="issuing">{e(b.issuer)}　　{e(issued)}</p>',
        f'<p class="salutation">{e(b.salutation)}</p>',
        f"<p>{e(b.opening)}</p>",
        f'<p class="summary">{e(b.summary)}</p>',
        *(section(s, b.units) for s in b.sections),
        '<div class="closing">',
        f"<p>{e(b.closing)}</p>",
        f'<div class="signature"><p>{e(b.issuer)}</p><p>{e(issued)}</p></div>',
        "</div>",
        *(section(s, b.units, "appendix " + s.key) for s in b.appendices),
        '<footer class="imprint">'
        + (f'<p class="cc">{e(b.cc_line)}</p>' if b.cc_line else "")
        + f'<p class="printed"><span>{e(printer)}</span><span>{e(printed_on)}</span></p>'
        + "</footer>",
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(b.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        '<main class="doc">\n' + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def write(b: WeeklyBulletin, path: Path) -> None:
    path.write_text(render(b), encoding="utf-8")
