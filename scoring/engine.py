"""The score engine: pure functions from a rubric and one unit's inputs to its score.

No database, no files: data in, scores out, exact to the half point (``Decimal``). The rules
(陵川 计分办法, 泾川 第七至十一条, DESIGN.md "Scoring"):

- a deduction rule adds its points per event, up to its cap (扣分上限); 不得分 takes the line's
  whole weight; a percentage rule deducts ``points`` per full ``step`` below ``min_percent``;
- a level-3 line (and so its level-2) may lose more than its own weight, but a level-1
  indicator never loses more than its own weight;
- bonuses: per-line and per-item caps, then the rubric's bonus cap (10) on their sum;
- total = Σ level-1 scores + bonus; above 100 it is recorded as 100 but the excess ranks it
  ahead of an equal score without excess; deductions from the total (重大扣分项) come off the
  recorded total (never below 0);
- grades ≥90 优秀, ≥80 良好, ≥60 合格, <60 不合格 (以上包括本数).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Literal

from scoring.rubric import Level1Spec, Line, Rubric, RuleSpec

ZERO = Decimal(0)
EntryKind = Literal["deduction", "measure", "bonus", "major"]
GRADES = ((Decimal(90), "优秀"), (Decimal(80), "良好"), (Decimal(60), "合格"))


def fmt(value: Decimal) -> str:
    """A score as people write it: 10, 9.5, 0.25 (no trailing zeros, no exponent)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def grade(score: Decimal) -> str:
    """优秀 / 良好 / 合格 / 不合格 — 以上包括本数."""
    for floor, name in GRADES:
        if score >= floor:
            return name
    return "不合格"


@dataclass(frozen=True)
class MeasuredItem:
    """One item a measured value was computed from (``scoring.measured``)."""

    item_id: int
    title: str
    url: str
    published_on: date
    verdict: str  # e.g. 图解 / 文字, 已在新媒体发布
    hit: bool  # counts toward the percentage
    reason: str


@dataclass(frozen=True)
class Entry:
    """One input event for a unit.

    ``deduction`` and ``bonus`` refer to a line or a deduction rule (and for bonus, a rubric
    bonus item); ``major`` to a 重大扣分项; ``measure`` gives a measured percentage (``value``)
    for a percentage rule. ``points`` None means the rubric's default points per event.
    """

    kind: EntryKind
    ref: str
    points: Decimal | None = None
    value: Decimal | None = None
    source: str = ""  # e.g. "发现#12" or "录入#5（评分录入.xlsx 第3行）"
    note: str = ""
    measured: bool = False  # a ``measure`` govwatch computed (not entered): entries override it
    items: tuple[MeasuredItem, ...] = ()  # what a measured value was computed from


@dataclass(frozen=True)
class Reason:
    """Why points moved: the source event, its note and the points it counts for."""

    source: str
    note: str
    points: Decimal

    def text(self) -> str:
        note = f"：{self.note}" if self.note else ""
        return f"{self.source}{note}（{fmt(self.points)}分）"


@dataclass(frozen=True)
class LineScore:
    line: Line
    deduction: Decimal  # after rule caps, 不得分 and the line cap
    bonus: Decimal  # this line's bonus after its cap (counted in the unit's bonus)
    reasons: tuple[Reason, ...] = ()
    notes: tuple[str, ...] = ()  # caps applied, 不得分, percentage computations
    bonus_reasons: tuple[Reason, ...] = ()
    # the measured values of its percentage rules: the one that counted, then one it
    # overrode (an entered percentage overrides govwatch's measured one)
    measures: tuple[Entry, ...] = ()

    @property
    def score(self) -> Decimal:
        """Weight minus deduction; may be negative (only level-1 is floored by its cap)."""
        return self.line.weight - self.deduction


@dataclass(frozen=True)
class IndicatorScore:
    """A level-1 indicator: its lines and its deduction capped at its weight."""

    spec: Level1Spec
    weight: Decimal
    lines: tuple[LineScore, ...]
    raw_deduction: Decimal
    deduction: Decimal

    @property
    def score(self) -> Decimal:
        return self.weight - self.deduction

    @property
    def capped(self) -> bool:
        return self.raw_deduction > self.deduction


UNMONITORED = "未监测"


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    category: str
    # why the unit was not monitored in the scored period (未监测), or None: such a unit gets
    # no grade and no rank — a unit nobody could look at is not a clean one
    unmonitored: str | None = None


@dataclass(frozen=True)
class UnitScore:
    unit: UnitInfo
    rubric: Rubric
    indicators: tuple[IndicatorScore, ...]
    item_bonus_reasons: tuple[Reason, ...]  # rubric-wide bonus items (综合加分项)
    bonus_raw: Decimal  # after per-line / per-item caps, before the rubric's bonus cap
    bonus: Decimal
    major_reasons: tuple[Reason, ...]
    major: Decimal
    base: Decimal  # Σ level-1 scores
    total: Decimal  # base + bonus (may exceed 100)
    capped: Decimal  # min(total, score cap): 加分后总分超过100分的，以100分计
    final: Decimal  # capped − major, never below 0
    grade: str
    notes: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # inputs that named nothing scorable in this rubric
    rank: int | None = None

    @property
    def place(self) -> str:
        """第 N 名 within the class, or why the unit is not ranked."""
        if self.unit.unmonitored:
            return f"不排名（未监测：{self.unit.unmonitored}）"
        return f"第 {self.rank} 名" if self.rank is not None else "不排名"

    @property
    def excess(self) -> Decimal:
        """Points above the cap: rank ahead of an equal score without excess."""
        return self.total - self.capped

    @property
    def lines(self) -> list[LineScore]:
        return [line for ind in self.indicators for line in ind.lines]

    @property
    def bonus_reasons(self) -> list[Reason]:
        """Every bonus event: lines' own bonus rules, then the rubric-wide items."""
        return [r for ls in self.lines for r in ls.bonus_reasons] + list(self.item_bonus_reasons)


def percentage_deduction(rule: RuleSpec, measured: Decimal) -> Decimal:
    """Points per full step below the minimum, before the rule's cap.

    不得少于90%，每降低两个百分点扣1分: 89 → 0, 88 → 1, 80 → 5 (then capped).
    """
    assert rule.min_percent is not None and rule.step is not None and rule.points is not None
    shortfall = rule.min_percent - measured
    if shortfall <= 0:
        return ZERO
    steps = (shortfall / rule.step).to_integral_value(rounding=ROUND_FLOOR)
    return steps * rule.points


@dataclass
class _Buckets:
    events: dict[str, dict[str, list[Reason]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    measures: dict[str, Entry] = field(default_factory=dict)
    overridden: dict[str, Entry] = field(default_factory=dict)  # measured, set aside
    line_bonus: dict[str, list[Reason]] = field(default_factory=lambda: defaultdict(list))
    item_bonus: dict[str, list[Reason]] = field(default_factory=lambda: defaultdict(list))
    majors: list[Reason] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _resolve_line(rubric: Rubric, ref: str) -> tuple[Line | None, RuleSpec | None]:
    if ref in rubric.rules:
        return rubric.rules[ref]
    if ref in rubric.lines:
        line = rubric.lines[ref]
        rules = line.spec.deductions
        return line, rules[0] if len(rules) == 1 else None
    return None, None


def _sort(rubric: Rubric, entries: Iterable[Entry]) -> _Buckets:
    """Put each entry in its bucket; note the ones this rubric cannot score."""
    b = _Buckets()
    for e in entries:
        where = f"{e.source}（{e.ref}）"
        if e.kind in ("deduction", "measure"):
            line, rule = _resolve_line(rubric, e.ref)
            if line is None:
                b.ignored.append(f"{where}：不是《{rubric.title}》的扣分项，未计分")
                continue
            if e.kind == "measure":
                if rule is None or rule.kind != "percentage" or e.value is None:
                    b.ignored.append(f"{where}：不是百分比扣分规则或缺少实测百分比，未计分")
                else:
                    _keep_measure(b, rule.id, e)
                continue
            if rule is not None and rule.kind == "zero":
                points = line.weight
            elif e.points is not None:
                points = e.points
            elif rule is not None and rule.kind == "per_event" and rule.points is not None:
                points = rule.points
            else:
                b.ignored.append(f"{where}：该项没有默认分值，须填写分值，未计分")
                continue
            b.events[line.id][rule.id if rule else ""].append(Reason(e.source, e.note, points))
        elif e.kind == "bonus":
            if e.ref in rubric.lines and rubric.lines[e.ref].spec.bonus is not None:
                spec = rubric.lines[e.ref].spec.bonus
                bucket = b.line_bonus[e.ref]
            elif e.ref in rubric.bonuses:
                spec = rubric.bonuses[e.ref]
                bucket = b.item_bonus[e.ref]
            else:
                b.ignored.append(f"{where}：不是《{rubric.title}》的加分项，未计分")
                continue
            points = e.points if e.points is not None else spec.points
            if points is None:
                b.ignored.append(f"{where}：该加分项分值酌情而定，须填写分值，未计分")
                continue
            bucket.append(Reason(e.source, e.note, points))
        else:
            item = rubric.majors.get(e.ref)
            points = e.points if e.points is not None else (item.points if item else None)
            if item is None or points is None:
                b.ignored.append(f"{where}：不是《{rubric.title}》的{rubric.spec.major_label}"
                                 "或缺少分值，未计分")
                continue
            b.majors.append(Reason(e.source, e.note or item.text, points))
    return b


def _keep_measure(b: _Buckets, rule_id: str, e: Entry) -> None:
    """An entered percentage overrides govwatch's measured one; among entries of one kind
    the last of the year counts."""
    current = b.measures.get(rule_id)
    if current is not None and current.measured != e.measured:
        if e.measured:  # entered already: the measured value is shown, not counted
            b.overridden[rule_id] = e
            return
        b.overridden[rule_id] = current
    b.measures[rule_id] = e


def _total(reasons: Sequence[Reason]) -> Decimal:
    return sum((r.points for r in reasons), ZERO)


def _score_line(line: Line, b: _Buckets) -> LineScore:
    events = b.events.get(line.id, {})
    if not events and line.id not in b.line_bonus and not (
            b.measures and any(rule.id in b.measures for rule in line.spec.deductions)):
        # nothing happened on this line (most lines of most units): full marks, no notes
        return LineScore(line, ZERO, ZERO)
    reasons: list[Reason] = []
    notes: list[str] = []
    shown: list[Entry] = []
    other = ZERO  # rules other than 不得分, after their caps
    zero_hit = False
    for rule in line.spec.deductions:
        rule_reasons = list(events.get(rule.id, []))
        if rule.kind == "zero":
            if rule_reasons:
                zero_hit = True
                reasons.extend(rule_reasons)
                notes.append(f"{rule.id} 不得分：扣除本项全部赋分 {fmt(line.weight)} 分")
            continue
        if rule.kind == "percentage" and rule.id in b.measures:
            m = b.measures[rule.id]
            assert m.value is not None
            points = percentage_deduction(rule, m.value)
            assert rule.min_percent is not None and rule.step is not None
            word = "（govwatch 计算）" if m.measured else "（人工录入）"
            note = (f"实测 {fmt(m.value)}%{word}，标准不少于 {fmt(rule.min_percent)}%，"
                    f"每降低 {fmt(rule.step)} 个百分点扣 {fmt(rule.points or ZERO)} 分")
            rule_reasons.append(Reason(m.source, f"{note}；{m.note}" if m.note else note, points))
            shown.append(m)
            set_aside = b.overridden.get(rule.id)
            if set_aside is not None:
                assert set_aside.value is not None
                notes.append(f"{rule.id} 按人工录入的 {fmt(m.value)}% 计分，govwatch 实测值 "
                             f"{fmt(set_aside.value)}% 未采用（{set_aside.note}）")
                shown.append(set_aside)
        subtotal = _total(rule_reasons)
        reasons.extend(rule_reasons)
        if rule.cap is not None and subtotal > rule.cap:
            notes.append(f"{rule.id} 扣分 {fmt(subtotal)} 分，超过扣分上限 {fmt(rule.cap)} 分，"
                         f"按 {fmt(rule.cap)} 分计")
            subtotal = rule.cap
        other += subtotal
    loose = events.get("", [])
    reasons.extend(loose)
    other += _total(loose)
    deduction = max(line.weight, other) if zero_hit else other
    if line.spec.cap is not None and deduction > line.spec.cap:
        notes.append(f"本项扣分 {fmt(deduction)} 分，超过扣分上限 {fmt(line.spec.cap)} 分，"
                     f"按 {fmt(line.spec.cap)} 分计")
        deduction = line.spec.cap
    bonus = ZERO
    bonus_reasons = b.line_bonus.get(line.id, [])
    if bonus_reasons and line.spec.bonus is not None:
        bonus = _total(bonus_reasons)
        cap = line.spec.bonus.cap
        if cap is not None and bonus > cap:
            notes.append(f"本项加分 {fmt(bonus)} 分，超过加分上限 {fmt(cap)} 分，"
                         f"按 {fmt(cap)} 分计")
            bonus = cap
    return LineScore(line, deduction, bonus, tuple(reasons), tuple(notes), tuple(bonus_reasons),
                     tuple(shown))


def score_unit(rubric: Rubric, unit: UnitInfo, entries: Iterable[Entry]) -> UnitScore:
    """Score one unit under ``rubric`` from its confirmed findings and manual entries."""
    b = _sort(rubric, entries)
    indicators: list[IndicatorScore] = []
    by_l1: dict[str, list[LineScore]] = defaultdict(list)
    for line in rubric.lines.values():
        by_l1[line.level1.id].append(_score_line(line, b))
    for l1 in rubric.spec.indicators:
        lines = tuple(by_l1[l1.id])
        weight = sum((ls.line.weight for ls in lines), ZERO)
        raw = sum((ls.deduction for ls in lines), ZERO)
        indicators.append(IndicatorScore(l1, weight, lines, raw, min(raw, weight)))

    notes: list[str] = [
        f"{ind.spec.name}扣分 {fmt(ind.raw_deduction)} 分，超过一级指标权重 {fmt(ind.weight)} 分，"
        f"按 {fmt(ind.weight)} 分计" for ind in indicators if ind.capped
    ]
    item_reasons: list[Reason] = []
    bonus_raw = sum((ls.bonus for ind in indicators for ls in ind.lines), ZERO)
    for item_id, reasons in b.item_bonus.items():
        item = rubric.bonuses[item_id]
        subtotal = _total(reasons)
        if item.cap is not None and subtotal > item.cap:
            notes.append(f"{item_id} 加分 {fmt(subtotal)} 分，超过上限 {fmt(item.cap)} 分，"
                         f"按 {fmt(item.cap)} 分计")
            subtotal = item.cap
        item_reasons.extend(reasons)
        bonus_raw += subtotal
    bonus = bonus_raw
    cap = rubric.spec.bonus_cap
    if cap is not None and bonus > cap:
        notes.append(f"加分合计 {fmt(bonus)} 分，超过上限 {fmt(cap)} 分，按 {fmt(cap)} 分计")
        bonus = cap

    base = sum((ind.score for ind in indicators), ZERO)
    total = base + bonus
    capped = min(total, rubric.spec.score_cap)
    if total > capped:
        notes.append(f"加分后总分 {fmt(total)} 分，超过 {fmt(capped)} 分，以 {fmt(capped)} 分计"
                     "（相同得分下排名靠前）")
    major = _total(b.majors)
    final = max(capped - major, ZERO)
    return UnitScore(
        unit=unit, rubric=rubric, indicators=tuple(indicators),
        item_bonus_reasons=tuple(item_reasons), bonus_raw=bonus_raw, bonus=bonus,
        major_reasons=tuple(b.majors), major=major, base=base, total=total, capped=capped,
        final=final, grade=UNMONITORED if unit.unmonitored else grade(final),
        notes=tuple(notes), ignored=tuple(b.ignored),
    )


def rank_key(score: UnitScore) -> tuple[Decimal, Decimal]:
    """Higher final score first; on equal scores, the one whose total exceeded 100 first."""
    return (-score.final, -score.excess)


def rank_units(scores: Iterable[UnitScore]) -> list[UnitScore]:
    """Scores ranked within each class (1, 2, 2, 4 …), ordered by class then rank; units not
    monitored (``UnitInfo.unmonitored``) follow their class unranked (rank None)."""
    ranked: list[UnitScore] = []
    by_class: dict[str, list[UnitScore]] = defaultdict(list)
    for s in scores:
        by_class[s.unit.category].append(s)
    for category in sorted(by_class):
        monitored = [s for s in by_class[category] if not s.unit.unmonitored]
        ordered = sorted(monitored, key=lambda s: (rank_key(s), s.unit.code))
        previous: tuple[Decimal, Decimal] | None = None
        rank = 0
        for position, s in enumerate(ordered, 1):
            if rank_key(s) != previous:
                rank, previous = position, rank_key(s)
            ranked.append(replace(s, rank=rank))
        ranked.extend(sorted((s for s in by_class[category] if s.unit.unmonitored),
                             key=lambda s: s.unit.code))
    return ranked
