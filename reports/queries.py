"""The thin query layer of the weekly bulletin: rows out of storage, no judgement.

``load_inputs`` gathers everything ``reports.weekly.build_weekly`` needs for one ISO week in a
handful of set-based queries (reading the interpretations and choosing those that can bear
on the policies named before runs beside the others: ``storage.db.in_session_beside``);
``record_draft`` records a draft awaiting approval, ``publish_bulletin`` an approved, published
bulletin and the findings it named (what ``monitors.not_rectified`` reads);
``bulletin_records`` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from govwatch.timeutil import iso_week, now
from reports.interpretations import explaining_titles, match_settings
from storage import repo
from storage.db import in_session_beside
from storage.models import Bulletin, BulletinFinding, Finding, Source, Unit
from storage.repo import FindingRow, PostFact


@dataclass(frozen=True)
class ReportFinding:
    """A finding as ``repo.list_findings`` shows it, plus what the bulletin needs besides."""

    row: FindingRow
    subject: str
    source_id: int | None
    item_id: int | None
    source_kind: str | None  # column kind or account platform
    source_url: str | None

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def rule(self) -> str:
        return self.row.rule


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    category: str
    unmonitored: str | None = None  # why the unit was not monitored this week (未监测)


@dataclass(frozen=True)
class PublishedBulletin:
    id: int
    period: str
    title: str
    published_at: datetime
    published_by: str


@dataclass(frozen=True)
class WeeklyInputs:
    """What storage holds that a week's bulletin needs (``reference`` = the week's Sunday)."""

    county: str
    week: str
    reference: date
    units: tuple[UnitInfo, ...]
    columns: int  # active columns checked
    accounts: int  # active new-media accounts checked
    # non-dismissed findings of this week and the week before, and every not_rectified one
    findings: tuple[ReportFinding, ...]
    previous: PublishedBulletin | None
    previous_findings: tuple[ReportFinding, ...]  # still-confirmed findings it named
    originals: dict[int, ReportFinding]  # findings named by not_rectified ones above
    posts_per_day: dict[int, dict[date, int]]  # items per source per day, for 整改
    policies: dict[int, PostFact]  # policy items of uninterpreted findings named before
    # policy item id → the title of an interpretation that now explains it, or None
    # (reports.interpretations: the monitor's matching)
    explained: dict[int, str | None] = field(default_factory=dict)


# ``repo.finding_row``'s columns, then what the bulletin needs besides
_FINDING_COLUMNS = (*repo.FINDING_ROW_COLUMNS, Finding.subject, Finding.source_id,
                    Finding.item_id, Source.kind, Source.url.label("source_url"))
_ROW = len(repo.FINDING_ROW_COLUMNS)


def _report_findings(session: Session, *conditions: Any) -> list[ReportFinding]:
    stmt = (select(*_FINDING_COLUMNS)
            .join(Unit, Unit.id == Finding.unit_id)
            .outerjoin(Source, Source.id == Finding.source_id)
            .where(*conditions)
            .order_by(Unit.code, Source.name, Finding.id))
    return [ReportFinding(repo.finding_row(values[:_ROW]), *values[_ROW:])
            for values in session.execute(stmt)]


def previous_bulletin(session: Session, week: str) -> PublishedBulletin | None:
    """The latest published bulletin of a week before ``week`` (a draft never approved does
    not count; a week re-drafted after publication counts as published)."""
    b = session.scalar(select(Bulletin).where(Bulletin.period < week,
                                              Bulletin.published_at.is_not(None))
                       .order_by(Bulletin.period.desc()).limit(1))
    if b is None or b.published_at is None:
        return None
    return PublishedBulletin(b.id, b.period, b.title, b.published_at, b.published_by or "")


def _evidence_date(f: ReportFinding, key: str) -> date | None:
    value = f.row.evidence.get(key)
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def load_inputs(session: Session, county: str, week: str) -> WeeklyInputs:
    """Everything the bulletin of ``week`` (e.g. ``2021-W35``) is built from."""
    monday = date.fromisoformat(f"{week}-1")
    sunday = monday + timedelta(days=6)
    previous_week = iso_week(monday - timedelta(days=7))

    previous = previous_bulletin(session, week)
    named: list[ReportFinding] = []
    originals: dict[int, ReportFinding] = {}
    if previous is not None:
        named = _report_findings(
            session, Finding.status == "confirmed",
            Finding.id.in_(select(BulletinFinding.finding_id)
                           .where(BulletinFinding.bulletin_id == previous.id)))
        original_ids = {int(f.row.evidence["original_finding_id"]) for f in named
                        if f.rule == "not_rectified"
                        and str(f.row.evidence.get("original_finding_id", "")).isdigit()}
        if original_ids:
            originals = {f.id: f for f in _report_findings(session,
                                                           Finding.id.in_(original_ids))}
    judged = [*named, *originals.values()]

    # the policies named before, at the settings each was judged at (the most lenient: the
    # lowest title threshold, the longest window before the policy)
    settings: dict[int, tuple[float, int]] = {}
    for f in judged:
        if f.rule == "uninterpreted_policy" and f.item_id:
            threshold, days = match_settings(f.row.evidence)
            was = settings.get(f.item_id, (threshold, days))
            settings[f.item_id] = (min(threshold, was[0]), max(days, was[1]))
    policies: dict[int, PostFact] = {}
    if settings:
        policies = {p.item_id: p for p in repo.post_facts_by_id(session, settings)
                    if p.published_on is not None}
    judging = [(i, settings[i]) for i in policies]
    # and whether an interpretation explains them now: matched beside the queries below
    chosen = (in_session_beside(session, lambda s: explaining_titles(s, judging, sunday))
              if judging else None)

    coverage = repo.unit_coverage(session, monday, sunday)
    units = tuple(UnitInfo(code, name, category, coverage.get(code))
                  for code, name, category in session.execute(
                      select(Unit.code, Unit.name, Unit.category)
                      .where(Unit.active.is_(True)).order_by(Unit.code)))
    per_type = dict(session.execute(
        select(Source.type, func.count()).join(Unit, Unit.id == Source.unit_id)
        .where(Source.active.is_(True), Unit.active.is_(True)).group_by(Source.type)).all())

    findings = _report_findings(
        session, Finding.status != "dismissed",
        or_(Finding.period.in_((week, previous_week)), Finding.rule == "not_rectified"))

    posts: dict[int, dict[date, int]] = {}
    sources = {f.source_id for f in judged
               if f.source_id and f.rule in ("stale_column", "low_post_frequency")}
    if sources:
        starts = [d + timedelta(days=1) for f in judged if f.rule == "stale_column"
                  and (d := _evidence_date(f, "newest_published_on")) is not None]
        posts = repo.posts_per_day(session, sources, min([monday, *starts]), sunday)

    return WeeklyInputs(
        county=county, week=week, reference=sunday, units=units,
        columns=int(per_type.get("column", 0)), accounts=int(per_type.get("account", 0)),
        findings=tuple(findings), previous=previous, previous_findings=tuple(named),
        originals=originals, posts_per_day=posts, policies=policies,
        explained=chosen.result() if chosen else {},
    )


@dataclass(frozen=True)
class DocNumber:
    """A bulletin's 文号: the year's sequence number and the text printed."""

    year: int
    seq: int
    text: str


@dataclass(frozen=True)
class BulletinRecord:
    """A week's Bulletin row as the CLI and the web app show it."""

    id: int
    period: str
    title: str
    status: str  # draft | published
    number: DocNumber | None
    published_at: datetime | None
    published_by: str | None
    approved_at: datetime | None
    files: tuple[str, ...]  # the published files
    named: int  # findings the published edition names
    drafted_at: datetime | None
    drafted_by: str | None
    draft_files: tuple[str, ...]
    draft_named: int  # findings the draft names
    draft_digest: str | None

    @property
    def awaiting_approval(self) -> bool:
        return self.status == "draft"


def _record(b: Bulletin, named: int) -> BulletinRecord:
    number = (DocNumber(b.doc_year, b.doc_seq, b.doc_number or "")
              if b.doc_year is not None and b.doc_seq is not None else None)
    return BulletinRecord(
        b.id, b.period, b.title, b.status, number, b.published_at, b.published_by,
        b.approved_at, tuple(b.files or ()), named, b.drafted_at, b.drafted_by,
        tuple(b.draft_files or ()), len(b.draft_findings or ()), b.draft_digest)


def bulletin_records(session: Session, *, period: str | None = None,
                     limit: int | None = None, lock: bool = False) -> list[BulletinRecord]:
    """The weeks' Bulletin rows, newest week first (``period``: that week's only; ``lock``:
    held until the transaction ends, so two approvals of a week run one after the other)."""
    stmt = select(Bulletin).order_by(Bulletin.period.desc()).limit(limit)
    if period is not None:
        stmt = stmt.where(Bulletin.period == period)
    if lock:
        stmt = stmt.with_for_update()
    rows = list(session.scalars(stmt))
    named = dict(session.execute(
        select(BulletinFinding.bulletin_id, func.count())
        .where(BulletinFinding.bulletin_id.in_([b.id for b in rows]))
        .group_by(BulletinFinding.bulletin_id)).all()) if rows else {}
    return [_record(b, int(named.get(b.id, 0))) for b in rows]


def next_doc_seq(session: Session, year: int) -> int:
    """The sequence number the next bulletin approved in ``year`` gets (1 for the first)."""
    last = session.scalar(select(func.max(Bulletin.doc_seq)).where(Bulletin.doc_year == year))
    return int(last or 0) + 1


def record_draft(session: Session, *, period: str, title: str, finding_ids: Iterable[int],
                 files: Sequence[str], digest: str, drafted_by: str,
                 at: datetime | None = None) -> int:
    """Record the draft of ``period`` awaiting approval; return the Bulletin row's id.

    The row's status becomes ``draft``; a week published before keeps its published edition
    (files, links, 文号, ``published_at``) until the new draft is approved.
    """
    bulletin = session.scalar(select(Bulletin).where(Bulletin.period == period))
    if bulletin is None:
        bulletin = Bulletin(period=period, title=title, files=[])
        session.add(bulletin)
    bulletin.title, bulletin.status = title, "draft"
    bulletin.drafted_at, bulletin.drafted_by = at or now(), drafted_by
    bulletin.draft_files, bulletin.draft_findings = list(files), sorted(set(finding_ids))
    bulletin.draft_digest = digest
    session.flush()
    return bulletin.id


def publish_bulletin(session: Session, *, period: str, title: str, finding_ids: Iterable[int],
                     files: Sequence[str], published_by: str, number: DocNumber | None = None,
                     at: datetime | None = None) -> int:
    """Record the bulletin of ``period`` as published (approved by ``published_by``, with its
    文号 ``number``) and the findings it named; return its id.

    Publishing a period again updates its record (period is unique) and replaces its finding
    links. ``published_at`` — from which ``not_rectified`` counts the rectification deadline —
    is kept when the same findings are named again (a re-render) and moves to now when what
    the bulletin names changed (a corrected re-issue); ``approved_at`` is always now.
    """
    wanted = set(finding_ids)
    stamp = at or now()
    bulletin = session.scalar(select(Bulletin).where(Bulletin.period == period))
    if bulletin is None:
        bulletin = Bulletin(period=period, title=title, files=[])
        session.add(bulletin)
        session.flush()
    linked = set(session.scalars(select(BulletinFinding.finding_id)
                                 .where(BulletinFinding.bulletin_id == bulletin.id)))
    if bulletin.published_at is None or linked != wanted:
        bulletin.published_at = stamp
    bulletin.title, bulletin.published_by, bulletin.files = title, published_by, list(files)
    bulletin.status, bulletin.approved_at = "published", stamp
    if number is not None:
        bulletin.doc_year, bulletin.doc_seq = number.year, number.seq
        bulletin.doc_number = number.text
    if linked - wanted:
        session.execute(delete(BulletinFinding).where(
            BulletinFinding.bulletin_id == bulletin.id,
            BulletinFinding.finding_id.in_(linked - wanted)))
    session.add_all(BulletinFinding(bulletin_id=bulletin.id, finding_id=finding_id)
                    for finding_id in sorted(wanted - linked))
    session.flush()
    return bulletin.id
