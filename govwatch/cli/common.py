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
from govwatch.vocabulary import (  # noqa: F401  (the command modules' names)
    OUTCOME_NAMES,
    RULE_NAMES,
    STATUS_NAMES,
    book_title,
)

console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

DEMO_PORT = 8765
DEMO_URL_ENV = "GOVWATCH_DEMO_URL"
DEMO_START_ENV = "GOVWATCH_DEMO_MONITORING_START"


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
    help="按此日期（北京时间）判定；默认今天。",
)


