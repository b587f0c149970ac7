"""New-media posts collected by hand (手工导入): the fallback when a platform cannot be crawled.

An operator fills a sheet (CSV or XLSX; ``govwatch posts template`` writes one) with one row
per post: unit code, account name, publish time, title and link. Every bad row is reported
with its row number and nothing is stored until all rows are good; re-importing the same
posts adds nothing (items are unique by URL; a post without a link gets a stable one made from
its account, time and title). An import counts as a successful collection of the account, so
the weekly-posting rule can judge it; ``platform: manual`` accounts are never crawled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from crawler import extract
from govwatch.tabular import RawRow, TableSpec, read_table
from govwatch.timeutil import CHINA, today

POST_SHEET = TableSpec(
    columns=(("unit", "单位代码"), ("account", "账号名称"), ("time", "发布时间"),
             ("title", "标题"), ("url", "链接")),
    aliases={"单位代码": "unit", "代码": "unit", "unit": "unit",
             "账号名称": "account", "账号": "account", "account": "account",
             "发布时间": "time", "时间": "time", "发布日期": "time", "time": "time",
             "标题": "title", "title": "title",
             "链接": "url", "网址": "url", "url": "url"},
    required=("unit", "account", "time", "title"),
    template_command="govwatch posts template",
    sheet="发布记录",
)
EXAMPLE = ("A01", "城关镇发布", "2021-09-06 10:30", "示例：城关镇召开秋季防火工作会议",
           "https://mp.weixin.qq.com/s/xxxxxxxx")


@dataclass(frozen=True)
class ImportedPost:
    row: int
    unit_code: str
    account: str
    url: str
    title: str
    published_at: datetime  # aware, China time


class PostImportError(Exception):
    """Rows that cannot be imported; nothing was stored. ``str()`` is the Chinese report."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  第 {row} 行：{message}" for row, message in problems)
        super().__init__(f"发布记录有 {len(problems)} 处错误，未导入任何记录：\n{lines}")


def read_posts(path: Path) -> list[RawRow]:
    return read_table(path, POST_SHEET)


def validate_posts(rows: Iterable[RawRow], accounts: Mapping[tuple[str, str], int]
                   ) -> list[ImportedPost]:
    """Posts from sheet rows; raise ``PostImportError`` listing every bad row.

    ``accounts`` maps (unit code, account name) of the configured accounts to source ids.
    """
    posts: list[ImportedPost] = []
    problems: list[tuple[int, str]] = []
    reference = today()
    units = {unit for unit, _ in accounts}
    for raw in rows:
        v = raw.values
        if v.get("title", "").startswith("示例"):
            continue
        unit, account = v.get("unit", ""), v.get("account", "")
        row_problems = []
        if unit not in units:
            row_problems.append(f"单位代码「{unit}」不在配置中")
        elif (unit, account) not in accounts:
            row_problems.append(f"单位 {unit} 没有名为「{account}」的新媒体账号")
        moment = extract.find_datetime(extract.to_halfwidth(v.get("time", "")), reference)
        if moment is None:
            row_problems.append(f"发布时间「{v.get('time', '')}」无法识别，"
                                "请写成 2021-09-06 10:30 或 2021年9月6日")
        title = " ".join(v.get("title", "").split())
        if not title:
            row_problems.append("标题不能为空")
        url = v.get("url", "").strip()
        if url and urlsplit(url).scheme not in ("http", "https"):
            row_problems.append(f"链接「{url}」不是 http(s) 网址")
        if row_problems:
            problems.extend((raw.row, p) for p in row_problems)
            continue
        assert moment is not None
        published_at = moment.replace(tzinfo=CHINA)
        if not url:  # stable, so importing the same sheet twice adds nothing
            key = f"{unit}|{account}|{published_at.isoformat()}|{title}"
            url = f"manual:{hashlib.sha1(key.encode()).hexdigest()[:16]}"
        posts.append(ImportedPost(raw.row, unit, account, url, title, published_at))
    if problems:
        raise PostImportError(problems)
    return posts


def template_rows() -> list[tuple[str, ...]]:
    return [tuple(label for _, label in POST_SHEET.columns), EXAMPLE]
