"""Which items of a policy column need an interpretation (``monitors.policy_class``).

Each class on titles of the kinds real portals carry, the county's own patterns winning, and
the classifier's agreement with hand labels of a real department's policy files (skipped when
``../shared/real-corpus`` is absent).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitors.policy_class import ClassPolicy, classify, decide

POLICIES = [
    ("关于印发《河北省实验室建设工作指引》的通知", "印发文件：《河北省实验室建设工作指引》"),
    ("演示县人民政府关于印发《演示县优化营商环境若干措施》的通知", "印发文件"),
    ("关于印发《河北省创新创业大赛管理办法》的通知", "印发文件"),  # a rule about contests
    ("关于修订《河北省科技型中小企业认定管理办法》部分条款的通知", "印发文件"),
    ("河北省科学技术奖励办法", "文件名称为办法"),
    ("河北省科技创新“十四五”规划", "文件名称为规划"),
    ("演示县重点项目建设管理办法（演发改发〔2021〕5号）", "文件名称为办法"),
    ("中华人民共和国促进科技成果转化法", "文件名称为法"),
    ("国务院关于修改〈国家科学技术奖励条例〉的决定", "印发文件"),
    ("河北省人民政府办公厅印发关于支持医药产业发展若干措施的通知", "印发文件"),
    # a name issued without 《》 holds words that would mark a notice: the name is the rule's
    ("关于印发陵川县职业技能培训补贴管理办法的通知", "印发文件：《陵川县职业技能培训补贴管理办法》"),
    ("关于印发科技计划项目申报管理办法的通知", "印发文件"),
    ("关于印发陵川县防汛应急预案的通知", "印发文件"),
    ("关于印发‹陵川县会议费管理办法›的通知", "印发文件"),
    ("河北省科学技术厅行政许可类执法公示实施细则(试行)", "文件名称为细则"),
    ("转发《科技部 财政部关于现金奖励信息公示办法的通知》的通知", "转发文件"),
]

NOT_POLICIES = [
    ("关于公布2023年度优秀教师名单的通知", "公布名单/结果"),
    ("关于公布2021年行政规范性文件清理结果的通知", "公布名单/结果"),
    ("关于表彰2023年度先进集体和先进个人的决定", "表彰/通报"),
    ("关于举办第十届创新创业大赛的通知", "举办/开展活动"),
    ("关于开展2024年“安全生产月”活动的通知", "举办/开展活动"),
    ("关于组织开展优秀科普作品评选的通知", "举办/开展活动"),
    ("演示县发改局2021年公开招聘工作人员公告", "人事/招聘"),
    ("关于张三同志任职的通知", "人事/招聘"),
    ("陵川县2024年公开招聘事业单位工作人员实施方案", "人事/招聘"),  # a plan, but recruitment
    ("拟聘用人员名单公示", "人事/招聘"),
    ("关于2024年度科技型中小企业入库情况的公示", "公示"),
    ("关于《演示县养老服务条例（征求意见稿）》公开征求意见的公告", "征求意见"),
    ("关于召开全县政务公开工作会议的通知", "会议通知"),
    ("关于做好强降雨天气防范应对工作的紧急通知", "紧急通知"),
    ("关于报送2024年上半年科技统计数据的通知", "报送/统计/填报"),
    ("关于推荐省第七批“百人计划”人选的通知", "人事/招聘"),
    ("关于组织申报2024年度省级科技计划项目的通知", "申报/推荐"),
    ("关于做好2024年度科技奖提名工作的通知", "申报/推荐"),  # nomination, though yearly
    ("关于转发开展全国科普日宣传活动的通知", "举办/开展活动"),
]

YEARLY = [
    "关于做好2024年秋季学期学生资助工作的通知",
    "关于印发《2024年全县政务公开工作要点》的通知",
    "演示县发展和改革局2021年度重点工作任务分解方案",
]


@pytest.mark.parametrize(("title", "reason"), POLICIES)
def test_policy_files(title: str, reason: str) -> None:
    found = classify(title)
    assert found.cls == "policy", found
    assert found.reason.startswith(reason)


@pytest.mark.parametrize(("title", "reason"), NOT_POLICIES)
def test_notices_that_need_no_interpretation(title: str, reason: str) -> None:
    found = classify(title)
    assert found.cls == "not_policy", found
    assert found.reason.startswith(reason)
    assert found.label == "非政策性文件"


@pytest.mark.parametrize("title", YEARLY)
def test_yearly_work_arrangements_are_a_class_of_their_own(title: str) -> None:
    found = classify(title)
    assert found.cls == "yearly_work", found
    assert decide(title, "", ClassPolicy())[1] is True  # judged as policy by default
    assert decide(title, "", ClassPolicy(yearly_work_is_policy=False))[1] is False


def test_a_normative_number_in_the_body_decides() -> None:
    title = "关于进一步规范科技计划项目管理的通知"  # no genre word in the title
    assert classify(title).cls == "unclassified"
    found = classify(title, "冀科平规〔2024〕1号河北省科学技术厅关于进一步规范……")
    assert (found.cls, found.reason) == ("policy", "规范性文件文号：冀科平规〔2024〕1号")
    # a 文号 the body cites as its basis is not the document's own
    basis = classify(title, "各市科技局：为贯彻落实《关于……的意见》（冀科平规〔2020〕2号），现将……")
    assert basis.cls == "unclassified"


def test_unclassified_items_are_not_judged_unless_the_county_says_so() -> None:
    title = "关于进一步做好中央财政科研项目资金管理等政策贯彻落实工作的通知"
    assert classify(title).cls == "unclassified"
    assert decide(title, "", ClassPolicy())[1] is False
    assert decide(title, "", ClassPolicy(unclassified_is_policy=True))[1] is True


def test_overlong_titles_are_read_to_a_bound() -> None:
    """Crawled titles are untrusted: a huge one is classified on its first 300 characters."""
    assert classify("版" * 50_000 + "管理办法").cls == "unclassified"
    assert classify("关于印发《演示县停车管理办法》的通知" + "(a)" * 50_000).cls == "policy"


def test_county_and_column_patterns_win_over_the_classifier() -> None:
    county = ClassPolicy(include=("工作方案$",), exclude=("管理办法",))
    found, needed = decide("演示县城区停车管理办法", "", county)
    assert (found.cls, needed) == ("not_policy", False)
    assert found.reason == "本县排除规则：管理办法"
    found, needed = decide("关于印发某某工作方案", "", county)
    assert (found.cls, needed, found.reason) == ("policy", True, "本县纳入规则：工作方案$")
    found, needed = decide("关于公布获奖名单的通知", "", ClassPolicy(),
                           {"include": ["获奖名单"]})
    assert (found.cls, needed, found.reason) == ("policy", True, "栏目纳入规则：获奖名单")
    # a column's include patterns keep their old meaning: only what they match
    found, needed = decide("演示县城区停车管理办法", "", ClassPolicy(), {"include": ["获奖名单"]})
    assert (found.cls, needed, found.reason) == ("not_policy", False, "不符合栏目纳入规则")
    found, _ = decide("演示县城区停车管理办法", "", county, {"exclude": ["停车"]})
    assert found.reason == "栏目排除规则：停车"  # the column's patterns first


def test_agreement_with_hand_labels_of_a_real_department(real_corpus: Path) -> None:
    from evals.hebei_kjt import measure_classifier

    figures = measure_classifier()
    assert figures.labelled >= 90
    assert figures.agreed / figures.labelled >= 0.95, figures.disagreements
