"""Warnings (预警, ``monitors.warnings`` → the CLI, the web app, notifications): the drafts the
monitors propose, saving them with their lifecycle, and warnings as rows for lists.

A warning is never a finding and carries no points. Saving a run's drafts (``save_warnings``)
opens the new ones, refreshes those still holding (evidence and as-of date) and resolves the
open ones the run no longer proposes; a condition that returns later opens a new row. One
open warning per (kind, subject), held by a unique index over the unresolved rows.

The warnings speak of the latest as-of date monitored: a run as of an earlier date (a replay)
leaves them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, select, type_coerce, update
from sqlalchemy.orm import Session

from govwatch.timeutil import now
from govwatch.vocabulary import WARNING_NAMES, describe_warning
from storage.models import EarlyWarning, RuleRun, Source, Unit
from storage.repo._sql import _insert_for, json_value, record_rule_run

WARNINGS_RUN = "early_warning"  # the ``rule_run`` row: as-of date of the last run saved


@dataclass(frozen=True)
class WarningDraft:
    """A warning as a monitor proposes it, before storage gives it an id and dates."""

    kind: str
    unit_id: int
    subject: str
    as_of: date
    evidence: dict[str, Any]
    source_id: int | None = None
    item_id: int | None = None


@dataclass
class WarningChanges:
    """What saving a run's warnings did (ids), or that it was skipped: an earlier as-of date."""

    opened: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    skipped: bool = False


WarningKey = tuple[str, str]


def _open_ids(session: Session) -> dict[WarningKey, int]:
    """The id of each open warning by (kind, subject)."""
    rows = session.execute(select(EarlyWarning.kind, EarlyWarning.subject, EarlyWarning.id)
                           .where(EarlyWarning.resolved_at.is_(None)))
    return {(kind, subject): warning_id for kind, subject, warning_id in rows}


def save_warnings(session: Session, drafts: Iterable[WarningDraft],
                  as_of: date) -> WarningChanges:
    """A monitor run's warnings as of ``as_of``: new ones opened, open ones refreshed (evidence
    and as-of date) or, not proposed any more, resolved. A run as of a date before the last
    saved run's changes nothing (``skipped``). A key repeated among the drafts is stored once,
    its last draft winning."""
    last = session.scalar(select(RuleRun.as_of).where(RuleRun.rule == WARNINGS_RUN))
    if last is not None and as_of < last:
        return WarningChanges(skipped=True)
    stamp = now()
    proposed = {(d.kind, d.subject): d for d in drafts}
    existing = _open_ids(session)
    changes = WarningChanges()
    refreshed = []
    for key, warning_id in existing.items():
        if key in proposed:
            changes.kept.append(warning_id)
            refreshed.append({"id": warning_id, "evidence": proposed[key].evidence,
                              "as_of": as_of})
        else:
            changes.resolved.append(warning_id)
    if refreshed:
        session.execute(update(EarlyWarning), refreshed)
    if changes.resolved:
        session.execute(update(EarlyWarning).where(EarlyWarning.id.in_(changes.resolved))
                        .values(resolved_at=stamp, resolved_as_of=as_of))
    new = [key for key in proposed if key not in existing]
    if new:
        # one open warning per (kind, subject): one another run opened meanwhile is kept
        session.execute(
            _insert_for(session)(EarlyWarning.__table__).on_conflict_do_nothing(
                index_elements=["kind", "subject"],
                index_where=EarlyWarning.resolved_at.is_(None)),
            [{"kind": d.kind, "unit_id": d.unit_id, "source_id": d.source_id,
              "item_id": d.item_id, "subject": d.subject, "evidence": d.evidence,
              "opened_at": stamp, "opened_as_of": as_of, "as_of": as_of}
             for d in (proposed[key] for key in new)])
        now_open = _open_ids(session)
        changes.opened = [now_open[key] for key in new if key in now_open]
    record_rule_run(session, WARNINGS_RUN, as_of, stamp)
    return changes


@dataclass(frozen=True)
class WarningRow:
    """A warning joined with its unit and source, as lists and notifications show it.

    ``as_of``: the latest as-of date the condition held at (while open, the last run's);
    ``description``: one line in Chinese; ``resolved_at``: None while it is open.
    """

    id: int
    kind: str
    kind_name: str
    unit_code: str
    unit_name: str
    source_name: str | None
    subject: str
    description: str
    opened_at: datetime
    resolved_at: datetime | None
    as_of: date
    evidence: dict[str, Any]


KIND_ORDER = {kind: k for k, kind in enumerate(WARNING_NAMES)}

# What a ``WarningRow`` is read from, evidence last (plain columns: no ORM bookkeeping)
_COLUMNS = (EarlyWarning.id, EarlyWarning.kind, Unit.code, Unit.name, Source.name,
            EarlyWarning.subject, EarlyWarning.opened_at, EarlyWarning.resolved_at,
            EarlyWarning.as_of, type_coerce(EarlyWarning.evidence, Text))


def _rows(session: Session, *conditions: Any) -> list[WarningRow]:
    """Warnings meeting ``conditions``, in the order they were opened."""
    stmt = (select(*_COLUMNS).join(Unit, Unit.id == EarlyWarning.unit_id)
            .outerjoin(Source, Source.id == EarlyWarning.source_id)
            .where(*conditions).order_by(EarlyWarning.opened_at, EarlyWarning.id))
    found = []
    for warning_id, kind, code, unit_name, source_name, subject, opened, resolved, day, raw in (
            session.execute(stmt)):
        evidence = dict(json_value(raw) or {})
        found.append(WarningRow(
            id=warning_id, kind=kind, kind_name=WARNING_NAMES.get(kind, kind), unit_code=code,
            unit_name=unit_name, source_name=source_name, subject=subject,
            description=describe_warning(kind, evidence), opened_at=opened,
            resolved_at=resolved, as_of=day, evidence=evidence))
    return found


def list_warnings(session: Session, unit_code: str | None = None, *,
                  resolved: bool = False) -> list[WarningRow]:
    """The open warnings (of one unit) by unit code, kind and when they were opened; with
    ``resolved``, the resolved ones after them, the most recently resolved first."""
    rows = _rows(session, *([Unit.code == unit_code] if unit_code else []),
                 *([] if resolved else [EarlyWarning.resolved_at.is_(None)]))
    open_rows = sorted((r for r in rows if r.resolved_at is None),
                       key=lambda r: (r.unit_code, KIND_ORDER.get(r.kind, len(KIND_ORDER))))
    done = sorted((r for r in rows if r.resolved_at is not None),
                  key=lambda r: (r.resolved_at, r.id), reverse=True)
    return open_rows + done


def open_warnings(session: Session, unit_code: str | None = None) -> list[WarningRow]:
    """The open warnings (of one unit), by unit code, kind and when they were opened."""
    return list_warnings(session, unit_code)


def warnings_opened_between(session: Session, start: datetime,
                            end: datetime) -> list[WarningRow]:
    """Warnings opened at ``start`` or later and before ``end`` (resolved since or not), in
    the order they were opened. Naive datetimes are China time."""
    return _rows(session, EarlyWarning.opened_at >= start, EarlyWarning.opened_at < end)
