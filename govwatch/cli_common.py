"""Pieces every govwatch command module shares: consoles, config loading, options, names.

Command modules (``govwatch.cli`` and the ones it registers) import from here, never from each
other, so adding a command group is one new module plus one ``add_command`` line.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click
from rich.console import Console

from govwatch.config import ConfigError, CountyConfig, load_config
from govwatch.logs import setup_logging

console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

RULE_NAMES = {
    "stale_column": "栏目长期未更新",
    "low_post_frequency": "新媒体更新不足",
    "uninterpreted_policy": "政策文件未解读",
    "crawl_failure": "抓取异常",
    "not_rectified": "通报后未整改",
}
STATUS_NAMES = {"pending": "待审核", "confirmed": "已确认", "dismissed": "已驳回"}
OUTCOME_NAMES = {
    "http_error": "网站无法访问", "timeout": "访问超时", "blocked": "访问被拦截",
    "connection_error": "无法连接", "too_large": "页面过大（含解压后超过上限）",
    "no_items": "未找到带日期的条目", "parse_error": "页面或接口返回内容无法解析",
    "interrupted": "抓取中断", "no_browser": "缺少浏览器",
    "stale_data": "数据过期（近期未抓取）",
    "off_portal": "跳转到门户网站以外（未跟随）", "redirect_loop": "重定向循环（跳转次数过多）",
    "invalid_url": "网址无效，无法访问",
}

DEMO_PORT = 8765
DEMO_URL_ENV = "GOVWATCH_DEMO_URL"
DEMO_START_ENV = "GOVWATCH_DEMO_MONITORING_START"


def book_title(title: str | None) -> str:
    """A document title in 书名号 as government text prints it: 《关于印发〈…〉的通知》."""
    inner = (title or "").strip().replace("《", "〈").replace("》", "〉")
    return f"《{inner}》"


def load_county(ctx: click.Context) -> CountyConfig:
    """The config named by --config, or exit 2 with the Chinese report."""
    try:
        config = load_config(ctx.obj["config"])
    except ConfigError as exc:
        click.echo(exc.report(), err=True)
        ctx.exit(2)
    setup_logging(config.settings.data_dir)
    return config


def parse_date_option(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期「{value}」格式不对，应写成 2021-09-06") from None


as_of_option = click.option(
    "--as-of", "as_of", callback=parse_date_option, metavar="YYYY-MM-DD",
    help="Judge as of this date (China time); default today.",
)


