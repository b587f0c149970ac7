"""``govwatch notify``: send the day's digests (通知) — the team's to ``settings.notify.channels``,
each unit's to its ``contacts`` — through Apprise, once each; ``--dry-run`` prints them.

A thin layer over ``notify``; register with ``main.add_command(notify)``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from govwatch.cli import app
from govwatch.cli.common import as_of_option, console, err_console, load_county
from govwatch.tables import TextTable, print_table
from govwatch.timeutil import chinese_date, today

if TYPE_CHECKING:  # imported when a command runs: Apprise stays out of the CLI's start
    from notify import NotifyReport

OUTCOME_WORDS = {
    "sent": "已发送",
    "failed": "发送失败，下次运行时重发",
    "already_sent": "此前已发送，未重复发送",
    "busy": "另一进程正在发送",
    "dry_run": "预览，未发送",
}


def _say(text: str, *, error: bool = False, style: str | None = None) -> None:
    (err_console if error else console).print(text, markup=False, highlight=False,
                                              style=style)


def _digest_name(kind: str, scope: str) -> str:
    return "考核小组日报" if kind == "team" else f"单位日报 {scope}"


@click.command("notify")
@as_of_option
@click.option("--dry-run", is_flag=True,
              help="只打印当天要发送的通知内容和接收地址，不发送、不记录。")
@click.pass_context
def notify(ctx: click.Context, as_of: date | None, dry_run: bool) -> None:
    """发送当天的通知：考核小组的汇总日报和各单位的日报（同一天、同一接收人、同一种日报只发一次）。

    考核小组日报发往 settings.notify.channels，单位日报发往该单位的 contacts（Apprise 地址，
    如钉钉、企业微信群机器人、邮箱）。发送失败的在下次运行时重发；有发送失败时退出状态为 1。
    """
    from notify import run_notifications

    config = load_county(ctx)
    day = as_of or today()
    db = app.open_database(config)
    try:
        report = run_notifications(db, config, day, dry_run=dry_run)
    finally:
        db.dispose()
    if not report.recipients:
        _say("没有配置通知地址，未发送任何通知：请在配置文件中填写 settings.notify.channels"
             "（考核小组）或单位的 contacts，见 README「Notifications (通知)」。")
        return
    if dry_run:
        _print_preview(report)
    else:
        _print_outcome(report)
    if report.quiet_units:
        _say(f"未发送日报的单位 {len(report.quiet_units)} 个（{chinese_date(day)}没有未解除的预警，"
             f"也没有新发现的问题）：{'、'.join(report.quiet_units)}。")
    if report.count("failed"):
        ctx.exit(1)


def _print_preview(report: NotifyReport) -> None:
    for digest in report.digests:
        to = [d.recipient for d in report.deliveries
              if (d.kind, d.scope) == (digest.kind, digest.scope)]
        _say(f"━━ {_digest_name(digest.kind, digest.scope)} → {'；'.join(to)} ━━", style="bold")
        _say(f"标题：{digest.title}")
        _say(digest.text())
        _say("")
    _say(f"以上为 {chinese_date(report.day)} 的通知预览（{len(report.deliveries)} 份），"
         "未发送，也未记录。")


def _print_outcome(report: NotifyReport) -> None:
    from notify import ALREADY_SENT, FAILED, SENT
    day = chinese_date(report.day)
    if report.deliveries and all(d.outcome == ALREADY_SENT for d in report.deliveries):
        _say(f"{day}的通知此前均已发送（{len(report.deliveries)} 份），本次没有重复发送。")
        return
    if not report.deliveries:
        _say(f"{day}没有需要发送的通知。")
        return
    table = TextTable(f"{day}的通知", [(h, "left") for h in
                                        ("日期", "日报", "接收地址", "结果", "说明")])
    for d in report.deliveries:
        table.add_row(d.day.isoformat(), _digest_name(d.kind, d.scope), d.recipient,
                      OUTCOME_WORDS.get(d.outcome, d.outcome) + ("（重发）" if d.retry else ""),
                      (d.error or "")[:160], style="red" if d.outcome == FAILED else None)
    print_table(console, table)
    summary = (f"已发送 {report.count(SENT)} 份，发送失败 {report.count(FAILED)} 份，"
               f"此前已发送、未重复发送 {report.count(ALREADY_SENT)} 份。")
    _say(summary, error=bool(report.count(FAILED)))
    if report.count(FAILED):
        _say("发送失败的通知已记录，下次运行 govwatch notify（或定时任务）时会重发；"
             "请检查上表中的地址和说明。", error=True, style="yellow")
