"""``govwatch serve`` (the review web app) and ``govwatch users`` (its accounts).

Registered on the top-level group in ``govwatch.cli`` with ``main.add_command(serve)`` and
``main.add_command(users)``.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Callable
from typing import TypeVar

import click
from rich.table import Table

from govwatch.cli import app
from govwatch.cli.common import console, err_console, load_county

SECURE_ENV = "GOVWATCH_SECURE_COOKIES"
PASSWORD_STDIN_HELP = "从标准输入读取密码（一行），不提示输入。"
T = TypeVar("T")
ROLE_CHOICE = click.Choice(["reviewer", "viewer", "unit"])
UNITS_HELP = ("unit 角色的单位代码，多个用逗号分隔，例如 A01,A02（unit 角色必填，"
              "其他角色不可填）。")


def _codes(units: str) -> list[str]:
    return [c.strip() for c in units.replace("，", ",").split(",") if c.strip()]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址",
              help="监听地址（在反向代理后面时保持 127.0.0.1）。")
@click.option("--port", default=8000, show_default=True, type=int, metavar="端口",
              help="监听端口。")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="会话 Cookie 只经 HTTPS 发送，并发送 HSTS；在 HTTPS 反向代理后面使用"
                   f"（也可设环境变量 {SECURE_ENV}=1）。")
@click.option("--forwarded-allow-ips", default="", metavar="地址",
              help="信任其 X-Forwarded-For/-Proto 头的反向代理地址，例如本机的 nginx 填 "
                   "127.0.0.1。默认不信任：否则客户端可以自己指定登录次数限制所计的地址。")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, secure_cookies: bool | None,
          forwarded_allow_ips: str) -> None:
    """运行考核小组的审核平台（网页）。"""
    import uvicorn

    from web.app import create_app
    from web.auth import list_users

    config = load_county(ctx)
    if secure_cookies is None:
        secure_cookies = os.environ.get(SECURE_ENV, "").lower() in ("1", "true", "yes", "on")
    db = app.open_database(config, must_exist=True)
    with db.session() as session:
        accounts = [u for u in list_users(session) if u.active]
    if not accounts:
        err_console.print("还没有任何账号，无法登录。请先创建："
                          "govwatch users add 姓名 --role reviewer", markup=False)
    if not _is_loopback(host) and not secure_cookies:
        err_console.print(f"注意：正在监听 {host}，登录信息将以明文传输。"
                          "正式使用请只监听 127.0.0.1，并通过 HTTPS 反向代理访问"
                          "（加 --secure-cookies）。", markup=False)
    web_app = create_app(config, db, secure_cookies=secure_cookies)
    console.print(f"审核平台已启动：http://{host}:{port}/（按 Ctrl-C 停止）", markup=False,
                  highlight=False)
    try:
        uvicorn.run(web_app, host=host, port=port, proxy_headers=True,
                    forwarded_allow_ips=forwarded_allow_ips, server_header=False,
                    log_level="info", access_log=True)
    finally:
        db.dispose()


# ------------------------------------------------------------------------------ users


@click.group("users")
def users() -> None:
    """审核平台的账号。

    角色：reviewer 审核人，可审核和录入；viewer 查看人，只能查看；unit 被考核单位，
    只能查看本单位（--units 指定的单位）的问题，并对已确认的问题提交整改说明。
    """


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码"))


def _run(ctx: click.Context, action: Callable[..., T], *args: object) -> T:
    """Call a ``web.auth`` function in a session; its UserError becomes a Chinese message."""
    from web.auth import UserError

    config = load_county(ctx)
    db = app.open_database(config)
    try:
        with db.session() as session:
            return action(session, *args)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.dispose()


@users.command("add")
@click.argument("name", metavar="用户名")
@click.option("--role", type=ROLE_CHOICE, default="reviewer", show_default=True,
              help="reviewer 审核人：可确认、驳回和录入；viewer 查看人：只能查看；"
                   "unit 被考核单位：只能查看本单位的问题并提交整改说明。")
@click.option("--units", default="", metavar="单位代码", help=UNITS_HELP)
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, units: str,
              password_stdin: bool) -> None:
    """创建账号（会提示输入密码）。"""
    from web.auth import ROLES, create_user

    password = _read_password(password_stdin)
    account = _run(ctx, create_user, name, password, role, _codes(units))
    console.print(f"已创建账号「{account.name}」（{ROLES[role]}{_units_text(account.units)}）。",
                  markup=False, highlight=False)


def _units_text(units: frozenset[str]) -> str:
    return f"：{'、'.join(sorted(units))}" if units else ""


@users.command("passwd")
@click.argument("name", metavar="用户名")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
@click.pass_context
def users_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """设置新密码（该用户已登录的会话随即失效）。"""
    from web.auth import set_password

    password = _read_password(password_stdin)
    _run(ctx, set_password, name, password)
    console.print(f"已修改「{name}」的密码。", markup=False, highlight=False)


@users.command("role")
@click.argument("name", metavar="用户名")
@click.argument("role", type=ROLE_CHOICE, metavar="reviewer|viewer|unit")
@click.option("--units", default="", metavar="单位代码", help=UNITS_HELP)
@click.pass_context
def users_role(ctx: click.Context, name: str, role: str, units: str) -> None:
    """修改账号的角色：reviewer 审核人，viewer 查看人，unit 被考核单位（须加 --units）。
    该用户已登录的会话随即失效。"""
    from web.auth import ROLES, set_role

    account = _run(ctx, set_role, name, role, _codes(units))
    console.print(f"「{name}」的角色已改为{ROLES[role]}{_units_text(account.units)}。",
                  markup=False, highlight=False)


@users.command("remove")
@click.argument("name", metavar="用户名")
@click.pass_context
def users_remove(ctx: click.Context, name: str) -> None:
    """停用账号：不能再登录（审核记录中仍保留其姓名）。"""
    from web.auth import deactivate_user

    _run(ctx, deactivate_user, name)
    console.print(f"已停用账号「{name}」。", markup=False, highlight=False)


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """列出所有账号。"""
    from web.auth import list_users

    accounts = _run(ctx, list_users)
    table = Table(title="审核平台账号")
    for header in ("用户名", "角色", "状态", "创建时间", "单位"):
        table.add_column(header)
    for a in accounts:
        table.add_row(a.name, a.role_name, "正常" if a.active else "已停用",
                      f"{a.created_at:%Y-%m-%d %H:%M}", "、".join(sorted(a.units)) or "—")
    console.print(table, markup=False, highlight=False)
