"""One notification run: build the day's digests from the database, send each to each of its
recipients once, record every attempt, and send again what failed before.

- The team's digest goes to ``settings.notify.channels``, a unit's to its ``contacts``.
- A digest is sent at most once per (day, kind, scope, recipient): each is claimed in the
  database before it is sent (``storage.repo.claim_notification``), so a second run for the
  same day — or a run alongside — sends nothing already sent.
- A channel that fails is recorded ``failed`` with Apprise's reason and never stops the
  others; the next run sends it again — the day's fresh digest for the same day, the stored
  message for an earlier day (up to ``settings.notify.retry_days`` back) while the channel
  is still configured.
- A unit with nothing to say (no open warning, no new finding) gets nothing; the team always
  gets its digest, 今日无新问题 on a quiet day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from govwatch.config import CountyConfig
from govwatch.logs import kv
from govwatch.timeutil import CHINA
from notify.digest import (
    TEAM,
    Digest,
    Links,
    team_digest,
    unit_digest,
)
from notify.send import Channel, Message, channel, message, send
from storage import repo
from storage.db import Database

log = logging.getLogger("govwatch.notify")

# A claim older than this whose run never recorded an outcome (the process died while
# sending) may be taken again.
STALE_CLAIM = timedelta(minutes=30)

SENT = "sent"
FAILED = "failed"
ALREADY_SENT = "already_sent"  # sent by an earlier run: not sent again
BUSY = "busy"  # another run is sending it right now
DRY_RUN = "dry_run"  # would be sent (--dry-run)


@dataclass(frozen=True)
class Delivery:
    """One digest to one recipient, and what this run did with it."""

    day: date
    kind: str
    scope: str
    title: str
    recipient: str  # the channel's URL, secrets masked
    outcome: str  # SENT | FAILED | ALREADY_SENT | BUSY | DRY_RUN
    error: str | None = None
    retry: bool = False  # a digest that failed before
    body: str = ""


@dataclass
class NotifyReport:
    """What a run built and did."""

    day: date
    digests: list[Digest] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    quiet_units: list[str] = field(default_factory=list)  # with contacts, nothing to say
    recipients: int = 0  # channels and contacts configured

    def count(self, outcome: str) -> int:
        return sum(1 for d in self.deliveries if d.outcome == outcome)


@dataclass(frozen=True)
class _DayFacts:
    findings: list[repo.FindingRow]
    pending_total: int
    failing: list[repo.FailingSource]
    warnings: list[repo.WarningRow]
    new_warning_ids: set[int]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight of ``day``, China time."""
    start = datetime.combine(day, time(), CHINA)
    return start, start + timedelta(days=1)


def _facts(db: Database, day: date) -> _DayFacts:
    start, end = day_bounds(day)
    with db.session() as session:
        findings = repo.findings_created_between(session, start, end)
        pending_total = repo.finding_counts(session).get("pending", 0)
        # open now, and already open on that day (a run for an earlier day)
        warnings = [w for w in repo.open_warnings(session) if w.opened_at < end]
        new_ids = {w.id for w in repo.warnings_opened_between(session, start, end)}
        failing = repo.failing_sources(session)
    return _DayFacts(findings, pending_total, failing, warnings, new_ids)


def build_digests(db: Database, config: CountyConfig,
                  day: date) -> tuple[list[tuple[Digest, list[str]]], list[str]]:
    """The day's digests with their recipients' URLs, and the units with contacts that have
    nothing to say."""
    notify = config.settings.notify
    if not notify.channels and not any(unit.contacts for unit in config.units):
        return [], []
    facts = _facts(db, day)
    links = Links(notify.base_url)
    planned: list[tuple[Digest, list[str]]] = []
    if notify.channels:
        planned.append((team_digest(
            day, config.county, findings=facts.findings, pending_total=facts.pending_total,
            failing=facts.failing, warnings=facts.warnings,
            new_warning_ids=facts.new_warning_ids, links=links, limit=notify.max_items),
            list(notify.channels)))
    quiet = []
    for unit in config.units:
        if not unit.contacts:
            continue
        digest = unit_digest(
            day, unit.code, unit.name,
            warnings=[w for w in facts.warnings if w.unit_code == unit.code],
            new_warning_ids=facts.new_warning_ids,
            findings=[r for r in facts.findings if r.unit_code == unit.code],
            links=links, limit=notify.max_items)
        if digest is None:
            quiet.append(unit.code)
        else:
            planned.append((digest, list(unit.contacts)))
    return planned, quiet


def _recipients(config: CountyConfig, kind: str, scope: str) -> list[str]:
    """The URLs configured now for a digest."""
    if kind == TEAM:
        return list(config.settings.notify.channels)
    return next((list(u.contacts) for u in config.units if u.code == scope), [])


def _send_once(db: Database, day: date, kind: str, scope: str, target: Channel,
               sent: Message, *, retry: bool = False) -> Delivery:
    """Claim, send and record one digest to one recipient."""
    key = repo.NotificationKey(day, kind, scope, target.key)
    with db.session() as session:
        state = repo.claim_notification(session, key, recipient=target.masked,
                                        title=sent.title, body=sent.body,
                                        stale_after=STALE_CLAIM)
    found = {"day": day, "kind": kind, "scope": scope, "title": sent.title,
             "recipient": target.masked, "retry": retry, "body": sent.body}
    if state != "claimed":
        return Delivery(**found, outcome=ALREADY_SENT if state == "sent" else BUSY)
    error = send(target, sent)
    with db.session() as session:
        repo.finish_notification(session, key, error)
    outcome = FAILED if error else SENT
    log.log(logging.WARNING if error else logging.INFO, "%s", kv(
        job="notify", event=outcome, day=day.isoformat(), digest=kind, unit=scope or None,
        to=target.masked, retry=retry or None, error=error))
    return Delivery(**found, outcome=outcome, error=error)


def _retries(db: Database, config: CountyConfig, day: date) -> Iterator[Delivery]:
    """Send again the earlier days' digests that were not sent, as they were stored, to the
    channels still configured."""
    days = config.settings.notify.retry_days
    with db.session() as session:
        earlier = repo.unsent_notification_days(session, day - timedelta(days=days), day)
        unsent = [row for d in earlier for row in repo.list_notifications(session, day=d)
                  if row.status != "sent"]
    for row in unsent:
        targets = [c for c in map(channel, _recipients(config, row.kind, row.scope))
                   if c.key == row.recipient_key]
        if not targets:
            log.info("%s", kv(job="notify", event="not_retried", day=row.day.isoformat(),
                              digest=row.kind, unit=row.scope or None, to=row.recipient,
                              reason="channel no longer configured"))
            continue
        yield _send_once(db, row.day, row.kind, row.scope, targets[0],
                         Message(row.title, row.body, targets[0].markdown), retry=True)


def run_notifications(db: Database, config: CountyConfig, day: date, *,
                      dry_run: bool = False) -> NotifyReport:
    """Build ``day``'s digests and send each to its recipients once (``dry_run``: build
    only, nothing sent or recorded); first send again what earlier days failed to send."""
    planned, quiet = build_digests(db, config, day)
    report = NotifyReport(day, [digest for digest, _ in planned], quiet_units=quiet,
                          recipients=len(config.settings.notify.channels)
                          + sum(len(u.contacts) for u in config.units))
    if not dry_run:
        report.deliveries.extend(_retries(db, config, day))
    for digest, urls in planned:
        for target in map(channel, urls):
            sent = message(target, digest)
            if dry_run:
                report.deliveries.append(Delivery(
                    day, digest.kind, digest.scope, digest.title, target.masked, DRY_RUN,
                    body=sent.body))
            else:
                report.deliveries.append(_send_once(db, day, digest.kind, digest.scope,
                                                    target, sent))
    return report

