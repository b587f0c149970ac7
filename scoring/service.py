"""The thin layer between storage and the engine: confirmed findings + manual entries in.

``compute_scores`` is still pure (rows in, ranked scores out); ``score_county`` does the reads.
Points of a finding come from the rubric (the deduction rule its monitor rule maps to), not from
the value stamped when it was detected, so a corrected rubric re-scores consistently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from govwatch.collector import collector_paused
from govwatch.config import CountyConfig
from govwatch.timeutil import today
from govwatch.vocabulary import RULE_NAMES
from scoring.engine import Entry, UnitInfo, UnitScore, rank_units, score_unit
from scoring.entries import ManualRecord, list_entries
from scoring.measured import MeasuredValue, measured_values
from scoring.rubric import RubricSet, load_rubric_set
from storage import repo
from storage.db import Database
from storage.repo import BulletinNotice, FindingRow


@dataclass(frozen=True)
class ScoreReport:
    county: str
    rubric: RubricSet
    year: int
    scores: list[UnitScore]  # ranked within class
    unscored_findings: int = 0  # confirmed findings whose rule never deducts (crawl_failure)
    warnings: list[str] = field(default_factory=list)
    # every measured value of the year, also those no rubric line takes (shown, not scored)
    measured: list[MeasuredValue] = field(default_factory=list)

    def for_unit(self, code: str) -> UnitScore:
        for s in self.scores:
            if s.unit.code == code:
                return s
        raise KeyError(code)


def finding_entry(row: FindingRow, rule_id: str) -> Entry:
    rule_name = RULE_NAMES.get(row.rule, row.rule)
    subject = f"{row.source_name}，" if row.source_name else ""
    return Entry(kind="deduction", ref=rule_id, source=f"发现#{row.id}",
                 note=f"{rule_name}（{subject}{row.period}）")


def manual_entry(record: ManualRecord) -> Entry:
    if record.kind == "measure":
        return Entry(kind="measure", ref=record.ref, value=record.points, source=record.source,
                     note=record.note)
    kind = record.kind if record.kind in ("deduction", "bonus", "major") else "deduction"
    return Entry(kind=kind, ref=record.ref, points=record.points,  # type: ignore[arg-type]
                 source=record.source, note=record.note)


def notice_entry(notice: BulletinNotice, rule_id: str) -> Entry:
    number = notice.doc_number or f"{notice.period} 周通报"
    return Entry(kind="deduction", ref=rule_id, source=f"通报{notice.period}",
                 note=f"被通报（{number}，{notice.published_on.isoformat()} 发布）")


def compute_scores(county: str, units: Sequence[UnitInfo], rubrics: RubricSet,
                   findings: Sequence[FindingRow], manual: Sequence[ManualRecord],
                   year: int, notices: Sequence[BulletinNotice] = (),
                   measured: Sequence[MeasuredValue] = ()) -> ScoreReport:
    """Score and rank ``units`` from confirmed findings, the bulletins that named them, the
    measured values (实测值) and manual entries of ``year`` (an entry overrides a measured
    value of the same rule)."""
    inputs: dict[str, list[Entry]] = defaultdict(list)
    warnings: list[str] = []
    unscored = 0
    known = {u.code: u for u in units}
    for row in findings:
        if row.status != "confirmed" or row.as_of.year != year or row.unit_code not in known:
            continue
        try:
            target = rubrics.for_category(row.category).monitor_target(row.rule)
        except KeyError as exc:
            warnings.append(f"发现#{row.id}：{exc.args[0]}，未计分")
            continue
        if target is None:
            unscored += 1
            continue
        inputs[row.unit_code].append(finding_entry(row, target[1].id))
    for notice in notices:  # 被通报: once per unit and published bulletin of the year
        unit = known.get(notice.unit_code)
        if unit is None or notice.year != year:
            continue
        try:
            target = rubrics.for_category(unit.category).monitor_target("bulletin_notice")
        except KeyError:
            continue  # the rubric says nothing about notices (warned for findings above)
        if target is not None:
            inputs[notice.unit_code].append(notice_entry(notice, target[1].id))
    for value in measured:  # before the entries: an entered percentage overrides it
        unit = known.get(value.unit_code)
        if unit is None:
            continue
        try:
            target = rubrics.for_category(unit.category).measure_target(value.measure)
        except KeyError:
            continue  # no rubric for the class (warned below)
        if target is not None:
            inputs[value.unit_code].append(value.entry(target[1].id))
    for record in manual:
        if record.year == year and record.unit_code in known:
            inputs[record.unit_code].append(manual_entry(record))
    scores = []
    for unit in units:
        try:
            rubric = rubrics.for_category(unit.category)
        except KeyError as exc:
            warnings.append(f"{unit.code} {unit.name}：{exc.args[0]}，未评分")
            continue
        scores.append(score_unit(rubric, unit, inputs.get(unit.code, [])))
    ranked = rank_units(scores)
    for s in ranked:
        warnings.extend(f"{s.unit.code} {s.unit.name}：{why}" for why in s.ignored)
    return ScoreReport(county, rubrics, year, ranked, unscored, warnings, list(measured))


def score_county(db: Database, config: CountyConfig, *, rubric: str | RubricSet | None = None,
                 year: int | None = None) -> ScoreReport:
    """Scores of every configured unit for ``year`` (default: this year, China time)."""
    if isinstance(rubric, RubricSet):
        rubrics = rubric
    else:
        rubrics = load_rubric_set(rubric or config.settings.rubric)
    year = year or today().year
    with collector_paused():  # a province's findings and scores are kept to the end
        with db.session() as session:
            coverage = repo.unit_coverage(session, date(year, 1, 1), date(year, 12, 31))
            units = [UnitInfo(u.code, u.name, u.category,
                              coverage.get(u.code, repo.NO_SOURCES)) for u in config.units]
            findings = repo.list_findings(session, status="confirmed", evidence=False)
            manual = list_entries(session, year=year)
            notices = repo.bulletin_notices(session)
            measured = measured_values(repo.interpretation_rows(session, year),
                                       config.settings.measures.varied_forms)
        return compute_scores(config.county, units, rubrics, findings, manual, year, notices,
                              measured)

