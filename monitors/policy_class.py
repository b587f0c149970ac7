"""Which items of a policy column are 政策性文件 that need an interpretation (政策解读).

A policy column (政策文件) also carries notices that need no interpretation: lists of award
winners, contest and training notices, recruitment, 公示, drafts for comment, meeting and
emergency notices, internal reporting requests. ``classify`` sorts an item into one of four
classes from its title (and the head of its body, where the document's own 文号 stands) and
says which word or 文号 decided:

- ``policy`` (政策性文件): a 规范性文件 (a 文号 with 规, 冀科平规〔2024〕1号), a document that
  issues a named rule (印发《…办法/规定/细则/意见/措施/方案/规划/标准/清单…》), a title that is
  itself such a name, or a 决定;
- ``yearly_work`` (年度工作安排): 做好2024年…工作的通知, 2024年工作要点 — judged as policy by
  default, switchable per county;
- ``not_policy`` (非政策性文件): the notices above;
- ``unclassified`` (未识别): none of these signs; not judged by default.

The not-policy words are looked for outside the 《…》 names: 《河北省创新创业大赛管理办法》 is a
rule about contests, not a contest notice. A county's own include/exclude patterns win over all
of this (``decide``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from monitors.policy_match import QUOTED, TITLE_LIMIT, numbers_in, own_number, squeeze

PolicyClass = Literal["policy", "yearly_work", "not_policy", "unclassified"]

CLASS_LABELS: dict[str, str] = {
    "policy": "政策性文件",
    "yearly_work": "年度工作安排",
    "not_policy": "非政策性文件",
    "unclassified": "未识别",
}

# The kinds of document that issue rules (a 《》 name or a title ending in one of these).
GENRES = (
    "办法", "规定", "细则", "实施意见", "指导意见", "若干意见", "意见", "措施", "方案", "规划",
    "标准", "清单", "指引", "规程", "条例", "规则", "准则", "纲要", "计划", "政策", "制度",
    "决定", "修正案", "通告", "守则", "导则", "规范", "举措", "法", "预案",
)
_GENRE = "|".join(sorted(GENRES, key=len, reverse=True))

_TRAILER = re.compile(r"(?:的)?(?:通知|函|公告|批复)$")
_PARENS_TAIL = re.compile(r"(?:[（(][^（）()]{0,40}[）)]|版|[0-9]{4}年){1,4}$")
# A name issued without 《》: 关于印发陵川县职业技能培训补贴管理办法的通知
_ISSUED_NAME = re.compile(r"(?:印发|转发|发布|出台)(.{4,}?)(?:的)?(?:通知|函|公告)?$")

# Recruitment and appointment: a notice even when the title names a plan (招聘…实施方案)
_PERSONNEL_WORDS = r"招聘|招录|招考|录用|拟聘|聘用|任免|任职|免职"
# (label shown to the reviewer, pattern) — the title with its 《》 names blanked out; drafts
# for comment (``_DRAFT``) are told apart before these.
_NOT_POLICY: tuple[tuple[str, str], ...] = (
    ("公布名单/结果", r"公布.{0,40}?(?:名单|结果|名录|情况)"
                      r"|(?:名单|结果|名录)(?:的)?(?:公告|通知|通报)"),
    ("清理结果/目录", r"清理结果|文件目录|(?:名单|名录)$"),
    ("表彰/通报", r"表彰|表扬|嘉奖|获奖|通报(?:批评)?$|情况的?通报"),
    ("人事/招聘", _PERSONNEL_WORDS + r"|人事|遴选.{0,10}(?:人员|干部)|考试|人选"),
    ("公示", r"公示"),
    ("会议通知", r"会议|召开|座谈"),
    ("紧急通知", r"紧急通知|预警|防汛|防台|暴雨|寒潮|大风|高温|台风|地质灾害|森林防火"
                 r"|安全生产.{0,10}(?:检查|排查)|隐患排查"),
    ("报送/统计/填报", r"报送|统计|填报|调查表|报表|年报|年度报告"),
    ("举办/开展活动", r"举办|培训|(?:大赛|竞赛|比赛|评选|评比|征集|宣传周|宣传月|活动)"
                      r"(?:的)?(?:通知|公告|方案)?$|开展.{0,30}(?:大赛|竞赛|活动|评选|评比|征集)"),
    ("申报/推荐", r"申报|推荐|提名|申请.{0,10}(?:通知|指南)|报名"),
    ("检查/评估工作",
     r"(?:开展|组织|对).{0,40}(?:评估|评价|检查|验收|考核|督查|调研)(?:工作)?的通知"),
    ("转发通知", r"^(?:关于)?转发.{0,60}(?:活动|宣传|大赛|竞赛|检查|整治|专项行动)"),
)
_DRAFT = re.compile(r"征求.{0,20}意见|意见稿|草案|送审稿")
_NOTICE_END = re.compile(r"(?:通知|函|公告|通报|公示|批复|报告|的决定)$")
_EVENT_PLAN = re.compile(r"(?:大赛|竞赛|比赛|活动|评选|评比|培训|会议)(?:实施|工作)?方案$")
_PERSONNEL = re.compile(_PERSONNEL_WORDS)
_NOT_POLICY_RE = tuple((label, re.compile(p)) for label, p in _NOT_POLICY)
_YEARLY = re.compile(
    r"(?:做好|部署|安排)\s*(?:19|20)\d{2}\s*年.{0,30}?工作"
    r"|(?:19|20)\d{2}\s*年(?:度)?.{0,30}?工作(?:要点|安排|计划|任务)"
    r"|年度.{0,10}工作(?:要点|安排|计划)")
_GENRE_NAME = re.compile(rf"(?:{_GENRE})(?:实施细则|实施方案)?$")
_DECISION = re.compile(
    r"(?:关于|的)[^《》]{2,60}的决定$|^.{0,30}令第?[0-9一二三四五六七八九十百]+号")


@dataclass(frozen=True)
class Classification:
    """An item's class and the evidence that decided it (shown to the reviewer)."""

    cls: PolicyClass
    reason: str

    @property
    def label(self) -> str:
        return CLASS_LABELS[self.cls]


def _outside_names(title: str) -> str:
    """The title with the names it issues blanked — its 《…》 names and a rule's name issued
    without them (印发…管理办法的通知): what the notice itself does."""
    outside = QUOTED.sub("《》", title)
    issued = _ISSUED_NAME.search(outside)
    if issued and _genre_word(issued.group(1)):
        outside = outside[: issued.start(1)] + "《》" + outside[issued.end(1):]
    return outside


def _genre_word(name: str) -> str | None:
    """The genre a name ends with (办法, 方案 …), or None when it is no rule's name."""
    match = _GENRE_NAME.search(_PARENS_TAIL.sub("", squeeze(name)))
    return match.group(0) if match else None


def classify(title: str, body_head: str = "") -> Classification:
    """The class of a policy-column item from its title and the head of its body text."""
    title = title.strip()[:TITLE_LIMIT]
    outside = _outside_names(title)
    draft = _DRAFT.search(outside)
    if draft:
        return Classification("not_policy", f"征求意见：「{draft.group(0)}」")
    personnel = _PERSONNEL.search(outside)  # a recruitment plan is no rule, whatever its name
    if personnel:
        return Classification("not_policy", f"人事/招聘：「{personnel.group(0)}」")
    yearly = _YEARLY.search(title)  # also inside a name: 印发《2024年政务公开工作要点》
    genre = _genre_word(title)
    if genre and not yearly and not _NOTICE_END.search(title) and not _EVENT_PLAN.search(title):
        # the title is the rule's own name (河北省科学技术奖励办法, 执法公示实施细则（试行）)
        return Classification("policy", f"文件名称为{genre}：「{title}」")
    for label, pattern in _NOT_POLICY_RE:
        match = pattern.search(outside)
        if match:
            return Classification("not_policy", f"{label}：「{match.group(0)}」")
    if yearly:
        return Classification("yearly_work", f"年度工作安排：「{yearly.group(0)}」")
    own = own_number(body_head)
    for number in [n for _, n in numbers_in(title)] + ([own[0]] if own else []):
        if number.prefix.endswith("规"):  # a 规范性文件's own number: 冀科平规〔2024〕1号
            return Classification("policy", f"规范性文件文号：{number}")
    for name in QUOTED.findall(title):
        if _genre_word(name):
            return Classification("policy", f"印发文件：《{name.strip()}》")
    for name in QUOTED.findall(title):  # 转发《…办法的通知》的通知
        if _genre_word(_TRAILER.sub("", name.strip())):
            return Classification("policy", f"转发文件：《{name.strip()}》")
    issued = _ISSUED_NAME.search(title)
    if issued and _genre_word(issued.group(1)):
        return Classification("policy", f"印发文件：《{issued.group(1).strip()}》")
    named = _TRAILER.sub("", title)
    genre = _genre_word(named)
    if genre:
        return Classification("policy", f"文件名称为{genre}：「{named}」")
    if _DECISION.search(title):
        return Classification("policy", "决定/令")
    return Classification("unclassified", "标题中没有政策文件或非政策文件的特征词")


@dataclass(frozen=True)
class ClassPolicy:
    """How a county judges the classes: which count as needing an interpretation, and its own
    title patterns (regular expressions), which win over the classifier."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    yearly_work_is_policy: bool = True
    unclassified_is_policy: bool = False

    def needs_interpretation(self, cls: PolicyClass) -> bool:
        return (cls == "policy" or (cls == "yearly_work" and self.yearly_work_is_policy)
                or (cls == "unclassified" and self.unclassified_is_policy))


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def decide(title: str, body_head: str, county: ClassPolicy,
           column: dict[str, Sequence[str]] | None = None,
           classifier: Callable[[str, str], Classification] = classify,
           ) -> tuple[Classification, bool]:
    """(class with its reason, whether the item needs an interpretation).

    The column's and then the county's exclude patterns, then their include patterns, win over
    the classifier; the reason then names the pattern. A column with include patterns (its
    ``policy_titles``) takes only the titles they match as policy files, as before the
    classifier; the county's include patterns add titles the classifier would miss.
    ``classifier``: ``classify``, or what it said of the same title and head before.
    """
    column = column or {}
    for where, patterns in (("栏目", column.get("exclude") or ()), ("本县", county.exclude)):
        for pattern in _compiled(tuple(patterns)):
            if pattern.search(title):
                return Classification("not_policy", f"{where}排除规则：{pattern.pattern}"), False
    column_include = _compiled(tuple(column.get("include") or ()))
    for where, compiled in (("栏目", column_include), ("本县", _compiled(county.include))):
        for pattern in compiled:
            if pattern.search(title):
                return Classification("policy", f"{where}纳入规则：{pattern.pattern}"), True
    if column_include:
        return Classification("not_policy", "不符合栏目纳入规则"), False
    found = classifier(title, body_head)
    return found, county.needs_interpretation(found.cls)
