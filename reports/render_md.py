"""Markdown rendering of the weekly bulletin.

Crawled text is escaped for Markdown *and* HTML (many Markdown viewers pass raw HTML through):
``<``, ``>``, ``&`` become entities; emphasis, link and code marks and table pipes are
backslashed.
Links are made only for http(s) URLs.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from govwatch.timeutil import chinese_date
from reports.model import (
    DRAFT_MARK,
    Link,
    Section,
    Table,
    WeeklyBulletin,
    cell_text,
    clean,
    is_web_url,
)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape(text: object) -> str:
    """Text safe inside a Markdown paragraph or table cell."""
    return _escaped(text if isinstance(text, str) else clean(text))


@lru_cache(maxsize=65_536)  # a province's tables repeat their units, rules and dates
def _escaped(text: str) -> str:
    escaped = html.escape(clean(text), quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    return " ".join(escaped.split())  # no line breaks inside a cell


def _url(url: str) -> str:
    """A URL safe inside ``(…)``: spaces, brackets and quotes percent-encoded."""
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%-._~")


def _cell(cell: object) -> str:
    if isinstance(cell, Link):
        if is_web_url(cell.url):
            return f"[{escape(cell.text)}](<{_url(cell.url)}>)"
        return escape(cell.text)
    return escape(cell_text(cell))  # type: ignore[arg-type]


def table(t: Table) -> list[str]:
    lines = [f"**{escape(t.caption)}**", ""] if t.caption else []
    if not t.rows:
        return [*lines, escape(t.empty), ""]
    lines.append("| " + " | ".join(escape(h) for h in t.headers) + " |")
    lines.append("|" + "|".join("---" for _ in t.headers) + "|")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows)
    return [*lines, ""]


def section(s: Section, level: int = 2) -> list[str]:
    lines = [f"{'#' * level} {escape(s.heading)}", ""]
    if s.intro:
        lines += [escape(s.intro), ""]
    for t in s.tables:
        lines += table(t)
    return lines


def _masthead(b: WeeklyBulletin) -> list[str]:
    """The draft's mark, the 文号 and 签发人 (before the title)."""
    lines = [f"> **{escape(DRAFT_MARK)}**", ""] if b.draft else []
    number = "　　".join(escape(t) for t in (b.number_text, b.signer_text) if t)
    return [*lines, number, ""] if number else lines


def _imprint(b: WeeklyBulletin) -> list[str]:
    """版记 between rules: 抄送, then 印发机关 and 印发日期."""
    printer, printed_on = b.printed
    cc = [escape(b.cc_line), ""] if b.cc_line else []
    return ["---", "", *cc, f"{escape(printer)}　　{escape(printed_on)}", "", "---", ""]


def render(b: WeeklyBulletin) -> str:
    """The bulletin as a Markdown document."""
    lines = [
        *_masthead(b),
        f"# {escape(b.title)}", "",
        f"{escape(b.issuer)}　　{chinese_date(b.issued_on)}", "",
        escape(b.salutation), "",
        escape(b.opening), "",
        escape(b.summary), "",
    ]
    for s in b.sections:
        lines += section(s)
    lines += [escape(b.closing), "", f"{escape(b.issuer)}  ", chinese_date(b.issued_on), ""]
    for s in b.appendices:
        lines += section(s)
    lines += _imprint(b)
    return "\n".join(lines).rstrip() + "\n"


def write(b: WeeklyBulletin, path: Path) -> None:
    path.write_text(render(b), encoding="utf-8")
