"""The ``unit`` role (被考核单位) of the review web app: a unit user sees its own units' data
only, in every route (an IDOR sweep over ``web.app.ROUTES``), reviews nothing, and submits
整改说明 on its confirmed findings, which the next monitor run re-checks."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from starlette.routing import Route

from govwatch.cli.web import users
from govwatch.timeutil import CHINA
from monitors import not_rectified
from monitors.runner import run_monitors
from reports.lifecycle import drafts_dir, reports_dir
from storage import repo
from storage.models import Bulletin, ManualEntry, Rectification, Review
from web import auth
from web.app import ROUTES

from .conftest import DEMO_CONFIG
from .test_web import PASSWORD, REVIEWER, Env, _login, env  # noqa: F401 (fixture)

UNIT_USER = "城关镇联络员"  # bound to A01 (城关镇)
OTHER_TITLE = "关于开展重点项目建设工作的通知"  # the B01 stale finding's newest item
OTHER_NAME = "县发改局"  # B01
STATEMENT = "已于9月10日更新栏目，补发通知3条。"


@pytest.fixture()
def unit_env(env: Env) -> Env:  # noqa: F811
    """The web env with a unit user for A01 and both units' findings confirmed."""
    with env.db.session() as session:
        auth.create_user(session, UNIT_USER, PASSWORD, "unit", ["A01"])
        repo.review_findings(session, [env.ids["hostile"], env.ids["stale"]],
                             to_status="confirmed", actor=REVIEWER)
    return env


def _fill(path: str, web: Env, draft: str) -> str:
    """A route's path with another unit's (B01) finding id, unit code or a draft file name."""
    values = {"finding_id": str(web.ids["stale"]), "code": "B01", "name": draft}
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)


def _leaks(body: str) -> bool:
    return OTHER_TITLE in body or OTHER_NAME in body or "/units/B01" in body


def test_a_unit_user_can_read_or_change_nothing_of_another_unit(unit_env: Env) -> None:
    web = unit_env
    # a draft bulletin naming the other unit's finding, and the files a route could serve
    drafts = drafts_dir(reports_dir(web.config))
    drafts.mkdir(parents=True)
    draft = "通报-2021-W36.html"
    (drafts / draft).write_text(f"<p>{OTHER_NAME} {OTHER_TITLE}</p>", encoding="utf-8")
    client = web.client()
    token = _login(client, UNIT_USER)
    routes = [r for r in ROUTES if isinstance(r, Route)]
    assert len(routes) > 20
    form = {"csrf_token": token, "id": str(web.ids["stale"]), "action": "dismiss",
            "reason": "越权", f"seen-{web.ids['stale']}": "confirmed", "text": STATEMENT,
            "url": "https://example.gov.cn/", "unit": "B01", "kind": "扣分", "ref": "B1.1",
            "points": "1", "year": "2021", "entry_id": "1", "week": "2021-W36"}
    checked = []
    for route in routes:
        path = _fill(route.path, web, draft)
        for method in sorted(route.methods or ()):
            if method == "HEAD" or path in ("/login", "/logout"):
                continue
            checked.append((method, path))
            if method == "GET":
                response = client.get(path, params={"unit": "B01", "status": "all"})
            else:
                response = client.post(path, data=form)
            if "{" in route.path or method == "POST":
                assert response.status_code in (403, 404), (method, path, response.status_code)
            else:
                assert response.status_code in (200, 303, 403), (path, response.status_code)
            assert not _leaks(response.text), (method, path)
    assert ("POST", f"/findings/{web.ids['stale']}/rectification") in checked
    assert ("GET", f"/findings/{web.ids['stale']}") in checked
    # another unit's finding answers exactly as a finding that does not exist
    missing = client.get("/findings/999999")
    assert missing.status_code == 404
    assert client.get(f"/findings/{web.ids['stale']}").text == missing.text
    with web.db.session() as session:
        assert web.status(web.ids["stale"]) == "confirmed"
        assert session.scalar(select(func.count()).select_from(Rectification)) == 0
        assert session.scalar(select(func.count()).select_from(ManualEntry)) == 0
        assert session.scalar(select(func.count()).select_from(Bulletin)) == 0
        assert session.scalar(select(func.count()).select_from(Review)
                              .where(Review.actor == UNIT_USER)) == 0


def test_a_unit_user_sees_its_own_unit_and_reviews_nothing(unit_env: Env) -> None:
    web = unit_env
    client = web.client()
    token = _login(client, UNIT_USER)
    own = web.ids["hostile"]
    queue = client.get("/queue", params={"status": "all"}).text
    assert f"/findings/{own}" in queue and f"/findings/{web.ids['stale']}" not in queue
    assert "被考核单位账号" in queue and "人工录入" not in queue
    assert client.get(f"/findings/{own}").status_code == 200
    assert client.get(f"/findings/{own}/snapshot").status_code == 200
    assert client.get(f"/findings/{own}/screenshot").status_code == 200
    assert client.get("/units/A01").status_code == 200
    units = client.get("/units").text
    assert "/units/A01" in units and "/units/A02" not in units
    ranking = client.get("/ranking").text
    assert 'data-unit="A01"' in ranking and 'data-unit="A02"' not in ranking
    assert client.get("/entries").status_code == 403
    assert client.get("/downloads/score-sheet.xlsx").status_code == 403
    refused = client.post(f"/findings/{own}/review",
                          data={"csrf_token": token, "action": "reopen", "reason": "x"})
    assert refused.status_code == 403 and "被考核单位账号不能确认" in refused.text
    assert web.status(own) == "confirmed"


def test_a_unit_submits_a_rectification_statement(unit_env: Env) -> None:
    web = unit_env
    own, pending = web.ids["hostile"], web.ids["stale_old"]
    with web.db.session() as session:  # a pending finding of its own unit too
        auth.set_role(session, UNIT_USER, "unit", ["A01", "B01"])
    client = web.client()
    token = _login(client, UNIT_USER)
    for data, problem in (({"text": ""}, "请填写整改说明"),
                          ({"text": STATEMENT, "url": "javascript:alert(1)"}, "佐证链接")):
        client.post(f"/findings/{own}/rectification", data={"csrf_token": token, **data})
        assert problem in client.get(f"/findings/{own}").text
    client.post(f"/findings/{pending}/rectification",
                data={"csrf_token": token, "text": STATEMENT})
    assert "只能对已确认的问题提交整改说明" in client.get(f"/findings/{pending}").text
    done = client.post(f"/findings/{own}/rectification", data={
        "csrf_token": token, "text": STATEMENT, "url": "https://portal.example/a01/1.html"})
    assert done.status_code == 303
    page = client.get(f"/findings/{own}").text
    assert f"已提交整改说明（提交人：{UNIT_USER}）" in page and STATEMENT in page
    with web.db.session() as session:
        (row,) = repo.rectifications_of(session, own)
        assert (row.user_name, row.url, row.outcome) == (
            UNIT_USER, "https://portal.example/a01/1.html", None)
        assert row.submitted_at is not None
        assert repo.rectifications_of(session, pending) == []

    reviewer = web.client()
    reviewer_token = _login(reviewer)
    assert STATEMENT in reviewer.get(f"/findings/{own}").text
    queue = reviewer.get("/queue", params={"status": "confirmed"}).text
    assert queue.count("已提交整改说明") == 1
    refused = reviewer.post(f"/findings/{own}/rectification",
                            data={"csrf_token": reviewer_token, "text": "代写"})
    assert refused.status_code == 403


def test_the_next_monitor_run_records_the_recheck(unit_env: Env) -> None:
    """No crawl data in this env: the re-check is recorded as unknown (tried again later)."""
    web = unit_env
    with web.db.session() as session:
        repo.add_rectification(session, web.ids["stale"], user_name="县发改局联络员",
                               text=STATEMENT, url=None)
    report = run_monitors(web.db, web.config, date(2021, 9, 14))
    assert report.rechecked == 1
    with web.db.session() as session:
        (row,) = repo.rectifications_of(session, web.ids["stale"])
        assert row.outcome == "unknown" and row.checked_as_of == date(2021, 9, 14)
        assert "暂无法核实" in (row.detail or "")
        assert len(repo.pending_rechecks(session)) == 1  # unknown: re-checked next run


def _facts(**changes: object) -> repo.SourceFacts:
    base = dict(source_id=7, source_name="通知公告", source_url="http://x.example/",
                source_type="column", kind="general", expect_update=True, thresholds={},
                unit_id=1, unit_code="B01", unit_name=OTHER_NAME, category="B",
                last_run_id=1, last_run_outcome="ok",
                last_run_started=datetime(2021, 9, 14, 8, tzinfo=CHINA), last_run_error=None,
                last_run_status=200, newest_item_id=1, newest_published_on=date(2021, 9, 12),
                newest_url=None, newest_title=None, snapshot_id=None)
    return repo.SourceFacts(**{**base, **changes})  # type: ignore[arg-type]


def _statement(rule: str, submitted: date = date(2021, 9, 11)) -> repo.PendingRecheck:
    return repo.PendingRecheck(1, 2, rule, "item:5" if rule == "uninterpreted_policy"
                               else "source:7", 1, "B", 7, 5, date(2021, 9, 8), submitted)


@pytest.mark.parametrize(("rule", "facts", "uninterpreted", "posts", "outcome"), [
    ("stale_column", {}, set(), {}, "rectified"),
    ("stale_column", {"newest_published_on": date(2021, 8, 27)}, set(), {}, "not_rectified"),
    ("stale_column", {"last_run_outcome": "http_error"}, set(), {}, "unknown"),
    ("stale_column", {"last_run_started": datetime(2021, 9, 1, tzinfo=CHINA)}, set(), {},
     "unknown"),  # outdated data
    ("stale_column", {"last_run_started": datetime(2021, 9, 10, 8, tzinfo=CHINA)}, set(), {},
     "unknown"),  # fresh, but crawled before the statement
    ("uninterpreted_policy", {}, {"item:5"}, {}, "not_rectified"),
    ("uninterpreted_policy", {}, set(), {}, "rectified"),
    ("low_post_frequency", {"source_type": "account"}, set(),
     {7: {date(2021, 9, 14) - timedelta(days=d): 1 for d in range(3)}}, "rectified"),
    ("low_post_frequency", {"source_type": "account"}, set(), {7: {date(2021, 9, 14): 1}},
     "not_rectified"),
])
def test_recheck_judges_the_condition_on_fresh_data(
        rule: str, facts: dict[str, object], uninterpreted: set[str],
        posts: dict[int, dict[date, int]], outcome: str) -> None:
    (result,) = not_rectified.recheck([_statement(rule)], {7: _facts(**facts)}, uninterpreted,
                                      posts, date(2021, 9, 14))
    assert result.outcome == outcome, result.detail
    assert result.detail


def test_recheck_leaves_other_rules_alone() -> None:
    assert not_rectified.recheck([_statement("crawl_failure")], {7: _facts()}, set(), {},
                                 date(2021, 9, 14)) == []


def test_users_command_binds_units(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVWATCH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    obj = {"config": DEMO_CONFIG}

    def run(*args: str) -> str:
        result = runner.invoke(users, list(args), input="unit password 1\n", obj=obj)
        return f"{result.exit_code}:{result.output}"

    assert run("add", "联络员", "--role", "unit", "--password-stdin").startswith("1:")
    assert "没有单位「Z99」" in run("add", "联络员", "--role", "unit", "--units", "A01,Z99",
                                  "--password-stdin")
    added = run("add", "联络员", "--role", "unit", "--units", "A01,A02", "--password-stdin")
    assert added.startswith("0:") and "A01、A02" in added
    assert "只有 unit" in run("role", "联络员", "viewer", "--units", "A01")
    assert run("role", "联络员", "unit", "--units", "B01").startswith("0:")
    listed = run("list")
    assert re.search(r"联络员\s*│\s*被考核单位\s*│\s*正常.*B01", listed), listed
