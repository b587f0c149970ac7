"""个人信息: ID card, mobile and bank card numbers in published text, always masked in evidence.

Every number here is made up: IDs and cards get their check characters from the algorithms.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from govwatch.timeutil import CHINA
from monitors import personal_info
from monitors.personal_info import find, id_check_char, luhn_ok, mask
from monitors.rule_map import RuleMap, RuleTarget
from monitors.text_scan import ScannedText
from storage.repo import SourceFacts

AS_OF = date(2021, 9, 8)
RULES = RuleMap("测试细则", {"personal_info": {
    "A": RuleTarget("A9.2a", "A9.2", "A9.2 测试 / 个人信息保护", 1.0)}})


def id18(region: str = "110105", birth: str = "19800101", seq: str = "123") -> str:
    base = region + birth + seq
    return base + id_check_char(base)


def card(prefix: str = "621700123456789012") -> str:
    """``prefix`` and the one check digit that passes Luhn."""
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def kinds(text: str, patterns: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(h.kind, text[h.start:h.end]) for h in find(text, patterns, today=AS_OF)]


def facts(source_id: int = 7) -> SourceFacts:
    return SourceFacts(
        source_id=source_id, source_name="公示公告", source_url="http://x.gov.cn/gsgg/",
        source_type="column", kind="general", expect_update=True, thresholds={}, unit_id=1,
        unit_code="A01", unit_name="城关镇", category="A", last_run_id=3,
        last_run_outcome="ok", last_run_started=datetime(2021, 9, 8, 9, 0, tzinfo=CHINA),
        last_run_error=None, last_run_status=None, newest_item_id=11,
        newest_published_on=date(2021, 9, 6), newest_url="http://x.gov.cn/gsgg/a.html",
        newest_title="公示", snapshot_id=5)


# ----------------------------------------------------------------------------- ID numbers


def test_algorithms_on_their_textbook_cases() -> None:
    assert id_check_char("11010519491231002") == "X"  # the GB 11643 standard's example
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")


def test_id_number_needs_its_check_character_date_and_region() -> None:
    valid = id18()
    assert kinds(f"申请人：张三，{valid}。") == [("id_card", valid)]
    for wrong in "0123456789X":
        if wrong != valid[-1]:
            assert kinds(f"申请人：张三，{valid[:17]}{wrong}。") == []
    x_id = next(i for i in (id18(seq=f"{n:03d}") for n in range(200)) if i.endswith("X"))
    assert kinds(f"号码{x_id.lower()}") == [("id_card", x_id.lower())]
    assert kinds(id18(birth="20210909")) == []  # born after the judging day
    assert kinds(id18(birth="18991231")) == []
    assert kinds(id18(birth="19800230")) == []  # no such day
    assert kinds(id18(region="910105")) == []  # region codes start 1–8
    assert kinds(f"1{valid}") == [] and kinds(f"{valid}9") == []  # inside a longer number


def test_old_fifteen_digit_ids_only_when_labelled() -> None:
    old = "110105800101123"
    assert kinds(f"身份证号：{old}") == [("id_card", old)]
    assert kinds(f"登记编号：{old}") == []
    assert kinds("身份证号：110105801301123") == []  # month 13


def test_masked_numbers_never_count() -> None:
    text = ("张三，身份证号110105********123X，手机138****1234，银行卡号6217 **** **** 1234，"
            "卡号1234************5678，账号6217001234****5678，身份证号4101051980****123X")
    assert kinds(text) == []


# ----------------------------------------------------------------------------- mobiles


def test_official_contact_numbers_are_not_reported() -> None:
    footer = ("主办单位：某某县人民政府办公室　联系电话：0371-12345678、13812345678\n"
              "监督电话：13912345678　咨询电话：138-1234-5678　传真：0371-12345679\n"
              "联系人：陈某13712345678　　王某某13612345678")
    assert kinds(footer) == []
    assert kinds("值守手机：13812345678") == [("mobile", "13812345678")]
    assert kinds("值守手机：13812345678", ("值守手机",)) == []  # the county's own label


def test_mobiles_in_a_public_list_are_reported() -> None:
    text = "低保对象公示名单：张三 13812345678；李四 139 1234 5678；王五 １３７１２３４５６７８。"
    assert kinds(text) == [("mobile", "13812345678"), ("mobile", "139 1234 5678"),
                           ("mobile", "１３７１２３４５６７８")]
    assert kinds("订单编号 138123456789 已受理") == []  # a longer number
    assert kinds("王六 +86 138　1234　5678") == [("mobile", "+86 138　1234　5678")]
    assert kinds("电话138中1234中5678") == []


def test_context_masks_long_numbers_and_nothing_else() -> None:
    text = "第1条第2款第3项，编号 138　1234　5678，文号冀科〔2021〕16号，登记号 41010519800101123。"
    assert personal_info.masked_text(text, []) == (
        "第1条第2款第3项，编号 138　****　**78，文号冀科〔2021〕16号，登记号 410************23。")
    assert kinds("报名电话13812345678") == [("mobile", "13812345678")]  # 电话 without ：


# ----------------------------------------------------------------------------- bank cards


def test_bank_card_needs_luhn_and_a_label() -> None:
    number = card()
    grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    assert kinds(f"银行卡号：{number}") == [("bank_card", number)]
    assert kinds(f"收款账号：{grouped}") == [("bank_card", grouped)]
    sixteen = card("621700123456789")
    assert kinds(f"帐号 {sixteen}") == [("bank_card", sixteen)]
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert kinds(f"银行卡号：{bad}") == []
    assert kinds(f"文件编号{number}已归档") == []  # unlabelled 19-digit run
    assert kinds(f"卡号：{grouped} 5678") == []  # more groups: longer than a card
    assert mask("bank_card", grouped) == f"{number[:4]} **** **** {number[-4:]}"


# ----------------------------------------------------------------------------- evidence


def test_raw_numbers_never_reach_the_evidence() -> None:
    person, bad_id, number = id18(), id18(birth="19900512")[:17] + "0", card()
    if bad_id == id18(birth="19900512"):
        bad_id = bad_id[:17] + "1"
    grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    body = (f"　　公示如下：张三，身份证号{person}，手机13812345678，银行卡号{grouped}，"
            f"家属电话 １３９１２３４５６７８。\n"
            f"备注{bad_id}" + "的" * 110 + "报名电话13712345678。")
    text = ScannedText(201, 7, "http://x.gov.cn/gsgg/a.html", "关于张三13612345678的公示", body,
                       date(2021, 9, 6))
    (draft,) = personal_info.judge([text], {7: facts()}, AS_OF, RULES)
    dumped = json.dumps(draft.evidence, ensure_ascii=False)
    for raw in (person, bad_id, number, grouped, "13812345678", "１３９１２３４５６７８",
                "13712345678", "13612345678", person[6:14]):
        assert raw not in dumped
    assert re.search(r"[0-9０-９]{7,}", dumped) is None  # no long run of digits at all
    ev = draft.evidence
    assert ev["title"] == "关于张三136****5678的公示"
    assert ev["counts"] == {"mobile": 4, "id_card": 1, "bank_card": 1}
    rows = ev["hits"]
    assert [(r["kind"], r["where"], r["hit"]) for r in rows] == [
        ("mobile", "title", "136****5678"),
        ("id_card", "body", f"{person[:6]}********{person[-4:]}"),
        ("mobile", "body", "138****5678"),
        ("bank_card", "body", f"{number[:4]} **** **** {number[-4:]}"),
        ("mobile", "body", "139****5678"),
        ("mobile", "body", "137****5678"),
    ]
    assert all(r["masked"] == r["hit"] for r in rows)
    id_row = rows[1]
    assert id_row["before"] == "公示如下：张三，身份证号"
    assert id_row["after"].startswith("，手机138****5678，银行卡号")
    assert rows[5]["before"].startswith(bad_id[:3] + "*" * 13 + bad_id[-2:])  # cut number
    assert rows[5]["after"] == "。"


def test_judge_one_finding_per_item() -> None:
    texts = [
        ScannedText(301, 7, "http://x.gov.cn/gsgg/1.html", "公示", "张三 13812345678，李四 13912345678",
                    None),
        ScannedText(302, 7, "http://x.gov.cn/gsgg/2.html", "通知", "联系电话：13812345678", AS_OF),
        ScannedText(303, 99, "http://y.gov.cn/1.html", "公示", "张三 13812345678", AS_OF),
        ScannedText(304, 7, "http://x.gov.cn/gsgg/4.html", "公示", "张三 13812345678",
                    date(2021, 9, 9)),  # after the as-of date
    ]
    (draft,) = personal_info.judge(texts, {7: facts()}, AS_OF, RULES)
    assert (draft.rule, draft.subject, draft.period, draft.points, draft.item_id) == (
        "personal_info", "item:301", "2021-W36", 1.0, 301)
    assert draft.indicator == "A9.2 测试 / 个人信息保护"
    assert draft.evidence["counts"] == {"mobile": 2}
    assert draft.evidence["item_url"] == "http://x.gov.cn/gsgg/1.html"
    rows = draft.evidence["hits"]
    assert [(r["before"], r["hit"], r["after"]) for r in rows] == [
        ("张三 ", "138****5678", "，李四 139****5678"),
        ("张三 138****5678，李四 ", "139****5678", ""),
    ]
    assert personal_info.judge(texts[1:2], {7: facts()}, AS_OF, RULES,
                               contact_patterns=["值守"]) == []


# ----------------------------------------------------------------------------- real text


def test_real_portal_publishes_no_personal_numbers(real_corpus: Path) -> None:
    csv.field_size_limit(2**31 - 1)
    texts = []
    for path in sorted(real_corpus.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["标题"] != "标题":  # a header row repeated inside the file
                    texts.append(ScannedText(len(texts), 7, row["访问地址"], row["标题"],
                                             row["内容"] or "", date.fromisoformat(row["时间"])))
    assert sum(len(t.body) for t in texts) > 1_000_000  # the whole corpus was read
    as_of = max(t.published_on for t in texts if t.published_on)
    found = Counter(h.kind for t in texts for text in (t.title, t.body)
                    for h in find(text, today=as_of))
    # its pages print contact people's mobiles (联系人：陈某135…　　郝某139…): official, not
    # reported; no ID or bank card number anywhere
    assert found == Counter()
    assert personal_info.judge(texts, {7: facts()}, as_of, RULES) == []
