"""Notifications on real parts: the unit's digest through a local SMTP server (aiosmtpd), the
team's through a local webhook (json://), a dead channel (a closed port) recorded failed and
retried, never twice for the same day, and the CLI's dry run in Chinese."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from govwatch.cli import app
from govwatch.cli.schedule import load_schedule, planned_jobs
from govwatch.config import ConfigError, CountyConfig, load_config
from govwatch.timeutil import today
from notify import ALREADY_SENT, FAILED, SENT, run_notifications
from storage import repo
from storage.db import Database
from storage.models import Unit

from .conftest import DEMO_CONFIG

# AUTH over plain SMTP on 127.0.0.1 is what the e-mail test wants
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

BASE_URL = "http://govwatch.example.cn/gw"
SMTP_USER, SMTP_PASSWORD = "notifier", "s3cret-pw"


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ----------------------------------------------------------------------------- servers


class Mailbox:
    """aiosmtpd handler: every message delivered, parsed; logins checked."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == SMTP_USER
              and auth_data.password.decode() == SMTP_PASSWORD)
        if ok:
            self.logins.append(SMTP_USER)
        return AuthResult(success=ok)


@pytest.fixture()
def smtp() -> Iterator[tuple[Mailbox, int]]:
    """A plain SMTP server (no TLS) on 127.0.0.1 that wants a login."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    yield box, port
    controller.stop()


class Webhook:
    """An HTTP server on 127.0.0.1 collecting POSTed JSON bodies by path."""

    def __init__(self, port: int = 0) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                posts.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


# ----------------------------------------------------------------------------- county


def write_county(tmp_path: Path, *, smtp_port: int, team: list[str]) -> Path:
    """Two units: A01 with a column and an e-mail contact, A02 with a webhook contact and
    nothing to say; the team's channels as given."""
    mail = (f"mailto://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{smtp_port}"
            "?mode=insecure&from=govwatch@county.example.cn&to=a01@county.example.cn")
    data = {
        "county": "测试县",
        "settings": {"data_dir": str(tmp_path / "data"),
                     "notify": {"base_url": BASE_URL + "/", "channels": team}},
        "units": [
            {"code": "A01", "name": "城关镇", "category": "A", "contacts": [mail],
             "columns": [{"name": "通知公告", "url": "http://127.0.0.1:9/xxgk/tzgg/"},
                         {"name": "政策文件", "url": "http://127.0.0.1:9/xxgk/zcwj/",
                          "kind": "policy", "expect_update": False}]},
            {"code": "A02", "name": "河西镇", "category": "A",
             "contacts": [f"json://127.0.0.1:{free_port()}/a02"],
             "columns": [{"name": "工作动态", "url": "http://127.0.0.1:9/hx/gzdt/"}]},
        ],
    }
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def store_facts(db: Database) -> dict[str, int]:
    """Today's findings of A01 (one pending, one confirmed), an open warning of A01 and a
    failed crawl of A02, stored through the repo; the finding ids by rule."""
    day = today()
    with db.session() as session:
        ids = repo.source_ids(session)
        units = {code: unit_id for code, unit_id in session.execute(select(Unit.code, Unit.id))}
        new, _ = repo.save_findings(session, [
            repo.FindingDraft(
                rule="stale_column", unit_id=units["A01"], subject=f"source:{ids['A01', '通知公告']}",
                period="2099-W01", as_of=day, points=1, source_id=ids["A01", "通知公告"],
                evidence={"newest_published_on": str(day - timedelta(days=10)),
                          "days_without_update": 10}),
            repo.FindingDraft(
                rule="uninterpreted_policy", unit_id=units["A01"], subject="item:policy-1",
                period="2099-W01", as_of=day, points=1, source_id=ids["A01", "政策文件"],
                evidence={"policy_title": "关于印发城关镇农村人居环境整治实施方案的通知",
                          "published_on": str(day - timedelta(days=5))}),
        ])
        repo.review_findings(session, [new[1]], to_status="confirmed", actor="王芳")
        repo.save_warnings(session, [repo.WarningDraft(
            kind="stale_soon", unit_id=units["A01"], subject=f"source:{ids['A01', '通知公告']}",
            as_of=day, source_id=ids["A01", "通知公告"],
            evidence={"newest_published_on": str(day - timedelta(days=5)),
                      "days_without_update": 5, "stale_on": str(day + timedelta(days=2))})],
            as_of=day)
        run = repo.open_crawl_run(session, ids["A02", "工作动态"])
        repo.close_crawl_run(session, run, outcome="http_error", http_status=500,
                             error="HTTP 500")
    return {"stale_column": new[0], "uninterpreted_policy": new[1]}


def govwatch(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "govwatch", "--config", str(config), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def records(config: CountyConfig) -> list[repo.NotificationRow]:
    db = app.open_database(config)
    try:
        with db.session() as session:
            return repo.list_notifications(session)
    finally:
        db.dispose()


# ----------------------------------------------------------------------------- tests


def test_digests_reach_smtp_and_webhook_once_and_a_dead_channel_is_retried(
        tmp_path: Path, smtp: tuple[Mailbox, int], webhook: Webhook) -> None:
    box, smtp_port = smtp
    dead_port = free_port()
    team = [f"json://127.0.0.1:{webhook.port}/team", f"json://127.0.0.1:{dead_port}/team"]
    path = write_county(tmp_path, smtp_port=smtp_port, team=team)
    config = load_config(path)
    db = app.open_database(config)
    ids = store_facts(db)
    db.dispose()

    first = govwatch(path, "notify")
    assert first.returncode == 1, first.stdout + first.stderr  # a channel failed
    assert "已发送 2 份，发送失败 1 份" in first.stdout + first.stderr
    assert "下次运行" in first.stderr
    assert "未发送日报的单位 1 个" in first.stdout and "也没有新发现的问题）：A02。" in first.stdout

    # the unit's digest by e-mail, logged in over plain SMTP: HTML with links into the web app
    assert box.logins == [SMTP_USER] and len(box.messages) == 1
    mail = box.messages[0]
    assert mail["To"] == "a01@county.example.cn"
    assert mail["Subject"] == f"城关镇政务公开监测日报（{today().year}年{today().month}月{today().day}日）"
    html = mail.get_body(preferencelist=("html",)).get_content()
    for words in ("城关镇（A01）", "未解除的预警 1 条（今日新增 1 条）",
                  "今日新发现问题 2 条（已确认 1 条，待审核 1 条）", "栏目即将超期未更新",
                  "【已确认】政策文件未解读", "【待审核】栏目长期未更新 · 通知公告",
                  "已 10 天未更新", "经考核小组审核确认后才计入扣分",
                  f'href="{BASE_URL}/findings/{ids["stale_column"]}"',
                  f'href="{BASE_URL}/findings/{ids["uninterpreted_policy"]}"',
                  f'href="{BASE_URL}/units/A01"'):
        assert words in html, words
    assert html.index("【已确认】") < html.index("【待审核】")

    # the team's digest by webhook: plain text, links on their own lines
    assert [p for p, _ in webhook.posts] == ["/team"]
    posted = webhook.posts[0][1]
    assert posted["title"].startswith("测试县政务公开监测日报")
    text = posted["message"]
    for words in ("今日新发现问题 2 条，其中待审核 1 条（审核队列共 1 条）",
                  "抓取异常的栏目和账号 1 个", "未解除的预警 1 条（今日新增 1 条）",
                  "【今日新发现、待审核的问题】", "A01 城关镇 · 栏目长期未更新 · 通知公告",
                  f"   {BASE_URL}/findings/{ids['stale_column']}",
                  "A02 河西镇 · 工作动态：网站无法访问（HTTP 500）", f"   {BASE_URL}/units/A02",
                  "A01 城关镇：1 条", f"审核队列（待审核共 1 条）：{BASE_URL}/queue"):
        assert words in text, words
    assert "政策文件未解读" not in text  # confirmed already: not the team's to review

    # recorded: to whom (secrets masked), for which day, the outcome
    rows = {(r.kind, r.recipient): r for r in records(config)}
    assert {(k, r.status) for (k, _), r in rows.items()} == {
        ("unit", SENT), ("team", SENT), ("team", FAILED)}
    assert all(r.day == today() for r in rows.values())
    mail_row = next(r for (k, _), r in rows.items() if k == "unit")
    assert mail_row.scope == "A01" and SMTP_PASSWORD not in mail_row.recipient
    assert "****" in mail_row.recipient and mail_row.sent_at is not None
    dead = rows["team", f"json://127.0.0.1:{dead_port}/team"]
    assert dead.error and dead.attempts == 1 and dead.sent_at is None

    # the next run: the dead channel is back — only it gets its digest; nothing else again
    revived = Webhook(dead_port)
    try:
        second = govwatch(path, "notify")
    finally:
        revived.close()
    assert second.returncode == 0, second.stdout + second.stderr
    assert "已发送 1 份，发送失败 0 份，此前已发送、未重复发送 2 份" in second.stdout
    assert [p for p, _ in revived.posts] == ["/team"]
    assert len(webhook.posts) == 1 and len(box.messages) == 1
    dead = next(r for r in records(config) if r.recipient.endswith(f":{dead_port}/team"))
    assert (dead.status, dead.attempts, dead.error) == (SENT, 2, None)

    # and once more: everything was sent, nothing is sent again — and it says so
    third = govwatch(path, "notify")
    assert third.returncode == 0
    assert "的通知此前均已发送（3 份），本次没有重复发送" in third.stdout
    assert len(webhook.posts) == 1 and len(box.messages) == 1 and len(revived.posts) == 1


def test_dry_run_prints_the_chinese_digests_and_sends_nothing(
        tmp_path: Path, smtp: tuple[Mailbox, int], webhook: Webhook) -> None:
    box, smtp_port = smtp
    path = write_county(tmp_path, smtp_port=smtp_port,
                        team=[f"json://127.0.0.1:{webhook.port}/team"])
    config = load_config(path)
    db = app.open_database(config)
    ids = store_facts(db)
    db.dispose()

    done = govwatch(path, "notify", "--dry-run")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for words in ("━━ 考核小组日报 → json://127.0.0.1", "━━ 单位日报 A01 → mailto://notifier:****@",
                  "标题：城关镇政务公开监测日报", "【预警：请在期限前处理，以免被扣分】",
                  "1. （今日新增）栏目即将超期未更新 · 通知公告", "【今日新发现的问题】",
                  f"   {BASE_URL}/findings/{ids['stale_column']}",
                  f"本单位的全部问题、预警和得分：{BASE_URL}/units/A01",
                  "未发送，也未记录", "未发送日报的单位 1 个", "：A02。"):
        assert words in out, words
    assert SMTP_PASSWORD not in out
    assert box.messages == [] and webhook.posts == [] and records(config) == []


def test_an_earlier_days_failure_is_sent_again_as_it_was_and_a_quiet_day_says_so(
        tmp_path: Path, smtp: tuple[Mailbox, int]) -> None:
    _, smtp_port = smtp
    port = free_port()
    path = write_county(tmp_path, smtp_port=smtp_port, team=[f"json://127.0.0.1:{port}/team"])
    config = load_config(path)
    yesterday = today() - timedelta(days=1)
    db = app.open_database(config)
    try:
        # yesterday: nothing happened, the team's channel was down
        report = run_notifications(db, config, yesterday)
        assert [d.outcome for d in report.deliveries] == [FAILED]
        assert report.quiet_units == ["A01", "A02"]
        store_facts(db)
        hook = Webhook(port)
        try:
            report = run_notifications(db, config, today())
        finally:
            hook.close()
        again = run_notifications(db, config, today())
    finally:
        db.dispose()
    # yesterday's stored digest first (今日无新问题), then today's; the e-mail went out too
    assert [(d.day, d.outcome, d.retry) for d in report.deliveries if d.kind == "team"] == [
        (yesterday, SENT, True), (today(), SENT, False)]
    titles = [body["title"] for _, body in hook.posts]
    assert titles[0].endswith("：今日无新问题") and "今日无新问题" in hook.posts[0][1]["message"]
    assert "今日无新问题" not in titles[1]
    assert {d.outcome for d in again.deliveries} == {ALREADY_SENT}


def test_claims_keep_two_runs_from_sending_one_digest_twice(any_db: Database) -> None:
    key = repo.NotificationKey(today(), "team", "", "k" * 64)

    def claim(stale_after: timedelta = timedelta(hours=1)) -> str:
        return repo.claim_notification(session, key, recipient="json://x", title="t", body="b",
                                       stale_after=stale_after)

    with any_db.session() as session:
        assert claim() == "claimed"
        assert claim() == "busy"  # another run is sending it
        assert claim(stale_after=timedelta(0)) == "claimed"  # …or died while sending
        repo.finish_notification(session, key, "connection refused")
        assert claim() == "claimed"  # failed: tried again
        repo.finish_notification(session, key, None)
        assert claim() == "sent"
        assert claim(stale_after=timedelta(0)) == "sent"
    with any_db.session() as session:
        (row,) = repo.list_notifications(session)
    assert (row.status, row.attempts, row.error) == ("sent", 3, None)
    assert row.sent_at is not None and row.first_attempt_at <= row.last_attempt_at


def test_notify_urls_are_checked_with_the_config(tmp_path: Path) -> None:
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    data["settings"]["notify"] = {"channels": ["dingtalk://!!/", "wechatwork://x"]}
    data["units"][0]["contacts"] = ["wecombot://${NOTIFY_TEST_KEY}"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    report = str(info.value)
    assert "settings → notify → channels → 第 1 项：通知地址「dingtalk://!!/」无效" in report
    assert "An invalid DingTalk API Token" in report
    assert "不支持的通知类型「wechatwork://」" in report
    assert "修改方法：请按 Apprise 的写法填写通知地址，例如钉钉群机器人 dingtalk://" in report
    assert "环境变量 NOTIFY_TEST_KEY" in report
    assert "没有填写审核网页的网址 settings.notify.base_url" in report

    data["settings"]["notify"] = {"base_url": "https://gov.example.cn/gw",
                                  "channels": ["dingtalk://SECRET@TOKEN123/?format=markdown"]}
    data["units"][0]["contacts"] = ["wecombot://abc-KEY_123"]
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(good)
    assert config.settings.notify.base_url == "https://gov.example.cn/gw"
    assert config.units[0].contacts == ["wecombot://abc-KEY_123"]


def test_the_schedule_runs_notify_only_when_asked(tmp_path: Path) -> None:
    shipped = load_schedule(DEMO_CONFIG.parent / "schedule.yaml")
    assert "notify" not in [j.id for j in planned_jobs(shipped, "x.yaml")]
    assert "# notify:" in (DEMO_CONFIG.parent / "schedule.yaml").read_text(encoding="utf-8")
    plan = tmp_path / "schedule.yaml"
    plan.write_text('jobs:\n  notify: {cron: "30 7 * * *"}\n', encoding="utf-8")
    job = next(j for j in planned_jobs(load_schedule(plan), "x.yaml") if j.id == "notify")
    assert job.name == "每日通知" and job.kwargs == {"config_path": "x.yaml"}
    from govwatch.cli.jobs import JOBS, notify_job
    assert job.func is notify_job is JOBS["notify"]
