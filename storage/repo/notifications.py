"""Notifications (notify): what the daily digests read — findings created in a time span,
counts by status — and the record of each digest sent to each recipient.

A digest goes to a recipient at most once: a run *claims* it (a row in ``sending``, committed
before anything is sent, so a concurrent run sees it), sends, then records ``sent`` or
``failed``. Only a failed digest — or one whose run died while sending, after
``stale_after`` — may be claimed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from govwatch.timeutil import now
from storage.models import CrawlRun, Finding, Notification, Source, Unit
from storage.repo._sql import _as_date, _insert_for
from storage.repo.crawls import as_china_date
from storage.repo.findings import FINDING_ROW_COLUMNS, FindingRow, finding_row

NOTIFICATION_STATUSES = ("sending", "sent", "failed")


def findings_created_between(session: Session, start: datetime, end: datetime, *,
                             statuses: Iterable[str] = ("pending", "confirmed")
                             ) -> list[FindingRow]:
    """Findings created in [start, end) whose status is one of ``statuses``, by unit code,
    rule and id."""
    stmt = (select(*FINDING_ROW_COLUMNS)
            .join(Unit, Unit.id == Finding.unit_id)
            .outerjoin(Source, Source.id == Finding.source_id)
            .where(Finding.created_at >= start, Finding.created_at < end,
                   Finding.status.in_(list(statuses)))
            .order_by(Unit.code, Finding.rule, Finding.id))
    return [finding_row(values) for values in session.execute(stmt)]


def finding_counts(session: Session) -> dict[str, int]:
    """How many findings there are of each status."""
    rows = session.execute(select(Finding.status, func.count()).group_by(Finding.status))
    return {status: count for status, count in rows}


@dataclass(frozen=True)
class FailingSource:
    """An active source whose latest finished crawl did not succeed."""

    unit_code: str
    unit_name: str
    source_name: str
    outcome: str
    http_status: int | None
    since: date  # the China date that crawl started


def failing_sources(session: Session) -> list[FailingSource]:
    """The active sources whose latest finished crawl failed, by unit code and name (one
    query, whatever the number of sources)."""
    newest = (select(func.max(CrawlRun.id)).where(CrawlRun.outcome != "running")
              .group_by(CrawlRun.source_id))
    rows = session.execute(
        select(Unit.code, Unit.name, Source.name, CrawlRun.outcome, CrawlRun.http_status,
               CrawlRun.started_at)
        .join(Source, Source.id == CrawlRun.source_id).join(Unit, Unit.id == Source.unit_id)
        .where(CrawlRun.id.in_(newest), CrawlRun.outcome != "ok", Source.active.is_(True))
        .order_by(Unit.code, Source.name))
    return [FailingSource(code, unit_name, name, outcome, status, as_china_date(started))
            for code, unit_name, name, outcome, status, started in rows]


@dataclass(frozen=True)
class NotificationKey:
    """Which digest to which recipient: the day it speaks of, ``team`` or ``unit`` (then
    ``scope`` is the unit's code), and the SHA-256 of the recipient's URL."""

    day: date
    kind: str
    scope: str
    recipient_key: str

    def where(self) -> list[object]:
        return [Notification.day == self.day, Notification.kind == self.kind,
                Notification.scope == self.scope,
                Notification.recipient_key == self.recipient_key]


@dataclass(frozen=True)
class NotificationRow:
    """A recorded digest to one recipient."""

    id: int
    day: date
    kind: str
    scope: str
    recipient_key: str
    recipient: str
    status: str
    attempts: int
    error: str | None
    title: str
    body: str
    first_attempt_at: datetime
    last_attempt_at: datetime
    sent_at: datetime | None


def _row(record: Notification) -> NotificationRow:
    return NotificationRow(
        id=record.id, day=_as_date(record.day), kind=record.kind, scope=record.scope,
        recipient_key=record.recipient_key, recipient=record.recipient, status=record.status,
        attempts=record.attempts, error=record.error, title=record.title, body=record.body,
        first_attempt_at=record.first_attempt_at, last_attempt_at=record.last_attempt_at,
        sent_at=record.sent_at)


def claim_notification(session: Session, key: NotificationKey, *, recipient: str, title: str,
                       body: str, stale_after: timedelta) -> str:
    """Take the right to send this digest to this recipient: ``claimed`` (the row is now
    ``sending``: send, then ``finish_notification``), ``sent`` (it was sent already) or
    ``busy`` (another run is sending it). Commit the session before sending."""
    stamp = now()
    values = {"day": key.day, "kind": key.kind, "scope": key.scope,
              "recipient_key": key.recipient_key}
    fresh = {"recipient": recipient, "title": title, "body": body, "status": "sending",
             "last_attempt_at": stamp, "error": None}
    inserted = session.scalar(
        _insert_for(session)(Notification.__table__)
        .values(**values, **fresh, attempts=1, first_attempt_at=stamp)
        .on_conflict_do_nothing(index_elements=list(values))
        .returning(Notification.id))  # no row: another run's (the drivers' rowcounts vary)
    if inserted is not None:
        return "claimed"
    retried = session.scalar(
        update(Notification).where(
            *key.where(),
            or_(Notification.status == "failed",
                and_(Notification.status == "sending",
                     Notification.last_attempt_at < stamp - stale_after)))
        .values(**fresh, attempts=Notification.attempts + 1)
        .returning(Notification.id).execution_options(synchronize_session=False))
    if retried is not None:
        return "claimed"
    status = session.scalar(select(Notification.status).where(*key.where()))
    return "sent" if status == "sent" else "busy"


def finish_notification(session: Session, key: NotificationKey, error: str | None) -> None:
    """Record how sending a claimed digest went: ``sent``, or ``failed`` with the reason."""
    stamp = now()
    session.execute(
        update(Notification).where(*key.where(), Notification.status == "sending")
        .values(status="failed" if error else "sent", error=error,
                sent_at=None if error else stamp)
        .execution_options(synchronize_session=False))


def list_notifications(session: Session, *, day: date | None = None,
                       status: str | None = None) -> list[NotificationRow]:
    """Recorded digests, by day, kind, scope and id."""
    stmt = select(Notification).order_by(Notification.day, Notification.kind,
                                         Notification.scope, Notification.id)
    if day is not None:
        stmt = stmt.where(Notification.day == day)
    if status is not None:
        stmt = stmt.where(Notification.status == status)
    return [_row(record) for record in session.scalars(stmt)]


def unsent_notification_days(session: Session, start: date, end: date) -> list[date]:
    """The days in [start, end) with a digest not sent: its sending failed (or its run died
    while sending), oldest first."""
    days = session.scalars(select(Notification.day).distinct()
                           .where(Notification.status.in_(("failed", "sending")),
                                  Notification.day >= start,
                                  Notification.day < end)
                           .order_by(Notification.day))
    return [_as_date(day) for day in days]
