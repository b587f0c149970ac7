"""Findings (monitors → review, scoring, reports): the drafts monitors propose and saving
them, idempotently and set-based; findings as rows for lists and exports; and the confirmed
findings a published bulletin named.

Idempotent: saving the same findings twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Text, false, select, type_coerce, update
from sqlalchemy.orm import Session

from govwatch.timeutil import CHINA, now
from storage.models import Bulletin, BulletinFinding, Finding, RuleRun, Source, Unit
from storage.repo._sql import _as_date, _as_datetime, _insert_for, json_value


@dataclass(frozen=True)
class FindingDraft:
    """A finding as a monitor proposes it, before storage gives it an id and a status."""

    rule: str
    unit_id: int
    subject: str
    period: str
    as_of: date
    points: float
    evidence: dict[str, Any]
    indicator: str | None = None
    source_id: int | None = None
    item_id: int | None = None
    snapshot_id: int | None = None


def save_findings(session: Session, drafts: Iterable[FindingDraft]) -> tuple[list[int], list[int]]:
    """Store new findings as pending; return (new ids, already-known ids).

    Unique on (rule, subject, period): re-running a monitor never duplicates, and a finding the
    team already reviewed keeps its status. A still-pending one gets the latest evidence.
    """
    new: list[int] = []
    known: list[int] = []
    for finding_id, is_new in save_findings_detailed(session, drafts):
        (new if is_new else known).append(finding_id)
    return new, known


FindingKey = tuple[str, str, str]


def _existing_findings(session: Session, keys: set[FindingKey], chunk: int = 500, *,
                       created_at: bool = False) -> dict[FindingKey, tuple[Any, ...]]:
    """(id, status[, created_at]) of the stored findings among ``keys``: one query per
    ``chunk`` periods."""
    rules = sorted({k[0] for k in keys})
    periods = sorted({k[2] for k in keys})
    found: dict[FindingKey, tuple[Any, ...]] = {}
    extra = (type_coerce(Finding.created_at, String),) if created_at else ()
    for k in range(0, len(periods), chunk):
        rows = session.execute(select(Finding.rule, Finding.subject, Finding.period, Finding.id,
                                      Finding.status, *extra)
                               .where(Finding.rule.in_(rules),
                                      Finding.period.in_(periods[k:k + chunk])))
        for rule, subject, period, *values in rows:
            if (rule, subject, period) in keys:
                found[(rule, subject, period)] = tuple(values)
    return found


def writing_first(session: Session) -> None:
    """Begin the session's transaction as a writer: on SQLite, a write that changes nothing
    takes the database's write lock now (waiting for another writer, then reading what it
    committed) — a transaction that reads first and writes later would fail on a snapshot
    another process has moved past. Elsewhere (PostgreSQL) row locks and ON CONFLICT serve."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(RuleRun.__table__).where(false()).values(rule=RuleRun.rule))


def save_findings_detailed(session: Session,
                           drafts: Iterable[FindingDraft]) -> list[tuple[int, bool]]:
    """``save_findings`` with one (id, is new) per draft, in order.

    Set-based: the known keys come in one query (per 500 periods), new findings go in with one
    bulk INSERT … RETURNING and pending ones are refreshed with one bulk UPDATE, so a
    province's tens of thousands of findings do not cost a round trip each. A key repeated
    among the drafts is stored once; its last draft's evidence wins, as when saved in turn.
    """
    drafts = list(drafts)
    if not drafts:
        return []
    stamp = now()
    keys = [(d.rule, d.subject, d.period) for d in drafts]
    existing = _existing_findings(session, set(keys))
    inserts: dict[FindingKey, dict[str, Any]] = {}
    updates: dict[int, dict[str, Any]] = {}
    for key, draft in zip(keys, drafts, strict=True):
        fresh = {"evidence": draft.evidence, "as_of": draft.as_of,
                 "snapshot_id": draft.snapshot_id, "updated_at": stamp}
        if key in existing:
            finding_id, status = existing[key]
            if status == "pending":
                updates[finding_id] = {"id": finding_id, **fresh}
        elif key in inserts:
            inserts[key].update(fresh)
        else:
            inserts[key] = {
                "rule": draft.rule, "unit_id": draft.unit_id, "source_id": draft.source_id,
                "item_id": draft.item_id, "subject": draft.subject, "period": draft.period,
                "points": draft.points, "indicator": draft.indicator, "status": "pending",
                "created_at": stamp, **fresh,
            }
    session.flush()
    if updates:
        session.execute(update(Finding), list(updates.values()))
    new_ids: dict[FindingKey, int] = {}
    if inserts:
        # Core executemany, then the ids read back by key: the ORM's bulk path costs 3× more,
        # and INSERT … RETURNING in parameter order runs row by row on SQLite. A key another
        # run stored meanwhile is left as it is (ON CONFLICT DO NOTHING) and counts as known.
        session.execute(_insert_for(session)(Finding.__table__).on_conflict_do_nothing(
            index_elements=["rule", "subject", "period"]), list(inserts.values()))
        mine = stamp.replace(tzinfo=None)  # created_at as stored (China time, naive)
        for key, (finding_id, status, at) in _existing_findings(
                session, set(inserts), created_at=True).items():
            if _as_datetime(at) == mine:
                new_ids[key] = finding_id
            else:  # stored by another run between our look and our insert
                existing[key] = (finding_id, status)
    result = []
    emitted: set[FindingKey] = set()
    for key in keys:
        if key in existing:
            result.append((existing[key][0], False))
        else:  # a repeated key is new only the first time
            result.append((new_ids[key], key not in emitted))
            emitted.add(key)
    return result


@dataclass(frozen=True)
class FindingRow:
    """A finding joined with its unit and source, as lists and exports show it."""

    id: int
    rule: str
    unit_code: str
    unit_name: str
    category: str
    source_name: str | None
    item_url: str | None
    period: str
    as_of: date
    points: float
    indicator: str | None
    status: str
    evidence: dict[str, Any]
    created_at: datetime


# What a ``FindingRow`` is read from, evidence last: Unit joined on the finding's unit, Source
# outer-joined on its source. Plain columns, not ORM entities: a province's score reads 35,000
# confirmed findings and its bulletin ~16,000.
FINDING_ROW_COLUMNS = (
    Finding.id, Finding.rule, Unit.code, Unit.name, Unit.category, Source.name, Source.url,
    Finding.period, Finding.as_of, Finding.points, Finding.indicator, Finding.status,
    Finding.created_at, type_coerce(Finding.evidence, Text),
)


def finding_row(values: Sequence[Any]) -> FindingRow:
    """A ``FindingRow`` from the values of ``FINDING_ROW_COLUMNS`` (the evidence may be left
    off: the row's ``evidence`` is then empty and ``item_url`` the source's URL)."""
    (finding_id, rule, code, unit_name, category, source_name, source_url, period, as_of,
     points, indicator, status, created_at, *raw) = values
    facts = dict(json_value(raw[0]) or {}) if raw else {}
    return FindingRow(
        id=finding_id, rule=rule, unit_code=code, unit_name=unit_name, category=category,
        source_name=source_name, item_url=facts.get("item_url") or source_url, period=period,
        as_of=_as_date(as_of), points=points, indicator=indicator, status=status,
        evidence=facts, created_at=created_at,
    )


def list_findings(session: Session, *, status: str | None = None, unit: str | None = None,
                  rule: str | None = None, period: str | None = None,
                  ids: Iterable[int] | None = None, evidence: bool = True) -> list[FindingRow]:
    """Findings with their unit and source, by unit code, rule and id.

    ``evidence=False`` skips decoding the evidence JSON (scoring never reads it).
    """
    columns = FINDING_ROW_COLUMNS if evidence else FINDING_ROW_COLUMNS[:-1]
    stmt = (select(*columns)
            .join(Unit, Unit.id == Finding.unit_id)
            .outerjoin(Source, Source.id == Finding.source_id)
            .order_by(Unit.code, Finding.rule, Finding.id))
    if status:
        stmt = stmt.where(Finding.status == status)
    if unit:
        stmt = stmt.where(Unit.code == unit)
    if rule:
        stmt = stmt.where(Finding.rule == rule)
    if period:
        stmt = stmt.where(Finding.period == period)
    if ids is not None:
        stmt = stmt.where(Finding.id.in_(list(ids)))
    return [finding_row(values) for values in session.execute(stmt)]


@dataclass(frozen=True)
class BulletinedFinding:
    """A confirmed finding that a published bulletin named."""

    finding_id: int
    rule: str
    subject: str
    unit_id: int
    category: str
    source_id: int | None
    item_id: int | None
    bulletin_period: str
    published_on: date


def bulletined_findings(session: Session) -> list[BulletinedFinding]:
    rows = session.execute(  # plain columns: the ORM would decode every finding's evidence
        select(Finding.id, Finding.rule, Finding.subject, Finding.unit_id, Unit.category,
               Finding.source_id, Finding.item_id, Bulletin.period, Bulletin.published_at)
        .join(BulletinFinding, BulletinFinding.finding_id == Finding.id)
        .join(Bulletin, Bulletin.id == BulletinFinding.bulletin_id)
        .join(Unit, Unit.id == Finding.unit_id)
        .where(Finding.status == "confirmed")
        .order_by(Bulletin.published_at, Finding.id))
    return [BulletinedFinding(*row[:-1], row[-1].astimezone(CHINA).date()) for row in rows]


@dataclass(frozen=True)
class BulletinNotice:
    """A unit named in a published bulletin (通报): one per unit and bulletin, however many of
    its findings the bulletin lists — what a 被通报的一次扣×分 rubric line counts."""

    unit_code: str
    period: str
    doc_number: str | None
    published_on: date
    year: int  # the year it counts in: its 文号's year, else its week's


# Findings that are not violations: a bulletin lists them in a technical note only.
NOT_NAMING = ("crawl_failure",)


def bulletin_notices(session: Session) -> list[BulletinNotice]:
    """Every (unit, published bulletin) pair where the bulletin names a confirmed violation of
    the unit, oldest bulletin first."""
    rows = session.execute(
        select(Unit.code, Bulletin.period, Bulletin.doc_number, Bulletin.published_at,
               Bulletin.doc_year)
        .join(Finding, Finding.unit_id == Unit.id)
        .join(BulletinFinding, BulletinFinding.finding_id == Finding.id)
        .join(Bulletin, Bulletin.id == BulletinFinding.bulletin_id)
        .where(Finding.status == "confirmed", Finding.rule.not_in(NOT_NAMING),
               Bulletin.published_at.is_not(None))
        .distinct())
    notices = [BulletinNotice(code, period, number, published.astimezone(CHINA).date(),
                              doc_year or date.fromisoformat(f"{period}-7").year)
               for code, period, number, published, doc_year in rows]
    return sorted(notices, key=lambda n: (n.published_on, n.period, n.unit_code))
