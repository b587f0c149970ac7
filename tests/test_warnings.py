"""Warnings (预警): warn before the deduction — never points, never findings.

Each kind's boundaries as pure functions (``monitors.warnings``); their lifecycle in storage
(opened, kept, resolved, a returning condition opening a new row, a replay of an earlier date
changing nothing) on SQLite and PostgreSQL; on the real demo portal, crawled and monitored as
of a Wednesday, then a Friday, then the next Monday, warnings opening and resolving as the
as-of date moves; the `warnings list` command; the 预警 page and the unit page's section.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from demo_portal.site import gsgg_newest_age
from govwatch.cli import app, main
from govwatch.config import ConfigError, CountyConfig, Thresholds, WarnPace, load_config
from govwatch.timeutil import CHINA, now
from monitors import crawl_failure, stale_column, uninterpreted_policy
from monitors import warnings as w
from monitors.rule_map import load_rule_map
from monitors.runner import run_monitors
from storage import repo
from storage.db import Database
from storage.models import EarlyWarning, Finding, Source, Unit
from storage.repo import PostFact, SourceFacts, WarningDraft

from .conftest import DEMO_CONFIG, config_in, config_text_in, serving_demo
from .test_web import HOSTILE, VIEWER, Env, _login, env  # noqa: F401  (env: a fixture)

RULES = load_rule_map()
WED = date(2021, 9, 8)  # ISO week 2021-W36: Monday 09-06 … Sunday 09-12


def crawled_on(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=CHINA)


def facts(source_type: str = "column", **changes: object) -> SourceFacts:
    base = SourceFacts(
        source_id=7, source_name="通知公告", source_url="http://x.gov.cn/tzgg/",
        source_type=source_type, kind="general" if source_type == "column" else "weibo",
        expect_update=True, thresholds={}, unit_id=1, unit_code="A01", unit_name="城关镇",
        category="A", last_run_id=3, last_run_outcome="ok",
        last_run_started=crawled_on(WED), last_run_error=None, last_run_status=None,
        newest_item_id=11, newest_published_on=date(2021, 9, 3),
        newest_url="http://x.gov.cn/tzgg/1.html", newest_title="关于防汛的通知",
        snapshot_id=5, oldest_published_on=date(2021, 6, 1),
        first_ok_at=datetime(2021, 6, 1, 2, tzinfo=CHINA), monitored_since=date(2021, 8, 2),
    )
    return replace(base, **changes)


# ----------------------------------------------------------------------------- stale_soon


def _days_old(days: int, **changes: object) -> SourceFacts:
    return facts(newest_published_on=WED - timedelta(days=days), **changes)


def test_stale_soon_from_stale_days_minus_the_lead_until_the_rule_fires() -> None:
    def warned(days: int, **changes: object) -> bool:
        return bool(w.stale_soon([_days_old(days, **changes)], WED))

    assert [d for d in range(10) if warned(d)] == [5, 6]  # 7 − 2 … 6; at 7 stale_column
    for days in range(10):
        stale = bool(stale_column.judge([_days_old(days)], WED, RULES))
        assert not (stale and warned(days)), days  # a warning or a finding, never both
    (draft,) = w.stale_soon([_days_old(6)], WED)
    assert (draft.kind, draft.subject, draft.source_id, draft.item_id) == (
        "stale_soon", "source:7", 7, 11)
    assert draft.evidence["stale_on"] == "2021-09-09"
    assert draft.evidence["days_without_update"] == 6
    # the source's own thresholds; a lead of 0 turns the warning off
    assert [d for d in range(16) if warned(d, thresholds={"stale_days": 14})] == [12, 13]
    assert [d for d in range(16) if warned(d, thresholds={"warn_lead_days": 4})] == [3, 4, 5, 6]
    assert not any(warned(d, thresholds={"warn_lead_days": 0}) for d in range(16))
    assert [d for d in range(10) if w.stale_soon([_days_old(d)], WED, 7, 1)] == [6]


def test_stale_soon_only_as_far_as_a_healthy_fresh_crawl_looked() -> None:
    assert not w.stale_soon([_days_old(6, expect_update=False)], WED)
    assert not w.stale_soon([_days_old(6, last_run_outcome="http_error")], WED)
    # counted to the crawl: crawled on Monday, judged on Wednesday
    monday = crawled_on(WED - timedelta(days=2))
    assert not w.stale_soon([_days_old(6, last_run_started=monday)], WED)  # 4 days to Monday
    (draft,) = w.stale_soon([_days_old(8, last_run_started=monday)], WED)
    assert draft.evidence["days_without_update"] == 6
    assert draft.evidence["seen_until"] == "2021-09-06"
    assert not stale_column.judge([_days_old(8, last_run_started=monday)], WED, RULES)
    # outdated data raises no warning
    assert not w.stale_soon([_days_old(6)], WED + timedelta(days=4))


# ----------------------------------------------------------------------------- behind_pace


def account(**changes: object) -> SourceFacts:
    return facts("account", source_id=8, source_name="城关发布", **changes)


def posts_on(*days: date) -> dict[int, dict[date, int]]:
    counts: dict[date, int] = {}
    for day in days:
        counts[day] = counts.get(day, 0) + 1
    return {8: counts}


def week_day(n: int) -> date:
    """The ISO weekday n (1 Monday … 7 Sunday) of 2021-W36."""
    return date(2021, 9, 5) + timedelta(days=n)


def pace(as_of: date, *posts: date, **changes: object) -> list[list[str]]:
    """The reasons of the warning as of ``as_of`` (crawled that morning), [] when none."""
    found = w.behind_pace([account(last_run_started=crawled_on(as_of), **changes)],
                          posts_on(*posts), as_of, 3, WarnPace(weekday=4, min_posts=1))
    return [d.evidence["reasons"] for d in found]


def test_behind_pace_by_the_weekday_or_out_of_reach() -> None:
    monday, tuesday, wednesday, thursday, friday, _saturday, sunday = map(week_day, range(1, 8))
    assert pace(wednesday) == []  # before Thursday, and 0 + 4 days left reach 3
    assert pace(thursday) == [["pace"]]  # by Thursday fewer than 1 post
    assert pace(thursday, monday) == []  # on pace: 1 post, 3 days left
    assert pace(friday, monday) == []  # 1 + 2 days left = 3: still reachable
    assert pace(friday) == [["pace", "unreachable"]]
    assert pace(sunday, monday, tuesday) == [["unreachable"]]
    assert pace(sunday, monday, tuesday, tuesday) == []  # 3 posts: the minimum is reached
    assert pace(monday, monday - timedelta(days=1)) == []  # last week's posts do not count
    # the county's pace, a source's own (replacing it), and the minimum per source
    assert pace(tuesday, monday, thresholds={"warn_pace": {"weekday": 2, "min_posts": 2}}) == [
        ["pace"]]
    assert pace(thursday, thresholds={"warn_pace": {"weekday": 4, "min_posts": 0}}) == []
    assert pace(wednesday, monday, thresholds={"min_weekly_posts": 6}) == [["unreachable"]]
    (draft,) = w.behind_pace([account(last_run_started=crawled_on(friday))], posts_on(),
                             friday)
    assert (draft.kind, draft.subject) == ("behind_pace", "source:8/2021-W36")
    assert {k: draft.evidence[k] for k in ("week_start", "week_end", "seen_until",
                                            "posts_so_far", "days_left", "min_weekly_posts")} == {
        "week_start": "2021-09-06", "week_end": "2021-09-12", "seen_until": "2021-09-10",
        "posts_so_far": 0, "days_left": 2, "min_weekly_posts": 3}


def test_behind_pace_only_for_weeks_the_rule_will_judge_and_as_far_as_the_crawl_saw() -> None:
    thursday, friday = week_day(4), week_day(5)
    crawled_thursday = account(last_run_started=crawled_on(thursday))
    # judged on Friday with Thursday's crawl: counted to Thursday, 3 days still ahead
    (draft,) = w.behind_pace([crawled_thursday], posts_on(), friday)
    assert draft.evidence["seen_until"] == "2021-09-09" and draft.evidence["days_left"] == 3
    # a week before the monitored period, or one the crawl did not see from its Monday
    assert not w.behind_pace([replace(crawled_thursday, monitored_since=thursday)],
                             posts_on(), thursday)
    fresh = replace(crawled_thursday, oldest_published_on=week_day(2),
                    first_ok_at=crawled_on(week_day(3)))
    assert not w.behind_pace([fresh], posts_on(), thursday)
    # nothing of this week seen (crawled last Sunday), outdated, or not collected
    sunday_crawl = account(last_run_started=crawled_on(week_day(0)))
    assert not w.behind_pace([sunday_crawl], posts_on(), week_day(1))
    assert not w.behind_pace([crawled_thursday], posts_on(), thursday + timedelta(days=5))
    assert not w.behind_pace([replace(crawled_thursday, last_run_outcome="blocked")],
                             posts_on(), thursday)


# ----------------------------------------------------------------------------- policy_due


POLICY = facts(source_id=20, source_name="政策文件", kind="policy", category="B",
               expect_update=False, unit_id=4, unit_code="B01", unit_name="县发改局",
               policy_titles={"exclude": ["任职"]})
INTERPRETATIONS = replace(POLICY, source_id=21, source_name="政策解读", kind="interpretation",
                          policy_titles=None, oldest_published_on=date(2021, 1, 4))


def post(item_id: int, title: str, published: date, *, source_id: int = 20,
         statement: str | None = None) -> PostFact:
    return PostFact(item_id, source_id, f"http://x.gov.cn/{source_id}/{item_id}.html", title,
                    published, None, [], statement)


def due(policies: list[PostFact], interpretations: list[PostFact], as_of: date = WED,
        **sources: SourceFacts) -> list[WarningDraft]:
    by_id = {20: sources.get("policy", POLICY), 21: sources.get("interp", INTERPRETATIONS)}
    classes = uninterpreted_policy.classify_items(policies, by_id)
    return w.policy_due(policies, interpretations, by_id, classes, as_of)


def test_policy_due_inside_the_grace_period_until_the_rule_judges_it() -> None:
    policy = post(1, "演示县粮食生产扶持资金管理办法", date(2021, 9, 6))
    (draft,) = due([policy], [])
    assert (draft.kind, draft.subject, draft.item_id) == ("policy_due", "item:1", 1)
    assert draft.evidence["due_on"] == "2021-09-09" and draft.evidence["days_left"] == 1
    assert draft.evidence["policy_class"] == "policy"
    for days_after in range(8):  # the warning until the due date, then the finding
        as_of = policy.published_on + timedelta(days=days_after)
        crawled = {"policy": replace(POLICY, last_run_started=crawled_on(as_of)),
                   "interp": replace(INTERPRETATIONS, last_run_started=crawled_on(as_of))}
        warned = bool(due([policy], [], as_of, **crawled))
        by_id = {20: crawled["policy"], 21: crawled["interp"]}
        found = bool(uninterpreted_policy.judge([policy], [], by_id, as_of, RULES))
        assert (warned, found) == (days_after <= 3, days_after > 3), days_after


def test_policy_due_uses_the_rules_classes_and_verdicts() -> None:
    published = date(2021, 9, 7)
    policy = post(1, "关于印发《演示县城区停车管理办法》的通知", published)
    interpretation = post(50, "《演示县城区停车管理办法》政策解读", published, source_id=21)
    assert due([policy], [interpretation]) == []  # already explained
    assert due([policy], [replace(interpretation, title="关于《演示县养老服务补贴办法》的解读")])
    assert due([post(2, "关于张三同志任职的通知", published)], []) == []  # the column's pattern
    assert due([post(3, "关于公布2021年度先进单位名单的通知", published)], []) == []  # classifier
    declined = post(4, "演示县粮食生产扶持资金管理办法", published, statement="本文件不作解读。")
    assert due([declined], []) == []
    # no warning from data the rule would not judge either
    assert due([policy], [], interp=replace(INTERPRETATIONS, last_run_outcome="http_error")) == []
    assert due([policy], [], WED + timedelta(days=4)) == []  # outdated: crawled on WED


# ----------------------------------------------------------------------------- crawl_failed


def test_crawl_failed_until_crawl_failure_makes_it_a_finding() -> None:
    failed = facts(last_run_outcome="http_error", last_run_status=500,
                   failing_since=crawled_on(WED))
    (draft,) = w.crawl_failed([failed], WED)
    assert (draft.kind, draft.evidence["failing_days"], draft.evidence["http_status"]) == (
        "crawl_failed", 1, 500)
    assert not crawl_failure.judge([failed], WED, RULES)
    two_days = replace(failed, failing_since=crawled_on(WED - timedelta(days=1)))
    assert not w.crawl_failed([two_days], WED) and crawl_failure.judge([two_days], WED, RULES)
    assert not w.crawl_failed([failed], WED, default_days=1)  # the demo: a finding at once
    assert w.crawl_failed([replace(failed, thresholds={"crawl_failure_days": 3})], WED, 1)
    assert not w.crawl_failed([facts()], WED)
    # outdated data raises this warning, and only this one
    later = WED + timedelta(days=10)
    assert w.crawl_failed([failed], later)
    assert not w.stale_soon([_days_old(6)], later)


def test_judge_gathers_the_kinds_with_the_countys_thresholds() -> None:
    friday = week_day(5)
    found = w.judge([facts(newest_published_on=friday - timedelta(days=5),
                           last_run_started=crawled_on(friday)),
                     account(last_run_started=crawled_on(friday)),
                     facts(source_id=9, last_run_outcome="timeout",
                           last_run_started=crawled_on(friday))], posts_on(), friday)
    assert [(d.kind, d.subject) for d in found] == [
        ("stale_soon", "source:7"), ("behind_pace", "source:8/2021-W36"),
        ("crawl_failed", "source:9")]
    quiet = Thresholds(warn_lead_days=0, warn_pace=WarnPace(min_posts=0), crawl_failure_days=1)
    assert [d.kind for d in w.judge([facts(newest_published_on=friday - timedelta(days=5),
                                           last_run_started=crawled_on(friday))],
                                    posts_on(), friday, quiet)] == []


def test_the_thresholds_are_checked_in_chinese(tmp_path: Path) -> None:
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace(
        "thresholds: {stale_days: 7,",
        "thresholds: {warn_lead_days: -1, warn_pace: {weekday: 8, min_posts: 1}, stale_days: 7,")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(bad)
    report = raised.value.report()
    assert "warn_lead_days" in report and "应不小于 0" in report
    assert "weekday" in report and "应不大于 7" in report


# ----------------------------------------------------------------------------- storage


def _ids(db: Database) -> tuple[tuple[int, int], tuple[int, int]]:
    """(unit id, source id) of A01 政务动态 and of B01 通知公告."""
    with db.session() as session:
        def ids(code: str, name: str) -> tuple[int, int]:
            unit_id, source_id = session.execute(select(Unit.id, Source.id).join(Source).where(
                Unit.code == code, Source.name == name)).one()
            return unit_id, source_id

        return ids("A01", "政务动态"), ids("B01", "通知公告")


def _draft(ids: tuple[int, int], as_of: date, days: int = 5) -> WarningDraft:
    unit_id, source_id = ids
    return WarningDraft("stale_soon", unit_id, f"source:{source_id}", as_of,
                        {"newest_published_on": "2021-09-03", "days_without_update": days,
                         "stale_on": "2021-09-10"}, source_id=source_id)


@pytest.fixture()
def demo_units(any_db: Database) -> Database:
    with any_db.session() as session:
        repo.sync_config(session, config_in(DEMO_CONFIG, Path("data")))
    return any_db


def test_a_warning_opens_is_kept_resolves_and_opens_anew(demo_units: Database) -> None:
    db = demo_units
    a01, b01 = _ids(db)
    with db.session() as session:
        first = repo.save_warnings(session, [_draft(a01, WED)], WED)
    assert len(first.opened) == 1 and not first.kept and not first.resolved
    (opened,) = first.opened
    with db.session() as session:  # the next day: still there (refreshed), and a second one
        second = repo.save_warnings(
            session, [_draft(a01, WED, 6), _draft(b01, WED), _draft(b01, WED)],
            WED + timedelta(days=1))
        rows = repo.open_warnings(session)
    assert second.kept == [opened] and len(second.opened) == 1 and not second.resolved
    assert [(r.subject, r.evidence["days_without_update"], r.as_of) for r in rows] == [
        (f"source:{a01[1]}", 6, WED + timedelta(days=1)),
        (f"source:{b01[1]}", 5, WED + timedelta(days=1))]
    assert rows[0].kind_name == "栏目即将超期未更新" and rows[0].source_name == "政务动态"
    assert rows[0].description.startswith("最新发布 2021-09-03，已 6 天未更新")
    with db.session() as session:  # cleared: resolved, not deleted
        third = repo.save_warnings(session, [_draft(b01, WED)], WED + timedelta(days=2))
        assert [r.unit_code for r in repo.open_warnings(session, "A01")] == []
    assert third.resolved == [opened]
    with db.session() as session:  # a replay of an earlier date changes nothing
        assert repo.save_warnings(session, [], WED).skipped
        assert len(repo.open_warnings(session)) == 1
    with db.session() as session:  # it returns: a new row, the old episode kept
        fourth = repo.save_warnings(session, [_draft(a01, WED)], WED + timedelta(days=3))
        history = repo.list_warnings(session, "A01", resolved=True)
        stored = session.get(EarlyWarning, opened)
        assert stored is not None
        assert (stored.opened_as_of, stored.as_of, stored.resolved_as_of) == (
            WED, WED + timedelta(days=1), WED + timedelta(days=2))
    assert fourth.opened and fourth.opened[0] != opened
    assert [(r.id, r.resolved_at is None) for r in history] == [(fourth.opened[0], True),
                                                                (opened, False)]


def test_warnings_opened_between_for_the_notifications(demo_units: Database) -> None:
    db = demo_units
    a01, b01 = _ids(db)
    before = now()
    with db.session() as session:
        repo.save_warnings(session, [_draft(a01, WED)], WED)
    middle = now()
    with db.session() as session:
        repo.save_warnings(session, [_draft(b01, WED)], WED + timedelta(days=1))
        after = now() + timedelta(seconds=1)
        assert [r.subject for r in repo.warnings_opened_between(session, before, after)] == [
            f"source:{a01[1]}", f"source:{b01[1]}"]  # the first resolved since: listed too
        assert [r.subject for r in repo.warnings_opened_between(session, middle, after)] == [
            f"source:{b01[1]}"]
        naive = middle.astimezone(CHINA).replace(tzinfo=None)  # China time
        assert len(repo.warnings_opened_between(session, naive, after)) == 1
        assert repo.warnings_opened_between(session, after, after + timedelta(days=1)) == []
        (row,) = repo.open_warnings(session, "B01")
    assert row.opened_at.tzinfo is not None and row.resolved_at is None
    assert set(row.__dataclass_fields__) == {
        "id", "kind", "kind_name", "unit_code", "unit_name", "source_name", "subject",
        "description", "opened_at", "resolved_at", "as_of", "evidence"}


# ----------------------------------------------------------------------------- the demo


@dataclass
class Lifecycle:
    config_file: Path
    db: Database
    open_at: dict[date, list[repo.WarningRow]]  # the open warnings after each run
    reports: dict[date, repo.WarningChanges]


WEDNESDAY, FRIDAY, MONDAY = WED, date(2021, 9, 10), date(2021, 9, 13)


def _crawl_and_monitor(config: CountyConfig, as_of: date, lifecycle: Lifecycle) -> None:
    summary = app.crawl(config, lifecycle.db, reference_date=as_of)
    assert summary.result is not None and summary.result.error is None
    _monitor(config, as_of, lifecycle)


def _monitor(config: CountyConfig, as_of: date, lifecycle: Lifecycle) -> None:
    lifecycle.reports[as_of] = run_monitors(lifecycle.db, config, as_of).warnings
    with lifecycle.db.session() as session:
        lifecycle.open_at[as_of] = repo.open_warnings(session)


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lifecycle]:
    """The demo crawled and monitored as of a Wednesday; monitored again as of the Friday
    (no crawl: the data is fresh); crawled and monitored as of the next Monday."""
    data_dir = tmp_path_factory.mktemp("warnings") / "data"
    config_file = data_dir.parent / "county.yaml"
    config_file.write_text(config_text_in(DEMO_CONFIG, data_dir), encoding="utf-8")
    with serving_demo(WEDNESDAY):
        config = config_in(DEMO_CONFIG, data_dir)
        found = Lifecycle(config_file, app.open_database(config), {}, {})
        _crawl_and_monitor(config, WEDNESDAY, found)
        _monitor(config, FRIDAY, found)
    with serving_demo(MONDAY):
        config = config_in(DEMO_CONFIG, data_dir)
        app.open_database(config).dispose()  # synced: the portal's new address
        _crawl_and_monitor(config, MONDAY, found)
    yield found
    found.db.dispose()


def _open(found: Lifecycle, as_of: date) -> set[tuple[str, str, str]]:
    return {(r.kind, r.unit_code, r.source_name or "") for r in found.open_at[as_of]}


def test_demo_warnings_open_and_resolve_as_the_as_of_date_moves(lifecycle: Lifecycle) -> None:
    # Wednesday: 信息公开 is 6 days old (stale on Thursday); the policy of yesterday has no
    # interpretation yet. No account is behind before Thursday; the broken sources are
    # findings at once in the demo (crawl_failure_days: 1), never warnings.
    assert _open(lifecycle, WEDNESDAY) == {("stale_soon", "A02", "信息公开"),
                                           ("policy_due", "B01", "政策文件")}
    (policy,) = [r for r in lifecycle.open_at[WEDNESDAY] if r.kind == "policy_due"]
    assert policy.evidence["policy_title"] == "演示县促进消费扩容提质若干措施"
    assert policy.evidence["due_on"] == "2021-09-10"
    # Friday, same crawl: 信息公开 became stale — the finding replaces the warning; two
    # columns are now 5 days old; the RSS account has no post this week (none by Thursday,
    # and 2 days cannot make 3 posts); the policy is due today
    assert _open(lifecycle, FRIDAY) == {
        ("stale_soon", "B02", "工作动态"), ("stale_soon", "B04", "政府信息公开目录"),
        ("behind_pace", "B03", "演示县市场监管"), ("policy_due", "B01", "政策文件")}
    assert len(lifecycle.reports[FRIDAY].resolved) == 1
    (behind,) = [r for r in lifecycle.open_at[FRIDAY] if r.kind == "behind_pace"]
    assert behind.evidence["reasons"] == ["pace", "unreachable"]
    assert behind.description == ("本周（2021-09-06 至 2021-09-12）截至 2021-09-10 更新 0 次，每周应"
                                  "不少于 3 次；到周四应至少 1 次；余下 2 天每天更新 1 次也达不到")
    with lifecycle.db.session() as session:
        stale = session.scalars(select(Finding).join(Source).where(
            Finding.rule == "stale_column", Finding.as_of == FRIDAY,
            Source.name == "信息公开")).all()
        history = repo.list_warnings(session, "A02", resolved=True)
        b01_findings = {f.subject for f in session.scalars(select(Finding).where(
            Finding.rule == "uninterpreted_policy", Finding.as_of == MONDAY))}
    assert len(stale) == 1  # warned on Wednesday, deducted on Friday
    # Monday, crawled again: the two columns were updated (resolved); the week is over (the
    # account's warning resolved); the policy's grace period ended (a finding now); 信息公开
    # is 6 days old again — a new warning, the Wednesday one kept as it was
    # (and the national checks' 公示公告, which restarts its back-dating cycle that Wednesday)
    soon = {("stale_soon", "A01", "公示公告")} if 5 <= gsgg_newest_age(MONDAY) < 7 else set()
    assert _open(lifecycle, MONDAY) == {("stale_soon", "A02", "信息公开"), *soon}
    assert policy.subject in b01_findings
    assert [(r.resolved_at is None, r.as_of) for r in history] == [(True, MONDAY),
                                                                   (False, WEDNESDAY)]
    assert history[0].id != history[1].id
    assert history[0].evidence["newest_published_on"] == "2021-09-07"


def test_warnings_are_never_findings_or_points(lifecycle: Lifecycle) -> None:
    with lifecycle.db.session() as session:
        rules = set(session.scalars(select(Finding.rule)))
    assert not rules & set(w.KINDS)
    assert not any(hasattr(r, "points") for rows in lifecycle.open_at.values() for r in rows)


def test_a_replay_of_an_earlier_date_leaves_the_warnings(lifecycle: Lifecycle) -> None:
    config = config_in(DEMO_CONFIG, Path(lifecycle.config_file).parent / "data")
    report = run_monitors(lifecycle.db, config, WEDNESDAY)
    assert report.warnings.skipped
    with lifecycle.db.session() as session:
        assert [r.id for r in repo.open_warnings(session)] == [
            r.id for r in lifecycle.open_at[MONDAY]]


def _cli(lifecycle: Lifecycle, *args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, ["--config", str(lifecycle.config_file), "warnings",
                                     "list", *args], prog_name="govwatch")
    return done.exit_code, done.output


def test_warnings_list_command(lifecycle: Lifecycle) -> None:
    code, out = _cli(lifecycle, "--unit", "A02", "--format", "json")
    assert code == 0, out
    (row,) = json.loads(out)
    assert (row["kind"], row["kind_name"], row["unit_code"], row["source_name"],
            row["status"], row["resolved_at"]) == (
        "stale_soon", "栏目即将超期未更新", "A02", "信息公开", "open", None)
    assert row["description"].startswith("最新发布 2021-09-07，已 6 天未更新")
    assert set(row) >= {"id", "subject", "opened_at", "as_of", "evidence"}
    code, out = _cli(lifecycle, "--all", "--format", "json")
    # the 公示公告 of the national checks' back-dating plant aside
    everything = [r for r in json.loads(out) if r["source_name"] != "公示公告"]
    assert code == 0 and len(everything) == 6
    assert {r["status"] for r in everything[1:]} == {"resolved"}
    code, out = _cli(lifecycle, "--all", "--unit", "B03", "--format", "json")
    assert [r["kind"] for r in json.loads(out)] == ["behind_pace"]
    code, out = _cli(lifecycle, "--unit", "A02")
    assert code == 0, out
    for header in ("单位", "栏目/账号", "预警", "情况", "自", "状态"):
        assert header in out
    assert "A02 河西镇" in out and "栏目即将超期未更新" in out and "未解除" in out
    assert "共 1 条未解除的预警。" in out
    code, out = _cli(lifecycle, "--all", "--unit", "A02")
    assert "已解除" in out and "其中未解除 1 条" in out
    code, out = _cli(lifecycle, "--unit", "Z99")
    assert code == 2 and "配置中没有单位代码「Z99」" in out


def test_warnings_help_is_chinese() -> None:
    for path in (["warnings"], ["warnings", "list"]):
        done = CliRunner().invoke(main, [*path, "--help"], prog_name="govwatch")
        assert done.exit_code == 0 and done.output.startswith(f"用法：govwatch {' '.join(path)}")
        assert "选项：" in done.output and "[OPTIONS]" not in done.output
    listing = CliRunner().invoke(main, ["--help"], prog_name="govwatch").output
    assert "warnings  列出预警" in listing


# ----------------------------------------------------------------------------- web


def _warn(web: Env) -> None:
    """An open warning for B01 (stale soon) and one for A01 with a hostile policy title."""
    (a01_unit, a01), b01 = _ids(web.db)
    with web.db.session() as session:
        repo.save_warnings(session, [
            _draft(b01, WED),
            WarningDraft("policy_due", a01_unit, "item:99", WED,
                         {"policy_title": HOSTILE, "published_on": "2021-09-07",
                          "due_on": "2021-09-10", "item_url": "javascript:alert(1)"},
                         source_id=a01)], WED)


def test_the_warnings_page_lists_open_warnings_for_every_logged_in_user(
        env: Env) -> None:  # noqa: F811  (the fixture)
    _warn(env)
    client = env.client()
    assert client.get("/warnings").headers["location"].startswith("/login?next=")
    _login(client, VIEWER)
    page = client.get("/warnings")
    assert page.status_code == 200
    assert '<a href="/warnings" class="current">预警</a>' in page.text
    assert '<span class="rule warning-stale_soon">栏目即将超期未更新</span>' in page.text
    assert '<span class="rule warning-policy_due">政策文件解读即将到期</span>' in page.text
    assert "最新发布 2021-09-03，已 5 天未更新" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "未解除的预警（2 条）" in page.text
    only_b01 = client.get("/warnings?unit=B01")
    assert "未解除的预警（1 条）" in only_b01.text and "warning-policy_due" not in only_b01.text
    assert '<option value="B01" selected>' in only_b01.text
    assert "未解除的预警（2 条）" in client.get("/warnings?unit=%3Cx%3E").text  # unknown: all
    unit = client.get("/units/B01")
    assert unit.status_code == 200 and "<h2>预警" in unit.text
    assert "最新发布 2021-09-03，已 5 天未更新" in unit.text
    assert "没有未解除的预警。" in client.get("/units/A02").text
    with env.db.session() as session:  # the condition cleared: gone from both pages
        repo.save_warnings(session, [], WED + timedelta(days=1))
    assert "未解除的预警（0 条）" in client.get("/warnings").text
    assert "没有未解除的预警。" in client.get("/units/B01").text
