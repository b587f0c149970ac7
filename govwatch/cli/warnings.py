"""``govwatch warnings …``: list the warnings (预警) the monitors keep — what will become a
finding unless the unit acts. Warnings carry no points and are not reviewed: they open and
resolve by themselves as ``govwatch monitor`` runs.
"""

from __future__ import annotations

import json
from typing import Any

import click

from govwatch.cli import app
from govwatch.cli.common import console, load_county
from govwatch.tables import TextTable, print_table
from govwatch.vocabulary import WARNING_NAMES
from storage import repo

GROUP_HELP = ("列出预警：即将构成扣分事项、尚可补救的情况（不扣分，不需审核）。\n\n"
              "预警随 govwatch monitor 自动产生，情况消除后自动解除。预警类型："
              + "，".join(f"{k} {v}" for k, v in WARNING_NAMES.items()) + "。")


@click.group(help=GROUP_HELP)
def warnings() -> None:
    """The warnings command group (help: ``GROUP_HELP``)."""


def warning_dict(row: repo.WarningRow) -> dict[str, Any]:
    return {
        "id": row.id, "kind": row.kind, "kind_name": row.kind_name,
        "unit_code": row.unit_code, "unit_name": row.unit_name,
        "source_name": row.source_name, "subject": row.subject,
        "description": row.description, "opened_at": row.opened_at.isoformat(),
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "as_of": row.as_of.isoformat(), "status": "resolved" if row.resolved_at else "open",
        "evidence": row.evidence,
    }


def status_text(row: repo.WarningRow) -> str:
    if row.resolved_at is None:
        return "未解除"
    return f"已解除（{row.resolved_at:%Y-%m-%d}）"


def print_warnings_table(rows: list[repo.WarningRow], title: str = "预警") -> None:
    headers = ("单位", "栏目/账号", "预警", "情况", "自", "状态")
    table = TextTable(title, [(h, "left") for h in headers])
    for r in rows:
        table.add_row(f"{r.unit_code} {r.unit_name}", r.source_name or "", r.kind_name,
                      r.description, f"{r.opened_at:%Y-%m-%d}", status_text(r))
    # Crawled names are untrusted: print_table prints them literally, never as rich markup.
    print_table(console, table)


@warnings.command("list")
@click.option("--unit", metavar="单位代码", help="只列此单位的预警。")
@click.option("--all", "show_all", is_flag=True, help="也列出已解除的预警（默认只列未解除的）。")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table 表格；json（英文字段名）。")
@click.pass_context
def list_command(ctx: click.Context, unit: str | None, show_all: bool, fmt: str) -> None:
    """列出预警（默认只列未解除的），可按单位筛选，输出为表格或 JSON。"""
    config = load_county(ctx)
    if unit and unit not in {u.code for u in config.units}:
        raise click.BadParameter(f"配置中没有单位代码「{unit}」", param_hint="--unit")
    db = app.open_database(config, must_exist=True)
    try:
        with db.session() as session:
            rows = repo.list_warnings(session, unit, resolved=show_all)
    finally:
        db.dispose()
    if fmt == "json":
        click.echo(json.dumps([warning_dict(r) for r in rows], ensure_ascii=False, indent=2))
        return
    print_warnings_table(rows)
    still_open = sum(1 for r in rows if r.resolved_at is None)
    console.print(f"共 {len(rows)} 条，其中未解除 {still_open} 条。" if show_all
                  else f"共 {len(rows)} 条未解除的预警。")
