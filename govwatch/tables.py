"""Tables printed to the terminal: rich for a county, plain text for a province.

rich lays out every cell (wrapping, folding) and needs about a millisecond a row: fine for
a county's 38 units, but 5,000 units' ranking took 8 s and their deduction details 11 s. Past
``RICH_MAX_ROWS`` rows a table is drawn as plain aligned text with the same box characters —
no wrapping, no styles — which takes milliseconds and reads the same in a file or a pager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

Justify = Literal["left", "right", "center"]
RICH_MAX_ROWS = 300


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


def print_table(console: Console, table: TextTable) -> None:
    """Print with rich up to ``RICH_MAX_ROWS`` rows, as plain text beyond."""
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
    headers = [h for h, _ in table.columns]
    rows = [[cell.replace("\n", " ") for cell in row] for row in table.rows]
    widths = [max([cell_len(h), *(cell_len(r[k]) for r in rows)])
              for k, h in enumerate(headers)]
    justify = [j for _, j in table.columns]

    def line(cells: Sequence[str], bar: str, kinds: Sequence[Justify]) -> str:
        return bar + bar.join(f" {_pad(c, w, j)} " for c, w, j in zip(cells, widths, kinds,
                                                                        strict=True)) + bar

    def rule(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    total = sum(widths) + 3 * len(widths) + 1
    out = [_pad(table.title, total, "center").rstrip(), rule("┏", "┳", "┓", "━"),
           line(headers, "┃", ["left"] * len(headers)), rule("┡", "╇", "┩", "━")]
    for k, row in enumerate(rows):
        if table.show_lines and k:
            out.append(rule("├", "┼", "┤", "─"))
        out.append(line(row, "│", justify))
    out.append(rule("└", "┴", "┘", "─"))
    return "\n".join(out) + "\n"


def _pad(text: str, width: int, justify: Justify) -> str:
    gap = max(width - cell_len(text), 0)
    if justify == "right":
        return " " * gap + text
    if justify == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap
