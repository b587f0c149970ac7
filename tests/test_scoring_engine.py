"""The score engine, line by line, on the shipped rubrics: every value is computed by hand.

Class A (附件2) level-1 weights: A1 10, A2 10, A3 30, A4 10, A5 20, A6 20.
Class B (附件3): B1 12, B2 10, B3 27, B4 7, B5 24, B6 20. Jingchuan: J1 70, J2 30.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring.engine import (
    Entry,
    IndicatorScore,
    LineScore,
    UnitInfo,
    UnitScore,
    grade,
    rank_units,
    score_unit,
)
from scoring.rubric import load_rubric_set

LC = load_rubric_set("lingchuan-2021")
A = LC.for_category("A")
B = LC.for_category("B")
J = load_rubric_set("jingchuan").for_category("A")
UA = UnitInfo("A01", "城关镇", "A")
UB = UnitInfo("B01", "县发改局", "B")

D = Decimal


def ded(ref: str, n: int = 1, points: str | None = None) -> list[Entry]:
    return [Entry("deduction", ref, D(points) if points else None, source=f"发现#{i + 1}")
            for i in range(n)]


def bonus(ref: str, n: int = 1, points: str | None = None) -> list[Entry]:
    return [Entry("bonus", ref, D(points) if points else None, source="录入#1")
            for _ in range(n)]


def major(ref: str) -> list[Entry]:
    return [Entry("major", ref, source="录入#9", note="行政诉讼败诉")]


def measure(ref: str, percent: str) -> list[Entry]:
    return [Entry("measure", ref, value=D(percent), source="录入#5")]


def level1(score: UnitScore, ident: str) -> IndicatorScore:
    return next(ind for ind in score.indicators if ind.spec.id == ident)


def line(score: UnitScore, ident: str) -> LineScore:
    return next(ls for ls in score.lines if ls.line.id == ident)


def test_no_events_scores_full_marks() -> None:
    s = score_unit(A, UA, [])
    assert [ind.score for ind in s.indicators] == [10, 10, 30, 10, 20, 20]
    assert (s.base, s.bonus, s.major, s.total, s.capped, s.final) == (100, 0, 0, 100, 100, 100)
    assert s.grade == "优秀"


def test_per_event_points_come_from_the_rule() -> None:
    # 栏目长期未更新 3 times, 1 point each: A3 主动公开 30 → 27.
    s = score_unit(A, UA, ded("A3.1.1a", 3))
    assert line(s, "A3.1.1").deduction == 3
    assert [r.source for r in line(s, "A3.1.1").reasons] == ["发现#1", "发现#2", "发现#3"]
    assert level1(s, "A3").score == 27
    assert s.final == 97


def test_level1_cap_bites() -> None:
    # A1.1.1 每缺一项扣1分 ×7 = 7 (a level-3 line may exceed its own weight 5: score −2);
    # A1.2.1 rules a and b, 2 each = 4. A1 raw 11 > weight 10 → A1 loses 10, scores 0.
    s = score_unit(A, UA, ded("A1.1.1a", 7) + ded("A1.2.1a") + ded("A1.2.1b"))
    assert line(s, "A1.1.1").deduction == 7
    assert line(s, "A1.1.1").score == -2
    a1 = level1(s, "A1")
    assert (a1.raw_deduction, a1.deduction, a1.score, a1.capped) == (11, 10, 0, True)
    assert s.base == 90 and s.final == 90 and s.grade == "优秀"
    assert any("超过一级指标权重 10 分" in n for n in s.notes)


def test_per_line_caps_bite() -> None:
    # B3.3.2 属性认定 1 each, cap 3: 4 events → 3. B4.2.1 投诉 1 each, cap 5: 7 → 5.
    s = score_unit(B, UB, ded("B3.3.2a", 4) + ded("B4.2.1a", 7))
    assert line(s, "B3.3.2").deduction == 3
    assert line(s, "B4.2.1").deduction == 5
    assert level1(s, "B3").score == 24 and level1(s, "B4").score == 2
    assert s.final == 92
    assert "B3.3.2a 扣分 4 分，超过扣分上限 3 分，按 3 分计" in line(s, "B3.3.2").notes


def test_once_only_condition_is_capped_at_its_points() -> None:
    # 职能职责规定不完善的，扣2分 — entered twice still costs 2.
    s = score_unit(A, UA, ded("A1.2.1a", 2))
    assert line(s, "A1.2.1").deduction == 2


def test_zero_rule_takes_the_whole_weight_once() -> None:
    # 未进行台账管理的不得分: A3.3.1 (5) → 0; twice is still 5.
    s = score_unit(A, UA, ded("A3.3.1a", 2))
    assert line(s, "A3.3.1").deduction == 5 and line(s, "A3.3.1").score == 0
    # 不得分 together with 扣2分 on the same line: the line is at 0, not −2.
    s = score_unit(A, UA, ded("A1.2.1a") + ded("A1.2.1c"))
    assert line(s, "A1.2.1").deduction == 5
    assert s.final == 95


@pytest.mark.parametrize(("percent", "deduction"), [
    ("95", 0), ("90", 0),
    ("89", 0),  # one point below: not yet a full two-point step
    ("88", 1),  # two points below: one step, 1 point
    ("86.5", 1),  # 3.5 below: one full step
    ("84", 3),
    ("80", 4),  # ten below: 5 steps = 5 points, capped at 扣分上限 4
])
def test_diversified_interpretation_90_percent_rule_class_b(percent: str,
                                                            deduction: int) -> None:
    s = score_unit(B, UB, measure("B5.2.1a", percent))
    assert line(s, "B5.2.1").deduction == deduction
    assert level1(s, "B5").score == 24 - deduction
    assert s.final == 100 - deduction


def test_diversified_interpretation_class_a_has_no_line_cap() -> None:
    # Class A: the same rule on a 2-point line with no cap: 80% → 5 points, line score −3;
    # A5 解读回应 20 → 15.
    s = score_unit(A, UA, measure("A5.2.1a", "80"))
    assert line(s, "A5.2.1").deduction == 5 and line(s, "A5.2.1").score == -3
    assert level1(s, "A5").score == 15
    assert "实测 80%" in line(s, "A5.2.1").reasons[0].note


@pytest.mark.parametrize(("percent", "deduction"), [
    ("50", "0"), ("49.5", "0"), ("49", "0.5"), ("45", "2.5"), ("30", "10")])
def test_non_government_channel_50_percent_rule(percent: str, deduction: str) -> None:
    # 不得少于50%，每降低一个百分点扣0.5分 (no cap: 30% → 10 on a 2-point line; B5 24 → 14).
    s = score_unit(B, UB, measure("B5.3.1a", percent))
    assert line(s, "B5.3.1").deduction == D(deduction)
    assert s.final == 100 - D(deduction)


def test_last_measurement_of_the_year_counts() -> None:
    s = score_unit(B, UB, measure("B5.2.1a", "80") + measure("B5.2.1a", "88"))
    assert line(s, "B5.2.1").deduction == 1


def test_bonus_of_12_is_capped_at_10() -> None:
    # Deductions: A1.1.1a ×5 = 5, A2.1.1a ×10 = 10 → base 85.
    # Bonus: A-JF1 3×3 = 9, A-JF2 2, 便民答复 A4.3.1 2×0.5 = 1 → 12 → capped 10 → 95.
    entries = (ded("A1.1.1a", 5) + ded("A2.1.1a", 10) + bonus("A-JF1", 3) + bonus("A-JF2")
               + bonus("A4.3.1", 2))
    s = score_unit(A, UA, entries)
    assert s.base == 85
    assert s.bonus_raw == 12 and s.bonus == 10
    assert (s.total, s.capped, s.final) == (95, 95, 95)
    assert "加分合计 12 分，超过上限 10 分，按 10 分计" in s.notes
    assert len(s.bonus_reasons) == 6


def test_per_line_and_per_item_bonus_caps() -> None:
    # 便民答复 0.5 each, cap 2: 5 → 2.5 → 2. 三年优秀 +1 once: twice → 1. 拓展领域 +1, cap 6.
    s = score_unit(A, UA, bonus("A4.3.1", 5) + bonus("A-JF3", 2) + bonus("A2.2.1", 8))
    assert line(s, "A4.3.1").bonus == 2
    assert line(s, "A2.2.1").bonus == 6
    assert s.bonus_raw == 9 and s.bonus == 9


def test_total_of_103_is_recorded_as_100_and_ranks_above_a_plain_100() -> None:
    over = score_unit(A, UnitInfo("A01", "城关镇", "A"), bonus("A-JF1"))  # 100 + 3
    plain = score_unit(A, UnitInfo("A02", "河西镇", "A"), [])  # 100
    made_up = score_unit(A, UnitInfo("A03", "六泉乡", "A"),
                         ded("A3.1.1a", 3) + bonus("A-JF1"))  # 97 + 3 = 100, no excess
    lower = score_unit(A, UnitInfo("A04", "古郊乡", "A"), ded("A3.1.1a"))  # 99
    assert (over.total, over.capped, over.final, over.excess) == (103, 100, 100, 3)
    ranked = rank_units([lower, made_up, plain, over])
    assert [(s.unit.code, s.final, s.rank) for s in ranked] == [
        ("A01", 100, 1), ("A02", 100, 2), ("A03", 100, 2), ("A04", 99, 4)]


def test_ranks_are_within_each_class() -> None:
    ranked = rank_units([score_unit(B, UB, ded("B6.1.1a")), score_unit(A, UA, ded("A3.1.1a", 5)),
                         score_unit(B, UnitInfo("B02", "县教育局", "B"), [])])
    assert [(s.unit.code, s.rank) for s in ranked] == [("A01", 1), ("B02", 1), ("B01", 2)]


def test_major_deduction_comes_off_the_total() -> None:
    s = score_unit(A, UA, major("A-ZD1"))
    assert (s.base, s.major, s.final, s.grade) == (100, 10, 90, "优秀")
    s = score_unit(A, UA, ded("A3.1.1a") + major("A-ZD1"))
    assert (s.final, s.grade) == (89, "良好")
    assert s.major_reasons[0].note == "行政诉讼败诉"


def test_major_deduction_applies_to_the_recorded_100() -> None:
    # 98 + 6 = 104, recorded as 100, then −10 = 90 (在总得分的基础上扣10分).
    s = score_unit(A, UA, ded("A3.1.1a", 2) + bonus("A-JF1", 2) + major("A-ZD2"))
    assert (s.total, s.capped, s.final) == (104, 100, 90)


def test_score_never_goes_below_zero() -> None:
    s = score_unit(A, UA, ded("A3.1.1a", 40) + major("A-ZD1") * 8)
    assert s.base == 70 and s.final == 0 and s.grade == "不合格"


@pytest.mark.parametrize(("score", "name"), [
    ("100", "优秀"), ("90", "优秀"), ("89.5", "良好"), ("80", "良好"), ("79.5", "合格"),
    ("60", "合格"), ("59.5", "不合格"), ("0", "不合格")])
def test_grade_boundaries(score: str, name: str) -> None:
    assert grade(D(score)) == name


@pytest.mark.parametrize(("entries", "final", "name"), [
    # A6.1.1a 被通报 0.5 each ×21 = 10.5 → 89.5.
    (ded("A6.1.1a", 21), "89.5", "良好"),
    # A6 20 (40 × 0.5) + A3 20 (20 stale) → 60.
    (ded("A6.1.1a", 40) + ded("A3.1.1a", 20), "60", "合格"),
    # … and half a point more on A5 (entered points 0.5) → 59.5.
    (ded("A6.1.1a", 40) + ded("A3.1.1a", 20) + ded("A5.1.1a", points="0.5"), "59.5", "不合格"),
    # A6 capped: 50 notices × 0.5 = 25 > 20 → 80.
    (ded("A6.1.1a", 50), "80", "良好"),
    (ded("A6.1.1a", 20), "90", "优秀"),
])
def test_grade_boundaries_through_the_engine(entries: list[Entry], final: str,
                                             name: str) -> None:
    s = score_unit(A, UA, entries)
    assert s.final == D(final) and s.grade == name


def test_jingchuan_unit_with_70_30_parts() -> None:
    # 日常工作 (30): stale ×3 (1 each) = 3, new media under-posting ×2 (2 each) = 4 → 23.
    # 年度专项业务工作 (70): 主动公开 5.5 + 组织领导 2 (entered points) → 62.5.
    # Base 85.5; bonus 国家级媒体 1 + 省级 0.6 + 县级 0.2 = 1.8 → 87.3; 省办通报 −1.5 → 85.8.
    entries = (ded("J2.1.1a", 3) + ded("J2.1.2a", 2) + ded("J1.3.1a", points="5.5")
               + ded("J1.1.1", points="2") + bonus("J-JF4") + bonus("J-JF5") + bonus("J-JF7")
               + [Entry("major", "J-ZD3", source="录入#3")])
    s = score_unit(J, UA, entries)
    parts = [(ind.spec.name, ind.weight, ind.score) for ind in s.indicators]
    assert parts == [("年度专项业务工作", 70, D("62.5")), ("日常工作", 30, 23)]
    assert s.base == D("85.5") and s.bonus == D("1.8") and s.major == D("1.5")
    assert s.final == D("85.8") and s.grade == "良好"


def test_jingchuan_daily_work_never_loses_more_than_30() -> None:
    s = score_unit(J, UA, ded("J2.1.1a", 25) + ded("J2.1.2a", 10))  # 25 + 20 = 45 → 30
    daily = level1(s, "J2")
    assert (daily.raw_deduction, daily.deduction, daily.score) == (45, 30, 0)
    assert s.final == 70 and s.grade == "合格"


def test_inputs_the_rubric_cannot_score_are_listed_not_counted() -> None:
    entries = [Entry("deduction", "Z9.9.9", source="录入#1"),
               Entry("bonus", "A3.1.1", source="录入#2"),  # line without a bonus rule
               Entry("deduction", "J1.1.1a", source="录入#3"),  # another rubric's id
               Entry("measure", "A3.1.1a", value=D("50"), source="录入#4")]
    s = score_unit(A, UA, entries)
    assert s.final == 100
    assert len(s.ignored) == 4 and s.ignored[0].startswith("录入#1（Z9.9.9）")
    # Jingchuan annual lines have no default points: an entry must carry them.
    s = score_unit(J, UA, ded("J1.1.1a"))
    assert s.final == 100 and "须填写分值" in s.ignored[0]


def test_explicit_points_on_a_multi_rule_line() -> None:
    # A6.1.1 has three rules; 3.5 points entered against the line itself.
    s = score_unit(A, UA, ded("A6.1.1", points="3.5") + ded("A6.1.1c"))
    assert line(s, "A6.1.1").deduction == D("5.5")
    assert s.final == D("94.5")


def test_a_line_with_nothing_on_it_scores_as_the_full_path_would() -> None:
    """The shortcut for untouched lines gives what the full computation gives them."""
    from scoring import engine

    rubric = LC.for_category("A")
    empty = engine._Buckets()
    for line in rubric.lines.values():
        fast = engine._score_line(line, empty)
        assert fast == engine.LineScore(line, Decimal(0), Decimal(0), (), (), ())
        assert fast.score == line.weight
    # a measurement above the minimum takes the full path: a reason, no deduction
    rule_id, (line, rule) = next((k, v) for k, v in rubric.rules.items()
                                 if v[1].kind == "percentage")
    measured = engine._Buckets(measures={rule.id: Entry("measure", rule_id, value=Decimal(100))})
    full = engine._score_line(line, measured)
    assert full.deduction == 0 and len(full.reasons) == 1
