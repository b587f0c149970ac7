"""``govwatch report …``: the weekly bulletin (周通报) in Markdown, HTML, DOCX and XLSX.

A thin layer over ``reports.weekly``; register with ``main.add_command(report)``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from govwatch.cli import app
from govwatch.cli.common import console, err_console, load_county, parse_date_option
from govwatch.timeutil import chinese_date, today
from reports.model import FORMATS


@click.group()
def report() -> None:
    """Bulletins (通报) built from reviewed findings."""


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


@report.command("weekly")
@click.option("--week", callback=_week, metavar="YYYY-Www",
              help="ISO week, e.g. 2021-W35; default: the last complete week (Mon–Sun).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder; default <data_dir>/reports.")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True,
              callback=_formats, help="Comma-separated formats.")
@click.option("--publish/--no-publish", default=True, show_default=True,
              help="Record the bulletin and the findings it names (read by not_rectified).")
@click.option("--by", "published_by", default="govwatch", show_default=True,
              help="Who publishes (recorded).")
@click.option("--date", "issued_on", callback=parse_date_option, metavar="YYYY-MM-DD",
              help="Issue date printed on the bulletin; default today.")
@click.pass_context
def weekly(ctx: click.Context, week: str | None, out_dir: Path | None,
           formats: tuple[str, ...], publish: bool, published_by: str,
           issued_on: date | None) -> None:
    """Write the weekly bulletin of stale columns, under-posting accounts and uninterpreted
    policies (confirmed findings only; pending ones in an appendix) and publish it."""
    from reports.weekly import last_complete_week, produce_week, week_range

    if not published_by.strip():
        raise click.BadParameter("发布人不能为空", param_hint="--by")
    config = load_county(ctx)
    week = week or last_complete_week()
    if week_range(week)[1] >= today():
        err_console.print(f"注意：{week} 尚未结束，通报内容可能不完整。", markup=False)
    db = app.open_database(config, must_exist=True)
    try:
        outcome = produce_week(db, config, week, out_dir=out_dir, formats=formats,
                               publish=publish, published_by=published_by.strip(),
                               issued_on=issued_on)
    finally:
        db.dispose()
    b = outcome.bulletin
    console.print(b.title, markup=False, highlight=False)
    console.print(f"经审核确认的问题 {b.total} 条，待审核 {b.pending_count} 条，"
                  f"抓取异常 {b.crawl_issue_count} 个。", markup=False, highlight=False)
    for path in outcome.files:
        console.print(f"已生成：{path.resolve()}", markup=False, highlight=False)
    if outcome.bulletin_id is not None:
        console.print(f"已发布：{b.week}（{chinese_date(today())}，发布人：{published_by}），"
                      f"列入通报的问题 {len(b.listed_ids)} 条。", markup=False, highlight=False)
    else:
        console.print("未发布（--no-publish）。", markup=False)
