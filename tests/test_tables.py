"""Terminal tables: rich for a county, plain aligned text past RICH_MAX_ROWS rows."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from govwatch import tables
from govwatch.tables import TextTable, plain, print_table


def _table(rows: int) -> TextTable:
    table = TextTable("得分排名", [("排名", "right"), ("单位", "left"), ("等次", "center")])
    for k in range(rows):
        table.add_row(str(k + 1), "城关镇" if k % 2 else "A01 县发改局", "优秀")
    return table


def test_plain_columns_line_up_in_terminal_cells() -> None:
    text = plain(_table(3))
    lines = text.splitlines()
    assert lines[0].strip() == "得分排名"
    body = lines[1:]
    assert len({cell_len(line) for line in body}) == 1  # every line equally wide
    assert body[0].startswith("┏") and body[-1].startswith("└")
    assert "│    1 │ A01 县发改局 │ 优秀 │" in text  # numbers right, text left
    assert "│    2 │ 城关镇       │ 优秀 │" in text


def test_show_lines_and_newlines() -> None:
    table = TextTable("明细", [("说明", "left")], show_lines=True)
    table.add_row("第一行\n第二行")
    table.add_row("x")
    text = plain(table)
    assert "第一行 第二行" in text and "├" in text


def test_rich_for_small_tables_plain_for_big_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "RICH_MAX_ROWS", 5)
    small, big = io.StringIO(), io.StringIO()
    print_table(Console(file=small, width=120), _table(5))
    print_table(Console(file=big, width=120), _table(6))
    assert "城关镇" in small.getvalue() and "城关镇" in big.getvalue()
    assert big.getvalue() == plain(_table(6))
    assert small.getvalue() != plain(_table(5))


SAMPLES = [
    "", "A01 县发改局", "ascii only, 123", "发现#12042：政策文件未解读（政策文件，2026-W41）（1分）",
    "，。、；：？！“”‘’（）【】《》—…￥", "ＡＢＣ１２３　全角", "ｱｲｳ 半角片假名", "한국어 텍스트",
    "≤10 ±0.5 ° é ü ß", "e\u0301 combining", "tab\there", "bell\x07 del\x7f c1\x85 nul\x00",
    "😀 emoji", "👍🏽 skin tone", "👨\u200d👩\u200d👧 family", "❤\ufe0f heart", "☀\ufe0f☁",
    "𠀀𠀁 ext-B ideographs", "\u200b zero width space", "\u3000\u303f〾", "ﾟ",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_cell_width_agrees_with_rich(text: str) -> None:
    assert tables.cell_width(text) == cell_len(text)


def test_cell_width_agrees_with_rich_at_every_width_boundary() -> None:
    from rich._unicode_data import load

    points = {0, 0x1F, 0x20, 0x7E, 0x7F, 0x9F, 0xA0, 0xFFFF, 0x10000}
    for start, end, _width in load("auto").widths:
        points.update((start - 1, start, end, end + 1))
    chars = [chr(p) for p in sorted(points) if 0 <= p <= 0x10FFFF]
    assert [tables.cell_width(c) for c in chars] == [cell_len(c) for c in chars]
    for text in ("".join(chars), "".join(c for c in chars if c < "\U00010000"
                                         and c not in "\u200d\ufe0f")):
        assert tables.cell_width(text) == cell_len(text)


def test_plain_folds_a_long_cell_instead_of_widening_every_row() -> None:
    reason = "；".join(f"发现#{n}：政策文件未解读（政策文件，2026-W41）（1分）" for n in range(40))
    table = TextTable("扣分、加分明细", [("单位", "left"), ("说明", "left")], show_lines=True)
    table.add_row("A01 城关镇", reason)
    table.add_row("A02 河西镇", "x")
    text = plain(table)
    lines = text.splitlines()[1:]
    assert len({cell_len(line) for line in lines}) == 1  # still a rectangle
    assert max(cell_len(line) for line in lines) <= tables.PLAIN_MAX_CELL + 20
    # every character kept, in order: the folded pieces put together are the cell
    pieces = [line.split("│")[2].rstrip() for line in lines if line.startswith("│")]
    unit_lines = [line for line in lines if "A01 城关镇" in line]
    assert len(unit_lines) == 1  # the other cells are written once, on the first line
    joined = "".join(piece.removeprefix(" ") for piece in pieces[:-1])
    assert joined == reason
    assert pieces[-1].strip() == "x"
    # pieces end after a 。；，、 or space where one falls in their second half
    assert all(piece.rstrip().endswith("；") for piece in pieces[:-2])


@pytest.mark.parametrize("text", ["a" * 500, "宽" * 333, "ab宽" * 97 + "😀" * 30,
                                  "no-break-at-all-" * 20, "e\u0301" * 200])
def test_fold_keeps_every_character_within_the_width(text: str) -> None:
    pieces = tables._fold(text, tables.cell_width(text), 60)
    assert "".join(p for p, _ in pieces) == text
    assert all(0 < w <= 60 and w == cell_len(p) for p, w in pieces)


def test_print_table_with_max_rows_says_how_many_and_where_the_rest_are() -> None:
    out = io.StringIO()
    print_table(Console(file=out, width=120), _table(7), max_rows=3, where_all="见文件。")
    text = out.getvalue()
    assert "A01 县发改局" in text and text.count("优秀") == 3
    assert "（共 7 行，这里只显示前 3 行。见文件。）" in text
    whole = io.StringIO()
    print_table(Console(file=whole, width=120), _table(7), max_rows=7)
    assert whole.getvalue().count("优秀") == 7 and "只显示" not in whole.getvalue()
