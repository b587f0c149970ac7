"""The measured rubric lines on the real crawl of the demo portal (issue 22): the real portal on
127.0.0.1, the real Scrapy engine in a child process, a real SQLite file, every monitor, then
the score through the CLI.

On 1 February 2026: B02's ten interpretations (8 图解/视频 → 80 %, 4 carried by its
WeChat account → 40 %) give the rubric's deductions, an entered percentage overrides the
measured one and says so; A02's 留言 board has exactly one late reply; B03's 2025 annual report
is missing, A03's is not. Expectations come from the portal's ground truth
(``demo_portal.site.measures``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import delete, select

from demo_portal.site import INTERPRETATIONS, MESSAGES, MISSING_ANNUAL_REPORT, Site
from govwatch.cli import app, main
from govwatch.config import CountyConfig, load_config
from monitors.runner import run_monitors
from storage import repo
from storage.db import Database
from storage.models import Item, Source, Unit

from .conftest import DEMO_CONFIG, config_text_in, serving_demo

AS_OF = date(2026, 2, 1)  # a Sunday; before the crawl's wall-clock day, as crawls replay
UNITS = ("A02", "A03", "B02", "B03")
SLOW = {("B02", "工作动态"), ("B03", "行政执法公示")}  # a browser column and a 6 s timeout


@dataclass
class Measured:
    site: Site
    config: CountyConfig
    config_file: Path
    db: Database


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Measured]:
    """Units A02, A03, B02 and B03 crawled and monitored as of 2026-02-01."""
    folder = tmp_path_factory.mktemp("measured")
    with serving_demo(AS_OF) as portal:
        config_file = folder / "demo.yaml"
        config_file.write_text(config_text_in(DEMO_CONFIG, folder / "data"), encoding="utf-8")
        config = load_config(config_file)
        db = app.open_database(config)
        with db.session() as session:
            ids = {sid for (code, name), sid in repo.source_ids(session).items()
                   if code in UNITS and (code, name) not in SLOW}
        summary = app.crawl(config, db, source_ids=ids, reference_date=AS_OF)
        assert summary.result is not None and summary.result.error is None
        run_monitors(db, config, AS_OF)
        yield Measured(portal.site, config, config_file, db)
        db.dispose()


def findings(db: Database, rule: str) -> list[repo.FindingRow]:
    with db.session() as session:
        return [r for r in repo.list_findings(session) if r.rule == rule]


def test_each_interpretation_gets_its_planted_form_and_channel(measured: Measured) -> None:
    with measured.db.session() as session:
        rows = session.execute(
            select(Item.title, Item.form, Item.form_reason, Item.channel, Item.channel_reason)
            .join(Source, Source.id == Item.source_id).join(Unit, Unit.id == Source.unit_id)
            .where(Unit.code == "B02", Source.kind == "interpretation")).all()
    found = {title: (form, channel) for title, form, _, channel, _ in rows}
    assert found == {i.title: (i.form, "carried" if i.carried_on_wechat else "absent")
                     for i in INTERPRETATIONS}
    assert all(reason and channel_reason for _, _, reason, _, channel_reason in rows)


def test_exactly_the_late_reply_is_found(measured: Measured) -> None:
    late = findings(measured.db, "late_reply")
    assert [(r.unit_code, r.evidence["title"]) for r in late] == [
        ("A02", m.title) for m in MESSAGES if m.late]
    (row,) = late
    assert row.evidence["limit_hours"] == 48 and row.evidence["hours"] == 73
    assert row.points == 2  # Lingchuan A5.4.2a: 发现一次扣2分


def test_the_missing_annual_report_is_found(measured: Measured) -> None:
    missing = findings(measured.db, "annual_report_missing")
    assert [(r.unit_code, r.evidence["report_year"]) for r in missing] == [
        (MISSING_ANNUAL_REPORT, 2025)]
    assert missing[0].evidence["due_on"] == "2026-01-31"
    assert missing[0].points == 0  # the rubrics leave the deduction to the team


def score(measured: Measured, *args: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(measured.config_file), "score", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def b02_lines(measured: Measured) -> dict[str, dict]:
    data = json.loads(score(measured, "--year", "2026", "--format", "json"))
    (unit,) = [u for u in data["units"] if u["unit_code"] == "B02"]
    return {line["id"]: line for ind in unit["indicators"] for line in ind["lines"]}


def test_measured_percentages_deduct_and_an_entry_overrides_them(measured: Measured,
                                                                 tmp_path: Path) -> None:
    lines = b02_lines(measured)
    forms, channels = lines["B5.2.1"], lines["B5.3.1"]
    assert forms["deduction"] == 4  # 80 %: 5 steps of 2 below 90, 扣分上限 4
    assert channels["deduction"] == 5  # 40 %: 10 steps of 1 below 50, 0.5 each
    (shown,) = forms["measures"]
    assert (shown["percent"], shown["origin"], shown["counted"]) == (80, "measured", True)
    assert {i["title"] for i in shown["items"]} == {i.title for i in INTERPRETATIONS}
    assert sum(i["counts"] for i in shown["items"]) == 8

    table = score(measured, "--year", "2026")
    assert "实测项" in table and "80%（8/10）" in table and "40%（4/10）" in table

    sheet = tmp_path / "评分表.xlsx"
    score(measured, "--year", "2026", "--format", "xlsx", "--out", str(sheet))
    rows = list(load_workbook(sheet)["实测明细"].iter_rows(min_row=3, values_only=True))
    assert len([r for r in rows if r[0] == "B02"]) == 20  # 10 items × 2 measured values

    entry = tmp_path / "录入.csv"
    entry.write_text("单位代码,类型,评分项编号,实测百分比,说明（证据）,录入人,年度\n"
                     "B02,扣分,B5.2.1a,92,单位提供的解读台账,张三,2026\n", encoding="utf-8-sig")
    result = CliRunner().invoke(main, ["--config", str(measured.config_file), "entries",
                                       "import", str(entry)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    forms = b02_lines(measured)["B5.2.1"]
    assert forms["deduction"] == 0
    assert [(m["origin"], m["counted"], m["percent"]) for m in forms["measures"]] == [
        ("entered", True, 92), ("measured", False, 80)]
    assert any("govwatch 实测值 80% 未采用" in note for note in forms["notes"])


def test_the_finding_pages_show_the_evidence(measured: Measured) -> None:
    import re
    import warnings

    from web import auth
    from web.app import create_app

    with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 but still supports httpx
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    with measured.db.session() as session:
        auth.create_user(session, "审核员甲", "correct horse 42", "reviewer")
    client = TestClient(create_app(measured.config, measured.db, secret_key="test-secret"),
                        base_url="http://127.0.0.1", follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"name": "审核员甲", "password": "correct horse 42",
                                "csrf_token": token.group(1)})
    (late,) = findings(measured.db, "late_reply")
    page = client.get(f"/findings/{late.id}").text
    assert late.evidence["title"] in page and "用时 73 小时" in page and "48 小时" in page
    (missing,) = findings(measured.db, "annual_report_missing")
    page = client.get(f"/findings/{missing.id}").text
    assert "2025年政府信息公开工作年度报告" in page and "2026-01-31" in page
    assert "按细则以人工录入计分" in page


def _interpretation_states(db: Database) -> dict[str, tuple[str | None, ...]]:
    with db.session() as session:
        rows = session.execute(
            select(Item.title, Item.form, Item.form_reason, Item.channel, Item.channel_reason)
            .join(Source, Source.id == Item.source_id)
            .where(Source.kind == "interpretation")).all()
    return {title: tuple(rest) for title, *rest in rows}


def test_a_rerun_judges_absent_interpretations_against_the_posts_the_last_run_could_not_see(
        measured: Measured, tmp_path: Path) -> None:
    """An absent verdict is judged against the posts stored since the last run, changed
    since, or published after its as-of date only — with the verdict a judging against all
    posts gives; an account added makes the next run judge every open verdict afresh."""
    from datetime import timedelta

    from govwatch.timeutil import now
    from storage.models import RuleRun

    (absent_a, absent_b, absent_c, *_) = [i for i in INTERPRETATIONS if not i.carried_on_wechat]
    copies = {}
    for name in ("rerun", "afresh"):  # the same store, run as the next run and from scratch
        with closing(sqlite3.connect(measured.db.engine.url.database or "")) as source, \
                closing(sqlite3.connect(tmp_path / f"{name}.db")) as copy:
            source.backup(copy)  # the write-ahead log's pages too
        copies[name] = Database(f"sqlite:///{tmp_path / name}.db")
    for db in copies.values():
        with db.session() as session:
            (wechat,) = session.scalars(
                select(Source.id).join(Unit, Unit.id == Source.unit_id)
                .where(Unit.code == "B02", Source.type == "account"))
            (run_key,) = [r for r in session.scalars(select(RuleRun.rule))
                          if r.startswith("interpretation_channels:")]
            last = repo.last_rule_run(session, run_key)
            assert last is not None and last[0] == AS_OF
            before = last[1] - timedelta(days=1)  # what the last run read

            def post(path: str, title: str, days_before: int, seen_at: datetime) -> None:
                repo.store_items(session, wechat, [repo.ItemRecord(  # noqa: B023
                    f"https://mp.weixin.qq.com/s/{path}", title,
                    AS_OF - timedelta(days=days_before))], seen_at=seen_at)

            # carrying one absent interpretation: a post stored after the last run read, and
            # a post it read, retitled since; carrying another: a post it read (and judged)
            post("new", f"【解读】{absent_a.title}", 1, now())
            post("retitled", "县教育局召开工作推进会", 3, before)
            post("retitled", absent_c.title, 3, now())
            post("old", absent_b.title, 2, before)
            session.commit()
    with copies["afresh"].session() as session:
        session.execute(delete(RuleRun).where(RuleRun.rule.startswith("interpretation_")))
        session.commit()

    run_monitors(copies["rerun"], measured.config, AS_OF)
    run_monitors(copies["afresh"], measured.config, AS_OF)
    rerun, afresh = (_interpretation_states(db) for db in copies.values())
    for carried in (absent_a, absent_c):
        assert rerun[carried.title] == afresh[carried.title]
        assert afresh[carried.title][2] == "carried"
    assert "【解读】" in (rerun[absent_a.title][3] or "")
    # the post the last run read was judged then: only a judging afresh looks at it again
    assert rerun[absent_b.title][2] == "absent" and afresh[absent_b.title][2] == "carried"
    assert {t: s for t, s in rerun.items() if t != absent_b.title} == {
        t: s for t, s in afresh.items() if t != absent_b.title}

    # an account added to the unit: every open verdict is judged against all posts again
    with copies["rerun"].session() as session:
        (unit_id,) = session.scalars(select(Unit.id).where(Unit.code == "B02"))
        session.add(Source(unit_id=unit_id, name="演示县教育局微博", type="account",
                           kind="weibo", url="https://weibo.com/u/1", thresholds={}))
        session.commit()
    run_monitors(copies["rerun"], measured.config, AS_OF)
    assert _interpretation_states(copies["rerun"])[absent_b.title] == afresh[absent_b.title]
    for db in copies.values():
        db.dispose()
