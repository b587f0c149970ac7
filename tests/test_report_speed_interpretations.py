"""整改情况 judged over the interpretations ``bearing_on`` keeps equals it judged over all."""

from __future__ import annotations

import dataclasses
import random
from datetime import date

import pytest

from reports.interpretations import InterpretationRow, bearing_on, match_threshold
from reports.weekly import build_weekly
from storage.repo import PostFact
from tests.test_report_weekly import finding, inputs

NAMES = ["停车管理办法", "粮食安全工作方案", "乡村振兴实施意见", "营商环境优化措施",
         "防汛应急预案", "教育发展规划", "医疗保障条例", "垃圾分类管理规定"]
# source → unit: units 1–3 publish policies (sources 1–3) and interpretations (11–13);
# unit 9 interprets for others (no policy column); source 99 is not a known column
UNIT_OF = {1: 1, 2: 2, 3: 3, 11: 1, 12: 2, 13: 3, 19: 9}
POLICY_UNITS = frozenset({1, 2, 3})


def _interpretation_titles(name: str, rng: random.Random) -> list[str]:
    return [f"关于《演示县{name}》的解读", f"一图读懂：演示县{name}", f"{name}政策解读",
            f"图解 演示县{name[:-1]}", f"演示县{name}（试行）的起草说明", f"{name[:3]}",
            f"甲县{name}解读", f"关于演示县{name[:2]}某{name[3:]}的解读",  # fuzzy only
            f"{rng.choice(NAMES)}答记者问", f"演示县{name}补充通知"]


def _case(seed: int) -> tuple[dict[int, PostFact], tuple[PostFact, ...], list[object]]:
    rng = random.Random(seed)
    policies: dict[int, PostFact] = {}
    named = []
    for n in range(24):
        name = (rng.choice(NAMES) if rng.random() < 0.6 else f"森林{n}瞭望塔建设标准"
                ) + rng.choice(["", "（试行）", "〔2021〕3号"])
        item_id = 100 + n
        source = rng.choice([1, 2, 3])
        url = f"http://gov.example/{source}/zcwj/{item_id}.html"
        links = [f"http://gov.example/jd/{rng.randrange(40)}.html/"] if rng.random() < 0.3 else []
        title = rng.choice([f"演示县人民政府关于印发《演示县{name}》的通知", f"演示县{name}",
                            f"关于{name}的通知", name[:3]])
        policies[item_id] = PostFact(item_id, source, url, title, date(2021, 8, 20), None,
                                     links, None)
        named.append(finding("uninterpreted_policy", "2021-W34", unit="B01", source="政策文件",
                             source_id=source, item_id=item_id, subject=f"item:{item_id}",
                             policy_title=title, published_on="2021-08-20",
                             match_threshold=rng.choice([0.6, 0.85, 0.95, 0.85, 0.2])))
    interpretations = []
    for k in range(160):
        name = rng.choice(NAMES)
        links = []
        if rng.random() < 0.15:  # links to a policy, with a fragment or a trailing slash
            target = rng.choice(list(policies.values()))
            links = [target.url + rng.choice(["", "#top", "/"])]
        interpretations.append(PostFact(
            1000 + k, rng.choice([11, 12, 13, 19, 99]), f"http://gov.example/jd/{k}.html",
            rng.choice(_interpretation_titles(name, rng)), date(2021, 9, 1), None, links,
            None))
    return policies, tuple(interpretations), named


@pytest.mark.parametrize("seed", range(12))
def test_kept_interpretations_give_the_same_rectifications(seed: int) -> None:
    policies, everything, named = _case(seed)
    lowest = {}
    for f in named:
        lowest[f.item_id] = min(match_threshold(f.row.evidence), lowest.get(f.item_id, 1.0))
    rows = [InterpretationRow(i.item_id, i.source_id, i.url, i.title, i.links)
            for i in everything]
    kept = tuple(everything[k] for k in bearing_on(
        [(p, lowest[i]) for i, p in policies.items()], rows, UNIT_OF, POLICY_UNITS))

    def judged(interpretations: tuple[PostFact, ...]) -> object:
        built = dataclasses.replace(
            inputs([], previous=named, policies=policies, interpretations=interpretations),
            source_units=UNIT_OF, policy_units=POLICY_UNITS)
        return build_weekly(built, issued_on=date(2021, 9, 6)).rectifications

    full = judged(everything)
    assert judged(kept) == full
    assert any(r.rectified for r in full) and not all(r.rectified for r in full)
    assert len(kept) < len(everything)


def test_links_stored_as_json_text_count() -> None:
    policy = PostFact(1, 1, "http://gov.example/1/zcwj/1.html", "某某某某某某某办法",
                      date(2021, 8, 20), None, [], None)
    rows = [InterpretationRow(7, 11, "http://gov.example/jd/7.html", "毫不相干的标题",
                              '["http://gov.example/1/zcwj/1.html#a"]'),
            InterpretationRow(8, 11, "http://gov.example/jd/8.html", "毫不相干的标题", "[]")]
    assert bearing_on([(policy, 0.85)], rows, UNIT_OF, POLICY_UNITS) == [0]


def test_a_fuzzy_match_of_the_policy_unit_is_kept_and_another_unit_s_is_not() -> None:
    policy = PostFact(1, 1, "http://gov.example/1/zcwj/1.html", "演示县停车管理办法",
                      date(2021, 8, 20), None, [], None)
    rows = [InterpretationRow(7, 11, "http://gov.example/jd/7.html", "关于演示县停某管理办法的解读",
                              "[]"),
            InterpretationRow(8, 12, "http://gov.example/jd/8.html", "关于演示县停某管理办法的解读",
                              "[]"),
            InterpretationRow(9, 19, "http://gov.example/jd/9.html", "演示县停车管某办法", "[]")]
    assert bearing_on([(policy, 0.85)], rows, UNIT_OF, POLICY_UNITS) == [0, 2]
    assert bearing_on([(policy, 0.99)], rows, UNIT_OF, POLICY_UNITS) == []
