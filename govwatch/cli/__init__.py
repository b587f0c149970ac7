"""``govwatch`` command line: a thin layer over ``govwatch.app`` and the stages.

Messages, help and click's own words for operators are in Chinese (``govwatch.cli.zh``);
option names and logs are in English.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from govwatch.cli import app
from govwatch.cli.common import (
    DEMO_PORT,
    DEMO_START_ENV,
    DEMO_URL_ENV,
    OUTCOME_NAMES,
    RULE_NAMES,
    as_of_option,
    console,
    err_console,
    load_county,
)
from govwatch.cli.findings import findings, print_findings_table
from govwatch.cli.notify import notify
from govwatch.cli.report import report
from govwatch.cli.scoring import entries, score
from govwatch.cli.warnings import warnings as warnings_group
from govwatch.cli.web import serve, users
from govwatch.cli.zh import localize
from govwatch.collector import skip_collection_at_exit
from govwatch.config import CONFIG_ENV, DEFAULT_CONFIG, CountyConfig, load_config
from govwatch.logs import setup_logging
from govwatch.tables import TextTable, print_table
from govwatch.timeutil import chinese_date, monday_of, today

# Exit status when the database is broken, gone or unreachable.
DATABASE_EXIT = 4


class _Commands(click.Group):
    """The command group: a database that cannot be used is a Chinese message and exit
    status 4, whichever command found it — never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from storage.db import DATABASE_ERRORS, explain_database_error

        try:
            return super().invoke(ctx)
        except DATABASE_ERRORS as exc:
            url = str(getattr(exc, "url", "") or _database_of(ctx))
            err_console.print(explain_database_error(exc, url), style="red",
                              highlight=False, markup=False)
            ctx.exit(DATABASE_EXIT)


def _database_of(ctx: click.Context) -> str:
    """The database URL the config names, for messages ('' when it cannot be told)."""
    from storage.db import database_url

    try:
        config = load_config(ctx.obj.get("config") if ctx.obj else None)
    except Exception:  # the config's own errors are reported by the command
        return ""
    return database_url(config.settings.data_dir, config.settings.database_url)


# Not a terminal (piped, make, CI): rich would assume 80 columns and cut the findings table.
@click.group(cls=_Commands)
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              metavar="文件",
              help=f"县配置文件（也可用环境变量 {CONFIG_ENV} 指定；默认 {DEFAULT_CONFIG}）。")
@click.version_option(package_name="govwatch", help="显示版本号并退出。",
                      message="%(prog)s 版本 %(version)s")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """govwatch 政务公开监测：抓取门户网站栏目和政务新媒体账号，发现问题，审核，计分。

    初次使用：govwatch config check 检查配置，govwatch init 建库，govwatch crawl 抓取，
    govwatch monitor 监测，govwatch findings list 查看问题。在每个命令后加 --help 查看其用法。
    """
    skip_collection_at_exit()
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_path


# ------------------------------------------------------------------------------ config


@main.group("config")
def config_group() -> None:
    """检查县配置文件。"""


@config_group.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """检查配置文件，一次列出所有错误及修改方法；有错误时退出状态为 2。"""
    from govwatch.config import ConfigError
    from monitors.wrong_expression import load_dictionary

    config = load_county(ctx)
    checks = config.settings.text_checks
    try:  # the county's 错敏词 lists are part of its configuration
        load_dictionary(checks.dictionaries, checks.allow)
    except ConfigError as exc:
        click.echo(exc.report(), err=True)
        ctx.exit(2)
    columns = sum(len(u.columns) for u in config.units)
    accounts = sum(len(u.accounts) for u in config.units)
    console.print(f"配置检查通过：{config.county}，{len(config.units)} 个单位，"
                  f"{columns} 个栏目，{accounts} 个新媒体账号。")
    empty = [u for u in config.units if not u.columns and not u.accounts]
    if empty:
        names = "、".join(f"{u.code} {u.name}" for u in empty)
        err_console.print(
            f"注意：{len(empty)} 个单位没有配置任何栏目或账号：{names}。它们无法监测，"
            "通报和得分中将列为「未监测」、不排名；请为其添加栏目或账号。",
            style="yellow", markup=False, highlight=False)


# ------------------------------------------------------------------------------ init


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """创建或升级数据库，并从配置文件载入单位、栏目和账号。"""
    config = load_county(ctx)
    db = app.open_database(config)
    console.print(f"数据库已就绪：{db.url}")
    db.dispose()


# ------------------------------------------------------------------------------ crawl


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int, int, int, int], None]]:
    # imported here: only crawls draw a progress bar (and score, report… start sooner)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    columns = [SpinnerColumn(), TextColumn("抓取中"), BarColumn(), MofNCompleteColumn(),
               TextColumn("页面 {task.fields[pages]} · 条目 {task.fields[items]} · "
                          "异常 {task.fields[failed]}")]
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task("crawl", total=total, pages=0, items=0, failed=0)

        def update(pages: int, items: int, done: int, failed: int) -> None:
            progress.update(task, completed=done, pages=pages, items=items, failed=failed)

        yield update
        progress.update(task, completed=total)


def _do_crawl(config: CountyConfig, db: Any, unit: str | None, source: str | None,
              as_of: date | None) -> int:
    """Crawl and print the summary; the exit status (0, or the crawl's failure)."""
    from storage import repo

    with db.session() as session:
        ids = repo.source_ids(session)
    total = len(app.source_specs(config, ids, unit_code=unit, source_name=source))
    with _progress(total) as update:
        summary = app.crawl(config, db, unit_code=unit, source_name=source,
                            reference_date=as_of, on_progress=update)
    for why in sorted(set(summary.skipped.values())):
        err_console.print(f"[yellow]部分栏目未抓取：[/yellow]{why}", highlight=False)
    if summary.result and summary.result.error:
        err_console.print(f"抓取进程异常结束：{summary.result.error}", style="red",
                          highlight=False, markup=False)
        err_console.print("[red]本次抓取不完整：未完成的栏目/账号已记为「抓取中断」，"
                          "已抓到的内容均已保留；请排除问题后重新运行 govwatch crawl。[/red]",
                          highlight=False)
    if summary.result:
        _print_crawl_summary(db, config, ids, unit, source, summary)
    if summary.result and summary.result.error:
        return summary.result.exit_code if summary.result.exit_code > 0 else 1
    return 0


def _print_crawl_summary(db: Any, config: CountyConfig, ids: dict[tuple[str, str], int],
                         unit: str | None, source: str | None, summary: Any) -> None:
    """Counts by outcome, and one line per source that did not crawl cleanly."""
    from storage import repo

    wanted = {sid: key for key, sid in ids.items()
              if unit in (None, key[0]) and source in (None, key[1])}
    with db.session() as session:
        runs = repo.latest_runs(session, wanted)
    ok = sum(1 for r in runs.values() if r.outcome == "ok")
    new = sum(r.items_new for r in runs.values())
    found = sum(r.items_found for r in runs.values())
    console.print(f"抓取完成：{summary.sources} 个来源（正常 {ok} 个，异常 {len(runs) - ok} 个），"
                  f"{summary.result.pages} 个页面，{found} 个条目"
                  f"（新增 {new} 个）" + (f"，检查链接 {summary.links_checked} 个"
                                          if summary.links_checked else "") + "。")
    failed = [(wanted[sid], r) for sid, r in runs.items() if r.outcome != "ok"]
    if failed:
        headers = ("单位", "栏目/账号", "情况", "说明")
        table = TextTable("抓取异常的来源", [(h, "left") for h in headers])
        for (code, name), run in sorted(failed, key=lambda item: item[0]):
            status = f"（HTTP {run.http_status}）" if run.http_status else ""
            table.add_row(code, name, OUTCOME_NAMES.get(run.outcome, run.outcome) + status,
                          (run.error or "")[:120])
        print_table(console, table)


@main.command()
@click.option("--unit", metavar="单位代码", help="只抓取此单位的栏目和账号。")
@click.option("--source", metavar="名称", help="只抓取此名称的栏目或账号。")
@click.option("--distributed", is_flag=True,
              help="每个网站排一个任务，交给 govwatch worker 抓取（Celery + Redis）。")
@click.option("--wait", "wait_minutes", type=float, default=None, metavar="分钟",
              help="与 --distributed 同用：最多等这么多分钟，直到各网站抓取完成。")
@as_of_option
@click.pass_context
def crawl(ctx: click.Context, unit: str | None, source: str | None, distributed: bool,
          wait_minutes: float | None, as_of: date | None) -> None:
    """抓取配置中的栏目和政务新媒体账号（在单独的进程中抓取）。"""
    config = load_county(ctx)
    if unit and unit not in {u.code for u in config.units}:
        raise click.BadParameter(f"配置中没有单位代码「{unit}」", param_hint="--unit")
    names = {s.name for u in config.units if unit in (None, u.code)
             for s in (*u.columns, *u.accounts)}
    if source and source not in names:
        raise click.BadParameter(f"配置中没有名为「{source}」的栏目或账号", param_hint="--source")
    if distributed:
        _enqueue(ctx, unit, source, as_of or today(), wait_minutes)
        return
    db = app.open_database(config)
    try:
        status = _do_crawl(config, db, unit, source, as_of)
    finally:
        db.dispose()
    if status:
        ctx.exit(status)


def _enqueue(ctx: click.Context, unit: str | None, source: str | None, as_of: date,
             wait_minutes: float | None) -> None:
    from govwatch.cli.distributed import enqueue_crawl, wait_for

    queued = enqueue_crawl(_config_path(ctx), unit=unit, source=source, reference_date=as_of)
    console.print(f"已排队：{queued.portals} 个网站（{queued.sources} 个来源），"
                  f"批次 {queued.id}。")
    if wait_minutes:
        results = wait_for(queued.task_ids, wait_minutes * 60)
        pages = sum(int(r.get("pages", 0)) for r in results)
        console.print(f"全部完成：{len(results)} 个网站，{pages} 个页面。")


def _config_path(ctx: click.Context) -> str:
    """The config file's absolute path, as workers and scheduled jobs must load it."""
    return str(Path(ctx.obj["config"] or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
               .resolve())


@main.command()
@click.option("--name", metavar="名称", help="本抓取进程的名称（默认自动生成）。")
@click.option("--concurrency", default=1, show_default=True, metavar="个数",
              help="本进程同时抓取的网站个数。")
@click.pass_context
def worker(ctx: click.Context, name: str | None, concurrency: int) -> None:
    """运行分布式抓取进程（Celery），直到被停止。"""
    from govwatch.cli.distributed import run_worker

    config = load_county(ctx)
    setup_logging(config.settings.data_dir, stderr_level=logging.INFO)
    app.open_database(config).dispose()  # migrate once, before taking tasks
    run_worker(name, concurrency)


# ------------------------------------------------------------------------------ monitor


def _do_monitor(config: CountyConfig, db: Any, as_of: date) -> None:
    from monitors.runner import run_monitors

    report = run_monitors(db, config, as_of)
    console.print(f"监测完成（截至 {chinese_date(as_of)}）：新发现 {len(report.new_ids)} 条，"
                  f"已记录过 {len(report.known_ids)} 条。")
    for rule, count in sorted(report.by_rule.items()):
        console.print(f"  {RULE_NAMES.get(rule, rule)}（{rule}）：{count} 条，"
                      f"其中新发现 {report.new_by_rule.get(rule, 0)} 条")
    w = report.warnings
    if not w.skipped and (w.opened or w.kept or w.resolved):
        console.print(f"  预警：新增 {len(w.opened)} 条，持续 {len(w.kept)} 条，"
                      f"解除 {len(w.resolved)} 条（govwatch warnings list 查看）")
    if report.measured:
        console.print(f"  实测项：{report.measured} 篇政策解读的形式或发布渠道判定有更新"
                      "（govwatch score 查看实测值）")
    if report.outdated:
        limit = config.settings.thresholds.data_max_age_days
        err_console.print(
            f"[yellow]数据过期：{report.outdated} 个栏目/账号最近一次抓取距 "
            f"{chinese_date(as_of)} 已超过 {limit} 天，未作判定（已记为抓取异常）。"
            "请先运行 govwatch crawl。[/yellow]", highlight=False)


@main.command()
@as_of_option
@click.pass_context
def monitor(ctx: click.Context, as_of: date | None) -> None:
    """按考核规则检查已抓取的数据，记录发现的问题（待审核）。"""
    from govwatch.config import ConfigError

    config = load_county(ctx)
    db = app.open_database(config)
    try:
        _do_monitor(config, db, as_of or today())
    except ConfigError as exc:  # a county 错敏词 list that does not load
        click.echo(exc.report(), err=True)
        ctx.exit(2)
    finally:
        db.dispose()


@main.command()
@click.pass_context
def probe(ctx: click.Context) -> None:
    """探测各网站首页（kind: homepage 的栏目）能否在规定时间内打开，并记录结果。"""
    config = load_county(ctx)
    db = app.open_database(config)
    try:
        results = app.probe_sites(config, db)
    finally:
        db.dispose()
    if not results:
        console.print("没有配置网站首页（kind: homepage 的栏目），未探测。")
        return
    from rich.markup import escape

    for code, name, r in results:
        state = (f"正常（HTTP {r.http_status}，{r.seconds:.2f} 秒）" if r.ok
                 else f"[red]无法访问[/red]：{escape(r.error or '')}")
        console.print(f"{escape(code)} {escape(name)}：{state}", highlight=False)


# ------------------------------------------------------------------------------ demo


def demo_monitoring_start(as_of: date) -> date:
    """The demo's monitoring start: the Monday four weeks before the as-of date's week, so
    the portal's planted weeks are judged and stay inside the crawl window."""
    return monday_of(as_of) - timedelta(weeks=4)


def _free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


@main.command()
@as_of_option
@click.option("--port", default=DEMO_PORT, show_default=True, metavar="端口",
              help="演示门户的端口（被占用时自动换一个）。")
@click.pass_context
def demo(ctx: click.Context, as_of: date | None, port: int) -> None:
    """启动自带的演示门户，抓取、监测并列出发现的问题。"""
    from demo_portal import DemoPortal
    from storage import repo

    as_of = as_of or today()
    portal = DemoPortal(port=_free_port(port), as_of=as_of).start()
    os.environ[DEMO_URL_ENV] = portal.url
    os.environ[DEMO_START_ENV] = demo_monitoring_start(as_of).isoformat()
    try:
        console.print(f"演示门户已启动：{portal.url}（模拟日期 {chinese_date(as_of)}）")
        config = load_county(ctx)
        db = app.open_database(config)
        try:
            _do_crawl(config, db, None, None, as_of)
            _do_monitor(config, db, as_of)
            with db.session() as session:
                rows = repo.list_findings(session, period=None)
            rows = [r for r in rows if r.as_of == as_of]
            title = f"{config.county} 监测发现（截至 {chinese_date(as_of)}）"
            print_findings_table(rows, title=title)
        finally:
            db.dispose()
    finally:
        portal.stop()
        console.print("演示门户已停止。")


@main.command()
@click.option("--schedule", "schedule_path", type=click.Path(path_type=Path),
              default=Path("config/schedule.yaml"), show_default=True, metavar="文件",
              help="计划文件（每个任务一个 cron 表达式，北京时间）。")
@click.option("--list", "list_only", is_flag=True,
              help="列出各任务的运行时间和下次运行时间，不启动调度。")
@click.pass_context
def schedule(ctx: click.Context, schedule_path: Path, list_only: bool) -> None:
    """按计划运行抓取、监测和周通报任务，直到被停止。"""
    from govwatch.cli.schedule import (
        Daemon,
        SchedulerBusy,
        describe_run,
        describe_trigger,
        load_schedule,
        next_runs,
        planned_jobs,
    )
    from govwatch.config import ConfigError

    config = load_county(ctx)
    try:
        plan = load_schedule(schedule_path)
    except ConfigError as exc:
        click.echo(exc.report(), err=True)
        ctx.exit(2)
    config_path = _config_path(ctx)
    if list_only:
        table = Table(title="计划任务")
        for header in ("任务", "编号", "运行时间", "下次运行"):
            table.add_column(header)
        for job, when in next_runs(planned_jobs(plan, config_path)):
            table.add_row(job.name, job.id, describe_trigger(job.trigger), describe_run(when))
        console.print(table, markup=False, highlight=False)
        return
    setup_logging(config.settings.data_dir, stderr_level=logging.INFO)
    db = app.open_database(config)
    daemon = Daemon(db, plan, config_path)
    try:
        daemon.start()
    except SchedulerBusy as exc:
        err_console.print(f"已有调度进程在使用同一数据库（{exc}），本进程不启动。", markup=False)
        db.dispose()
        ctx.exit(3)
    console.print(f"调度已启动（{len(planned_jobs(plan, config_path))} 个任务），"
                  "按 Ctrl-C 或发送 SIGTERM 停止。")
    try:
        daemon.run_until_stopped()
    finally:
        db.dispose()
    console.print("调度已停止。")


@main.group()
def posts() -> None:
    """人工收集的政务新媒体发布记录（用于无法抓取的账号）。"""


@posts.command("template")
@click.option("--out", type=click.Path(path_type=Path), default=Path("发布记录模板.csv"),
              show_default=True, metavar="文件", help="模板文件名。")
def posts_template(out: Path) -> None:
    """生成发布记录模板（CSV，UTF-8 带 BOM，可直接用 Excel 打开），填好后用 posts import 导入。"""
    from crawler.manual import template_rows
    from govwatch.tabular import write_csv

    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        write_csv(handle, template_rows())
    console.print(f"已生成模板：{out}", markup=False)


@posts.command("import")
@click.argument("file", type=click.Path(path_type=Path), metavar="文件")
@click.pass_context
def posts_import(ctx: click.Context, file: Path) -> None:
    """从 CSV 或 XLSX 表格导入发布记录（单位代码、账号、发布时间、标题、链接）。"""
    from crawler.manual import PostImportError
    from govwatch.tabular import TableFileError

    config = load_county(ctx)
    db = app.open_database(config)
    try:
        added = app.import_posts(config, db, file)
    except (TableFileError, PostImportError) as exc:
        click.echo(str(exc), err=True)
        ctx.exit(2)
    finally:
        db.dispose()
    total = sum(added.values())
    details = "，".join(f"{name} {n} 条" for name, n in sorted(added.items()))
    console.print(f"导入完成：新增 {total} 条发布记录（{details or '无'}）。", markup=False)


main.add_command(findings)
main.add_command(score)
main.add_command(entries)
main.add_command(report)
main.add_command(notify)
main.add_command(serve)
main.add_command(users)
main.add_command(warnings_group)
localize(main)  # after every add_command: the whole tree gets click's words in Chinese


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
