"""Score output for people and programs: JSON-ready dicts and rich tables (Chinese)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from govwatch.tables import Justify, TextTable, print_table
from govwatch.vocabulary import MEASURE_NAMES
from scoring.engine import Entry, LineScore, MeasuredItem, Reason, UnitScore, fmt
from scoring.measured import MeasuredValue
from scoring.service import ScoreReport


def _num(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _reason(r: Reason) -> dict[str, Any]:
    return {"source": r.source, "note": r.note, "points": _num(r.points)}


def _item(i: MeasuredItem) -> dict[str, Any]:
    return {"item_id": i.item_id, "title": i.title, "url": i.url,
            "published_on": i.published_on.isoformat(), "verdict": i.verdict,
            "counts": i.hit, "reason": i.reason}


def _measure(e: Entry, counted: bool) -> dict[str, Any]:
    return {"rule": e.ref, "percent": _num(e.value) if e.value is not None else None,
            "origin": "measured" if e.measured else "entered", "counted": counted,
            "source": e.source, "note": e.note,
            "items": [_item(i) for i in e.items]}


def line_dict(ls: LineScore) -> dict[str, Any]:
    line = ls.line
    return {
        "id": line.id, "level2": line.level2.name, "name": line.spec.name,
        "weight": _num(line.weight), "deduction": _num(ls.deduction), "score": _num(ls.score),
        "bonus": _num(ls.bonus), "reasons": [_reason(r) for r in ls.reasons],
        "notes": list(ls.notes),
        # measured percentages (实测值): the one that counted first, then one set aside
        "measures": [_measure(e, n == 0) for n, e in enumerate(ls.measures)],
    }


@dataclass(frozen=True)
class MeasuredLine:
    """A measured value as the score output shows it: where it went and what counted."""

    value: MeasuredValue
    rule_id: str | None  # the percentage rule it feeds (None: this rubric has none)
    used: str  # 计分采用: which value the score counted, in Chinese


def measured_lines(report: ScoreReport, unit: str | None = None) -> list[MeasuredLine]:
    """Every measured value of the year (of ``unit``), with how the score used it."""
    scores = {s.unit.code: s for s in report.scores}
    found = []
    for value in report.measured:
        s = scores.get(value.unit_code)
        if s is None or unit not in (None, value.unit_code):
            continue
        target = s.rubric.measure_target(value.measure)
        if target is None:
            found.append(MeasuredLine(value, None, "本评分细则无对应评分项，仅供参考"))
            continue
        line, rule = target
        counted = next((e for ls in s.lines if ls.line.id == line.id for e in ls.measures
                        if e.ref == rule.id), None)
        if counted is None or counted.measured:
            used = f"按实测值 {fmt(value.percent)}% 计分"
        else:
            assert counted.value is not None
            used = f"按人工录入值 {fmt(counted.value)}% 计分（{counted.source}），实测值未采用"
        found.append(MeasuredLine(value, rule.id, used))
    return found


def print_measured(report: ScoreReport, console: Console, unit: str | None = None, *,
                   max_rows: int | None = None, where_all: str = "") -> None:
    """实测项: each unit's measured percentages, their source and what they count from (at
    most ``max_rows`` rows, then ``where_all``: see ``print_table``)."""
    rows = measured_lines(report, unit)
    if not rows:
        return
    table = TextTable("实测项（根据抓取内容计算）", [(h, "left") for h in (
        "单位", "实测项", "评分项", "实测值", "计分采用", "计算依据")], show_lines=True)
    names = {s.unit.code: s.unit.name for s in report.scores}
    for m in rows:
        v = m.value
        table.add_row(f"{v.unit_code} {names.get(v.unit_code, '')}", MEASURE_NAMES[v.measure],
                      m.rule_id or "—", f"{fmt(v.percent)}%（{v.hits}/{v.total}）", m.used,
                      v.note())
    print_table(console, table, max_rows=max_rows, where_all=where_all)


def unit_dict(s: UnitScore) -> dict[str, Any]:
    return {
        "unit_code": s.unit.code, "unit_name": s.unit.name, "category": s.unit.category,
        "rubric": s.rubric.title, "rank": s.rank, "grade": s.grade,
        "unmonitored": s.unit.unmonitored,
        "base": _num(s.base), "bonus": _num(s.bonus), "bonus_before_cap": _num(s.bonus_raw),
        "major": _num(s.major), "total": _num(s.total), "capped_total": _num(s.capped),
        "final": _num(s.final), "excess": _num(s.excess),
        "indicators": [{
            "id": ind.spec.id, "name": ind.spec.name, "weight": _num(ind.weight),
            "deduction": _num(ind.deduction), "deduction_before_cap": _num(ind.raw_deduction),
            "score": _num(ind.score), "lines": [line_dict(ls) for ls in ind.lines],
        } for ind in s.indicators],
        "bonuses": [_reason(r) for r in s.bonus_reasons],
        "majors": [_reason(r) for r in s.major_reasons],
        "notes": list(s.notes), "ignored": list(s.ignored),
    }


def report_dict(report: ScoreReport, unit: str | None = None) -> dict[str, Any]:
    scores = [s for s in report.scores if unit in (None, s.unit.code)]
    return {
        "county": report.county, "rubric": report.rubric.name, "year": report.year,
        "units": [unit_dict(s) for s in scores],
        "measured": [{
            "unit_code": m.value.unit_code, "measure": m.value.measure,
            "name": MEASURE_NAMES[m.value.measure], "percent": _num(m.value.percent),
            "hits": m.value.hits, "total": m.value.total, "unjudged": m.value.unjudged,
            "rule": m.rule_id, "used": m.used, "note": m.value.note(),
            "items": [_item(i) for i in m.value.items],
        } for m in measured_lines(report, unit)],
        "unscored_findings": report.unscored_findings, "warnings": report.warnings,
    }


def explain(ls: LineScore) -> str:
    """扣分说明 of a line: its events, its bonus events and the caps applied."""
    parts = [r.text() for r in ls.reasons]
    parts.extend(f"加分 {r.text()}" for r in ls.bonus_reasons)
    parts.extend(ls.notes)
    return "；".join(parts)


def _class_label(s: UnitScore) -> str:
    return f"{s.unit.category}类"


def print_ranking(report: ScoreReport, console: Console) -> None:
    """One ranked table per class, level-1 subtotals as columns."""
    by_class: dict[str, list[UnitScore]] = {}
    for s in report.scores:
        by_class.setdefault(s.unit.category, []).append(s)
    for category, scores in by_class.items():
        rubric = scores[0].rubric
        columns: list[tuple[str, Justify]] = [("排名", "right"), ("单位", "left")]
        columns += [(l1.name, "right") for l1 in rubric.spec.indicators]
        columns += [(h, "right") for h in ("加分", rubric.spec.major_label, "总分", "得分", "等次")]
        table = TextTable(f"{report.county} {report.year}年度政务公开工作考核得分排名"
                          f"（{category}类 · {rubric.title}）", columns)
        table.add_row("", "赋分", *(fmt(ind.weight) for ind in scores[0].indicators),
                      f"≤{fmt(rubric.spec.bonus_cap)}" if rubric.spec.bonus_cap else "", "",
                      fmt(rubric.spec.total), fmt(rubric.spec.score_cap), "", style="dim")
        for s in scores:
            table.add_row(str(s.rank) if s.rank is not None else "—",
                          f"{s.unit.code} {s.unit.name}",
                          *(fmt(ind.score) for ind in s.indicators), fmt(s.bonus),
                          fmt(s.major) if s.major else "", fmt(s.total), fmt(s.final), s.grade)
        print_table(console, table)
    unmonitored = [s for s in report.scores if s.unit.unmonitored]
    if unmonitored:
        console.print("未监测单位（不评等次、不排名）：" + "；".join(
            f"{s.unit.code} {s.unit.name}（{s.unit.unmonitored}）" for s in unmonitored),
            markup=False, highlight=False)


def print_details(report: ScoreReport, console: Console, unit: str | None = None, *,
                  max_rows: int | None = None, where_all: str = "") -> None:
    """Deductions, bonuses and major deductions with their reasons, unit by unit (at most
    ``max_rows`` rows, then ``where_all``: see ``print_table``)."""
    headers = ("单位", "评分项", "扣分/加分", "说明")
    table = TextTable("扣分、加分明细", [(h, "left") for h in headers], show_lines=True)
    for s in report.scores:
        if unit not in (None, s.unit.code):
            continue
        who = f"{s.unit.code} {s.unit.name}"
        for ls in s.lines:
            if ls.deduction or ls.reasons or ls.bonus:
                change = f"-{fmt(ls.deduction)}" if ls.deduction else ""
                if ls.bonus:
                    change = f"{change} +{fmt(ls.bonus)}".strip()
                table.add_row(who, f"{ls.line.id} {ls.line.spec.name}", change or "0",
                              explain(ls))
        for ind in s.indicators:
            if ind.capped:
                table.add_row(who, f"{ind.spec.id} {ind.spec.name}（一级指标）",
                              f"-{fmt(ind.deduction)}",
                              f"扣分合计 {fmt(ind.raw_deduction)} 分，超过本项权重，"
                              f"按 {fmt(ind.weight)} 分计")
        if s.item_bonus_reasons or s.bonus:
            table.add_row(who, f"加分合计（含{s.rubric.spec.bonus_label}）", f"+{fmt(s.bonus)}",
                          "；".join([*(r.text() for r in s.item_bonus_reasons),
                                    *(n for n in s.notes if "加分" in n)]))
        if s.major_reasons:
            table.add_row(who, s.rubric.spec.major_label, f"-{fmt(s.major)}",
                          "；".join(r.text() for r in s.major_reasons))
    if table.rows:
        print_table(console, table, max_rows=max_rows, where_all=where_all)
    else:
        console.print("没有扣分或加分记录。")


def print_unit(report: ScoreReport, console: Console, code: str) -> None:
    """Every line of one unit's score sheet, as the rubric table lays it out."""
    s = report.for_unit(code)
    table = Table(title=f"{s.unit.code} {s.unit.name}（{_class_label(s)}）{report.year}年度评分表",
                  show_lines=True)
    for header in ("一级指标", "二级指标", "三级指标", "赋分", "扣分", "得分", "扣分说明"):
        table.add_column(header, overflow="fold",
                         justify="right" if header in ("赋分", "扣分", "得分") else "left")
    for ind in s.indicators:
        for ls in ind.lines:
            table.add_row(ind.spec.name, ls.line.level2.name, f"{ls.line.id} {ls.line.spec.name}",
                          fmt(ls.line.weight), fmt(ls.deduction) if ls.deduction else "",
                          fmt(ls.score), explain(ls))
        cap = "（超过权重，按权重计）" if ind.capped else ""
        table.add_row(f"{ind.spec.name} 小计", "", "", fmt(ind.weight), fmt(ind.deduction),
                      fmt(ind.score), cap, style="bold")
    console.print(table, markup=False, highlight=False)
    summary = (f"基础得分 {fmt(s.base)}，{s.rubric.spec.bonus_label} +{fmt(s.bonus)}，"
               f"总分 {fmt(s.total)}，{s.rubric.spec.major_label} -{fmt(s.major)}，"
               f"得分 {fmt(s.final)}，等次 {s.grade}，{_class_label(s)}{s.place}")
    console.print(summary, markup=False, highlight=False)
