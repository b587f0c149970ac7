"""整改说明 (rectification statements): a unit user's statement on a confirmed finding of its
unit, and the monitors' re-check of it at their next run.

A statement is never edited: each submission is a new row recording who and when (the
audit). The re-check fields are written by the monitor run only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from govwatch.timeutil import CHINA, now
from storage.models import Finding, Rectification, Unit

RECHECK_OUTCOMES = ("rectified", "not_rectified", "unknown")


@dataclass(frozen=True)
class PendingRecheck:
    """A statement the monitors have not settled yet (never checked, or checked as unknown),
    with what its finding was about."""

    rectification_id: int
    finding_id: int
    rule: str
    subject: str
    unit_id: int
    category: str
    source_id: int | None
    item_id: int | None
    finding_as_of: date  # the day the finding was judged
    submitted_on: date  # China date of the statement


@dataclass(frozen=True)
class RecheckResult:
    rectification_id: int
    outcome: str  # rectified | not_rectified | unknown
    detail: str


def add_rectification(session: Session, finding_id: int, *, user_name: str, text: str,
                      url: str | None) -> int:
    """Store a statement; its id. The caller checks who may submit on which finding."""
    row = Rectification(finding_id=finding_id, user_name=user_name, text=text, url=url,
                        submitted_at=now())
    session.add(row)
    session.flush()
    return row.id


def rectifications_of(session: Session, finding_id: int) -> list[Rectification]:
    """A finding's statements, oldest first."""
    return list(session.scalars(select(Rectification)
                                .where(Rectification.finding_id == finding_id)
                                .order_by(Rectification.submitted_at, Rectification.id)))


def with_rectification(session: Session, finding_ids: Iterable[int]) -> set[int]:
    """Which of these findings have at least one statement."""
    ids = list(finding_ids)
    if not ids:
        return set()
    return set(session.scalars(select(Rectification.finding_id).distinct()
                               .where(Rectification.finding_id.in_(ids))))


def pending_rechecks(session: Session) -> list[PendingRecheck]:
    """Statements on still-confirmed findings whose re-check is not settled."""
    rows = session.execute(
        select(Rectification.id, Finding.id, Finding.rule, Finding.subject, Finding.unit_id,
               Unit.category, Finding.source_id, Finding.item_id, Finding.as_of,
               Rectification.submitted_at)
        .join(Finding, Finding.id == Rectification.finding_id)
        .join(Unit, Unit.id == Finding.unit_id)
        .where(Finding.status == "confirmed",
               or_(Rectification.outcome.is_(None), Rectification.outcome == "unknown"))
        .order_by(Rectification.id))
    return [PendingRecheck(*row[:-1], row[-1].astimezone(CHINA).date()) for row in rows]


def record_rechecks(session: Session, results: Iterable[RecheckResult], as_of: date) -> int:
    """Store the re-check outcomes of a monitor run; how many were stored."""
    stamp = now()
    count = 0
    for result in results:
        if result.outcome not in RECHECK_OUTCOMES:
            raise ValueError(f"unknown re-check outcome {result.outcome!r}")
        row = session.get(Rectification, result.rectification_id)
        if row is None:
            continue
        row.checked_at, row.checked_as_of = stamp, as_of
        row.outcome, row.detail = result.outcome, result.detail
        count += 1
    session.flush()
    return count
