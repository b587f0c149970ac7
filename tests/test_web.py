"""The review web app over HTTP (Starlette's test client, a real SQLite file, no crawl):
accounts and password hashing, sessions, CSRF on every POST, roles, escaping of crawled text,
the snapshot's Content-Security-Policy, manual entries, downloads, and the users commands."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select
from starlette.routing import Route

from govwatch.cli import app as gapp
from govwatch.cli.web import users
from govwatch.config import CountyConfig
from storage import repo
from storage.db import Database
from storage.models import Finding, ManualEntry, Review, Source, Unit
from web import auth
from web.app import create_app
from web.security import APP_CSP, SNAPSHOT_CSP

from .conftest import DEMO_CONFIG, ROOT, config_in, config_text_in

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 but still supports httpx
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

HOSTILE = '<script>alert("xss")</script>关于做好防汛工作的通知'
REVIEWER, VIEWER = "审核员甲", "查看员乙"
PASSWORD = "correct horse 42"


@dataclass
class Env:
    config: CountyConfig
    db: Database
    ids: dict[str, int]  # label → finding id

    def client(self, **options: object) -> TestClient:
        return TestClient(create_app(self.config, self.db, secret_key="test-secret",
                                     **options),  # type: ignore[arg-type]
                          base_url="http://127.0.0.1", follow_redirects=False)

    def status(self, finding_id: int) -> str:
        with self.db.session() as session:
            finding = session.get(Finding, finding_id)
            assert finding is not None
            return finding.status


def _source(session: object, unit: str, name: str) -> Source:
    return session.scalar(select(Source).join(Unit).where(  # type: ignore[attr-defined]
        Unit.code == unit, Source.name == name))


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    config = config_in(DEMO_CONFIG, tmp_path / "data")
    db = gapp.open_database(config)
    as_of = date(2021, 9, 8)
    with db.session() as session:
        auth.create_user(session, REVIEWER, PASSWORD, "reviewer")
        auth.create_user(session, VIEWER, PASSWORD, "viewer")
        a01 = _source(session, "A01", "政务动态")
        b01 = _source(session, "B01", "通知公告")
        snap = repo.save_snapshot(
            session, tmp_path / "data", source_id=a01.id, crawl_run_id=None,
            url="http://portal.example/a01/zwdt/",
            html=f"<html><body><h1>政务动态</h1><script>alert(1)</script><p>{HOSTILE}</p>"
                 "</body></html>", png=b"\x89PNG\r\n\x1a\nfake")
        drafts = [
            repo.FindingDraft(
                rule="uninterpreted_policy", unit_id=a01.unit_id, subject="item:hostile",
                period="2021-W35", as_of=as_of, points=1.0, source_id=a01.id,
                snapshot_id=snap, indicator="A5.1.1",
                evidence={"item_url": "javascript:alert(2)", "policy_title": HOSTILE,
                          "published_on": "2021-08-20", "grace_days": 3,
                          "match_threshold": 0.85, "matched_on": HOSTILE,
                          "candidates": [{"title": HOSTILE, "url": "javascript:alert(3)",
                                          "score": 0.4, "by_link": False}]}),
            repo.FindingDraft(
                rule="stale_column", unit_id=b01.unit_id, subject=f"source:{b01.id}",
                period="2021-W36", as_of=as_of, points=1.0, source_id=b01.id,
                evidence={"column_url": b01.url, "item_url": "http://portal.example/b01/1.html",
                          "newest_title": "关于开展重点项目建设工作的通知",
                          "newest_published_on": "2021-08-27", "days_without_update": 12,
                          "threshold_days": 7}),
            repo.FindingDraft(
                rule="stale_column", unit_id=b01.unit_id, subject=f"source:{b01.id}",
                period="2021-W35", as_of=date(2021, 9, 1), points=1.0, source_id=b01.id,
                evidence={"newest_published_on": "2021-08-27", "days_without_update": 5}),
        ]
        new, _ = repo.save_findings(session, drafts)
    yield Env(config, db, dict(zip(("hostile", "stale", "stale_old"), new, strict=True)))
    db.dispose()


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _login(client: TestClient, name: str = REVIEWER, password: str = PASSWORD) -> str:
    """Log in through the form; the CSRF token of the new session."""
    page = client.get("/login")
    done = client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": _token(page.text)})
    assert done.status_code == 303, done.text
    return _token(client.get("/queue").text)


# ----------------------------------------------------------------------------- accounts


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = auth.hash_password("secret-123"), auth.hash_password("secret-123")
    assert first.startswith("scrypt$") and first != second
    assert "secret-123" not in first
    assert auth.verify_password("secret-123", first)
    assert not auth.verify_password("secret-124", first)
    assert not auth.verify_password("secret-123", "garbage")


def test_user_rules(env: Env) -> None:
    with env.db.session() as session:
        with pytest.raises(auth.UserError, match="已存在"):
            auth.create_user(session, REVIEWER, PASSWORD, "viewer")
        with pytest.raises(auth.UserError, match="至少"):
            auth.create_user(session, "新人", "short", "viewer")
        with pytest.raises(auth.UserError, match="角色"):
            auth.create_user(session, "新人", PASSWORD, "admin")
        assert auth.authenticate(session, REVIEWER, PASSWORD) is not None
        assert auth.authenticate(session, REVIEWER, "wrong password") is None
        auth.deactivate_user(session, VIEWER)
        assert auth.authenticate(session, VIEWER, PASSWORD) is None
        back = auth.create_user(session, VIEWER, "another pass 1", "reviewer")
        assert back.active and back.role == "reviewer"


def test_secret_key_is_kept_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(auth.SECRET_ENV, raising=False)
    key = auth.load_secret_key(tmp_path)
    path = tmp_path / auth.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.load_secret_key(tmp_path) == key and len(key) >= 40
    monkeypatch.setenv(auth.SECRET_ENV, "from-the-environment")
    assert auth.load_secret_key(tmp_path) == "from-the-environment"


# ----------------------------------------------------------------------------- sessions


def test_pages_need_a_login(env: Env) -> None:
    client = env.client()
    for path in ("/queue", "/findings/1", "/units", "/ranking", "/entries", "/downloads",
                 f"/findings/{env.ids['hostile']}/snapshot"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_login_sets_a_protected_session_cookie(env: Env) -> None:
    client = env.client()
    page = client.get("/login")
    wrong = client.post("/login", data={"name": REVIEWER, "password": "nope nope",
                                        "csrf_token": _token(page.text)})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    done = client.post("/login", data={"name": REVIEWER, "password": PASSWORD,
                                       "next": "/ranking", "csrf_token": _token(page.text)})
    assert done.status_code == 303 and done.headers["location"] == "/ranking"
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert client.get("/ranking").status_code == 200

    secure = env.client(secure_cookies=True)
    page = secure.get("/login")
    done = secure.post("/login", data={"name": REVIEWER, "password": PASSWORD,
                                       "csrf_token": _token(page.text)})
    assert "secure" in done.headers["set-cookie"].lower()
    assert "max-age" in done.headers.get("strict-transport-security", "")


def test_login_refuses_other_sites_and_too_many_failures(env: Env) -> None:
    client = env.client()
    token = _token(client.get("/login").text)
    done = client.post("/login", data={"name": REVIEWER, "password": PASSWORD,
                                       "next": "//evil.example/", "csrf_token": token})
    assert done.headers["location"] == "/queue"

    other = env.client()
    token = _token(other.get("/login").text)
    for _ in range(5):
        other.post("/login", data={"name": VIEWER, "password": "bad password",
                                   "csrf_token": token})
    blocked = other.post("/login", data={"name": VIEWER, "password": PASSWORD,
                                         "csrf_token": token})
    assert blocked.status_code == 429


def test_logout_and_password_change_end_the_session(env: Env) -> None:
    client = env.client()
    token = _login(client)
    copied = dict(client.cookies)  # a session cookie copied (stolen) before logout
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/queue").status_code == 303
    thief = env.client()
    thief.cookies.update(copied)
    assert thief.get("/queue").status_code == 303  # logout ended it on the server too

    _login(client)
    with env.db.session() as session:
        auth.set_password(session, REVIEWER, "a brand new password")
    assert client.get("/queue").status_code == 303


# ----------------------------------------------------------------------------- CSRF and roles


def _post_routes() -> list[str]:
    from web.app import ROUTES

    return [r.path.replace("{finding_id:int}", "1") for r in ROUTES
            if isinstance(r, Route) and "POST" in (r.methods or ())]


def test_every_post_without_the_csrf_token_is_refused(env: Env) -> None:
    paths = _post_routes()
    assert {"/login", "/logout", "/findings/review", "/findings/1/review", "/entries"} <= set(paths)
    anonymous = env.client()
    client = env.client()
    _login(client)
    form = {"action": "confirm", "id": str(env.ids["stale"]), "name": REVIEWER,
            "password": PASSWORD, "unit": "B01", "kind": "扣分", "ref": "B1.1.1", "note": "x"}
    for who in (anonymous, client):
        for path in paths:
            response = who.post(path, data=form)
            assert response.status_code == 403, path
            bad = who.post(path, data={**form, "csrf_token": "forged"})
            assert bad.status_code == 403, path
    assert client.get("/queue").status_code == 200  # still logged in
    assert env.status(env.ids["stale"]) == "pending"
    with env.db.session() as session:
        assert session.scalars(select(ManualEntry)).all() == []


def test_a_viewer_reads_but_cannot_change_anything(env: Env) -> None:
    client = env.client()
    token = _login(client, VIEWER)
    page = client.get("/queue")
    assert page.status_code == 200 and "只读账号" in page.text and "确认所选" not in page.text
    detail = client.get(f"/findings/{env.ids['stale']}")
    assert "确认问题" not in detail.text
    refused = client.post(f"/findings/{env.ids['stale']}/review",
                          data={"action": "confirm", "csrf_token": token})
    assert refused.status_code == 403 and "只读账号" in refused.text
    bulk = client.post("/findings/review", data={"action": "confirm", "csrf_token": token,
                                                 "id": str(env.ids["stale"])})
    assert bulk.status_code == 403
    entry = client.post("/entries", data={"unit": "B01", "kind": "扣分", "ref": "B1.1.1",
                                          "note": "会议纪要缺失", "csrf_token": token})
    assert entry.status_code == 403
    assert env.status(env.ids["stale"]) == "pending"


def test_reviews_record_the_logged_in_user(env: Env) -> None:
    client = env.client()
    token = _login(client)
    stale, old = env.ids["stale"], env.ids["stale_old"]
    done = client.post(f"/findings/{stale}/review", data={"action": "confirm",
                                                          "csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == f"/findings/{stale}"
    page = client.get(f"/findings/{stale}")
    assert f"已确认 1 条问题（审核人：{REVIEWER}）" in page.text

    no_reason = client.post("/findings/review", data={"action": "dismiss", "id": str(old),
                                                      "csrf_token": token})
    assert no_reason.status_code == 303
    assert "驳回必须填写理由" in client.get("/queue").text
    assert env.status(old) == "pending"

    client.post("/findings/review", data={"action": "dismiss", "id": [str(old), str(stale)],
                                          "reason": "同一问题重复发现", "csrf_token": token,
                                          "back": "unit=B01&status=pending&evil=1"})
    with env.db.session() as session:
        reviews = session.scalars(select(Review).order_by(Review.id)).all()
    assert [(r.finding_id, r.actor, r.from_status, r.to_status, r.reason) for r in reviews] == [
        (stale, REVIEWER, "pending", "confirmed", None),
        (old, REVIEWER, "pending", "dismissed", "同一问题重复发现"),
        (stale, REVIEWER, "confirmed", "dismissed", "同一问题重复发现"),
    ]


# ----------------------------------------------------------------------------- crawled text


def test_crawled_text_is_escaped_and_hostile_links_are_dropped(env: Env) -> None:
    client = env.client()
    _login(client)
    for path in ("/queue?unit=A01", f"/findings/{env.ids['hostile']}", "/units/A01"):
        html = client.get(path).text
        assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html, path
        assert '<script>alert("xss")' not in html, path
        assert 'href="javascript' not in html, path
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']


def test_snapshots_are_served_inert(env: Env) -> None:
    client = env.client()
    _login(client)
    page = client.get(f"/findings/{env.ids['hostile']}")
    assert page.headers["content-security-policy"] == APP_CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert f'src="/findings/{env.ids["hostile"]}/snapshot" sandbox=""' in page.text
    snap = client.get(f"/findings/{env.ids['hostile']}/snapshot")
    assert snap.status_code == 200 and "<script>alert(1)</script>" in snap.text
    assert snap.headers["content-security-policy"] == SNAPSHOT_CSP
    assert snap.headers["x-content-type-options"] == "nosniff"
    png = client.get(f"/findings/{env.ids['hostile']}/screenshot")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert client.get(f"/findings/{env.ids['stale']}/snapshot").status_code == 404
    assert client.get("/findings/99999").status_code == 404


# ----------------------------------------------------------------------------- scores, entries


def _final(html: str, unit: str) -> str:
    row = re.search(rf'<tr data-unit="{unit}">(.*?)</tr>', html, re.S)
    assert row, unit
    found = re.search(r'class="num final"><b>([\d.]+)</b>', row.group(1))
    assert found
    return found.group(1)


def test_manual_entries_use_the_import_validation(env: Env) -> None:
    client = env.client()
    token = _login(client)
    assert _final(client.get("/ranking").text, "B02") == "100"
    bad = client.post("/entries", data={"unit": "B02", "kind": "扣分", "ref": "B9.9.9",
                                        "points": "两分", "note": "", "csrf_token": token})
    assert bad.status_code == 400
    assert "分值「两分」不是数字" in bad.text and "缺少说明（证据）" in bad.text
    good = client.post("/entries", data={"unit": "B02", "kind": "重大扣分", "ref": "B-ZD1",
                                         "note": "县政府通报〔2021〕3号", "year": "2021",
                                         "csrf_token": token})
    assert good.status_code == 303
    with env.db.session() as session:
        entry = session.scalars(select(ManualEntry)).one()
    assert (entry.kind, entry.rubric_line, entry.entered_by, entry.year) == (
        "major", "B-ZD1", REVIEWER, 2021)
    assert _final(client.get("/ranking?year=2021").text, "B02") == "90"
    assert "县政府通报〔2021〕3号" in client.get("/units/B02?year=2021").text

    # a mistyped entry is voided: kept in the history, out of the score
    page = client.get("/entries?year=2021").text
    assert 'action="/entries/void"' in page
    no_reason = client.post("/entries/void", data={"entry_id": str(entry.id), "year": "2021",
                                                   "reason": " ", "csrf_token": token})
    assert no_reason.status_code == 303
    assert "请写明作废或更正的原因" in client.get("/entries?year=2021").text
    assert _final(client.get("/ranking?year=2021").text, "B02") == "90"
    voided = client.post("/entries/void", data={"entry_id": str(entry.id), "year": "2021",
                                                "reason": "单位录错，应为 B03", "csrf_token": token})
    assert voided.status_code == 303
    page = client.get("/entries?year=2021").text
    assert f"已作废第 {entry.id} 号记录" in page and "修改历史" in page
    assert "单位录错，应为 B03" in page
    assert _final(client.get("/ranking?year=2021").text, "B02") == "100"
    with env.db.session() as session:
        kept = session.get_one(ManualEntry, entry.id)
    assert (kept.voided_by, kept.void_reason) == (REVIEWER, "单位录错，应为 B03")
    # a viewer may not void, and the token is required
    viewer = env.client()
    viewer_token = _login(viewer, VIEWER)
    assert viewer.post("/entries/void", data={"entry_id": str(entry.id), "reason": "x",
                                              "csrf_token": viewer_token}).status_code == 403
    assert client.post("/entries/void", data={"entry_id": str(entry.id),
                                              "reason": "x"}).status_code == 403


def test_downloads(env: Env) -> None:
    client = env.client()
    _login(client)
    sheet = client.get("/downloads/score-sheet.xlsx?year=2021")
    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")
    assert "filename*=UTF-8''" in sheet.headers["content-disposition"]
    assert "还没有生成周通报" in client.get("/downloads").text

    reports = Path(env.config.settings.data_dir) / "reports"
    reports.mkdir(parents=True)
    (reports / "通报-2021-W35.md").write_text("# old", encoding="utf-8")
    (reports / "通报-2021-W36.md").write_text("# 通报", encoding="utf-8")
    (reports / "通报-2021-W36.html").write_text("<script>x</script>", encoding="utf-8")
    (Path(env.config.settings.data_dir) / "secret.txt").write_text("no", encoding="utf-8")
    page = client.get("/downloads")
    assert "2021-W36" in page.text and "还没有生成周通报" not in page.text
    html = client.get("/downloads/reports/通报-2021-W36.html")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    assert html.headers["content-security-policy"] == SNAPSHOT_CSP
    for name in ("..%2Fsecret.txt", "secret.txt", "%2E%2E%2Fsecret_key"):
        assert client.get(f"/downloads/reports/{name}").status_code == 404


def test_downloads_show_bulletin_times_in_china_time(env: Env,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulletin's time is its files' mtime shown as 北京时间, whatever the server's zone."""
    reports = Path(env.config.settings.data_dir) / "reports"
    reports.mkdir(parents=True)
    for week in ("2021-W35", "2021-W36"):
        (reports / f"通报-{week}.md").write_text("# 通报", encoding="utf-8")
    written = 1630888200  # 2021-09-06 00:30 UTC = 08:30 in China
    os.utime(reports / "通报-2021-W36.md", (written, written))
    monkeypatch.setenv("TZ", "UTC")  # a server on UTC, as most are
    time.tzset()
    try:
        client = env.client()
        _login(client)
        page = client.get("/downloads").text
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "生成于 2021-09-06 08:30" in page
    assert re.search(r"<td>2021-W36</td><td>2021-09-06 08:30</td>", page), page


# ----------------------------------------------------------------------------- users command


def test_users_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVWATCH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    obj = {"config": DEMO_CONFIG}
    added = runner.invoke(users, ["add", "王五", "--role", "viewer", "--password-stdin"],
                          input="viewer password\n", obj=obj)
    assert added.exit_code == 0, added.output
    assert "已创建账号「王五」" in added.output
    again = runner.invoke(users, ["add", "王五", "--password-stdin"], input="x" * 10 + "\n",
                          obj=obj)
    assert again.exit_code == 1 and "已存在" in again.output
    short = runner.invoke(users, ["add", "赵六", "--password-stdin"], input="short\n", obj=obj)
    assert short.exit_code == 1 and "至少" in short.output
    prompted = runner.invoke(users, ["add", "赵六"], input="long enough 1\nlong enough 1\n",
                             obj=obj)
    assert prompted.exit_code == 0, prompted.output
    assert runner.invoke(users, ["passwd", "王五", "--password-stdin"],
                         input="another password\n", obj=obj).exit_code == 0
    assert runner.invoke(users, ["role", "王五", "reviewer"], obj=obj).exit_code == 0
    assert runner.invoke(users, ["remove", "赵六"], obj=obj).exit_code == 0
    listed = runner.invoke(users, ["list"], obj=obj)
    assert listed.exit_code == 0
    assert re.search(r"王五\s*│\s*审核人\s*│\s*正常", listed.output), listed.output
    assert re.search(r"赵六\s*│\s*审核人\s*│\s*已停用", listed.output), listed.output
    db = Database(f"sqlite:///{tmp_path / 'data' / 'govwatch.db'}")
    try:
        with db.session() as session:
            assert auth.authenticate(session, "王五", "another password") is not None
            assert auth.authenticate(session, "赵六", "long enough 1") is None
    finally:
        db.dispose()


def test_unicode_digits_in_queries_are_ignored_not_errors(env: Env) -> None:
    """?page=² / ?year=² ("²".isdigit() is true, int("²") raises): the default, never a 500."""
    client = env.client()
    token = _login(client)
    paths = ["/queue", "/queue?status=all", "/units", "/units/B01", "/ranking", "/entries",
             "/downloads", "/downloads/score-sheet.xlsx", f"/findings/{env.ids['stale']}", "/"]
    for path in paths:
        for value in ("²", "٣", "1" * 400):
            for key in ("page", "year"):
                sep = "&" if "?" in path else "?"
                got = client.get(f"{path}{sep}{key}={value}")
                assert got.status_code in (200, 303), (path, key, value, got.status_code)
    done = client.post("/findings/review", data={"action": "confirm", "id": ["²", "٣"],
                                                 "csrf_token": token})
    assert done.status_code == 303


# ----------------------------------------------------------------------------- two reviewers


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Env, int]]:
    """The demo county on SQLite or PostgreSQL, two reviewers, one pending finding."""
    config = config_in(DEMO_CONFIG, tmp_path / "data")
    url = (f"sqlite:///{tmp_path / 'shared.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    db = Database(url)
    db.migrate()
    with db.session() as session:
        repo.sync_config(session, config)
        for name in (REVIEWER, "审核员丙"):
            auth.create_user(session, name, PASSWORD, "reviewer")
        b01 = _source(session, "B01", "通知公告")
        new, _ = repo.save_findings(session, [repo.FindingDraft(
            rule="stale_column", unit_id=b01.unit_id, subject=f"source:{b01.id}",
            period="2021-W36", as_of=date(2021, 9, 8), points=1.0, source_id=b01.id,
            evidence={"newest_published_on": "2021-08-27", "days_without_update": 12})])
    yield Env(config, db, {"stale": new[0]}), new[0]
    db.dispose()


def test_two_reviewers_at_once_never_both_move_a_finding(
        shared_db: tuple[Env, int]) -> None:
    """One confirms, the other dismisses, at the same instant, both from the page showing
    待审核: exactly one change is recorded (a compare-and-set on the status they saw)."""
    env, finding = shared_db
    for attempt in range(4):
        with env.db.session() as session:  # back to pending for the next attempt
            if env.status(finding) != "pending":
                repo.review_findings(session, [finding], to_status="pending", actor="系统",
                                     reason="重新测试")
            start = session.scalar(select(func.count()).select_from(Review))
        clients = []
        for name in (REVIEWER, "审核员丙"):
            client = env.client()
            token = _login(client, name)
            page = client.get(f"/findings/{finding}")
            assert f'name="seen-{finding}" value="pending"' in page.text
            clients.append((client, token))
        barrier = threading.Barrier(2)
        answers: list[int] = []

        def act(client: TestClient, token: str, action: str, barrier: threading.Barrier,
                answers: list[int]) -> None:
            barrier.wait()
            done = client.post(f"/findings/{finding}/review",
                               data={"action": action, "reason": "并发审核", "csrf_token": token,
                                     f"seen-{finding}": "pending"})
            answers.append(done.status_code)

        threads = [threading.Thread(target=act, args=(*clients[0], "confirm", barrier, answers)),
                   threading.Thread(target=act, args=(*clients[1], "dismiss", barrier, answers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert answers == [303, 303], attempt
        with env.db.session() as session:
            reviews = session.scalars(select(Review).where(Review.finding_id == finding)
                                      .order_by(Review.id).offset(start)).all()
        assert len(reviews) == 1, [(r.actor, r.from_status, r.to_status) for r in reviews]
        assert reviews[0].from_status == "pending"
        assert env.status(finding) == reviews[0].to_status


def _serve(folder: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """`govwatch serve` (real uvicorn) on a free port for the demo config in ``folder``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = folder / "county.yaml"
    config.write_text(config_text_in(DEMO_CONFIG, folder / "data"), encoding="utf-8")
    gapp.open_database(config_in(config, folder / "data")).dispose()  # as `govwatch init`
    server = subprocess.Popen(
        [sys.executable, "-m", "govwatch", "--config", str(config), "serve", "--port",
         str(port), *options], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "GOVWATCH_CACHE_DIR": "off", "PYTHONIOENCODING": "utf-8"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/login", timeout=2)
            return server, base
        except httpx.TransportError:
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
            time.sleep(0.2)


def _spray(base: str, attempts: int) -> list[int]:
    """Failed logins, each for another name and claiming another client address."""
    statuses = []
    with httpx.Client(base_url=base) as client:
        for i in range(attempts):
            page = client.get("/login")
            done = client.post("/login", data={
                "name": f"user{i}", "password": "wrong", "csrf_token": _token(page.text)},
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"})
            statuses.append(done.status_code)
    return statuses


def test_a_client_cannot_choose_the_address_the_login_limit_counts(tmp_path: Path) -> None:
    server, base = _serve(tmp_path)
    try:
        statuses = _spray(base, 7)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    # X-Forwarded-For from a client is ignored: the sixth failure from this address is refused
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    # behind a configured proxy the header names the client (each address its own count)
    proxied, base = _serve(tmp_path, "--forwarded-allow-ips", "127.0.0.1")
    try:
        assert _spray(base, 7) == [401] * 7
    finally:
        proxied.terminate()
        proxied.communicate(timeout=30)


def test_the_queue_searches_exports_and_confirms_one_after_another(env: Env) -> None:
    client = env.client()
    token = _login(client)
    found = client.get("/queue?q=重点项目")
    assert found.status_code == 200
    assert f"/findings/{env.ids['stale']}?back=" in found.text
    assert f"/findings/{env.ids['hostile']}" not in found.text
    assert "共 <b>1</b> 条" in found.text
    both = client.get("/queue?q=B01 通知公告").text
    assert "共 <b>2</b> 条" in both

    # the queue as a sheet, every page, crawled text kept as text
    sheet = client.get("/queue.xlsx?status=pending")
    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")
    assert "filename*=UTF-8''" in sheet.headers["content-disposition"]
    book = load_workbook(BytesIO(sheet.content))
    rows = [[c.value for c in r] for r in book["审核清单"].iter_rows()]
    assert tuple(rows[0][:6]) == ("编号", "单位代码", "单位名称", "栏目/账号", "问题类型", "情况")
    assert sorted(r[0] for r in rows[1:]) == sorted(env.ids.values())
    assert all(c.data_type != "f" for r in book["审核清单"].iter_rows() for c in r)

    # 确认并下一条: each confirmation opens the next pending finding of the same queue
    back = "status=pending"
    page = client.get(f"/findings/{env.ids['stale']}?back={quote(back)}").text
    assert 'value="confirm_next"' in page and f'name="back" value="{back}"' in page
    seen = []
    current = env.ids["stale"]
    for _ in range(3):
        done = client.post(f"/findings/{current}/review", data={
            "action": "confirm_next", "back": back, "seen-" + str(current): "pending",
            "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303
        seen.append(current)
        target = done.headers["location"]
        if target.startswith("/queue"):
            break
        current = int(target.split("/findings/")[1].split("?")[0])
    assert sorted(seen) == sorted(env.ids.values())
    last = client.get(target).text
    assert "待审核的问题已全部处理" in last, re.findall(r'class="flash[^>]*>([^<]*)', last)
    with env.db.session() as session:
        assert {f.status for f in session.scalars(select(Finding))} == {"confirmed"}
