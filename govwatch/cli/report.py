"""``govwatch report …``: the weekly bulletin (周通报) in Markdown, HTML, DOCX and XLSX —
drafted (``weekly``), approved and published (``approve``), listed (``list``).

A thin layer over ``reports.lifecycle``; register with ``main.add_command(report)``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from govwatch.cli import app
from govwatch.cli.common import console, err_console, load_county, parse_date_option
from govwatch.timeutil import chinese_date, today
from reports.model import FORMATS, WeeklyBulletin


@click.group()
def report() -> None:
    """周通报：生成草稿、审核发布、查看历次通报。"""


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in value.split(",")
                                 if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"不支持的格式「{'、'.join(unknown) or value}」，"
                                 f"可选：{','.join(FORMATS)}")
    return chosen


def _week(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from reports.weekly import parse_week

    if value is None:
        return None
    try:
        return parse_week(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _name(value: str | None, option: str) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("姓名不能为空", param_hint=option)
    return value.strip() if value else None


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


@report.command("weekly")
@click.option("--week", callback=_week, metavar="周次",
              help="ISO 周，例如 2021-W35；默认上一个完整的周（周一至周日）。")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              metavar="目录", help="输出目录，默认 <data_dir>/reports（草稿在其下的 drafts/）。")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True,
              metavar="格式", callback=_formats, help="输出格式，以逗号分隔。")
@click.option("--publish/--no-publish", default=False, show_default=True,
              help="--publish：生成草稿并立即审核发布，须用 --by 写明审核发布人；"
                   "--no-publish（默认）：只生成草稿，待审核发布。")
@click.option("--by", "by", metavar="姓名",
              help="草稿生成人（记入记录，默认 govwatch）；与 --publish 同用时为审核发布人。")
@click.option("--date", "issued_on", callback=parse_date_option, metavar="YYYY-MM-DD",
              help="通报上印的日期，默认今天。")
@click.pass_context
def weekly(ctx: click.Context, week: str | None, out_dir: Path | None,
           formats: tuple[str, ...], publish: bool, by: str | None,
           issued_on: date | None) -> None:
    """生成周通报草稿（经审核确认的问题，另附待审核问题清单供内部审核），写入
    <输出目录>/drafts/通报-<周次>-草稿.*；用 govwatch report approve 审核发布。"""
    from reports.lifecycle import BulletinError, draft_week, produce_week
    from reports.weekly import DEFAULT_PUBLISHER, last_complete_week, week_range

    by = _name(by, "--by")
    if publish and by is None:
        raise click.BadParameter("发布须写明审核发布人，例如 --by 王芳", param_hint="--by")
    config = load_county(ctx)
    week = week or last_complete_week()
    if week_range(week)[1] >= today():
        err_console.print(f"注意：{week} 尚未结束，通报内容可能不完整。", markup=False)
    db = app.open_database(config, must_exist=True)
    try:
        if publish:
            outcome = produce_week(db, config, week, out_dir=out_dir, formats=formats,
                                   published_by=by or DEFAULT_PUBLISHER, issued_on=issued_on)
        else:
            outcome = draft_week(db, config, week, out_dir=out_dir, formats=formats,
                                 drafted_by=by or DEFAULT_PUBLISHER, issued_on=issued_on)
    except BulletinError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.dispose()
    b = outcome.bulletin
    _say(b.title)
    _say(f"经审核确认的问题 {b.total} 条，待审核 {b.pending_count} 条，"
         f"抓取异常 {b.crawl_issue_count} 个。")
    for path in outcome.draft_files:
        _say(f"已生成草稿：{path.resolve()}")
    if outcome.bulletin_id is None:
        _say(f"草稿待审核（列入通报的问题 {len(b.listed_ids)} 条）。审核通过后发布："
             f"govwatch report approve {b.week} --by 姓名")
    else:
        _published(outcome.bulletin, outcome.files)


def _published(b: WeeklyBulletin, files: list[Path]) -> None:
    for path in files:
        _say(f"已生成：{path.resolve()}")
    _say(f"已发布：{b.week}（{b.number}，{chinese_date(b.issued_on)}，签发人：{b.signer}），"
         f"列入通报的问题 {len(b.listed_ids)} 条。")


@report.command("approve")
@click.argument("week", metavar="周次", callback=_week)
@click.option("--by", "by", required=True, metavar="姓名", help="审核发布人（记入记录）。")
@click.option("--date", "issued_on", callback=parse_date_option, metavar="YYYY-MM-DD",
              help="印发日期（印在通报上，文号按其年份编排），默认今天。")
@click.pass_context
def approve(ctx: click.Context, week: str, by: str, issued_on: date | None) -> None:
    """审核通过并发布一周的通报草稿：编排文号，生成只含经审核确认问题的正式通报，
    记录审核发布人和通报列出的问题（逾期未整改据此判定）。"""
    from reports.lifecycle import BulletinError, approve_week

    approver = _name(by, "--by") or ""
    config = load_county(ctx)
    db = app.open_database(config, must_exist=True)
    try:
        outcome = approve_week(db, config, week, approved_by=approver, issued_on=issued_on)
    except BulletinError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.dispose()
    _say(outcome.bulletin.title)
    _published(outcome.bulletin, outcome.files)


@report.command("list")
@click.option("--limit", default=12, show_default=True, type=click.IntRange(min=1),
              metavar="周数", help="列出最近多少周。")
@click.pass_context
def list_(ctx: click.Context, limit: int) -> None:
    """列出历次周通报：待审核的草稿和已发布的通报（含文号）。"""
    from govwatch.tables import TextTable, print_table
    from reports.lifecycle import list_bulletins

    config = load_county(ctx)
    db = app.open_database(config, must_exist=True)
    try:
        records = list_bulletins(db, limit)
    finally:
        db.dispose()
    if not records:
        _say("还没有周通报。")
        return
    table = TextTable("周通报", [(h, "left") for h in (
        "周次", "状态", "文号", "审核发布时间", "审核发布人", "列入问题", "草稿列入问题")])
    for r in records:
        table.add_row(r.period, "草稿待审核" if r.awaiting_approval else "已发布",
                      r.number.text if r.number else "—",
                      r.approved_at.strftime("%Y-%m-%d %H:%M") if r.approved_at else "—",
                      r.published_by or "—", str(r.named) if r.published_at else "—",
                      str(r.draft_named) if r.awaiting_approval else "—")
    print_table(console, table)


@report.command("national")
@click.option("--as-of", "as_of", callback=parse_date_option, metavar="YYYY-MM-DD",
              help="自查的季度以此日期所在季度为准（默认今天）。")
@click.option("--out", type=click.Path(path_type=Path),
              help="季度自查表（xlsx，默认 <data_dir>/reports/自查表-<年>Q<季度>.xlsx）。")
@click.pass_context
def national(ctx: click.Context, as_of: date | None, out: Path | None) -> None:
    """全国政府网站与政务新媒体检查指标：各网站和账号的单项否决情况，并生成季度自查表。"""
    from govwatch.tables import TextTable, print_table
    from reports.national import quarter_of, summarize, write_self_check
    from storage import repo

    config = load_county(ctx)
    day = as_of or today()
    start, end = quarter_of(day)
    db = app.open_database(config, must_exist=True)
    try:
        with db.session() as session:
            rows = repo.list_findings(session)
    finally:
        db.dispose()
    summary = summarize(config, rows, start, end)
    table = TextTable(f"单项否决情况（{chinese_date(start)}至{chinese_date(end)}）", [
        (h, "left") for h in ("对象", "指标", "问题数", "是否单项否决")])
    for subject in (*summary.sites, *summary.accounts):
        for result in subject.results:
            table.add_row(subject.name, result.indicator.name, str(len(result.findings)),
                          "是" if result.vetoed else "否")
    print_table(console, table)
    quarter = f"{start.year}Q{(start.month - 1) // 3 + 1}"
    path = out or Path(config.settings.data_dir) / "reports" / f"自查表-{quarter}.xlsx"
    write_self_check(summary, path)
    vetoed = [s.name for s in (*summary.sites, *summary.accounts) if s.vetoed]
    _say(("单项否决：" + "、".join(vetoed)) if vetoed else "未触及单项否决。")
    _say(f"季度自查表已保存：{path}")
