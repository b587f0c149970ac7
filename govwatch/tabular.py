"""Reading the spreadsheets operators hand in (CSV in UTF-8 or GBK, or XLSX) as rows keyed by
field name, whatever header wording they used.

Both imports — manual score entries and new-media posts — go through ``read_table`` with their
own ``TableSpec``; each then validates its rows and reports every problem by row number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
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


def read_table(path: Path, spec: TableSpec) -> list[RawRow]:
    """The non-blank data rows of a CSV (UTF-8 or GBK) or XLSX file."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise TableFileError(f"不支持的文件类型「{path.suffix}」：请使用 .csv 或 .xlsx 文件")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TableFileError(f"找不到文件 {path}") from None
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise TableFileError(f"无法读取 Excel 文件 {path.name}（{exc}）") from None
        sheet = (book[spec.sheet] if spec.sheet and spec.sheet in book.sheetnames
                 else book.worksheets[0])
        return rows_from_table(sheet.iter_rows(values_only=True), spec)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise TableFileError(f"{path.name} 不是 UTF-8 或 GBK 编码")
    return rows_from_table(csv.reader(io.StringIO(text)), spec)


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
