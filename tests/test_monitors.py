"""Rules 2 and 3 and not_rectified as pure functions, at their boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from govwatch.timeutil import CHINA, monday_of, week_bounds
from monitors import low_post_frequency, not_rectified, uninterpreted_policy
from monitors.policy_match import InterpretationDoc, Matcher, PolicyDoc
from monitors.rule_map import load_rule_map
from storage.repo import BulletinedFinding, PostFact, SourceFacts

AS_OF = date(2021, 9, 8)  # Wednesday of 2021-W36
RULES = load_rule_map()


def source(source_type: str = "account", **changes: object) -> SourceFacts:
    base = SourceFacts(
        source_id=4, source_name="演示县卫体局", source_url="http://x.gov.cn/weibo",
        source_type=source_type, kind="weibo", expect_update=True, thresholds={},
        unit_id=2, unit_code="B04", unit_name="县卫体局", category="B", last_run_id=9,
        last_run_outcome="ok", last_run_started=datetime(2021, 9, 8, 9, tzinfo=CHINA),
        last_run_error=None, last_run_status=None, newest_item_id=None,
        newest_published_on=date(2021, 9, 7), newest_url="http://x.gov.cn/weibo/1",
        newest_title="t", snapshot_id=None, oldest_published_on=date(2021, 7, 1),
        first_ok_at=datetime(2021, 9, 8, 9, tzinfo=CHINA),
        monitored_since=date(2021, 8, 2), policy_titles=None,
    )
    return replace(base, **changes)


def per_day(*weeks: tuple[date, int]) -> dict[int, dict[date, int]]:
    """Posts spread over the days of the given weeks (Monday, count)."""
    days: dict[date, int] = {}
    for monday, count in weeks:
        for i in range(count):
            day = monday + timedelta(days=i % 7)
            days[day] = days.get(day, 0) + 1
    return {4: days}


W33, W34, W35, W36 = (date(2021, 8, 16), date(2021, 8, 23), date(2021, 8, 30),
                      date(2021, 9, 6))


# ----------------------------------------------------------------------------- rule 2


def test_two_posts_fire_three_do_not() -> None:
    counts = per_day((date(2021, 8, 2), 5), (date(2021, 8, 9), 4), (W33, 3), (W34, 2),
                     (W35, 3), (W36, 0))
    found = low_post_frequency.judge([source()], counts, AS_OF, RULES)
    assert [(d.period, d.evidence["posts_in_week"], d.points) for d in found] == [
        ("2021-W34", 2, 2)]
    assert found[0].evidence["week_start"] == "2021-08-23"
    assert found[0].evidence["week_end"] == "2021-08-29"
    assert "更新情况" in (found[0].indicator or "")


def test_partial_current_week_and_weeks_before_monitoring_never_fire() -> None:
    # monitoring began on Wednesday 2021-08-25: W34 straddles it and is not judged
    facts = source(monitored_since=date(2021, 8, 25))
    assert low_post_frequency.weeks_to_judge(facts, AS_OF) == [W35]
    counts = per_day((W34, 0), (W35, 1), (W36, 0))
    assert [d.period for d in low_post_frequency.judge([facts], counts, AS_OF, RULES)] == [
        "2021-W35"]
    # a week is complete only once its Sunday is before the as-of date
    assert low_post_frequency.weeks_to_judge(facts, date(2021, 9, 5)) == []
    assert low_post_frequency.weeks_to_judge(facts, date(2021, 9, 6)) == [W35]


def test_monitoring_starts_at_first_crawl_and_needs_posts_reaching_back() -> None:
    first_crawl = source(monitored_since=None,
                         first_ok_at=datetime(2021, 8, 20, 3, tzinfo=CHINA))
    assert low_post_frequency.weeks_to_judge(first_crawl, AS_OF) == [W34, W35]
    # posts only reach back to 2021-08-31: earlier weeks were never seen whole
    shallow = source(oldest_published_on=date(2021, 8, 31))
    assert low_post_frequency.weeks_to_judge(shallow, AS_OF) == []


def test_an_account_watched_since_before_its_first_week_gets_that_week_judged() -> None:
    # crawled since Friday 2021-08-20, but its feed shows only the last ten posts (from
    # 2021-08-25 on): W34 began after the first crawl, so it was seen whole all the same
    watched = source(monitored_since=None, first_ok_at=datetime(2021, 8, 20, 3, tzinfo=CHINA),
                     oldest_published_on=date(2021, 8, 25))
    assert low_post_frequency.weeks_to_judge(watched, AS_OF) == [W34, W35]
    found = low_post_frequency.judge([watched], per_day((W34, 1), (W35, 5)), AS_OF, RULES)
    assert [d.period for d in found] == ["2021-W34"]
    # first crawled on W34's Tuesday: W34 itself was not watched from its Monday
    late = replace(watched, first_ok_at=datetime(2021, 8, 24, 3, tzinfo=CHINA))
    assert low_post_frequency.weeks_to_judge(late, AS_OF) == [W35]


def _weeks_by_definition(f: SourceFacts, as_of: date, seen: date | None) -> list[date]:
    """Every Monday from the first judgeable one while its Sunday is before ``seen``: what
    ``judged_weeks`` works out arithmetically."""
    weeks = low_post_frequency.judged_weeks(f, as_of, seen)
    if not weeks or seen is None:
        return weeks
    mondays, monday = [], weeks[0]
    while monday + timedelta(days=6) < seen:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    return mondays


@pytest.mark.parametrize("first_ok_day", range(0, 21, 3))
def test_the_weeks_judged_and_the_week_warned_of_follow_their_definitions(
        first_ok_day: int) -> None:
    from monitors.warnings import will_be_judged

    first_ok = datetime(2021, 8, 2, 9, tzinfo=CHINA) + timedelta(days=first_ok_day)
    for oldest in (date(2021, 7, 1), date(2021, 8, 11), date(2021, 9, 1)):
        for crawled in range(0, 40, 2):
            f = source(monitored_since=None, first_ok_at=first_ok, oldest_published_on=oldest,
                       last_run_started=first_ok + timedelta(days=crawled))
            for as_of in (date(2021, 8, 20) + timedelta(days=k) for k in range(0, 40, 3)):
                weeks = low_post_frequency.weeks_to_judge(f, as_of)
                seen = min(as_of, f.last_run_started.date()) if weeks else None
                assert weeks == _weeks_by_definition(f, as_of, seen)
                assert all(m.weekday() == 0 and m + timedelta(days=6) < as_of for m in weeks)
                # a warning's week: the rule's own weeks, asked the Monday after, as if
                # crawled then
                monday = as_of - timedelta(days=as_of.weekday())
                after = monday + timedelta(weeks=1)
                crawled_then = replace(f, last_run_started=datetime.combine(
                    after, datetime.min.time(), CHINA))
                assert will_be_judged(f, monday) == (
                    monday in low_post_frequency.weeks_to_judge(crawled_then, after))


def test_weekly_posts_adds_each_week_s_days() -> None:
    days = per_day((W34, 9), (W35, 2))[4]
    assert low_post_frequency.weekly_posts(days) == {W34: 9, W35: 2}
    assert low_post_frequency.weekly_posts({}) == {}


def test_an_account_that_cannot_be_collected_is_not_under_posting() -> None:
    broken = source(last_run_outcome="parse_error")
    assert low_post_frequency.judge([broken], per_day(), AS_OF, RULES) == []


def test_per_account_minimum() -> None:
    counts = per_day((date(2021, 8, 2), 5), (date(2021, 8, 9), 5), (W33, 5), (W34, 5),
                     (W35, 4))
    strict = source(thresholds={"min_weekly_posts": 5})
    assert [d.period for d in low_post_frequency.judge([strict], counts, AS_OF, RULES)] == [
        "2021-W35"]


# ----------------------------------------------------------------------------- rule 3


def post(item_id: int, title: str, published: date, *, url: str | None = None,
         links: list[str] | None = None, statement: str | None = None,
         source_id: int = 20) -> PostFact:
    return PostFact(item_id, source_id, url or f"http://x.gov.cn/p/{item_id}.html", title,
                    published, None, links or [], statement)


POLICY_SOURCE = source("column", source_id=20, kind="policy", category="B",
                       policy_titles={"exclude": ["任职", "招聘"]})


def explained(policy: str, interpretation: str) -> bool:
    """Whether an interpretation titled so explains a policy titled so (titles alone)."""
    day = date(2021, 8, 30)
    matcher = Matcher([PolicyDoc(1, "http://x.gov.cn/p/1.html", policy, day)],
                      [InterpretationDoc(2, "http://x.gov.cn/i/2.html", interpretation, day)])
    return matcher.verdict(1).explained


@pytest.mark.parametrize(("policy", "interpretation"), [
    ("关于印发《演示县优化营商环境若干措施》的通知", "关于《演示县优化营商环境若干措施》的解读"),
    ("演示县农村人居环境整治提升实施方案（试行）", "一图读懂｜演示县农村人居环境整治提升实施方案"),
    ("演示县粮食生产扶持资金管理办法（演政发〔2021〕12号）", "图解：演示县粮食生产扶持资金管理办法"),
    ("演示县城区停车管理办法", "政策解读｜演示县城区停车管理办法"),
    ("演示县中小学校舍安全管理规定", "《演示县中小学校舍安全管理规定》政策解读"),
])
def test_interpretation_title_forms_match(policy: str, interpretation: str) -> None:
    assert explained(policy, interpretation)


def test_unrelated_titles_do_not_match() -> None:
    assert not explained("演示县粮食生产扶持资金管理办法", "关于《演示县优化营商环境若干措施》的解读")
    assert [n.text for n in PolicyDoc(1, "u", "关于印发《演示县城区停车管理办法》的通知",
                                      AS_OF).names] == ["演示县城区停车管理办法"]


def judge_policies(policies: list[PostFact], interpretations: list[PostFact],
                   as_of: date = AS_OF) -> list[str]:
    """The titles of the policies found uninterpreted by a crawl on the morning of as_of."""
    crawled = replace(POLICY_SOURCE, last_run_started=datetime(as_of.year, as_of.month,
                                                               as_of.day, 2, tzinfo=CHINA))
    drafts = uninterpreted_policy.judge(policies, interpretations, {20: crawled}, as_of,
                                        RULES)
    return [d.evidence["policy_title"] for d in drafts]


def test_policy_without_interpretation_fires_once_with_candidates() -> None:
    policy = post(1, "演示县粮食生产扶持资金管理办法", date(2021, 8, 24))
    near = post(50, "关于《演示县粮食生产安全应急预案》的解读", date(2021, 8, 25),
                source_id=21)
    (draft,) = uninterpreted_policy.judge([policy], [near], {20: POLICY_SOURCE}, AS_OF, RULES)
    assert (draft.subject, draft.points, draft.period) == ("item:1", 1, "2021-W34")
    (candidate,) = draft.evidence["candidates"]  # a near miss, shown with no evidence
    assert candidate["title"] == near.title and candidate["strength"] == 0
    assert candidate["detail"].startswith("标题相似度")
    assert draft.evidence["policy_class"] == "policy"
    assert draft.evidence["policy_class_reason"] == "文件名称为办法：「演示县粮食生产扶持资金管理办法」"


def test_grace_period_boundary() -> None:
    policy = post(1, "演示县粮食生产扶持资金管理办法", date(2021, 9, 5))
    assert judge_policies([policy], [], as_of=date(2021, 9, 8)) == []  # 3 days: still in grace
    assert judge_policies([policy], [], as_of=date(2021, 9, 9)) == [policy.title]


def test_statement_of_no_interpretation_and_excluded_titles() -> None:
    stated = post(1, "演示县机关内部考勤管理规定", date(2021, 8, 1),
                  statement="本文件不作解读。理由：本文件为内部工作安排，不涉及公众权利义务。")
    appointment = post(2, "关于张三同志任职的通知", date(2021, 8, 1))
    hiring = post(3, "演示县发改局2021年公开招聘工作人员公告", date(2021, 8, 1))
    assert judge_policies([stated, appointment, hiring], []) == []


def test_interpretation_linked_under_a_different_title() -> None:
    interp = post(60, "图解：城区停车新规来了", date(2021, 8, 31), source_id=21,
                  url="http://x.gov.cn/zcjd/60.html")
    linked_from_policy = post(1, "演示县城区停车管理办法", date(2021, 8, 30),
                              links=["http://x.gov.cn/zcjd/60.html#top"])
    assert judge_policies([linked_from_policy], [interp]) == []
    back = replace(interp, links=["http://x.gov.cn/p/2.html"])
    linked_from_interp = post(2, "演示县公共自行车管理办法", date(2021, 8, 30))
    assert judge_policies([linked_from_interp], [back]) == []
    assert judge_policies([linked_from_interp], [interp]) == [linked_from_interp.title]


# ----------------------------------------------------------------------------- not rectified


def named(rule: str, published: date, subject: str = "source:4") -> BulletinedFinding:
    return BulletinedFinding(finding_id=77, rule=rule, subject=subject, unit_id=2,
                             category="B", source_id=4, item_id=None,
                             bulletin_period="2021-W35", published_on=published)


def test_stale_column_not_updated_after_the_bulletin() -> None:
    column = source("column", newest_published_on=date(2021, 8, 20))
    bulletin = named("stale_column", date(2021, 8, 30))
    judge = lambda as_of, src=column: not_rectified.judge(  # noqa: E731
        [bulletin], {4: src}, set(), {}, as_of, RULES)
    assert judge(date(2021, 9, 6)) == []  # deadline 2021-09-06 not yet passed
    (draft,) = judge(date(2021, 9, 7))
    assert (draft.subject, draft.points, draft.period) == ("finding:77", 1, "2021-W35")
    assert draft.evidence["deadline"] == "2021-09-06"
    updated = replace(column, newest_published_on=date(2021, 9, 1))
    assert judge(date(2021, 9, 7), updated) == []


def test_policy_and_account_rectification() -> None:
    policy = named("uninterpreted_policy", date(2021, 8, 30), subject="item:5")
    assert not_rectified.judge([policy], {4: source()}, {"item:5"}, {}, AS_OF, RULES)
    assert not_rectified.judge([policy], {4: source()}, set(), {}, AS_OF, RULES) == []
    account = named("low_post_frequency", date(2021, 8, 30))
    two = {4: {date(2021, 8, 31): 1, date(2021, 9, 3): 1}}
    three = {4: {date(2021, 8, 31): 2, date(2021, 9, 6): 1}}
    assert not_rectified.judge([account], {4: source()}, set(), two, AS_OF, RULES)
    assert not_rectified.judge([account], {4: source()}, set(), three, AS_OF, RULES) == []


def test_policies_are_judged_only_where_interpretations_were_crawled() -> None:
    interp_source = source("column", source_id=21, kind="interpretation",
                           oldest_published_on=date(2021, 8, 1))
    sources = {20: POLICY_SOURCE, 21: interp_source}
    old = post(1, "演示县粮食生产扶持资金管理办法", date(2021, 7, 20))
    recent = post(2, "演示县城区停车管理办法", date(2021, 8, 20))
    found = uninterpreted_policy.judge([old, recent], [], sources, AS_OF, RULES)
    assert [d.subject for d in found] == ["item:2"]  # 7-20 predates what was crawled
    failing = {20: POLICY_SOURCE, 21: replace(interp_source, last_run_outcome="timeout")}
    assert uninterpreted_policy.judge([old, recent], [], failing, AS_OF, RULES) == []


def test_a_failing_interpretation_column_silences_only_the_units_it_serves() -> None:
    # units 2 and 3 publish policies and interpret them; unit 9 (政府办) interprets for all
    own2 = source("column", source_id=21, kind="interpretation", unit_id=2)
    policy3 = replace(POLICY_SOURCE, source_id=30, unit_id=3, unit_code="B05")
    own3 = source("column", source_id=31, kind="interpretation", unit_id=3, unit_code="B05")
    office = source("column", source_id=91, kind="interpretation", unit_id=9, unit_code="B09")
    sources = {20: POLICY_SOURCE, 21: own2, 30: policy3, 31: own3, 91: office}
    policies = [post(1, "演示县城区停车管理办法", date(2021, 8, 20)),
                post(2, "演示县校舍安全管理办法", date(2021, 8, 20), source_id=30)]

    def fired(facts: dict[int, SourceFacts]) -> list[str]:
        return [d.subject for d in uninterpreted_policy.judge(policies, [], facts, AS_OF, RULES)]

    assert fired(sources) == ["item:1", "item:2"]
    assert fired({**sources, 31: replace(own3, last_run_outcome="http_error")}) == ["item:1"]
    assert fired({**sources, 91: replace(office, last_run_outcome="timeout")}) == []


def test_nothing_is_called_unrectified_while_its_source_cannot_be_read() -> None:
    """A column or account whose latest crawl failed (connection refused): no 逾期未整改 on no
    evidence — the crawl_failure rule reports the site."""
    column = source("column", newest_published_on=date(2021, 8, 20))
    stale = named("stale_column", date(2021, 8, 30))
    account = named("low_post_frequency", date(2021, 8, 30))
    for outcome in ("http_error", "timeout", "blocked", "no_items", "parse_error", None):
        down = replace(column, last_run_outcome=outcome)
        assert not_rectified.judge([stale, account], {4: down}, set(), {}, AS_OF, RULES) == []
    assert len(not_rectified.judge([stale], {4: column}, set(), {}, AS_OF, RULES)) == 1


def test_a_days_week_runs_monday_to_sunday() -> None:
    # 2021-09-06 was a Monday, 2021-09-12 a Sunday (ISO week 2021-W36)
    for day in range(6, 13):
        assert monday_of(date(2021, 9, day)) == date(2021, 9, 6)
        assert week_bounds(date(2021, 9, day)) == (date(2021, 9, 6), date(2021, 9, 12))
    assert monday_of(date(2021, 9, 13)) == date(2021, 9, 13)
    assert monday_of(date(2021, 1, 1)) == date(2020, 12, 28)  # a week across the new year
