"""The shipped rubrics: they load, sum to 100, carry every line of the seed tables, feed the
monitors; and a broken rubric file is reported in Chinese with its file, line and item."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from monitors.rule_map import load_rule_map
from scoring.rubric import (
    Rubric,
    RubricError,
    available_rubrics,
    level_weight,
    load_rubric_file,
    load_rubric_set,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "001_d83a519927f436b1.txt"
LC = load_rubric_set("lingchuan-2021")
A, B = LC.for_category("A"), LC.for_category("B")


def test_shipped_rubric_sets() -> None:
    assert available_rubrics() == ["jingchuan", "lingchuan-2021"]
    assert sorted(LC.by_category) == ["A", "B"]
    jc = load_rubric_set("jingchuan")
    assert jc.for_category("A") is jc.for_category("B")


@pytest.mark.parametrize(("rubric", "level1"), [
    (A, [("组织领导与工作保障", 10), ("政务公开标准化规范化", 10), ("主动公开", 30),
         ("依申请公开", 10), ("解读回应", 20), ("政务新媒体管理", 20)]),
    (B, [("组织领导与工作保障", 12), ("政务公开标准化规范化", 10), ("主动公开", 27),
         ("依申请公开", 7), ("解读咨询回应", 24), ("信息公开建设与政务新媒体建设", 20)]),
    (load_rubric_set("jingchuan").for_category("A"),
     [("年度专项业务工作", 70), ("日常工作", 30)]),
])
def test_weights_sum_to_100(rubric: Rubric, level1: list[tuple[str, int]]) -> None:
    assert [(l1.name, level_weight(l1)) for l1 in rubric.spec.indicators] == level1
    assert sum(line.weight for line in rubric.lines.values()) == 100


def test_line_counts_and_ids() -> None:
    assert len(A.lines) == 19 and len(B.lines) == 24
    assert list(A.lines)[:3] == ["A1.1.1", "A1.2.1", "A2.1.1"]
    assert A.rules["A1.2.1c"][1].kind == "zero"
    assert A.lines["A5.4.1"].weight == 1  # empty 赋分 cell in the OCR: 1 makes 100


def test_bonus_and_major_items() -> None:
    points = lambda items: [i.points for i in items.values()]  # noqa: E731
    assert points(A.bonuses) == [3, 2, 1, None]
    assert points(B.bonuses) == [3, 2, 3, 1, None]  # B has 亮点工程 +3
    assert points(A.majors) == [10] * 7 and points(B.majors) == [10] * 7
    assert A.spec.bonus_cap == 10 and B.spec.bonus_cap == 10
    jc = load_rubric_set("jingchuan").for_category("B")
    assert points(jc.bonuses) == [1, 1, 1, 1, Decimal("0.6"), Decimal("0.4"), Decimal("0.2")]
    assert points(jc.majors) == [2, 2, Decimal("1.5"), 1, Decimal("0.5"), 2, 2, 2]


def test_percentage_rules() -> None:
    rule = B.rules["B5.2.1a"][1]
    assert (rule.kind, rule.min_percent, rule.step, rule.points, rule.cap) == (
        "percentage", 90, 2, 1, 4)
    rule = B.rules["B5.3.1a"][1]
    assert (rule.min_percent, rule.step, rule.points, rule.cap) == (50, 1, Decimal("0.5"), None)


# --------------------------------------------------------------------------- seed coverage


def _annex(text: str, number: int) -> str:
    start = text.index(f"\n附件 {number}\n")
    end = text.find(f"\n附件 {number + 1}\n", start + 1)
    return text[start:end if end > 0 else len(text)]


def _seed_rows(annex: str) -> list[tuple[int | None, str]]:
    """(weight, row text) per level-3 line of a seed table; a '10 10' row is two lines."""
    rows: list[tuple[int | None, str]] = []
    for raw in annex.splitlines():
        if "\t" not in raw or raw.startswith("一级指标") or "综合加分项" in raw \
                or "重大扣分项" in raw:
            continue
        cells = [c.strip() for c in raw.split("\t")]
        weights = next((c for c in cells if re.fullmatch(r"\d+( \d+)*", c)), None)
        if weights is None:
            rows.append((None, raw))
        else:
            rows.extend((int(w), raw) for w in weights.split())
    return rows


def _match(rubric: Rubric, rows: list[tuple[int | None, str]]) -> dict[int, str]:
    """Seed row index → rubric line id, best fuzzy matches first, weights equal."""
    pairs = []
    for i, (weight, text) in enumerate(rows):
        for line in rubric.lines.values():
            if weight is not None and line.weight != weight:
                continue
            texts = [line.spec.name, *(r.text[:30] for r in line.spec.deductions)]
            if line.spec.bonus:
                texts.append(line.spec.bonus.text[:12])
            score = max(fuzz.partial_ratio(t, text) for t in texts)
            pairs.append((score, i, line.id))
    matched: dict[int, str] = {}
    used: set[str] = set()
    for score, i, line_id in sorted(pairs, reverse=True):
        if i not in matched and line_id not in used and score >= 75:
            matched[i] = line_id
            used.add(line_id)
    return matched


@pytest.mark.skipif(not SEED.exists(), reason="seed documents not present at ../shared/seeds")
@pytest.mark.parametrize(("number", "rubric"), [(2, A), (3, B)])
def test_every_seed_line_is_carried(number: int, rubric: Rubric) -> None:
    text = SEED.read_text(encoding="utf-8")
    annex = _annex(text, number)
    rows = _seed_rows(annex)
    matched = _match(rubric, rows)
    missing = [rows[i][1][:40] for i in range(len(rows)) if i not in matched]
    assert missing == []
    assert sorted(matched.values()) == sorted(rubric.lines)  # and nothing invented
    # Level-1 names appear in the seed tables (附件2 omits 政务公开标准化规范化; 附件3 has it).
    tables = _annex(text, 2) + _annex(text, 3)
    assert all(l1.name in tables for l1 in rubric.spec.indicators)
    # Bonus and major items: as many as the seed's numbered (一)(二)… clauses.
    bonus_row = next(r for r in annex.splitlines() if "综合加分项" in r)
    major_row = next(r for r in annex.splitlines() if "重大扣分项" in r)
    clauses = lambda row: len(re.findall(r"\(([一二三四五六七八九])\)", row))  # noqa: E731
    assert clauses(bonus_row) == len(rubric.bonuses)
    assert clauses(major_row) == len(rubric.majors)


# --------------------------------------------------------------------------- monitor rules


@pytest.mark.parametrize(("rule", "category", "points", "text"), [
    ("stale_column", "A", 1, "在本乡镇设置目录下保持内容更新"),
    ("stale_column", "B", 1, "信息公开及政务新媒体更新情况"),
    ("low_post_frequency", "A", 2, "政务新媒体管理 / 政务新媒体建设 / 通报整改情况"),
    ("low_post_frequency", "B", 2, "信息公开及政务新媒体更新情况"),
    ("uninterpreted_policy", "A", 1, "解读回应 / 解读责任 / 应解读、尽解读情况"),
    ("uninterpreted_policy", "B", 1, "解读咨询回应 / 解读责任 / 应解读、尽解读情况"),
    ("not_rectified", "A", 1, "A6.1.1 政务新媒体管理"),
    ("not_rectified", "B", 1, "B6.2.1 信息公开建设与政务新媒体建设 / 通报整改 / 通报整改情况"),
])
def test_rule_map_reads_the_rubrics(rule: str, category: str, points: int, text: str) -> None:
    indicator, got = load_rule_map().lookup(rule, category)
    assert got == points and indicator is not None and text in indicator


def test_crawl_failure_never_deducts() -> None:
    rules = load_rule_map()
    assert rules.lookup("crawl_failure", "A") == (None, 0)
    assert rules.lookup("crawl_failure", "B") == (None, 0)
    assert rules.target("stale_column", "A").rule_id == "A3.1.1a"
    with pytest.raises(KeyError):
        rules.lookup("stale_column", "C")


def test_jingchuan_rule_map_feeds_daily_work() -> None:
    rules = load_rule_map("jingchuan")
    assert rules.target("stale_column", "B").line_id == "J2.1.1"
    assert rules.lookup("low_post_frequency", "A") == (
        "J2.1.2 日常工作 / 平台内容保障 / 政务新媒体常态化更新情况", 2)


# --------------------------------------------------------------------------- bad files

BROKEN = """\
name: test
title: 测试评分表
category: A
indicators:
  - id: A1
    name: 组织领导
    weight: 12
    children:
      - id: A1.1
        name: 组织领导
        lines:
          - id: A1.1.1
            name: 党委研究部署
            weight: 5
            colour: red
            deductions:
              - {id: A1.1.1a, text: 每缺一项扣1分, points: 1}
          - id: A1.1.2
            name: 工作保障
            weight: 4
            deductions:
              - {id: A1.1.1a, text: 不得分, kind: zero}
              - {id: A1.1.2b, text: 百分比, kind: percentage, min_percent: 90}
monitor_rules:
  stale_column: A9.9.9a
"""


def test_broken_rubric_is_reported_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "test-A.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric_file(path)
    report = info.value.report()
    assert report.startswith("评分细则有 2 处错误")
    assert f"{path} 第 15 行，一级指标 A1「组织领导」 → 二级指标 A1.1「组织领导」 → " \
           "三级指标 A1.1.1「党委研究部署」：未知字段 colour" in report
    assert "第 23 行" in report and "百分比扣分规则缺少 min_percent、step 或 points" in report

    fixed = BROKEN.replace("            colour: red\n", "").replace(
        ", kind: percentage, min_percent: 90}", ", kind: percentage, min_percent: 90, "
        "step: 2, points: 1}")
    path.write_text(fixed, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric_file(path)
    report = info.value.report()
    assert "一级指标赋分写为 12，但其下三级指标合计 9" in report
    assert "第 4 行，指标表：一级指标赋分合计为 9，应为 100" in report
    assert "一级指标 A1「组织领导」 → 赋分：一级指标赋分写为 12" in report
    assert "编号「A1.1.1a」重复（第 16 行已使用）" in report
    assert "监测规则 stale_column：对应的扣分规则「A9.9.9a」不存在" in report
    assert "缺少监测规则 low_post_frequency 的对应关系" in report


def test_unknown_rubric_name_lists_the_known_ones() -> None:
    with pytest.raises(RubricError) as info:
        load_rubric_set("lingchuan-2099")
    assert "找不到该评分细则" in str(info.value)
    assert "jingchuan、lingchuan-2021" in str(info.value)
