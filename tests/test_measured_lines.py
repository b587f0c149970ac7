"""The measured rubric lines and the item rules as pure functions: interpretation forms and
channels, late replies to 留言, missing annual reports, and how scoring counts measured values
(an entered percentage overrides a measured one and says so)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from govwatch.timeutil import CHINA
from monitors import (
    annual_report,
    interpretation_channels,
    interpretation_form,
    late_reply,
    measured,
)
from monitors.interpretation_channels import AccountPosts
from monitors.rule_map import load_rule_map
from scoring.engine import Entry, UnitInfo, score_unit
from scoring.measured import CHANNELS, FORMS, measured_values
from scoring.rubric import RubricError, load_rubric_file, load_rubric_set
from scoring.service import compute_scores
from storage.repo import Interpretation, InterpretationRow, PostFact, SourceFacts

RULES = load_rule_map()
AS_OF = date(2026, 12, 6)


def source(**changes: object) -> SourceFacts:
    base = SourceFacts(
        source_id=7, source_name="互动交流", source_url="http://x.gov.cn/hdjl/",
        source_type="column", kind="messages", expect_update=False, thresholds={},
        unit_id=2, unit_code="A02", unit_name="河西镇", category="A", last_run_id=9,
        last_run_outcome="ok", last_run_started=datetime(2026, 12, 6, 6, tzinfo=CHINA),
        last_run_error=None, last_run_status=None, newest_item_id=None,
        newest_published_on=date(2026, 12, 1), newest_url=None, newest_title=None,
        snapshot_id=None, first_ok_at=datetime(2026, 10, 1, 6, tzinfo=CHINA))
    return replace(base, **changes)


# ----------------------------------------------------------------------------- forms


@pytest.mark.parametrize(("title", "form"), [
    ("一图读懂《演示县课后服务实施方案》", "graphic"),
    ("【图解】2026年义务教育招生政策", "graphic"),
    ("视频解读｜学前教育三年行动计划", "video"),
    ("《关于…的通知》答记者问", "qa"),
    ("动漫解读：校园安全", "animation"),
])
def test_the_title_names_the_form(title: str, form: str) -> None:
    assert interpretation_form.classify(title, None).form == form


def test_a_word_containing_tujie_is_no_graphic() -> None:
    found = interpretation_form.classify("关于试图解决入学难问题的政策解读", None)
    assert found.form is None  # and without the page: cannot tell, never guessed


@pytest.mark.parametrize(("media", "form"), [
    ({"images": 2, "text_chars": 50, "videos": 0, "audios": 0, "h5": 0}, "graphic"),
    ({"images": 1, "text_chars": 1500, "videos": 0, "audios": 0, "h5": 0}, "text"),
    ({"images": 0, "text_chars": 900, "videos": 0, "audios": 0, "h5": 0}, "text"),
    ({"images": 0, "text_chars": 300, "videos": 1, "audios": 0, "h5": 0}, "video"),
    ({"images": 0, "text_chars": 300, "videos": 0, "audios": 1, "h5": 0}, "audio"),
    ({"images": 0, "text_chars": 30, "videos": 0, "audios": 0, "h5": 1}, "animation"),
])
def test_the_page_tells_the_form_when_the_title_does_not(media: dict[str, int],
                                                         form: str) -> None:
    found = interpretation_form.classify("《演示县课后服务实施方案》政策解读", media)
    assert found.form == form
    assert found.reason  # always with a reason a reviewer can check


# ----------------------------------------------------------------------------- channels


def post(title: str, day: date, body: str = "", source_id: int = 3) -> PostFact:
    return PostFact(1, source_id, "http://mp/1", title, day, None, [], None, body)


def accounts(*posts: PostFact, known_from: date | None = date(2026, 1, 1)) -> AccountPosts:
    return AccountPosts(posts, {3: "演示县教育发布"}, known_from)


def test_a_post_with_the_same_title_lightly_edited_carries_the_interpretation() -> None:
    title = "一图读懂《演示县义务教育阶段课后服务实施方案》"
    found = interpretation_channels.judge(title, date(2026, 11, 20), accounts(
        post("【解读】一图读懂 《演示县义务教育阶段课后服务实施方案》", date(2026, 11, 21))))
    assert found.channel == "carried"
    assert "演示县教育发布" in found.reason


def test_a_post_on_the_same_topic_is_not_the_interpretation() -> None:
    found = interpretation_channels.judge(
        "关于《演示县学前教育三年行动计划》的解读", date(2026, 11, 20),
        accounts(post("县教育局召开学前教育三年行动计划推进会", date(2026, 11, 22))))
    assert found.channel == "absent"


def test_a_post_quoting_the_title_in_its_text_carries_it() -> None:
    found = interpretation_channels.judge(
        "关于《演示县学前教育三年行动计划》的解读", date(2026, 11, 20),
        accounts(post("今天，带你了解新政策", date(2026, 11, 20),
                      body="《演示县学前教育三年行动计划》出台了，一起来看解读")))
    assert found.channel == "carried"


def test_channels_are_not_judged_without_accounts_or_before_they_were_watched() -> None:
    title = "关于《演示县学前教育三年行动计划》的解读"
    no_accounts = AccountPosts((), {}, None)
    assert interpretation_channels.judge(title, date(2026, 11, 20), no_accounts).channel is None
    later = accounts(known_from=date(2026, 12, 1))
    assert interpretation_channels.judge(title, date(2026, 11, 20), later).channel is None


def test_a_rerun_judges_an_absent_verdict_against_the_unseen_posts_only() -> None:
    """``unseen``: the posts the last run could not see. An interpretation it found absent
    stays absent unless one of them carries it; one never judged, or retitled since, is
    judged against all."""
    title = "关于《演示县学前教育三年行动计划》的解读"
    seen = post("《演示县学前教育三年行动计划》解读", date(2026, 11, 21))
    form = interpretation_form.classify(title, None)
    absent = (form.form, form.reason, "absent",
              "本单位新媒体账号在 2026-11-13 至 2026-12-20 间没有发布这篇解读")
    last_read = datetime(2026, 12, 5, 6, tzinfo=CHINA)

    def item(key: int, state: tuple[str | None, ...], changed: datetime | None = None
             ) -> Interpretation:
        return Interpretation(key, 7, 2, title, f"http://x.gov.cn/{key}.html",
                              date(2026, 11, 20), None, state, changed)  # type: ignore[arg-type]

    items = [item(1, absent), item(2, (None, None, None, None)),
             item(3, absent, changed=datetime(2026, 12, 5, 8, tzinfo=CHINA))]
    states = dict(measured.verdicts(items, {2: accounts(seen)}, unseen=({2: accounts()},
                                                                        last_read)))
    assert 1 not in states  # absent, and nothing unseen carries it
    assert states[2][2] == "carried"  # never judged: against every post
    assert states[3][2] == "carried"  # retitled after the last run read: against every post
    later = post("一图读懂演示县学前教育三年行动计划", date(2026, 11, 25))
    states = dict(measured.verdicts(items[:1], {2: accounts(seen, later)},
                                    unseen=({2: accounts(later)}, last_read)))
    assert states[1][2] == "carried" and "2026-11-25" in (states[1][3] or "")


def test_a_run_as_of_an_earlier_day_than_the_last_judges_afresh() -> None:
    sunday, monday = date(2026, 12, 6), date(2026, 12, 7)
    assert measured.judged_since(sunday, sunday)
    assert measured.judged_since(sunday, monday)
    assert not measured.judged_since(monday, sunday)  # it saw fewer posts published
    assert not measured.judged_since(None, sunday)


# ----------------------------------------------------------------------------- late replies


def message(asked: str, replied: str | None, *, status: str | None = "replied",
            asked_time: bool = True, replied_time: bool = True,
            title: str = "小区路灯不亮") -> late_reply.Message:
    facts = {"asked_at": asked, "asked_has_time": asked_time, "replied_at": replied,
             "replied_has_time": replied_time, "status": status}
    return late_reply.Message(11, 7, "http://x.gov.cn/hdjl/11.html", title, "", facts)


def judge_messages(*messages: late_reply.Message, **kw: object) -> list[dict[str, object]]:
    drafts = late_reply.judge(messages, {7: source()}, AS_OF, RULES, **kw)  # type: ignore[arg-type]
    return [d.evidence for d in drafts]


def test_a_reply_after_48_hours_is_late_and_one_within_is_not() -> None:
    late = judge_messages(message("2026-11-30T09:00+08:00", "2026-12-03T10:00+08:00"))
    assert len(late) == 1 and late[0]["hours"] == 73 and late[0]["limit_hours"] == 48
    assert judge_messages(message("2026-11-30T09:00+08:00", "2026-12-02T08:30+08:00")) == []


def test_dates_without_hours_never_make_a_reply_late() -> None:
    # asked on the 30th, replied on 2 December: 48 h may not have passed
    assert judge_messages(message("2026-11-30T00:00+08:00", "2026-12-02T00:00+08:00",
                                  asked_time=False, replied_time=False)) == []


def test_an_unanswered_message_counts_from_the_question_to_the_latest_crawl() -> None:
    found = judge_messages(message("2026-12-01T09:00+08:00", None, status="pending"))
    assert len(found) == 1 and found[0]["replied_at"] is None and found[0]["hours"] == 117
    # a page that says nothing about a reply is not judged
    assert judge_messages(message("2026-12-01T09:00+08:00", None, status=None)) == []
    # not yet due at the crawl
    assert judge_messages(message("2026-12-05T09:00+08:00", None, status="pending")) == []


def test_major_messages_must_be_answered_in_24_hours() -> None:
    msg = message("2026-11-30T09:00+08:00", "2026-12-01T12:00+08:00", title="化工厂泄漏")
    assert judge_messages(msg) == []
    found = judge_messages(msg, major_patterns=["泄漏|爆炸"])
    assert len(found) == 1 and found[0]["limit_hours"] == 24 and found[0]["major"] is True


def test_no_message_is_judged_on_outdated_data() -> None:
    old = {7: source(last_run_started=datetime(2026, 11, 28, 6, tzinfo=CHINA))}
    unanswered = message("2026-11-20T09:00+08:00", None, status="pending")
    late = message("2026-11-20T09:00+08:00", "2026-11-25T09:00+08:00")
    assert late_reply.judge([unanswered, late], old, AS_OF, RULES) == []


# ----------------------------------------------------------------------------- annual report


def test_report_years_are_read_from_titles() -> None:
    assert annual_report.report_year("六泉乡人民政府2025年政府信息公开工作年度报告") == 2025
    assert annual_report.report_year("县市场监管局二〇二五年度政府信息公开工作年度报告") == 2025
    assert annual_report.report_year("2025年政府信息公开工作要点") is None
    assert annual_report.report_year("关于报送2025年度政府信息公开工作年度报告的通知") is None


def test_the_latest_due_date() -> None:
    assert annual_report.latest_due(date(2027, 2, 1)) == date(2027, 1, 31)
    assert annual_report.latest_due(date(2027, 1, 31)) == date(2026, 1, 31)
    assert annual_report.latest_due(date(2026, 12, 6)) == date(2026, 1, 31)


def report_item(title: str, day: date, item_id: int = 1) -> PostFact:
    return PostFact(item_id, 7, f"http://x.gov.cn/ndbg/{item_id}.html", title, day, None, [],
                    None)


def judge_reports(*items: PostFact, as_of: date = date(2027, 2, 1),
                  crawled: datetime = datetime(2027, 2, 1, 6, tzinfo=CHINA)) -> list[dict]:
    column = source(kind="annual_report", last_run_started=crawled)
    return [d.evidence for d in annual_report.judge([column], items, as_of, RULES)]


def test_a_report_missing_after_the_due_date_is_found_and_one_on_time_is_not() -> None:
    older = report_item("2025年政府信息公开工作年度报告", date(2026, 1, 20))
    plan = report_item("2026年政府信息公开工作要点", date(2027, 1, 10), 2)
    missing = judge_reports(older, plan)
    assert len(missing) == 1 and missing[0]["report_year"] == 2026
    assert missing[0]["due_on"] == "2027-01-31" and missing[0]["late_item_title"] is None
    on_time = report_item("2026年政府信息公开工作年度报告", date(2027, 1, 25), 3)
    assert judge_reports(older, on_time) == []


def test_a_late_report_is_found_with_its_date_and_no_crawl_after_the_due_date_judges_none(
) -> None:
    late = report_item("2026年政府信息公开工作年度报告", date(2027, 2, 3), 3)
    found = judge_reports(late, as_of=date(2027, 2, 5),
                          crawled=datetime(2027, 2, 5, 6, tzinfo=CHINA))
    assert len(found) == 1 and found[0]["late_published_on"] == "2027-02-03"
    assert judge_reports(crawled=datetime(2027, 1, 30, 6, tzinfo=CHINA)) == []


# ----------------------------------------------------------------------------- scoring


def row(item_id: int, form: str | None, channel: str | None) -> InterpretationRow:
    return InterpretationRow("B02", item_id, f"解读{item_id}", f"http://x/{item_id}",
                             date(2026, 11, item_id), form, "依据", channel, "依据")


def ten_interpretations() -> list[InterpretationRow]:
    forms = ["graphic"] * 5 + ["video"] * 3 + ["text"] * 2
    return [row(i + 1, form, "carried" if i < 4 else "absent")
            for i, form in enumerate(forms)]


def test_measured_values_count_varied_forms_and_channels() -> None:
    values = {v.measure: v for v in measured_values([*ten_interpretations(),
                                                     row(11, None, None)])}
    assert (values[FORMS].hits, values[FORMS].total, values[FORMS].percent) == (8, 10,
                                                                                Decimal(80))
    assert values[FORMS].unjudged == 1 and "无法判断" in values[FORMS].note()
    assert (values[CHANNELS].hits, values[CHANNELS].total) == (4, 10)


def test_a_measured_value_deducts_on_its_rubric_rule_and_an_entry_overrides_it() -> None:
    rubrics = load_rubric_set()
    units = [UnitInfo("B02", "县教育局", "B")]
    values = measured_values(ten_interpretations())
    report = compute_scores("演示县", units, rubrics, [], [], 2026, measured=values)
    lines = {ls.line.id: ls for ls in report.scores[0].lines}
    assert lines["B5.2.1"].deduction == 4  # 80 %: 5 steps of 2 points below 90, capped at 4
    assert lines["B5.3.1"].deduction == 5  # 40 %: 10 steps of 0.5 below 50
    assert lines["B5.2.1"].measures[0].measured and lines["B5.2.1"].measures[0].items

    rubric = rubrics.for_category("B")
    entered = Entry(kind="measure", ref="B5.2.1a", value=Decimal(92), source="录入#1")
    measured = values[0].entry("B5.2.1a")
    for order in ([measured, entered], [entered, measured]):
        line = {ls.line.id: ls for ls in score_unit(rubric, units[0], order).lines}["B5.2.1"]
        assert line.deduction == 0
        assert any("govwatch 实测值 80% 未采用" in n for n in line.notes)
        assert [e.measured for e in line.measures] == [False, True]


def test_a_rubric_without_measured_lines_only_shows_the_values() -> None:
    from scoring.report import measured_lines

    rubrics = load_rubric_set("jingchuan")
    report = compute_scores("演示县", [UnitInfo("B02", "县教育局", "B")], rubrics, [], [],
                            2026, measured=measured_values(ten_interpretations()))
    assert report.scores[0].final == 100
    assert {m.used for m in measured_lines(report)} == {"本评分细则无对应评分项，仅供参考"}


def test_a_measure_must_name_a_percentage_rule(tmp_path: Path) -> None:
    source_file = Path("config/rubrics/lingchuan-2021-A.yaml")
    text = source_file.read_text(encoding="utf-8").replace(
        "interpretation_forms: A5.2.1a", "interpretation_forms: A3.1.1a")
    broken = tmp_path / "lingchuan-2021-A.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError, match="不是百分比扣分规则"):
        load_rubric_file(broken)
