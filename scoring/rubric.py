"""Rubric files (``config/rubrics/*.yaml``): pydantic schema, loader and validation.

A rubric is a tree — level-1 → level-2 → level-3 lines — whose level-3 lines carry a weight
(赋分), deduction rules and optional bonus rules, plus a rubric-wide bonus list (综合加分项), a
list of deductions from the total (重大扣分项) and the mapping of each monitor rule to one
deduction rule. A rubric *set* (e.g. ``lingchuan-2021``) is one or more files sharing a
``name``, each covering some unit classes (``category: A`` or ``categories: [A, B]``).

Errors name the file, the line and the item in Chinese, like the county config's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from govwatch.config import (
    ConfigError,
    ConfigProblem,
    EntryNames,
    entry_label,
    load_yaml_model,
    nearest_line,
)

RUBRICS_DIR = Path(__file__).resolve().parent.parent / "config" / "rubrics"
DEFAULT_RUBRIC = "lingchuan-2021"
# bulletin_notice is not a monitor's rule: a unit named in a published bulletin (被通报), one
# event per bulletin, scored from govwatch's own bulletins (``repo.bulletin_notices``).
MONITOR_RULES = ("stale_column", "low_post_frequency", "uninterpreted_policy", "not_rectified",
                 "crawl_failure", "bulletin_notice", "late_reply", "annual_report_missing",
                 # the national checks (settings.profiles: [national]) and the 重大扣分 risks
                 "homepage_stale", "class_stale", "blank_column", "unanswered_message",
                 "account_silent", "site_unreachable", "dead_link", "hidden_link",
                 "wrong_expression", "personal_info", "backdated_item")
# The measured lines (``scoring.measured``): a unit's measured percentage per year feeds the
# percentage rule the rubric's ``measures:`` names (absent or null: not measured).
MEASURES = ("interpretation_forms", "interpretation_channels")

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")]
NonEmpty = Annotated[str, Field(min_length=1)]
Points = Annotated[Decimal, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _bad(message: str, fix: str) -> PydanticCustomError:
    return PydanticCustomError("govwatch_rubric", message, {"fix": fix})


class RuleSpec(_Strict):
    """One deduction rule (扣分标准) of a level-3 line."""

    id: Id
    text: NonEmpty
    kind: Literal["per_event", "zero", "percentage"] = "per_event"
    points: Points | None = Field(None, description="per event / per step; null = as entered")
    cap: Points | None = Field(None, description="扣分上限 of this rule")
    min_percent: Decimal | None = Field(None, ge=0, le=100)
    step: Decimal | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _kind_fields(self) -> RuleSpec:
        if self.kind == "percentage":
            if self.min_percent is None or self.step is None or self.points is None:
                raise _bad("百分比扣分规则缺少 min_percent、step 或 points",
                           "例如：min_percent: 90, step: 2, points: 1（每降低两个百分点扣1分）")
        elif self.min_percent is not None or self.step is not None:
            raise _bad("只有 kind: percentage 的规则可以写 min_percent / step",
                       "删除这两项，或把 kind 改为 percentage")
        if self.kind == "zero" and (self.points is not None or self.cap is not None):
            raise _bad("“不得分”规则（kind: zero）扣除本项全部赋分，不写 points / cap",
                       "删除 points 和 cap")
        return self


class BonusSpec(_Strict):
    """A level-3 line's bonus rule (加分标准)."""

    text: NonEmpty
    points: Points | None = None
    cap: Points | None = None


class LineSpec(_Strict):
    """A level-3 line (三级指标)."""

    id: Id
    name: NonEmpty
    weight: Points
    method: str | None = Field(None, description="考核方式")
    cap: Points | None = Field(None, description="扣分上限 of the whole line")
    deductions: list[RuleSpec] = []
    bonus: BonusSpec | None = None


class Level2Spec(_Strict):
    id: Id
    name: NonEmpty
    weight: Points | None = None
    lines: list[LineSpec] = Field(min_length=1)


class Level1Spec(_Strict):
    id: Id
    name: NonEmpty
    weight: Points | None = None
    children: list[Level2Spec] = Field(min_length=1)


class ItemSpec(_Strict):
    """A rubric-wide bonus (综合加分项) or deduction from the total (重大扣分项)."""

    id: Id
    text: NonEmpty
    points: Points | None = Field(None, description="per event; null = as entered (酌情)")
    cap: Points | None = None


class RubricFile(_Strict):
    name: NonEmpty
    title: NonEmpty
    county: str | None = None
    source: str | None = None
    category: str | None = None
    categories: list[NonEmpty] | None = None
    total: Points = Decimal(100)
    score_cap: Points = Decimal(100)
    bonus_cap: Points | None = Decimal(10)
    bonus_label: str = "综合加分项"
    major_label: str = "重大扣分项"
    bonus_method: str | None = Field(None, description="考核方式 of the bonus list")
    major_method: str | None = Field(None, description="考核方式 of the major deductions")
    indicators: list[Level1Spec] = Field(min_length=1)
    bonuses: list[ItemSpec] = []
    majors: list[ItemSpec] = []
    monitor_rules: dict[str, Id | None] = {}
    measures: dict[str, Id | None] = {}

    @model_validator(mode="after")
    def _classes(self) -> RubricFile:
        if (self.category is None) == (self.categories is None):
            raise _bad("须写 category（单个类别）或 categories（类别列表）之一",
                       "例如 category: A，或 categories: [A, B]")
        return self

    @property
    def classes(self) -> tuple[str, ...]:
        return (self.category,) if self.category else tuple(self.categories or ())


# ----------------------------------------------------------------------------- runtime


@dataclass(frozen=True)
class Line:
    """A level-3 line with its place in the tree."""

    spec: LineSpec
    level1: Level1Spec
    level2: Level2Spec

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def weight(self) -> Decimal:
        return self.spec.weight

    @property
    def path_text(self) -> str:
        """一级指标 / 二级指标 / 三级指标, as findings quote it."""
        return f"{self.level1.name} / {self.level2.name} / {self.spec.name}"

    @property
    def criteria(self) -> str:
        """The line's 扣分标准 as the seed table states it, one deduction rule a line; a bonus
        rule (加分标准) follows, marked."""
        texts = [rule.text for rule in self.spec.deductions]
        if self.spec.bonus is not None:
            texts.append(f"加分标准：{self.spec.bonus.text}")
        return "\n".join(texts)

    def rule(self, rule_id: str) -> RuleSpec:
        for rule in self.spec.deductions:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def level_weight(node: Level1Spec | Level2Spec) -> Decimal:
    """A level-1 or level-2 weight: the sum of its level-3 lines."""
    if isinstance(node, Level2Spec):
        return sum((line.weight for line in node.lines), Decimal(0))
    return sum((level_weight(child) for child in node.children), Decimal(0))


@dataclass(frozen=True)
class Rubric:
    """One validated rubric file with indexes by id."""

    spec: RubricFile
    file: Path
    lines: dict[str, Line]
    rules: dict[str, tuple[Line, RuleSpec]]
    bonuses: dict[str, ItemSpec]
    majors: dict[str, ItemSpec]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    def kind_of(self, ref: str) -> str | None:
        """'line', 'rule', 'bonus' or 'major' for an id of this rubric, else None."""
        if ref in self.lines:
            return "line"
        if ref in self.rules:
            return "rule"
        if ref in self.bonuses:
            return "bonus"
        if ref in self.majors:
            return "major"
        return None

    def monitor_target(self, rule: str) -> tuple[Line, RuleSpec] | None:
        """The deduction rule a monitor rule feeds, or None (e.g. crawl_failure)."""
        if rule not in self.spec.monitor_rules:
            raise KeyError(f"评分细则 {self.file.name} 未配置监测规则 {rule} 对应的评分项")
        target = self.spec.monitor_rules[rule]
        return self.rules[target] if target else None

    def measure_target(self, measure: str) -> tuple[Line, RuleSpec] | None:
        """The percentage rule a measured value feeds, or None (not measured here)."""
        target = self.spec.measures.get(measure)
        return self.rules[target] if target else None


@dataclass(frozen=True)
class RubricSet:
    """All files of one rubric name, by unit class."""

    name: str
    by_category: dict[str, Rubric]

    def for_category(self, category: str) -> Rubric:
        try:
            return self.by_category[category]
        except KeyError:
            known = "、".join(sorted(self.by_category))
            raise KeyError(f"评分细则 {self.name} 没有 {category} 类单位的评分表（已有：{known}）"
                           ) from None

    @property
    def rubrics(self) -> list[Rubric]:
        """Each distinct file once, in class order."""
        seen: dict[Path, Rubric] = {}
        for category in sorted(self.by_category):
            rubric = self.by_category[category]
            seen.setdefault(rubric.file, rubric)
        return list(seen.values())


# ----------------------------------------------------------------------------- errors


class RubricError(ConfigError):
    """Every problem found in rubric files; ``str()`` is the Chinese report."""

    def report(self) -> str:
        head = f"评分细则有 {len(self.problems)} 处错误，请修改后再运行："
        body = "\n".join(f"  {i}. {p.render()}" for i, p in enumerate(self.problems, 1))
        return f"{head}\n{body}"


_LABELS = {"indicators": "一级指标", "children": "二级指标", "lines": "三级指标",
           "deductions": "扣分规则", "bonuses": "加分项", "majors": "重大扣分项"}
_FIELDS = {"indicators": "指标表", "monitor_rules": "监测规则对应关系",
           "measures": "实测项对应关系", "bonus": "加分标准",
           "weight": "赋分", "id": "编号", "name": "名称", "points": "分值", "cap": "上限",
           "text": "标准", "kind": "类型", "bonuses": "加分项", "majors": "重大扣分项"}


RUBRIC_NAMES = EntryNames(lists=_LABELS, ident=dict.fromkeys(_LABELS, "id"), fields=_FIELDS,
                          keyed={"monitor_rules": "监测规则", "measures": "实测项"})


def _entry_label(data: Any, path: tuple[Any, ...]) -> str:
    """一级指标 A1「组织领导与工作保障」 → 三级指标 A1.1.1「…」 for a path into the YAML."""
    return entry_label(data, path, RUBRIC_NAMES)


def _walk(spec: RubricFile) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(YAML path, id) of every id-carrying item, in file order."""
    for i, l1 in enumerate(spec.indicators):
        yield ("indicators", i), l1.id
        for j, l2 in enumerate(l1.children):
            yield ("indicators", i, "children", j), l2.id
            for k, line in enumerate(l2.lines):
                base = ("indicators", i, "children", j, "lines", k)
                yield base, line.id
                for m, rule in enumerate(line.deductions):
                    yield (*base, "deductions", m), rule.id
    for group in ("bonuses", "majors"):
        for n, item in enumerate(getattr(spec, group)):
            yield (group, n), item.id


def _semantic_problems(spec: RubricFile, name: str, data: Any,
                       lines: dict[tuple[Any, ...], int]) -> list[ConfigProblem]:
    """Checks across items: unique ids, id prefixes, weights, monitor rule targets."""
    problems: list[ConfigProblem] = []

    def add(path: tuple[Any, ...], message: str, fix: str) -> None:
        problems.append(ConfigProblem(name, nearest_line(lines, path),
                                      _entry_label(data, path), message, fix))

    first: dict[str, int | None] = {}
    for path, ident in _walk(spec):
        if ident in first:
            add(path, f"编号「{ident}」重复（第 {first[ident]} 行已使用）",
                "每个指标、规则和加扣分项的编号必须唯一")
        else:
            first[ident] = nearest_line(lines, path)

    total = Decimal(0)
    for i, l1 in enumerate(spec.indicators):
        l1_weight = level_weight(l1)
        total += l1_weight
        if l1.weight is not None and l1.weight != l1_weight:
            add(("indicators", i, "weight"),
                f"一级指标赋分写为 {l1.weight:f}，但其下三级指标合计 {l1_weight:f}",
                "修改赋分或下级指标的赋分，使两者一致")
        for j, l2 in enumerate(l1.children):
            p2 = ("indicators", i, "children", j)
            if not l2.id.startswith(f"{l1.id}."):
                add((*p2, "id"), f"二级指标编号「{l2.id}」应以「{l1.id}.」开头",
                    f"例如 {l1.id}.{j + 1}")
            if l2.weight is not None and l2.weight != level_weight(l2):
                add((*p2, "weight"),
                    f"二级指标赋分写为 {l2.weight:f}，但其下三级指标合计 {level_weight(l2):f}",
                    "修改赋分或下级指标的赋分，使两者一致")
            for k, line in enumerate(l2.lines):
                p3 = (*p2, "lines", k)
                if not line.id.startswith(f"{l2.id}."):
                    add((*p3, "id"), f"三级指标编号「{line.id}」应以「{l2.id}.」开头",
                        f"例如 {l2.id}.{k + 1}")
                for m, rule in enumerate(line.deductions):
                    if not rule.id.startswith(line.id) or rule.id == line.id:
                        add((*p3, "deductions", m, "id"),
                            f"扣分规则编号「{rule.id}」应为三级指标编号加字母",
                            f"例如 {line.id}{'abcdefgh'[m % 8]}")
                    if rule.kind == "zero" and line.weight == 0:
                        add((*p3, "deductions", m), "赋分为 0 的指标不能有“不得分”规则",
                            "改为按次扣分（points），或给本指标赋分")
    if total != spec.total:
        add(("indicators",), f"一级指标赋分合计为 {total:f}，应为 {spec.total:f}",
            "检查各三级指标的赋分（OCR 错位的单元格请按合计为满分的读法填写并加注释）")

    rule_ids = {rule.id: rule for l1 in spec.indicators for l2 in l1.children
                for line in l2.lines for rule in line.deductions}

    def check_targets(section: str, mapping: dict[str, str | None], known: tuple[str, ...],
                      what: str, fits: Callable[[RuleSpec], bool], misfit: str,
                      fix: str) -> None:
        """Each name of ``mapping`` is one of ``known`` and maps to a rule that ``fits``."""
        for name, target in mapping.items():
            path = (section, name)
            if name not in known:
                add(path, f"未知的{what} {name}", f"可用：{'、'.join(known)}")
            elif target is not None:
                rule = rule_ids.get(target)
                if rule is None:
                    add(path, f"对应的扣分规则「{target}」不存在", "填写本文件中某条扣分规则的编号")
                elif not fits(rule):
                    add(path, f"扣分规则「{target}」{misfit}", fix)

    check_targets("monitor_rules", spec.monitor_rules, MONITOR_RULES, "监测规则",
                  lambda r: r.kind == "per_event" and r.points is not None,
                  "不是按次扣分且有固定分值的规则", "监测规则只能对应“发现一次扣×分”一类的规则")
    check_targets("measures", spec.measures, MEASURES, "实测项",
                  lambda r: r.kind == "percentage", "不是百分比扣分规则",
                  "实测项只能对应 kind: percentage 的规则（如“不得少于90%”）")
    for rule_name in MONITOR_RULES:
        if rule_name not in spec.monitor_rules:
            add(("monitor_rules",), f"缺少监测规则 {rule_name} 的对应关系",
                f"在 monitor_rules 下添加一行 `{rule_name}: <扣分规则编号>`（不扣分写 null）")
    return problems


def load_rubric_file(path: Path) -> Rubric:
    """Read and validate one rubric file; raise ``RubricError`` listing every problem."""
    spec = load_yaml_model(
        path, RubricFile, what="评分细则文件", shape="name: … / indicators: …",
        example="config/rubrics/lingchuan-2021-A.yaml", label=_entry_label,
        post_check=lambda spec, data, name, lines: _semantic_problems(spec, name, data, lines),
        hints={"id": "编号只能用英文字母、数字、点和连字符，例如 A1.2.1、A1.2.1a、A-JF1"},
        error_type=RubricError)
    return _index(spec, path)


def _index(spec: RubricFile, path: Path) -> Rubric:
    line_map: dict[str, Line] = {}
    rules: dict[str, tuple[Line, RuleSpec]] = {}
    for l1 in spec.indicators:
        for l2 in l1.children:
            for line_spec in l2.lines:
                line = Line(line_spec, l1, l2)
                line_map[line.id] = line
                for rule in line_spec.deductions:
                    rules[rule.id] = (line, rule)
    return Rubric(spec=spec, file=path, lines=line_map, rules=rules,
                  bonuses={b.id: b for b in spec.bonuses},
                  majors={m.id: m for m in spec.majors})


def _declared_name(path: Path) -> str | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    value = data.get("name") if isinstance(data, dict) else None
    return str(value) if value is not None else None


def available_rubrics(directory: Path = RUBRICS_DIR) -> list[str]:
    """Names of the rubric sets in ``directory``."""
    names = {_declared_name(p) for p in directory.glob("*.yaml")}
    return sorted(n for n in names if n)


def load_rubric_set(name: str = DEFAULT_RUBRIC, directory: Path = RUBRICS_DIR) -> RubricSet:
    """Every file of rubric ``name`` (``<name>.yaml`` and ``<name>-*.yaml``), by unit class."""
    candidates = [directory / f"{name}.yaml", *sorted(directory.glob(f"{name}-*.yaml"))]
    files = [p for p in candidates if p.is_file() and _declared_name(p) == name]
    if not files:
        known = "、".join(available_rubrics(directory)) or "（无）"
        raise RubricError([ConfigProblem(
            str(directory), None, f"评分细则 {name}", "找不到该评分细则",
            f"请检查设置 rubric 或 --rubric 的取值；可用的评分细则：{known}",
        )])
    problems: list[ConfigProblem] = []
    by_category: dict[str, Rubric] = {}
    for path in files:
        try:
            rubric = load_rubric_file(path)
        except RubricError as exc:
            problems.extend(exc.problems)
            continue
        for category in rubric.spec.classes:
            if category in by_category:
                problems.append(ConfigProblem(
                    str(path), None, f"类别 {category}",
                    f"{category} 类已由 {by_category[category].file.name} 定义",
                    "同一评分细则中每个类别只能有一个评分表",
                ))
            by_category[category] = rubric
    if problems:
        raise RubricError(problems)
    return RubricSet(name, by_category)
