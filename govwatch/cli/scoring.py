"""``govwatch score`` and ``govwatch entries``: scores, score sheets and manual entries.

Registered on the top-level group in ``govwatch.cli`` with ``main.add_command(score)`` and
``main.add_command(entries)``; the group passes the --config path as ``ctx.obj["config"]``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from govwatch.cli import app
from govwatch.cli.common import console, err_console, load_county
from govwatch.collector import collector_paused
from govwatch.config import CountyConfig
from govwatch.timeutil import today
from scoring.engine import fmt
from scoring.entries import (
    KIND_NAMES,
    EntryChangeError,
    EntryFileError,
    EntryImportError,
    UnitRef,
    import_file,
    list_entries,
    replace_entry,
    void_entry,
)
from scoring.rubric import RubricError, RubricSet, load_rubric_set

# rows of the details and measured tables shown on the terminal (a county's fit: 38 units have
# a few hundred)
TERMINAL_ROWS = 2000


def _rubrics(ctx: click.Context, config: CountyConfig, name: str | None) -> RubricSet:
    try:
        return load_rubric_set(name or config.settings.rubric)
    except RubricError as exc:
        click.echo(exc.report(), err=True)
        ctx.exit(2)
        raise  # pragma: no cover - ctx.exit raises


def _check_unit(config: CountyConfig, unit: str | None) -> None:
    if unit and unit not in {u.code for u in config.units}:
        raise click.BadParameter(f"配置中没有单位代码「{unit}」", param_hint="--unit")


def _units(config: CountyConfig) -> list[UnitRef]:
    return [UnitRef(u.code, u.name, u.category) for u in config.units]


# ------------------------------------------------------------------------------ score


@click.command("score")
@click.option("--rubric",
              help="评分细则名称（config/rubrics/ 下的文件；默认：配置中的 settings.rubric）。")
@click.option("--unit", help="只看此单位代码（名次仍在本类单位中排）。")
@click.option("--year", type=int, help="考核年度（默认：今年，北京时间）。")
@click.option("--format", "fmt_", type=click.Choice(["table", "json", "xlsx"]),
              default="table", show_default=True, help="输出格式：表格、JSON 或 Excel 评分表。")
@click.option("--out", type=click.Path(path_type=Path),
              help="输出文件（xlsx 默认：<data_dir>/scores/评分表-<细则>-<年度>.xlsx）。")
@click.pass_context
def score(ctx: click.Context, rubric: str | None, unit: str | None, year: int | None,
          fmt_: str, out: Path | None) -> None:
    """按已确认的问题和人工录入计算各单位得分，并在同类单位中排名。"""
    with collector_paused():  # the scores are kept to the end
        _score(ctx, rubric, unit, year, fmt_, out)


def _score(ctx: click.Context, rubric: str | None, unit: str | None, year: int | None,
           fmt_: str, out: Path | None) -> None:
    from scoring.report import (
        print_details,
        print_measured,
        print_ranking,
        print_unit,
        report_dict,
    )
    from scoring.service import score_county

    config = load_county(ctx)
    _check_unit(config, unit)
    rubrics = _rubrics(ctx, config, rubric)
    db = app.open_database(config, must_exist=True)
    try:
        report = score_county(db, config, rubric=rubrics, year=year)
    finally:
        db.dispose()
    for warning in report.warnings:
        err_console.print(f"[yellow]注意：[/yellow]{warning}", highlight=False)

    if fmt_ == "json":
        text = json.dumps(report_dict(report, unit), ensure_ascii=False, indent=2)
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text + "\n", encoding="utf-8")
            console.print(f"得分已保存：{out}", highlight=False)
        else:
            click.echo(text)
        return
    if fmt_ == "xlsx":
        from scoring.sheets import write_score_workbook

        path = out or (Path(config.settings.data_dir) / "scores"
                       / f"评分表-{rubrics.name}-{report.year}.xlsx")
        write_score_workbook(report, path, unit)
        console.print(f"评分表已保存：{path}", highlight=False)
        return

    target = console
    handle = None
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = out.open("w", encoding="utf-8")
        target = Console(file=handle, width=200, no_color=True)
    # on the terminal a province's details (50,000 rows for 5,000 units) are cut short; a
    # file (--out), one unit (--unit) and the score sheet (--format xlsx) have them all
    limit = None if out else TERMINAL_ROWS
    where_all = ("全部明细：加 --out 文件 保存为文本，或 --format xlsx 导出评分表，"
                 "或 --unit 单位代码 查看一个单位。")
    try:
        if unit:
            print_unit(report, target, unit)
        else:
            print_ranking(report, target)
            print_details(report, target, max_rows=limit, where_all=where_all)
        print_measured(report, target, unit, max_rows=limit, where_all=where_all)
        target.print(f"{report.year}年度，评分细则 {rubrics.name}，共 {len(report.scores)} 个单位。"
                     + (f"已确认的抓取异常 {report.unscored_findings} 条不计分。"
                        if report.unscored_findings else ""), highlight=False)
    finally:
        if handle is not None:
            handle.close()
            console.print(f"得分已保存：{out}", highlight=False)


# ------------------------------------------------------------------------------ entries


@click.group("entries")
def entries() -> None:
    """人工录入：扣分、加分和重大扣分。"""


@entries.command("template")
@click.option("--out", type=click.Path(path_type=Path), default=Path("评分录入模板.xlsx"),
              show_default=True, help="模板文件（.xlsx 或 .csv）。")
@click.option("--rubric", help="评分细则名称（默认：配置中的 settings.rubric）。")
@click.pass_context
def entries_template(ctx: click.Context, out: Path, rubric: str | None) -> None:
    """生成人工录入模板：中文表头、一行示例和评分项编号清单。"""
    from scoring.sheets import write_template

    config = load_county(ctx)
    rubrics = _rubrics(ctx, config, rubric)
    write_template(out, _units(config), rubrics)
    console.print(f"录入模板已生成：{out}（评分细则 {rubrics.name}）", highlight=False)


@entries.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--by", "entered_by", help="未填“录入人”的行所用的录入人。")
@click.option("--year", type=int, help="未填“年度”的行所用的年度（默认：今年）。")
@click.option("--rubric", help="评分项编号所属的评分细则（默认：配置中的 settings.rubric）。")
@click.pass_context
def entries_import(ctx: click.Context, file: Path, entered_by: str | None, year: int | None,
                   rubric: str | None) -> None:
    """导入 CSV 或 XLSX 人工录入文件；任何一行有错则整个文件不导入。

    同名文件再次导入时，替换它此前为本文件所涉年度导入的记录（年度取自各行；没有数据行的文件
    取 --year）。
    """
    config = load_county(ctx)
    rubrics = _rubrics(ctx, config, rubric)
    units = {u.code: u for u in _units(config)}
    db = app.open_database(config)
    try:
        with db.session() as session:
            result = import_file(session, file, units, rubrics, default_by=entered_by,
                                 default_year=year or today().year)
    except (EntryFileError, EntryImportError) as exc:
        click.echo(str(exc), err=True)
        ctx.exit(1)
    finally:
        db.dispose()
    years = "、".join(map(str, result.years))
    message = f"已从 {result.file_name} 导入 {result.imported} 条记录"
    if result.replaced:
        message += f"（替换了此前从同名文件导入的 {years} 年度记录 {result.replaced} 条）"
    if result.examples:
        message += f"；跳过示例行：第 {'、'.join(map(str, result.examples))} 行"
    for kept_year, count in result.kept.items():
        # Said aloud: a same-named file of another year is left alone, by design.
        message += (f"；同名文件此前导入的 {kept_year} 年度记录 {count} 条未改动"
                    f"（如需撤回，请用 --year {kept_year} 导入只有表头的同名文件）")
    console.print(message + "。", highlight=False)


@entries.command("list")
@click.option("--unit", help="只列此单位代码的记录。")
@click.option("--year", type=int, help="只列此年度的记录（默认：所有年度）。")
@click.option("--all", "include_voided", is_flag=True,
              help="连同已作废、已更正的记录一起列出（修改历史）。")
@click.pass_context
def entries_list(ctx: click.Context, unit: str | None, year: int | None,
                 include_voided: bool) -> None:
    """列出人工录入记录（含来源文件和行号）。"""
    config = load_county(ctx)
    _check_unit(config, unit)
    db = app.open_database(config, must_exist=True)
    try:
        with db.session() as session:
            rows = list_entries(session, year=year, unit=unit, include_voided=include_voided)
    finally:
        db.dispose()
    table = Table(title="人工录入记录")
    headers = ("编号", "年度", "单位", "类型", "评分项", "分值/实测", "说明", "录入人", "来源")
    for header in (*headers, *(("状态",) if include_voided else ())):
        table.add_column(header)
    for r in rows:
        value = f"{fmt(r.points)}%" if r.kind == "measure" else fmt(r.points)
        where = f"{r.file} 第{r.row}行" if r.file else ""
        if r.replaces:
            where = f"{where}（更正录入#{r.replaces}）".lstrip()
        status = (f"已作废：{r.voided_by} {r.voided_at:%Y-%m-%d %H:%M}，{r.void_reason}"
                  if r.voided_at else "有效")
        table.add_row(str(r.id), str(r.year), r.unit_code, KIND_NAMES.get(r.kind, r.kind), r.ref,
                      value, r.note, r.entered_by, where,
                      *((status,) if include_voided else ()))
    console.print(table, markup=False, highlight=False)
    console.print(f"共 {len(rows)} 条。")


@entries.command("void")
@click.argument("entry_id", type=int, metavar="编号")
@click.option("--by", "actor", required=True, help="作废人姓名（记入修改历史）。")
@click.option("--reason", required=True, help="作废原因（记入修改历史）。")
@click.pass_context
def entries_void(ctx: click.Context, entry_id: int, actor: str, reason: str) -> None:
    """作废一条录错的人工录入记录：记录保留在修改历史中，不再计分。"""
    config = load_county(ctx)
    db = app.open_database(config, must_exist=True)
    try:
        with db.session() as session:
            void_entry(session, entry_id, actor=actor, reason=reason)
    except EntryChangeError as exc:
        click.echo(str(exc), err=True)
        ctx.exit(1)
    finally:
        db.dispose()
    console.print(f"已作废录入#{entry_id}（{actor}：{reason}），得分将按剩余记录重新计算。",
                  highlight=False, markup=False)


@entries.command("replace")
@click.argument("entry_id", type=int, metavar="编号")
@click.option("--by", "actor", required=True, help="更正人姓名（记入修改历史）。")
@click.option("--reason", required=True, help="更正原因（记入修改历史）。")
@click.option("--ref", help="新的评分项编号（不填则不变）。")
@click.option("--points", help="新的分值（不填则不变）。")
@click.option("--percent", help="新的实测百分比（按百分比扣分的评分项）。")
@click.option("--note", help="新的说明（证据）（不填则不变）。")
@click.option("--rubric", help="评分细则名称（默认：配置中的 settings.rubric）。")
@click.pass_context
def entries_replace(ctx: click.Context, entry_id: int, actor: str, reason: str,
                    ref: str | None, points: str | None, percent: str | None,
                    note: str | None, rubric: str | None) -> None:
    """更正一条人工录入记录：原记录作废并保留，按更正后的内容新增一条（与导入时同样校验）。"""
    config = load_county(ctx)
    rubrics = _rubrics(ctx, config, rubric)
    units = {u.code: u for u in _units(config)}
    db = app.open_database(config, must_exist=True)
    try:
        with db.session() as session:
            new_id = replace_entry(session, entry_id, units, rubrics, actor=actor,
                                   reason=reason, ref=ref, points=points, percent=percent,
                                   note=note)
    except EntryChangeError as exc:
        click.echo(str(exc), err=True)
        ctx.exit(1)
    finally:
        db.dispose()
    console.print(f"已更正：录入#{entry_id} 作废，新记录为录入#{new_id}"
                  f"（{actor}：{reason}）。", highlight=False, markup=False)
