"""``govwatch findings …``: list, show and review findings (confirm / dismiss / reopen).

Every status change is an append-only review row (who, when, from, to, reason). Only
confirmed findings count in scoring and bulletins; a dismissed one stays dismissed when the
monitors run again.
"""

from __future__ import annotations

import codecs
import io
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from govwatch.cli import app
from govwatch.cli.common import (
    RULE_NAMES,
    STATUS_NAMES,
    book_title,
    console,
    err_console,
    load_county,
)
from govwatch.tables import TextTable, print_table
from govwatch.tabular import write_csv
from govwatch.vocabulary import describe
from storage import repo

STATUS_HELP = "只列此状态：" + "，".join(f"{k} {v}" for k, v in STATUS_NAMES.items()) + "。"
RULE_HELP = "规则：" + "，".join(f"{k} {v}" for k, v in RULE_NAMES.items()) + "。"

ACTIONS = {  # command → (to-status, the statuses a filter selects, Chinese verb)
    "confirm": ("confirmed", ("pending",), "确认"),
    "dismiss": ("dismissed", ("pending", "confirmed"), "驳回"),
    "reopen": ("pending", ("confirmed", "dismissed"), "重新打开"),
}


@click.group()
def findings() -> None:
    """列出、查看和审核发现的问题（扣分事项）。"""


def finding_dict(row: repo.FindingRow) -> dict[str, Any]:
    return {
        "id": row.id, "rule": row.rule, "rule_name": RULE_NAMES.get(row.rule, row.rule),
        "unit_code": row.unit_code, "unit_name": row.unit_name, "category": row.category,
        "source_name": row.source_name, "item_url": row.item_url, "period": row.period,
        "as_of": row.as_of.isoformat(), "points": row.points, "indicator": row.indicator,
        "status": row.status, "evidence": row.evidence,
    }


# `findings list --format csv`: Chinese headers for Excel (JSON keeps finding_dict's keys)
CSV_COLUMNS: tuple[tuple[str, Callable[[repo.FindingRow], object]], ...] = (
    ("编号", lambda r: r.id),
    ("问题类型", lambda r: RULE_NAMES.get(r.rule, r.rule)),
    ("单位代码", lambda r: r.unit_code),
    ("单位名称", lambda r: r.unit_name),
    ("类别", lambda r: r.category),
    ("栏目/账号", lambda r: r.source_name or ""),
    ("情况", describe),
    ("周期", lambda r: r.period),
    ("监测日期", lambda r: r.as_of.isoformat()),
    ("扣分", lambda r: f"{r.points:g}"),
    ("评分项", lambda r: r.indicator or ""),
    ("状态", lambda r: STATUS_NAMES.get(r.status, r.status)),
    ("链接", lambda r: r.item_url or ""),
    ("证据", lambda r: json.dumps(r.evidence, ensure_ascii=False)),
)


def findings_csv(rows: list[repo.FindingRow]) -> bytes:
    """The findings as CSV for Excel: UTF-8 with a BOM (Excel on Chinese Windows reads a file
    without one as GBK), Chinese headers, text that looks like a formula kept as text."""
    buffer = io.StringIO()
    write_csv(buffer, [[header for header, _ in CSV_COLUMNS],
                       *([cell(r) for _, cell in CSV_COLUMNS] for r in rows)])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def policy_evidence_lines(ev: dict[str, Any]) -> list[str]:
    """What a reviewer checks of a policy finding: the item's class and why, and each
    interpretation weighed with its evidence."""
    lines = []
    if ev.get("policy_class_label"):
        lines.append(f"文件类别：{ev['policy_class_label']}（判定依据：{ev.get('policy_class_reason')}）")
    numbers = "、".join(ev.get("doc_numbers") or []) or "—"
    issued = ev.get("issued_on") or ev.get("published_on")
    lines.append(f"文号：{numbers}    成文/印发日期：{issued}")
    candidates = ev.get("candidates") or []
    lines.append("比对过的解读材料：" if candidates else "比对过的解读材料：无")
    for k, c in enumerate(candidates, 1):
        why = c.get("evidence") or ""
        if c.get("detail"):
            why += f"（{c['detail']}）"
        if c.get("vetoed"):
            why += f"；不采信：{c['vetoed']}"
        if c.get("explains_instead"):
            others = "、".join(book_title(p.get("title")) for p in c["explains_instead"])
            why += f"；对应的是{others}"
        lines.append(f"  {k}. {book_title(c.get('title'))}（{c.get('published_on', '—')}）{why}")
    return lines


def print_findings_table(rows: list[repo.FindingRow], title: str = "发现的问题") -> None:
    headers = ("编号", "单位", "栏目/账号", "问题", "情况", "周期", "扣分", "状态")
    table = TextTable(title, [(h, "left") for h in headers])
    for r in rows:
        table.add_row(str(r.id), f"{r.unit_code} {r.unit_name}", r.source_name or "",
                      RULE_NAMES.get(r.rule, r.rule), describe(r), r.period, f"{r.points:g}",
                      STATUS_NAMES.get(r.status, r.status))
    # Crawled names are untrusted: print_table prints them literally, never as rich markup.
    print_table(console, table)


def _filters(f: Any) -> Any:
    for option in reversed([
        click.option("--status", type=click.Choice(sorted(STATUS_NAMES)), help=STATUS_HELP),
        click.option("--unit", metavar="单位代码", help="只列此单位的问题。"),
        click.option("--rule", type=click.Choice(sorted(RULE_NAMES)), help=RULE_HELP),
        click.option("--week", "period", metavar="周期", help="只列此周期，例如 2021-W36。"),
    ]):
        f = option(f)
    return f


@findings.command("list")
@_filters
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True,
              help="table 表格；json（英文字段名）；"
                   "csv（中文表头，UTF-8 带 BOM，可直接用 Excel 打开）。")
@click.pass_context
def list_command(ctx: click.Context, status: str | None, unit: str | None, rule: str | None,
                 period: str | None, fmt: str) -> None:
    """列出发现的问题（可按状态、单位、规则、周期筛选），输出为表格、JSON 或 CSV。"""
    rows = _select(ctx, status=status, unit=unit, rule=rule, period=period)
    if fmt == "json":
        click.echo(json.dumps([finding_dict(r) for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(findings_csv(rows), nl=False)
    else:
        print_findings_table(rows)
        console.print(f"共 {len(rows)} 条。")


def _select(ctx: click.Context, **filters: Any) -> list[repo.FindingRow]:
    config = load_county(ctx)
    db = app.open_database(config, must_exist=True)
    try:
        with db.session() as session:
            return repo.list_findings(session, **filters)
    finally:
        db.dispose()


@findings.command("show")
@click.argument("finding_id", type=int, metavar="问题编号")
@click.pass_context
def show(ctx: click.Context, finding_id: int) -> None:
    """查看一条问题：内容、位置、证据和审核记录。"""
    config = load_county(ctx)
    db = app.open_database(config, must_exist=True)
    try:
        with db.session() as session:
            rows = repo.list_findings(session, ids=[finding_id])
            if not rows:
                raise click.ClickException(f"没有编号为 {finding_id} 的问题")
            row = rows[0]
            history = repo.finding_history(session, finding_id)
            snapshot = repo.finding_snapshot(session, finding_id)
    finally:
        db.dispose()
    lines = [
        f"问题 {row.id}：{RULE_NAMES.get(row.rule, row.rule)}（{row.rule}）",
        f"单位：{row.unit_code} {row.unit_name}（{row.category} 类）",
        f"栏目/账号：{row.source_name or '—'}",
        f"情况：{describe(row)}",
        f"链接：{row.item_url or '—'}",
        f"周期：{row.period}    判定日期：{row.as_of.isoformat()}",
        f"扣分：{row.points:g}    评分细则：{row.indicator or '—'}",
        f"状态：{STATUS_NAMES.get(row.status, row.status)}",
    ]
    if snapshot is not None:
        where = snapshot.html_path or f"govwatch findings snapshot {finding_id} > 快照.html"
        lines.append(f"页面快照：{where}（{snapshot.taken_at:%Y-%m-%d %H:%M}）")
        if snapshot.png_path:
            lines.append(f"页面截图：{snapshot.png_path}")
    if row.rule == "uninterpreted_policy":
        lines += policy_evidence_lines(row.evidence)
    for line in lines:
        click.echo(line)
    click.echo("证据：")
    click.echo(json.dumps(row.evidence, ensure_ascii=False, indent=2))
    click.echo("审核记录：" if history else "审核记录：无")
    for review in history:
        reason = f"，理由：{review.reason}" if review.reason else ""
        click.echo(f"  {review.at:%Y-%m-%d %H:%M} {review.actor} "
                   f"{STATUS_NAMES.get(review.from_status)} → "
                   f"{STATUS_NAMES.get(review.to_status)}{reason}")


@findings.command("snapshot")
@click.argument("finding_id", type=int, metavar="问题编号")
@click.pass_context
def snapshot_command(ctx: click.Context, finding_id: int) -> None:
    """输出一条问题的页面快照（抓取时保存的网页 HTML）。"""
    config = load_county(ctx)
    db = app.open_database(config, must_exist=True)
    try:
        with db.session() as session:
            snapshot = repo.finding_snapshot(session, finding_id)
            html = repo.read_snapshot_html(session, snapshot) if snapshot is not None else None
    finally:
        db.dispose()
    if html is None:
        raise click.ClickException(f"问题 {finding_id} 没有可查看的页面快照")
    click.echo(html, nl=False)


def _review_command(action: str) -> click.Command:
    to_status, selectable, verb = ACTIONS[action]
    needs_reason = to_status != "confirmed"

    @click.argument("ids", nargs=-1, type=int, metavar="问题编号")
    @click.option("--by", "actor", required=True, metavar="姓名",
                  help="审核人姓名（记入审核记录）。")
    @click.option("--reason", required=needs_reason, metavar="理由",
                  help="理由，记入审核记录。" if needs_reason else "理由（可不填）。")
    @click.option("--note", metavar="备注", help="同 --reason，用于确认时写备注。",
                  hidden=needs_reason)
    @click.option("--unit", metavar="单位代码", help="不写编号时：按单位选择。")
    @click.option("--rule", type=click.Choice(sorted(RULE_NAMES)),
                  help="不写编号时：按规则选择。" + RULE_HELP)
    @click.option("--week", "period", metavar="周期",
                  help="不写编号时：按周期选择，例如 2021-W36。")
    @click.option("--yes", is_flag=True, help="按条件批量操作时不再询问。")
    @click.pass_context
    def command(ctx: click.Context, ids: tuple[int, ...], actor: str, reason: str | None,
                note: str | None, unit: str | None, rule: str | None, period: str | None,
                yes: bool) -> None:
        reason = reason or note
        if not ids and not (unit or rule or period):
            raise click.UsageError("请给出问题编号，或用 --unit / --rule / --week 选择")
        config = load_county(ctx)
        db = app.open_database(config, must_exist=True)
        try:
            with db.session() as session:
                rows = repo.list_findings(session, unit=unit, rule=rule, period=period)
                if ids:
                    known = {r.id for r in rows}
                    missing = [i for i in ids if i not in known]
                    if missing:
                        raise click.ClickException(
                            f"没有符合条件的问题编号：{'、'.join(map(str, missing))}")
                    rows = [r for r in rows if r.id in set(ids)]
                eligible = [r for r in rows if r.status in selectable]
                for r in rows:
                    if r.status not in selectable:
                        err_console.print(f"跳过第 {r.id} 号：当前状态为"
                                          f"{STATUS_NAMES[r.status]}，不能{verb}。",
                                          markup=False)
                if not eligible:
                    console.print(f"没有可{verb}的问题。")
                    return
                if not ids:  # a filter selection: show the count before acting
                    console.print(f"将{verb} {len(eligible)} 条问题：")
                    print_findings_table(eligible, title=f"待{verb}的问题")
                    if not yes:
                        if not sys.stdin.isatty():
                            raise click.UsageError(f"按条件批量{verb}时请加 --yes 确认")
                        click.confirm(f"确定{verb}这 {len(eligible)} 条吗？", abort=True)
                changed = repo.review_findings(session, [r.id for r in eligible],
                                               to_status=to_status, actor=actor,
                                               reason=reason)
        except repo.ReviewError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            db.dispose()
        console.print(f"已{verb} {len(changed)} 条问题（审核人：{actor}）。", markup=False)

    command.__doc__ = {
        "confirm": "确认问题：计入得分和通报。\n\n"
                   "按编号确认，或用 --unit / --rule / --week 按条件选择。",
        "dismiss": "驳回问题（须写明理由）；再次监测时仍保持驳回。\n\n"
                   "按编号驳回，或用 --unit / --rule / --week 按条件选择。",
        "reopen": "把已确认或已驳回的问题退回待审核（须写明理由）。",
    }[action]
    return findings.command(action)(command)


for _action in ACTIONS:
    _review_command(_action)
