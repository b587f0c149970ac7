"""B01's 政策文件 ground truth: ``PolicyDoc``, ``POLICIES`` and ``OTHER_INTERPRETATIONS``.

Which policy files the 政策文件 column publishes, which have an interpretation in 政策解读 and
how a rule can find it (title, fuzzy title, 相关解读 link, cited 文号, joint interpretation), which
are declined, too new or missing, and the notices that are not policies at all (the traps).
Plain data; nothing here does I/O or reads the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyDoc:
    """One entry of B01's 政策文件 column and how (or whether) it is interpreted.

    ``match`` says how an interpretation is found: ``title`` (policy name — the 《…》 part, or the
    title without its 文号 — found in the interpretation's title), ``fuzzy`` (titles only
    similar), ``link`` (only the policy page's 相关解读 link), ``declined`` (page states it is
    not interpreted), ``grace`` (too new to need one), ``none`` (missing: a finding),
    ``not-policy`` (a notice the config's ``policy_titles.exclude`` filters out).
    """

    key: str
    title: str  # ``{y}`` = year of publication
    name: str  # the policy's own name (inside 《》 when the title is 关于印发《…》的通知)
    topic: str
    age: int
    match: str
    doc_no: str | None = None  # 文号, ``{y}`` = year
    is_policy: bool = True
    interpretation: str | None = None
    interpretation_age: int | None = None
    policy_links_interpretation: bool = False  # policy page has a 相关解读 link
    interpretation_links_policy: bool = False  # interpretation page links back
    declined: str | None = None  # 不作解读 statement on the policy page
    # the interpretation's text cites the policy by its 文号 (its title names little of it)
    interpretation_cites_number: bool = False
    joint_with: str | None = None  # explained by the (joint) interpretation of that entry

    def expect_finding(self, grace_days: int = 3) -> bool:
        """Whether the no-interpretation rule must fire for this entry."""
        return (
            self.is_policy
            and self.interpretation is None
            and self.joint_with is None
            and self.declined is None
            and self.age > grace_days
        )

    def names(self, title: str) -> bool:
        """Whether a title (as published, years filled in) is this entry's."""
        pattern = re.escape(self.name).replace(re.escape("{y}"), r"\d{4}")
        return re.search(pattern, title) is not None


POLICIES: tuple[PolicyDoc, ...] = (
    PolicyDoc(
        "P1",
        "演示县人民政府关于印发《演示县优化营商环境若干措施》的通知",
        "演示县优化营商环境若干措施",
        "优化营商环境",
        20,
        "title",
        "演政发〔{y}〕12号",
        interpretation="关于《演示县优化营商环境若干措施》的解读",
        interpretation_age=18,
        interpretation_links_policy=True,
    ),
    PolicyDoc(
        "P2",
        "演示县粮食生产扶持资金管理办法",
        "演示县粮食生产扶持资金管理办法",
        "粮食生产扶持资金管理",
        15,
        "none",
        "演发改发〔{y}〕7号",
    ),
    PolicyDoc(
        "P3",
        "演示县农村人居环境整治提升实施方案（试行）",
        "演示县农村人居环境整治提升实施方案",
        "农村人居环境整治提升",
        10,
        "fuzzy",
        "演政办发〔{y}〕14号",
        interpretation="一图读懂｜演示县农村人居环境整治提升实施方案",
        interpretation_age=8,
        interpretation_links_policy=True,
    ),
    PolicyDoc(
        "P4",
        "演示县促进消费扩容提质若干措施",
        "演示县促进消费扩容提质若干措施",
        "促进消费扩容提质",
        1,
        "grace",
        "演政办发〔{y}〕20号",
    ),
    PolicyDoc(
        "P5",
        "演示县发展和改革局{y}年度重点工作任务分解方案",
        "演示县发展和改革局{y}年度重点工作任务分解方案",
        "年度重点工作任务落实",
        12,
        "declined",
        "演发改发〔{y}〕9号",
        declined="本文件不作解读。理由：本文件为内部工作安排，不涉及公众权利义务。",
    ),
    PolicyDoc(
        "P6",
        "演示县城区停车管理办法",
        "演示县城区停车管理办法",
        "城区停车管理",
        9,
        "link",
        "演政办发〔{y}〕15号",
        interpretation="图解：城区停车新规来了",
        interpretation_age=7,
        policy_links_interpretation=True,
    ),
    PolicyDoc(
        "P7",
        "演示县人民政府办公室关于印发《演示县招商引资优惠政策若干规定》的通知",
        "演示县招商引资优惠政策若干规定",
        "招商引资",
        28,
        "title",
        "演政办发〔{y}〕8号",
        interpretation="《演示县招商引资优惠政策若干规定》政策解读",
        interpretation_age=27,
    ),
    PolicyDoc(
        "P8",
        "演示县重点项目建设管理办法（演发改发〔{y}〕5号）",
        "演示县重点项目建设管理办法",
        "重点项目建设管理",
        33,
        "title",
        "演发改发〔{y}〕5号",
        interpretation="演示县重点项目建设管理办法解读",
        interpretation_age=31,
    ),
    # Traps of real portals (issue 15): yearly work points beside last year's interpretation
    # of the same name (OTHER_INTERPRETATIONS) — a finding;
    PolicyDoc(
        "P9",
        "关于印发《演示县{y}年政务公开工作要点》的通知",
        "演示县{y}年政务公开工作要点",
        "政务公开",
        12,
        "none",
        "演政办发〔{y}〕21号",
    ),
    # a joint interpretation naming two policies — both interpreted;
    PolicyDoc(
        "P10",
        "关于印发《演示县养老服务补贴办法》的通知",
        "演示县养老服务补贴办法",
        "养老服务补贴",
        14,
        "joint",
        "演民发〔{y}〕4号",
        interpretation="《演示县养老服务补贴办法》和《演示县居家养老服务管理细则》政策解读",
        interpretation_age=13,
    ),
    PolicyDoc(
        "P11",
        "关于印发《演示县居家养老服务管理细则》的通知",
        "演示县居家养老服务管理细则",
        "居家养老服务管理",
        14,
        "joint",
        "演民发〔{y}〕5号",
        joint_with="P10",
    ),
    # an interpretation whose title shares little with the policy, its text citing the 文号;
    PolicyDoc(
        "P12",
        "演示县农业产业化龙头企业认定和运行监测管理办法",
        "演示县农业产业化龙头企业认定和运行监测管理办法",
        "龙头企业认定和运行监测",
        16,
        "number",
        "演农发〔{y}〕6号",
        interpretation="助力龙头企业做大做强——我县出台新规",
        interpretation_age=15,
        interpretation_cites_number=True,
    ),
    # an interpretation titled like one policy (P13) whose page links to another (P14): it is
    # P14's, and P13 has none — a finding.
    PolicyDoc(
        "P13",
        "关于印发《演示县物业服务收费管理办法》的通知",
        "演示县物业服务收费管理办法",
        "物业服务收费",
        18,
        "none",
        "演发改发〔{y}〕11号",
    ),
    PolicyDoc(
        "P14",
        "关于印发《演示县物业服务企业信用评价办法》的通知",
        "演示县物业服务企业信用评价办法",
        "物业服务企业信用评价",
        18,
        "link",
        "演发改发〔{y}〕12号",
        interpretation="《演示县物业服务收费管理办法》解读",
        interpretation_age=17,
        interpretation_links_policy=True,
    ),
    PolicyDoc(
        "N1",
        "关于张三同志任职的通知",
        "关于张三同志任职的通知",
        "人事任免",
        5,
        "not-policy",
        is_policy=False,
    ),
    PolicyDoc(
        "N2",
        "演示县发改局{y}年公开招聘工作人员公告",
        "演示县发改局{y}年公开招聘工作人员公告",
        "公开招聘",
        16,
        "not-policy",
        is_policy=False,
    ),
    # notices the built-in classifier keeps out (no pattern in the config names them)
    PolicyDoc(
        "N3",
        "关于公布{y}年度全县优化营商环境先进单位名单的通知",
        "关于公布{y}年度全县优化营商环境先进单位名单的通知",
        "名单公布",
        11,
        "not-policy",
        "演发改发〔{y}〕10号",
        is_policy=False,
    ),
    PolicyDoc(
        "N4",
        "关于举办演示县第三届“创业之星”大赛的通知",
        "关于举办演示县第三届“创业之星”大赛的通知",
        "创业大赛",
        9,
        "not-policy",
        is_policy=False,
    ),
)

# Interpretations in 政策解读 of policies published elsewhere (not in B01's 政策文件); ``{y}`` =
# year of publication (last year's work points, a year before P9).
OTHER_INTERPRETATIONS: tuple[tuple[str, int], ...] = (
    ("《演示县{y}年政务公开工作要点》解读", 362),
    ("演示县义务教育阶段学生资助政策问答", 38),
    ("《演示县城镇老旧小区改造实施方案》政策解读", 45),
    ("《演示县困难群众基本生活救助办法》解读", 52),
    ("一图读懂演示县稳就业十条措施", 61),
)
