"""Tables printed to the terminal: rich for a county, plain text for a province.

rich lays out every cell (wrapping, folding) and needs about a millisecond a row: fine for
a county's 38 units, but 5,000 units' ranking took 8 s and their deduction details 11 s. Past
``RICH_MAX_ROWS`` rows a table is drawn as plain aligned text with the same box characters —
no wrapping, no styles — which takes milliseconds and reads the same in a file or a pager.

Widths of plain cells come from ``cell_width``, one compiled regex over rich's own width table:
rich's ``cell_len`` looks every character up in Python, 0.8 s for a province's 100,000 cells.
A plain cell wider than ``PLAIN_MAX_CELL`` is folded onto as many lines as it needs, as rich
folds: one unit's long 说明 (every finding it was docked for) would otherwise widen its
column for every row — 5,000 units' deduction details were 125 MB of mostly blanks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from typing import Literal

from rich._unicode_data import load as load_cell_table
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

Justify = Literal["left", "right", "center"]
RICH_MAX_ROWS = 300
PLAIN_MAX_CELL = 60  # terminal cells: 30 Chinese characters a line


@dataclass
class TextTable:
    """A table to print: a title, columns (header, justify) and rows of text."""

    title: str
    columns: Sequence[tuple[str, Justify]]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    styles: list[str | None] = field(default_factory=list)  # per row (rich only)
    show_lines: bool = False

    def add_row(self, *cells: str, style: str | None = None) -> None:
        self.rows.append(tuple(cells))
        self.styles.append(style)


def print_table(console: Console, table: TextTable, *, max_rows: int | None = None,
                where_all: str = "") -> None:
    """Print with rich up to ``RICH_MAX_ROWS`` rows, as plain text beyond; with ``max_rows``,
    only that many rows, then how many there were and ``where_all`` (where to see them)."""
    if max_rows is not None and len(table.rows) > max_rows:
        shown = TextTable(table.title, table.columns, table.rows[:max_rows],
                          table.styles[:max_rows], table.show_lines)
        print_table(console, shown)
        console.print(f"（共 {len(table.rows):,} 行，这里只显示前 {max_rows:,} 行。{where_all}）",
                      markup=False, highlight=False)
        return
    if len(table.rows) <= RICH_MAX_ROWS:
        console.print(_rich(table), markup=False, highlight=False)
        return
    console.file.write(plain(table))
    console.file.flush()


def _rich(table: TextTable) -> Table:
    out = Table(title=table.title, show_lines=table.show_lines)
    for header, justify in table.columns:
        out.add_column(header, justify=justify, overflow="fold")
    for cells, style in zip(table.rows, table.styles, strict=True):
        out.add_row(*cells, style=style)
    return out


def plain(table: TextTable) -> str:
    """The table as aligned text, widths counted in terminal cells (a Chinese character is
    two), in rich's default box style."""
    headers = [(h, cell_width(h)) for h, _ in table.columns]
    rows = [[_measured(cell.replace("\n", " ")) for cell in row] for row in table.rows]
    widths = [max([hw, *(min(r[k][1], PLAIN_MAX_CELL) for r in rows)])
              for k, (_, hw) in enumerate(headers)]
    justify = [j for _, j in table.columns]

    def line(cells: Sequence[tuple[str, int]], bar: str, kinds: Sequence[Justify]) -> str:
        return bar + bar.join(f" {_pad(c, cw, w, j)} " for (c, cw), w, j in zip(
            cells, widths, kinds, strict=True)) + bar

    def rule(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    total = sum(widths) + 3 * len(widths) + 1
    out = [_pad(table.title, cell_width(table.title), total, "center").rstrip(),
           rule("┏", "┳", "┓", "━"), line(headers, "┃", ["left"] * len(headers)),
           rule("┡", "╇", "┩", "━")]
    between = rule("├", "┼", "┤", "─")
    for k, row in enumerate(rows):
        if table.show_lines and k:
            out.append(between)
        if all(cw <= w for (_, cw), w in zip(row, widths, strict=True)):
            out.append(line(row, "│", justify))
            continue
        folded = [_fold(text, cw, w) for (text, cw), w in zip(row, widths, strict=True)]
        for n in range(max(len(f) for f in folded)):
            out.append(line([f[n] if n < len(f) else ("", 0) for f in folded], "│", justify))
    out.append(rule("└", "┴", "┘", "─"))
    return "\n".join(out) + "\n"


def _measured(text: str) -> tuple[str, int]:
    return text, cell_width(text)


def _fold(text: str, text_width: int, width: int) -> list[tuple[str, int]]:
    """``text`` in pieces of at most ``width`` terminal cells (each with its width), in order;
    a piece ends after the last 。；，、 or space in its second half where there is one."""
    if text_width <= width:
        return [(text, text_width)]
    ends = list(accumulate(_char_widths(text)))  # cells up to and including each character
    breaks = [m.end() for m in _BREAK_AFTER.finditer(text)]  # where a piece may end
    pieces = []
    start, used = 0, 0
    while start < len(text):
        stop = max(bisect_right(ends, used + width, start), start + 1)  # at least a character
        if stop < len(text):
            k = bisect_right(breaks, stop) - 1
            if k >= 0 and breaks[k] > start + (stop - start) // 2:
                stop = breaks[k]
        pieces.append((text[start:stop], ends[stop - 1] - used))
        start, used = stop, ends[stop - 1]
    return pieces


def _char_widths(text: str) -> bytes | list[int]:
    """Each character's width in terminal cells (``cell_width`` of it), at C speed for text
    of narrow and wide characters only."""
    _, zero, rich_only = _width_patterns()
    if zero.search(text) or rich_only.search(text):
        return [cell_len(c) for c in text]  # rare: rich measures each character
    return _NARROW.sub("\x01", _wide_char().sub("\x02", text)).encode("latin-1")


_NARROW = re.compile("[^\x02]")
_BREAK_AFTER = re.compile("[。；，、 ]")


@cache
def _wide_char() -> re.Pattern[str]:
    """One wide character (``_width_patterns``' runs of them, one at a time)."""
    return re.compile(_width_patterns()[0].pattern.removesuffix("+"))


def _pad(text: str, text_width: int, width: int, justify: Justify) -> str:
    gap = max(width - text_width, 0)
    if justify == "right":
        return " " * gap + text
    if justify == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def cell_width(text: str) -> int:
    """``rich.cells.cell_len(text)`` at C speed: the length, plus one per wide character,
    less one per zero-width one.

    Text with characters beyond the BMP (emoji, rare ideographs) or emoji sequences (a
    zero-width joiner, variation selector 16) is left to rich: it is rare, and the BMP-only
    character classes below are the ones ``re`` matches in constant time per character.
    """
    if text.isascii() and text.isprintable():
        return len(text)
    wide, zero, rich_only = _width_patterns()
    if rich_only.search(text):
        return cell_len(text)
    return len(text) + len(zero.sub("", text)) - len(wide.sub("", text))


@cache
def _width_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Runs of wide characters, runs of zero-width ones (with the C0/C1 controls) — from
    rich's width table for its Unicode version (``UNICODE_VERSION``) — and what rich alone
    measures."""
    spans: dict[int, list[tuple[int, int]]] = {0: [(0x01, 0x1F), (0x7F, 0x9F)], 2: []}
    for start, end, width in load_cell_table("auto").widths:
        if width in spans and start <= 0xFFFF:
            spans[width].append((start, min(end, 0xFFFF)))

    def runs(ranges: list[tuple[int, int]]) -> re.Pattern[str]:
        return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                                        for a, b in ranges) + "]+")

    return runs(spans[2]), runs(spans[0]), re.compile("[\u200d\ufe0f\U00010000-\U0010ffff]")
