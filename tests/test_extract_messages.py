"""One 政民互动 message page: asked, replied, status, replying unit, reply size.

The pages in tests/pages/messages/ each imitate one real layout (a comment at the top of each
says which).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from crawler.extract import MessageFacts, MessageSelectors, message_facts
from govwatch.timeutil import CHINA

PAGES = Path(__file__).resolve().parent / "pages" / "messages"
REAL_PAGES = Path(os.environ.get("GOVWATCH_REAL_PAGES")
                  or Path(__file__).resolve().parents[1].parent / "shared" / "real-pages")
URL = "http://www.mmx.gov.cn/hdjl/sjxx/202611/t20261130_1.html"
REF = date(2026, 12, 5)


def china(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA)


def facts(name: str, selectors: MessageSelectors | None = None) -> MessageFacts:
    return message_facts((PAGES / name).read_bytes(), URL, REF, selectors)


def page(inner: str) -> str:
    return f"<html><head><title>留言详情</title></head><body><div class='content'>{inner}</div></body></html>"


# ----------------------------------------------------------------------------- layouts


def test_table_with_th_and_td() -> None:
    found = facts("table_th_td.html")
    assert found.asked_at == china(2026, 11, 30, 9, 15) and found.asked_has_time
    assert found.replied_at == china(2026, 12, 2, 16, 40) and found.replied_has_time
    assert (found.status, found.status_text) == ("replied", "已办结")
    assert found.department == "县住房和城乡建设局"
    # both paragraphs of the reply, not the side list of other letters (未回复, 已回复)
    assert 100 < found.reply_text_chars < 140


def test_two_column_td_table_with_spaced_labels_and_seconds() -> None:
    found = facts("two_column_td.html")
    assert found.asked_at == china(2026, 11, 28, 10, 5, 33) and found.asked_has_time
    assert found.replied_at == china(2026, 11, 29, 15, 20) and found.replied_has_time
    assert (found.status, found.status_text) == ("replied", "已答复")
    assert found.department == "县医疗保障局"
    assert found.reply_text_chars > 50  # the 答复内容 cell, not the 打印/关闭 buttons


def test_label_value_paragraphs_with_two_fields_on_a_line() -> None:
    found = facts("label_paragraphs.html")
    assert found.asked_at == china(2026, 11, 25, 14, 20)
    assert (found.status, found.status_text) == ("replied", "已回复")
    assert found.replied_at == china(2026, 11, 27, 9, 0)
    assert found.department == "县人力资源和社会保障局"
    # the reply goes on over two more paragraphs, up to the 上一条/下一条 links
    reply = ("您好！城乡居民养老保险按年度缴费，当年已缴费的，可在当年12月20日前申请补缴与新选档次的差额。"
             "具体可携带身份证到户籍所在地乡镇（街道）社保所办理。感谢您的来信。")
    assert found.reply_text_chars == len(reply)


def test_definition_list_pending_message() -> None:
    found = facts("dl_dt_dd.html")
    assert found.asked_at == china(2026, 11, 20, 8, 30, 12) and found.asked_has_time
    assert found.replied_at is None and not found.replied_has_time
    assert (found.status, found.status_text) == ("pending", "办理中")
    assert found.department == "城关镇人民政府"
    assert found.reply_text_chars == 0


def test_separate_reply_block_with_a_signature_and_trailing_date() -> None:
    found = facts("reply_block_trailing_date.html")
    assert found.asked_at == china(2026, 11, 18, 21, 7)
    # no 回复时间 label: the date that ends the reply, printed without a time
    assert found.replied_at == china(2026, 11, 21) and not found.replied_has_time
    assert (found.status, found.status_text) == ("replied", None)  # no status printed
    assert found.department == "县交通运输局"  # the unit that signs the reply
    assert found.reply_text_chars > 60


def test_unanswered_message_with_empty_reply_fields() -> None:
    found = facts("pending_no_reply.html")
    assert found.asked_at == china(2026, 12, 3, 19, 45)
    assert found.replied_at is None
    assert (found.status, found.status_text) == ("pending", None)  # 暂无回复, empty 回复时间
    assert found.department is None and found.reply_text_chars == 0


def test_dates_without_times_and_a_status_badge() -> None:
    found = facts("date_only.html")
    assert found.asked_at == china(2026, 11, 2) and not found.asked_has_time
    assert found.replied_at == china(2026, 11, 5) and not found.replied_has_time
    assert (found.status, found.status_text) == ("replied", "已办结")  # 【已办结】 by the title
    assert found.department == "县市场监督管理局"
    assert found.reply_text_chars > 30  # the 答： paragraph


@pytest.mark.parametrize(("printed", "asked", "has_time"), [
    ("2026-11-30 09:15", china(2026, 11, 30, 9, 15), True),
    ("2026年11月30日 09:15:02", china(2026, 11, 30, 9, 15, 2), True),
    ("2026/11/30", china(2026, 11, 30), False),
    ("2026-11-30T09:15", china(2026, 11, 30, 9, 15), True),
    ("26-11-30 09:15", china(2026, 11, 30, 9, 15), True),  # two-digit year, year first
    ("２０２６－１１－３０", china(2026, 11, 30), False),  # full-width digits
])
def test_printed_time_forms(printed: str, asked: datetime, has_time: bool) -> None:
    found = message_facts(page(f"<p>留言时间：{printed}</p>"), URL, REF)
    assert (found.asked_at, found.asked_has_time) == (asked, has_time)


@pytest.mark.parametrize(("inner", "status"), [
    ("<p>处理状态：未办结</p>", "pending"),  # 未办结 holds 办结
    ("<p>状态：待处理</p>", "pending"),
    ("<p>办理状态：已受理</p>", "pending"),  # taken in, not answered
    ("<p>回复时间：2026-12-01</p>", "replied"),  # no status printed: a reply time tells
    ("<p>回复：您好，问题已解决。</p>", "replied"),
    ("<p>回复内容：</p><p>尚未回复</p>", "pending"),
    ("<p>状态：公开</p>", None),  # printed, but says nothing of a reply
    ("<p>留言内容：路灯不亮。</p>", None),
    # a list's tabs are not a badge
    ("<ul><li>已回复</li><li>未回复</li></ul><p>留言时间：2026-11-01</p>", None),
])
def test_status(inner: str, status: str | None) -> None:
    assert message_facts(page(inner), URL, REF).status == status


def test_words_in_running_text_are_not_labels() -> None:
    found = message_facts(page("<p>请问回复时间一般是多久？办理状态怎么查？请联系 承办单位 咨询。</p>"),
                          URL, REF)
    assert found == MessageFacts(None, False, None, False, None, None, None, 0)


def test_table_heading_its_columns() -> None:
    html = page("<table><tr><th>留言人</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>"
                "<!-- 数据 --><tr><td>赵**</td><td>2026-11-30</td><td>2026-12-01 10:30</td>"
                "<td>已回复</td></tr></table>")
    found = message_facts(html, URL, REF)
    assert (found.asked_at, found.asked_has_time) == (china(2026, 11, 30), False)
    assert found.replied_at == china(2026, 12, 1, 10, 30)
    assert (found.status, found.status_text) == ("replied", "已回复")


# ----------------------------------------------------------------------------- rules


def test_reply_before_the_question_is_dropped() -> None:
    html = page("<p>留言时间：2026-11-30 09:15</p><p>回复时间：2026-11-29 10:00</p>"
                "<p>办理状态：已回复</p>")
    found = message_facts(html, URL, REF)
    assert found.asked_at == china(2026, 11, 30, 9, 15)
    assert found.replied_at is None and not found.replied_has_time
    assert found.status == "replied"  # the printed status still says so


def test_reply_dates_come_from_a_signature_not_from_its_sentences() -> None:
    signed = message_facts(page("<p>回复内容：</p><p>您好，已安排维修。</p>"
                                "<p>城关镇人民政府 2026年12月1日</p>"), URL, REF)
    assert signed.replied_at == china(2026, 12, 1) and signed.department == "城关镇人民政府"
    told = message_facts(page("<p>回复内容：</p><p>您好，路灯已于2026年12月1日修复。</p>"), URL, REF)
    assert told.replied_at is None and told.department is None
    assert told.status == "replied" and told.reply_text_chars > 0


def test_reply_the_same_day_without_a_time_is_kept() -> None:
    html = page("<p>留言时间：2026-11-30 09:15</p><p>回复日期：2026-11-30</p>")
    found = message_facts(html, URL, REF)
    assert found.replied_at == china(2026, 11, 30) and not found.replied_has_time


def test_selectors_win_over_the_labels() -> None:
    selectors = MessageSelectors(asked_at="span.ask-time", replied_at="//em[@class='hf']/text()",
                                 status="#zt", department="p.unit b")
    found = facts("table_th_td.html", selectors)
    # the selectors match nothing here: the labels speak
    assert found.asked_at == china(2026, 11, 30, 9, 15) and found.department == "县住房和城乡建设局"
    html = page("<p>留言时间：2026-11-30 09:15</p><span class='ask-time'>2026-11-29 20:00:00</span>"
                "<p>回复时间：2026-12-02</p><em class='hf'>2026-12-03 08:10</em>"
                "<p>状态：已回复</p><i id='zt'>办理中</i>"
                "<p>回复单位：县政府办</p><p class='unit'>承办：<b>县住建局</b></p>")
    found = message_facts(html, URL, REF, selectors)
    assert found.asked_at == china(2026, 11, 29, 20, 0) and found.asked_has_time
    assert found.replied_at == china(2026, 12, 3, 8, 10)
    assert (found.status, found.status_text) == ("pending", "办理中")
    assert found.department == "县住建局"


def test_an_invalid_selector_is_an_error() -> None:
    with pytest.raises(ValueError, match="invalid selector"):
        message_facts(page("<p>留言时间：2026-11-30</p>"), URL, REF,
                      MessageSelectors(asked_at="//span[@"))


def test_department_is_bounded() -> None:
    found = message_facts(page("<p>回复单位：" + "某" * 300 + "局</p>"), URL, REF)
    assert found.department is not None and len(found.department) == 100


@pytest.mark.parametrize("junk", [
    "", "   ", "not html at all", b"\xff\xfe\x00garbage", b"", "<html><body></body></html>",
    "<<<>>>", "<td>回复内容</td>" * 500, "<p>留言时间：</p><p>回复时间：</p>", "<div>" * 5000,
    "<p>留言时间：9999-99-99 99:99</p><p>状态：</p>",
    "<p>x 回复：y</p>" * 5000,  # many replies mid-line: bounded work, no quadratic scan
])
def test_garbage_never_raises(junk: str | bytes) -> None:
    found = message_facts(junk, URL, REF)
    assert isinstance(found, MessageFacts)
    assert found.asked_at is None and found.replied_at is None


def test_saved_real_pages_that_are_no_messages_give_nothing() -> None:
    if not REAL_PAGES.is_dir():
        pytest.skip("real pages not available (../shared/real-pages)")
    for path in sorted(REAL_PAGES.glob("*.html")):
        found = message_facts(path.read_bytes(), "http://www.example.gov.cn/a.html", REF)
        assert (found.asked_at, found.replied_at, found.status) == (None, None, None), path.name
