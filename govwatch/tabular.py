"""Reading the spreadsheets operators hand in (CSV in UTF-8 or GBK, or XLSX) as rows keyed by
field name, whatever header wording they used.

Both imports — manual score entries and new-media posts — go through ``read_table`` with their
own ``TableSpec``; each then validates its rows and reports every problem by row number.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class TableFileError(Exception):
    """The file cannot be read as this kind of sheet at all (format, encoding, headers)."""


@dataclass(frozen=True)
class TableSpec:
    """The columns of one kind of sheet."""

    columns: tuple[tuple[str, str], ...]  # (field, Chinese header) in template order
    aliases: Mapping[str, str]  # header text (any wording) → field
    required: tuple[str, ...]
    template_command: str  # how the operator gets a template, for error messages
    sheet: str | None = None  # preferred worksheet name in an XLSX file


@dataclass(frozen=True)
class RawRow:
    row: int  # spreadsheet row number (the header is row 1)
    values: dict[str, str]


def cell(value: object) -> str:
    """A cell as text: integers without '.0', datetimes as ISO text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes") if (
            value.hour or value.minute) else value.date().isoformat()
    return str(value).strip()


def _normal_header(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）") if text else ""


def _field_for(spec: TableSpec, header: str) -> str | None:
    key = _normal_header(header)
    return (spec.aliases.get(key) or spec.aliases.get(key.replace("（", "(").replace("）", ")"))
            or spec.aliases.get(key.lower()))


def rows_from_table(table: Iterable[Sequence[object]], spec: TableSpec) -> list[RawRow]:
    """The non-blank data rows under a header row, keyed by field."""
    rows = iter(table)
    header = next(rows, None)
    if header is None:
        first = "、".join(label for key, label in spec.columns if key in spec.required)
        raise TableFileError(f"文件是空的：第 1 行应为表头（{first}……）")
    fields: dict[int, str] = {}
    unknown: list[str] = []
    for i, text in enumerate(header):
        label = cell(text)
        if not label:
            continue
        field = _field_for(spec, label)
        if field is None:
            unknown.append(label)
        elif field in fields.values():
            raise TableFileError(f"表头「{label}」重复")
        else:
            fields[i] = field
    missing = [label for key, label in spec.columns
               if key in spec.required and key not in fields.values()]
    if missing:
        extra = f"（无法识别的表头：{'、'.join(unknown)}）" if unknown else ""
        raise TableFileError(f"第 1 行缺少表头：{'、'.join(missing)}{extra}。"
                             f"请用 {spec.template_command} 生成的模板填写")
    out: list[RawRow] = []
    for number, values in enumerate(rows, 2):
        cells = {field: cell(values[i]) if i < len(values) else ""
                 for i, field in fields.items()}
        if any(cells.values()):
            out.append(RawRow(number, cells))
    return out


# ----------------------------------------------------------------------------- bounds

# Hand-made sheets are small: a county's year of manual entries or a platform's posts is a few
# thousand rows, well under 1 MB as XLSX. Everything is bounded before it is parsed, so a zip
# bomb or a sheet of millions of rows is refused in a moment instead of taking gigabytes of
# memory or minutes (module constants, so tests can lower them).
MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB  # on disk, CSV or XLSX
MAX_UNCOMPRESSED_BYTES = 50 * MB  # all members of an XLSX together, decompressed
MAX_RATIO = 100  # decompressed : compressed for one member (Apache POI's default too)
RATIO_GRACE_BYTES = 1 * MB  # a member smaller than this may compress any amount
MAX_MEMBERS = 1000  # an XLSX holds a dozen or two
MAX_ROWS = 20_000  # sheet rows read, header and blank rows included
_CHUNK = 1 * MB
_ADVICE = "不像手工填写的表格，请检查文件或拆分后再导入"


def _size(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else f"{n} 字节"


def load_table_file(path: Path) -> bytes:
    """The bytes of a CSV or XLSX sheet, refused past ``MAX_FILE_BYTES``.

    Read with a cap rather than trusting the size on disk: a device or a file still being
    written reads as more than ``stat`` said.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise TableFileError(f"不支持的文件类型「{path.suffix}」：请使用 .csv 或 .xlsx 文件")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise TableFileError(f"找不到文件 {path}") from None
    except OSError as exc:  # a folder, no permission…
        raise TableFileError(f"无法读取文件 {path}（{exc.strerror or exc}）") from None
    if len(data) > MAX_FILE_BYTES:
        raise TableFileError(f"文件 {path.name} 大于 {_size(MAX_FILE_BYTES)}，{_ADVICE}")
    return data


def check_xlsx(name: str, data: bytes) -> None:
    """Refuse an XLSX (a zip) that would decompress past the bounds, before any parsing.

    Checks the central directory (member count, total recorded size, each member's ratio),
    then decompresses every member once, counting the bytes, so a directory that understates
    a member's size is caught too: Python's zipfile stops at the recorded size and fails the
    CRC check, and the count caps what is inflated whatever the zip reader does.
    """
    broken = f"文件 {name} 已损坏或不是 Excel 文件，请在 Excel 中另存为新的 .xlsx 文件后再导入"
    too_big = (f"文件 {name} 解压后超过 {_size(MAX_UNCOMPRESSED_BYTES)}，{_ADVICE}")
    # Each member has one central-directory header: count their signatures before zipfile
    # builds an object per member (hundreds of thousands fit in a few MB).
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:
        raise TableFileError(f"文件 {name} 含有超过 {MAX_MEMBERS} 个内部文件，"
                             f"不是正常的 Excel 表格，{_ADVICE}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            members = book.infolist()
            if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
                raise TableFileError(too_big)
            for m in members:
                if (m.file_size > RATIO_GRACE_BYTES
                        and m.file_size > MAX_RATIO * max(m.compress_size, 1)):
                    raise TableFileError(
                        f"文件 {name} 中的 {m.filename} 压缩比超过 {MAX_RATIO} 倍"
                        f"（疑似压缩炸弹），{_ADVICE}")
            budget = MAX_UNCOMPRESSED_BYTES
            for m in members:
                with book.open(m) as member:
                    while chunk := member.read(_CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise TableFileError(too_big)
    except TableFileError:
        raise
    except Exception:  # zipfile and its decompressors raise many types for a damaged file
        raise TableFileError(broken) from None


def _bounded(rows: Iterable[Sequence[object]], name: str) -> Iterator[Sequence[object]]:
    """``rows`` until ``MAX_ROWS``, past which the file is refused; a parser's error midway
    becomes a TableFileError naming the file."""
    it = iter(rows)
    for number in itertools.count(1):
        try:
            row = next(it)
        except StopIteration:
            return
        except Exception as exc:  # openpyxl and csv raise many types for a broken file
            raise TableFileError(f"无法读取文件 {name} 第 {number} 行（{exc}）") from None
        if number > MAX_ROWS:
            raise TableFileError(
                f"文件 {name} 超过 {MAX_ROWS} 行（含表头和空行），{_ADVICE}；"
                "如表格末尾有大量空行，请删除这些空行后再导入")
        yield row


def parse_table(name: str, data: bytes, spec: TableSpec) -> list[RawRow]:
    """The non-blank data rows of a CSV (UTF-8 or GBK) or XLSX file's bytes; ``name`` is the
    file name (its suffix says the format; messages name it)."""
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        check_xlsx(name, data)
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise TableFileError(f"无法读取 Excel 文件 {name}（{exc}）") from None
        try:
            sheet = (book[spec.sheet] if spec.sheet and spec.sheet in book.sheetnames
                     else book.worksheets[0])
            # The <dimension> a writer records may claim the whole sheet (A1:XFD1048576);
            # openpyxl would pad every row to it. Read the cells that are there instead.
            sheet.reset_dimensions()
            return rows_from_table(_bounded(sheet.iter_rows(values_only=True), name), spec)
        finally:
            book.close()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise TableFileError(f"{name} 不是 UTF-8 或 GBK 编码")
    return rows_from_table(_bounded(csv.reader(io.StringIO(text)), name), spec)


def read_table(path: Path, spec: TableSpec) -> list[RawRow]:
    """The non-blank data rows of a CSV (UTF-8 or GBK) or XLSX file, within the bounds above;
    both imports (manual entries, new-media posts) read their sheets here."""
    return parse_table(path.name, load_table_file(path), spec)


# ----------------------------------------------------------------------------- writing

# Text a spreadsheet would take for a formula: unit names and crawled titles are not ours
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_text(value: T) -> T | str:
    """A value to write into a CSV file, never read as a formula: text beginning like one
    (=, +, -, @, tab, return) gets a leading apostrophe (OWASP's defence against CSV
    injection); other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(handle: Any, rows: Iterable[Sequence[object]]) -> None:
    """CSV rows, every text cell through ``sheet_text``."""
    csv.writer(handle).writerows([sheet_text(v) for v in row] for row in rows)


def without_formulas(book: Any) -> None:
    """An openpyxl workbook whose every cell is a value: openpyxl stores text beginning with
    "=" as a formula, and govwatch writes none — such text is kept as text."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
