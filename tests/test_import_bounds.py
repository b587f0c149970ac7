"""Hostile sheets in `govwatch entries import` and `govwatch posts import`: zip bombs, huge
files and sheets of too many rows are refused before they are parsed, with a Chinese message
naming the file and the limit, a non-zero exit and nothing stored.

The bombs are real files: an XLSX written by openpyxl whose sheet XML is then replaced by
hundreds of MB of rows, streamed into the zip (about 1.4 MB on disk).
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select

from govwatch import tabular
from govwatch.cli import app, main
from govwatch.config import load_config
from govwatch.tabular import MB, TableFileError
from scoring.entries import HEADERS, read_rows
from storage.models import Item, ManualEntry

from .conftest import DEMO_CONFIG, config_in, config_text_in
from .test_posts_import import county

SHEET = "xl/worksheets/sheet1.xml"
ENTRY = ["A01", "城关镇", "扣分", "A1.1.1", "", "", "缺少会议纪要", "张三", "2021"]
POST_HEADER = ["单位代码", "账号名称", "发布时间", "标题", "链接"]
# The CLI command, its exit status on a refused file, the header of its sheet
COMMANDS = {"entries": (1, list(HEADERS)), "posts": (2, POST_HEADER)}


def xlsx(path: Path, header: list[str], rows: int = 0, *, sheet_mb: int = 0, level: int = 1,
         dimension: str | None = None) -> Path:
    """A real XLSX: ``header`` and ``rows`` copies of a row written by openpyxl; then, if asked,
    its <dimension> rewritten, or ``sheet_mb`` MB more rows streamed into the sheet XML (rows
    without numbers, which count on from the last, and no <dimension>: every one is read)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for _ in range(rows):
        sheet.append(ENTRY[:len(header)])
    book.save(path)
    if not sheet_mb and dimension is None:
        return path
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    xml = parts.pop(SHEET)
    start = xml.index(b"<dimension ref=")
    end = xml.index(b"/>", start) + 2
    if dimension is not None:
        xml = xml[:start] + f'<dimension ref="{dimension}"/>'.encode() + xml[end:]
    else:
        xml = xml[:start] + xml[end:]
    head, tail = xml.split(b"</sheetData>")
    row = b'<row><c t="inlineStr"><is><t>A01</t></is></c></row>'
    chunk = row * (MB // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out:
        for name, data in parts.items():
            out.writestr(name, data)
        with out.open(SHEET, "w") as member:  # streamed: never the whole sheet in memory
            member.write(head)
            for _ in range(sheet_mb):
                member.write(chunk)
            member.write(b"</sheetData>" + tail)
    return path


def understate(path: Path, member: str, size: int) -> Path:
    """Rewrite the uncompressed size the zip records for ``member`` (local header and central
    directory) to ``size``: a bomb that lies about what it holds."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as book:
        local = book.getinfo(member).header_offset
    end = data.rindex(b"PK\x05\x06")  # end of central directory: where the directory starts
    directory = int.from_bytes(data[end + 16:end + 20], "little")
    central = data.index(member.encode(), directory) - 46  # that member's directory header
    assert data[central:central + 4] == b"PK\x01\x02"
    data[local + 22:local + 26] = size.to_bytes(4, "little")
    data[central + 24:central + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    """The demo config, its data folder in tmp_path."""
    path = tmp_path / "demo.yaml"
    path.write_text(config_text_in(DEMO_CONFIG, tmp_path / "data"), encoding="utf-8")
    return path


Importer = Callable[[str, Path], str]


@pytest.fixture()
def refused(demo: Path) -> Importer:
    """Run ``govwatch <command> import FILE``; assert it failed with that command's status and
    stored nothing; return its message."""

    def importer(command: str, path: Path) -> str:
        result = CliRunner().invoke(main, ["--config", str(demo), command, "import", str(path)])
        assert result.exit_code == COMMANDS[command][0], result.output
        assert "Traceback" not in result.output
        db = app.open_database(load_config(demo))
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(ManualEntry)) == 0
            assert session.scalar(select(func.count()).select_from(Item)) == 0
        db.dispose()
        return result.stderr

    return importer


def test_the_default_limits() -> None:
    assert (tabular.MAX_FILE_BYTES, tabular.MAX_UNCOMPRESSED_BYTES) == (20 * MB, 50 * MB)
    assert (tabular.MAX_RATIO, tabular.MAX_MEMBERS, tabular.MAX_ROWS) == (100, 1000, 20_000)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_xlsx_bomb_is_refused_before_it_is_parsed(tmp_path: Path, refused: Importer,
                                                     command: str) -> None:
    """1.4 MB on disk, 200 MB of sheet XML inside: refused from the zip's directory, at the
    real limit, in well under a second."""
    start = time.monotonic()
    bomb = xlsx(tmp_path / "炸弹.xlsx", COMMANDS[command][1], sheet_mb=200)
    assert bomb.stat().st_size < 2 * MB
    built = time.monotonic()
    message = refused(command, bomb)
    assert built - start < 3 and time.monotonic() - built < 5  # unbounded: minutes
    assert ("文件 炸弹.xlsx 解压后超过 50 MB，不像手工填写的表格，请检查文件或拆分后再导入"
            in message)


# Runs argv[1:] and prints the largest RSS of it (KiB), passing on its stderr and status.
MEASURED = ("import resource, subprocess, sys\n"
            "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "sys.stderr.write(done.stderr)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.exit(done.returncode)\n")


def test_a_bomb_takes_no_memory_in_a_real_process(tmp_path: Path) -> None:
    """`govwatch posts import` of the bomb as its own process: exit 2, the message, nothing
    stored, and the process never grew past a few hundred MB (unbounded, it took 3 GB)."""
    bomb = xlsx(tmp_path / "posts.xlsx", POST_HEADER, sheet_mb=200)
    # measured in a fresh parent whose only child is the command: this test process's other
    # children (crawls, forked monitors) must not count
    done = subprocess.run([sys.executable, "-c", MEASURED, sys.executable, "-m", "govwatch",
                           "--config", str(county(tmp_path)), "posts", "import", str(bomb)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    assert "文件 posts.xlsx 解压后超过 50 MB" in done.stderr
    assert int(done.stdout) < 400 * 1024  # KiB
    db = app.open_database(config_in(county(tmp_path), tmp_path / "data"))
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 0
    db.dispose()


def test_a_member_that_compresses_like_a_bomb_is_refused(tmp_path: Path,
                                                         refused: Importer) -> None:
    """10 MB of sheet (under the size limit) compressed about 300 times."""
    bomb = xlsx(tmp_path / "压缩.xlsx", list(HEADERS), sheet_mb=10, level=9)
    message = refused("entries", bomb)
    assert f"文件 压缩.xlsx 中的 {SHEET} 压缩比超过 100 倍（疑似压缩炸弹）" in message


def test_a_bomb_that_understates_its_size_is_caught_by_reading(tmp_path: Path,
                                                               refused: Importer) -> None:
    """The zip's directory says the 200 MB sheet holds 1 KB: the size and ratio checks pass,
    decompressing it (with a cap) finds the lie, and the file is refused as broken."""
    bomb = understate(xlsx(tmp_path / "撒谎.xlsx", POST_HEADER, sheet_mb=200), SHEET, 1024)
    with zipfile.ZipFile(bomb) as book:
        assert book.getinfo(SHEET).file_size == 1024
    message = refused("posts", bomb)
    assert ("文件 撒谎.xlsx 已损坏或不是 Excel 文件，请在 Excel 中另存为新的 .xlsx 文件后再导入"
            in message)


def test_too_many_zip_members_are_refused_before_the_zip_is_read(tmp_path: Path,
                                                                 refused: Importer) -> None:
    path = xlsx(tmp_path / "成员.xlsx", POST_HEADER)
    with zipfile.ZipFile(path, "a") as book:
        for k in range(1001):
            book.writestr(f"junk/{k}", b"")
    assert "文件 成员.xlsx 含有超过 1000 个内部文件" in refused("posts", path)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_too_big_on_disk_is_refused(tmp_path: Path, refused: Importer,
                                           command: str) -> None:
    """A 21 MB CSV (sparse: made instantly) at the real limit, read no further than 20 MB."""
    path = tmp_path / "大文件.csv"
    with path.open("wb") as handle:
        handle.write(",".join(COMMANDS[command][1]).encode() + b"\n")
        handle.truncate(21 * MB)
    message = refused(command, path)
    assert "文件 大文件.csv 大于 20 MB，不像手工填写的表格，请检查文件或拆分后再导入" in message


def test_a_csv_past_the_row_limit_is_refused(tmp_path: Path, refused: Importer) -> None:
    """Header and 20,000 rows: row 20,001 is past the real limit."""
    path = tmp_path / "行数.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADERS, *[ENTRY] * 20_000])
    message = refused("entries", path)
    assert ("文件 行数.csv 超过 20000 行（含表头和空行），不像手工填写的表格，请检查文件或拆分后再"
            "导入；如表格末尾有大量空行，请删除这些空行后再导入") in message


@pytest.mark.parametrize("command", COMMANDS)
def test_an_xlsx_past_a_lowered_row_limit_is_refused(tmp_path: Path, refused: Importer,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     command: str) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 50)
    path = xlsx(tmp_path / "行数.xlsx", COMMANDS[command][1], rows=50)
    assert "文件 行数.xlsx 超过 50 行" in refused(command, path)


def test_rows_are_counted_by_their_number_not_their_content(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """A sheet up to the last allowed row is read; one cell further down is refused even if
    everything between is empty; a <dimension> claiming the whole grid (as some programs
    write) is not taken for rows."""
    monkeypatch.setattr(tabular, "MAX_ROWS", 50)
    exact = xlsx(tmp_path / "满.xlsx", list(HEADERS), rows=49, dimension="A1:XFD1048576")
    assert len(read_rows(exact)) == 49
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADERS))
    sheet.append(ENTRY)
    sheet["A51"] = "A01"
    book.save(tmp_path / "远.xlsx")
    with pytest.raises(TableFileError, match=r"文件 远\.xlsx 超过 50 行"):
        read_rows(tmp_path / "远.xlsx")


def test_a_lowered_size_limit_and_unreadable_csv(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits are read when a file is, so a lowered one applies; a field too long for the CSV
    reader and a folder named like a sheet get a message, not a traceback."""
    path = tmp_path / "小.csv"
    path.write_text(",".join(HEADERS) + "\n" + ",".join(ENTRY) * 30 + "\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(tabular, "MAX_FILE_BYTES", 1000)
        with pytest.raises(TableFileError, match=r"文件 小\.csv 大于 1000 字节"):
            read_rows(path)
    path.write_text(",".join(HEADERS) + "\nA01," + "长" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(TableFileError, match=r"无法读取文件 小\.csv 第 2 行（field larger"):
        read_rows(path)
    folder = tmp_path / "目录.csv"
    folder.mkdir()
    with pytest.raises(TableFileError, match=r"无法读取文件 .*目录\.csv（Is a directory）"):
        read_rows(folder)
