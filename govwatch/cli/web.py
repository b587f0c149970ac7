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
T = TypeVar("T")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep 127.0.0.1 behind a reverse proxy).")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Mark the session cookie Secure (HTTPS only) and send HSTS; use behind an "
                   f"HTTPS proxy (env {SECURE_ENV}=1).")
@click.option("--forwarded-allow-ips", default="", show_default="none",
              help="Reverse proxies whose X-Forwarded-For/-Proto headers are trusted, e.g. "
                   "127.0.0.1 behind nginx on this machine. Trusted from nobody by default: "
                   "a client could otherwise pick the address the login limit counts.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, secure_cookies: bool | None,
          forwarded_allow_ips: str) -> None:
    """Run the review web app for the assessment team (考核小组)."""
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
    """Accounts of the review web app (reviewer: may review and enter; viewer: read only)."""


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
@click.argument("name")
@click.option("--role", type=click.Choice(["reviewer", "viewer"]), default="reviewer",
              show_default=True, help="reviewer: confirm/dismiss/enter; viewer: read only.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Create an account (asks for its password)."""
    from web.auth import ROLES, create_user

    password = _read_password(password_stdin)
    account = _run(ctx, create_user, name, password, role)
    console.print(f"已创建账号「{account.name}」（{ROLES[role]}）。", markup=False,
                  highlight=False)


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def users_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password (the user's open sessions end)."""
    from web.auth import set_password

    password = _read_password(password_stdin)
    _run(ctx, set_password, name, password)
    console.print(f"已修改「{name}」的密码。", markup=False, highlight=False)


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["reviewer", "viewer"]))
@click.pass_context
def users_role(ctx: click.Context, name: str, role: str) -> None:
    """Change an account's role."""
    from web.auth import ROLES, set_role

    _run(ctx, set_role, name, role)
    console.print(f"「{name}」的角色已改为{ROLES[role]}。", markup=False, highlight=False)


@users.command("remove")
@click.argument("name")
@click.pass_context
def users_remove(ctx: click.Context, name: str) -> None:
    """Disable an account: it can no longer log in (its name stays in the review history)."""
    from web.auth import deactivate_user

    _run(ctx, deactivate_user, name)
    console.print(f"已停用账号「{name}」。", markup=False, highlight=False)


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """List the accounts."""
    from web.auth import list_users

    accounts = _run(ctx, list_users)
    table = Table(title="审核平台账号")
    for header in ("用户名", "角色", "状态", "创建时间"):
        table.add_column(header)
    for a in accounts:
        table.add_row(a.name, a.role_name, "正常" if a.active else "已停用",
                      f"{a.created_at:%Y-%m-%d %H:%M}")
    console.print(table, markup=False, highlight=False)
