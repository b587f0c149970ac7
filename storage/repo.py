"""Reads and writes the other stages use; no stage touches tables except through here.

Writes are idempotent: syncing the same config, storing the same items or the same findings
twice changes nothing the second time.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govwatch.config import CountyConfig
from govwatch.timeutil import CHINA, now
from storage.models import (
    Bulletin,
    BulletinFinding,
    ChinaDateTime,
    CrawlRun,
    Finding,
    Item,
    Review,
    Snapshot,
    Source,
    Unit,
)

# ----------------------------------------------------------------------------- config


def sync_config(session: Session, config: CountyConfig) -> dict[tuple[str, str], int]:
    """Upsert the config's units and sources; deactivate those no longer configured.

    Returns ``{(unit_code, source_name): source_id}``. Nothing is deleted: items and findings
    of a removed source stay as evidence.
    """
    units = {u.code: u for u in session.scalars(select(Unit))}
    ids: dict[tuple[str, str], int] = {}
    for unit_cfg in config.units:
        unit = units.get(unit_cfg.code)
        if unit is None:
            unit = Unit(code=unit_cfg.code)
            session.add(unit)
        unit.name, unit.category = unit_cfg.name, unit_cfg.category
        unit.county, unit.active = config.county, True
        session.flush()
        existing = {s.name: s for s in
                    session.scalars(select(Source).where(Source.unit_id == unit.id))}
        wanted: list[tuple[str, dict[str, Any]]] = []
        for column in unit_cfg.columns:
            wanted.append((column.name, {
                "type": "column", "kind": column.kind, "url": column.url,
                "render": column.render,
                "selectors": column.selectors.model_dump() if column.selectors else None,
                "expect_update": column.expect_update,
                "thresholds": column.thresholds.model_dump(exclude_none=True),
                "policy_titles": (column.policy_titles.model_dump()
                                  if column.policy_titles else None),
                "monitored_since": None,
            }))
        for account in unit_cfg.accounts:
            wanted.append((account.name, {
                "type": "account", "kind": account.platform, "url": account.url,
                "render": "static", "selectors": None, "expect_update": True,
                "thresholds": account.thresholds.model_dump(exclude_none=True),
                "policy_titles": None,
                "monitored_since": account.monitored_since or config.settings.monitoring_start,
            }))
        for name, values in wanted:
            source = existing.pop(name, None)
            if source is None:
                source = Source(unit_id=unit.id, name=name)
                session.add(source)
            for key, value in values.items():
                setattr(source, key, value)
            source.active = True
            session.flush()
            ids[(unit.code, name)] = source.id
        for stale in existing.values():
            stale.active = False
    configured = {u.code for u in config.units}
    for code, unit in units.items():
        if code not in configured:
            unit.active = False
    return ids


# ----------------------------------------------------------------------------- crawling


@dataclass
class ItemRecord:
    """An item as the crawler hands it to storage."""

    url: str
    title: str
    published_on: date | None
    published_at: datetime | None = None
    content_hash: str | None = None
    links: list[str] = field(default_factory=list)
    statement: str | None = None


def _insert_for(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"unsupported database dialect: {dialect}")


def store_items(session: Session, source_id: int, records: Sequence[ItemRecord],
                seen_at: datetime | None = None) -> int:
    """Insert new items, refresh known ones; return how many were new.

    A known item keeps its first_seen_at; a date or title learned later fills in a gap but
    never erases what was stored (a page that lost its date must not un-date an item).
    """
    if not records:
        return 0
    seen_at = seen_at or now()
    unique = {r.url: r for r in records}
    before = session.scalar(select(func.count()).select_from(Item)
                            .where(Item.source_id == source_id, Item.url.in_(unique)))
    insert = _insert_for(session)
    rows = [{
        "source_id": source_id, "url": r.url, "title": r.title,
        "published_on": r.published_on, "published_at": r.published_at,
        "first_seen_at": seen_at, "last_seen_at": seen_at,
        "content_hash": r.content_hash, "links": r.links, "statement": r.statement,
    } for r in unique.values()]
    stmt = insert(Item).values(rows)
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["source_id", "url"],
        set_={
            "last_seen_at": excluded.last_seen_at,
            "title": func.coalesce(func.nullif(excluded.title, ""), Item.title),
            "published_on": func.coalesce(Item.published_on, excluded.published_on),
            "published_at": func.coalesce(Item.published_at, excluded.published_at),
            "content_hash": func.coalesce(excluded.content_hash, Item.content_hash),
            # links and statements are only known when the article page was read
            "links": case((excluded.content_hash.is_(None), Item.links), else_=excluded.links),
            "statement": case((excluded.content_hash.is_(None), Item.statement),
                              else_=excluded.statement),
        },
    )
    session.execute(stmt)
    return len(unique) - int(before or 0)


def open_crawl_run(session: Session, source_id: int, started_at: datetime | None = None) -> int:
    run = CrawlRun(source_id=source_id, started_at=started_at or now(), outcome="running")
    session.add(run)
    session.flush()
    return run.id


def close_crawl_run(session: Session, run_id: int, *, outcome: str, pages: int = 0,
                    items_found: int = 0, items_dated: int = 0, items_new: int = 0,
                    http_status: int | None = None, error: str | None = None) -> None:
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(
        outcome=outcome, pages=pages, items_found=items_found, items_dated=items_dated,
        items_new=items_new, http_status=http_status, error=error, finished_at=now(),
    ))


def interrupt_open_runs(session: Session, source_ids: Iterable[int] | None = None) -> int:
    """Mark runs left 'running' by a crashed or killed crawl (of the given sources, or all)
    as interrupted."""
    stmt = update(CrawlRun).where(CrawlRun.outcome == "running")
    if source_ids is not None:
        stmt = stmt.where(CrawlRun.source_id.in_(list(source_ids)))
    result = session.execute(stmt.values(
        outcome="interrupted", finished_at=now(), error="crawl process ended before finishing",
    ))
    return result.rowcount or 0


def save_snapshot(session: Session, data_dir: Path, *, source_id: int, crawl_run_id: int | None,
                  url: str, html: str, http_status: int | None = None,
                  png: bytes | None = None) -> int:
    """Keep what a page looked like as evidence (gzip-compressed HTML, UTF-8, and a PNG when a
    browser rendered it); identical pages share one file."""
    body = html.encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()
    folder = data_dir / "snapshots" / str(source_id)
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / f"{digest[:16]}.html.gz"
    if not html_path.exists():
        # mtime=0: the same page always compresses to the same bytes
        html_path.write_bytes(gzip.compress(body, mtime=0))
    png_path = None
    if png:
        png_path = folder / f"{digest[:16]}-{hashlib.sha256(png).hexdigest()[:8]}.png"
        png_path.write_bytes(png)
    snap = Snapshot(source_id=source_id, crawl_run_id=crawl_run_id, url=url, taken_at=now(),
                    http_status=http_status, html_path=str(html_path.resolve()),
                    png_path=str(png_path.resolve()) if png_path else None, sha256=digest)
    session.add(snap)
    session.flush()
    return snap.id


def read_snapshot_html(snapshot: Snapshot) -> str | None:
    """The stored HTML of a snapshot, or None when its file is gone."""
    if not snapshot.html_path:
        return None
    path = Path(snapshot.html_path)
    if not path.exists():
        return None
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8", "replace")


def prune_snapshots(session: Session, retention_days: int) -> int:
    """Forget snapshots older than the retention period, except those a finding points at.

    A file is removed only when no remaining snapshot row shares it.
    """
    cutoff = now() - timedelta(days=retention_days)
    kept = select(Finding.snapshot_id).where(Finding.snapshot_id.is_not(None))
    old = list(session.scalars(select(Snapshot).where(Snapshot.taken_at < cutoff,
                                                      Snapshot.id.not_in(kept))))
    if not old:
        return 0
    paths = {p for s in old for p in (s.html_path, s.png_path) if p}
    for snapshot in old:
        session.delete(snapshot)
    session.flush()
    still_used = set(session.scalars(select(Snapshot.html_path).where(
        Snapshot.html_path.in_(paths)))) | set(session.scalars(
            select(Snapshot.png_path).where(Snapshot.png_path.in_(paths))))
    for path in paths - still_used:
        Path(path).unlink(missing_ok=True)
    return len(old)


def source_ids(session: Session) -> dict[tuple[str, str], int]:
    """``{(unit_code, source_name): source_id}`` of the active sources."""
    rows = session.execute(select(Unit.code, Source.name, Source.id)
                           .join(Unit, Unit.id == Source.unit_id)
                           .where(Source.active.is_(True)))
    return {(code, name): sid for code, name, sid in rows}


def latest_runs(session: Session, ids: Iterable[int]) -> dict[int, CrawlRun]:
    """The newest finished crawl run of each given source."""
    newest = (select(func.max(CrawlRun.id)).where(CrawlRun.source_id.in_(list(ids)),
                                                  CrawlRun.outcome != "running")
              .group_by(CrawlRun.source_id))
    return {r.source_id: r for r in session.scalars(select(CrawlRun)
                                                    .where(CrawlRun.id.in_(newest)))}


# ----------------------------------------------------------------------------- monitors


@dataclass(frozen=True)
class SourceFacts:
    """What the monitors know about a source at an as-of date (one row per source)."""

    source_id: int
    source_name: str
    source_url: str
    source_type: str
    kind: str
    expect_update: bool
    thresholds: dict[str, Any]
    unit_id: int
    unit_code: str
    unit_name: str
    category: str
    last_run_id: int | None
    last_run_outcome: str | None
    last_run_started: datetime | None
    last_run_error: str | None
    last_run_status: int | None
    newest_item_id: int | None
    newest_published_on: date | None
    newest_url: str | None
    newest_title: str | None
    snapshot_id: int | None
    oldest_published_on: date | None = None
    first_ok_at: datetime | None = None  # first successful crawl ever
    failing_since: datetime | None = None  # first failed run after the last successful one
    monitored_since: date | None = None
    policy_titles: dict[str, Any] | None = None


def source_facts(session: Session, as_of: date) -> list[SourceFacts]:
    """Active sources with their latest crawl and newest item published on or before as_of.

    Set-based: three grouped subqueries joined once, so the cost does not grow with a Python
    loop over items.
    """
    last_run = (select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
                .where(CrawlRun.outcome != "running")
                .group_by(CrawlRun.source_id).subquery())
    newest_date = (select(Item.source_id, func.max(Item.published_on).label("newest"))
                   .where(Item.published_on <= as_of)
                   .group_by(Item.source_id).subquery())
    newest_item = (select(Item.source_id, func.min(Item.id).label("item_id"))
                   .join(newest_date, and_(newest_date.c.source_id == Item.source_id,
                                           newest_date.c.newest == Item.published_on))
                   .group_by(Item.source_id).subquery())
    last_snap = (select(Snapshot.source_id, func.max(Snapshot.id).label("snapshot_id"))
                 .group_by(Snapshot.source_id).subquery())
    oldest = (select(Item.source_id, func.min(Item.published_on).label("oldest"))
              .group_by(Item.source_id).subquery())
    ok_runs = (select(CrawlRun.source_id, func.max(CrawlRun.id).label("last_ok"),
                      func.min(CrawlRun.started_at).label("first_ok"))
               .where(CrawlRun.outcome == "ok").group_by(CrawlRun.source_id).subquery())
    failing = (select(CrawlRun.source_id, func.min(CrawlRun.started_at).label("since"))
               .outerjoin(ok_runs, ok_runs.c.source_id == CrawlRun.source_id)
               .where(CrawlRun.outcome.not_in(("ok", "running")),
                      CrawlRun.id > func.coalesce(ok_runs.c.last_ok, 0))
               .group_by(CrawlRun.source_id).subquery())
    stmt = (
        select(Source, Unit, CrawlRun, Item, last_snap.c.snapshot_id, oldest.c.oldest,
               ok_runs.c.first_ok, failing.c.since)
        .join(Unit, Unit.id == Source.unit_id)
        .outerjoin(last_run, last_run.c.source_id == Source.id)
        .outerjoin(CrawlRun, CrawlRun.id == last_run.c.run_id)
        .outerjoin(newest_item, newest_item.c.source_id == Source.id)
        .outerjoin(Item, Item.id == newest_item.c.item_id)
        .outerjoin(last_snap, last_snap.c.source_id == Source.id)
        .outerjoin(oldest, oldest.c.source_id == Source.id)
        .outerjoin(ok_runs, ok_runs.c.source_id == Source.id)
        .outerjoin(failing, failing.c.source_id == Source.id)
        .where(Source.active.is_(True), Unit.active.is_(True))
        .order_by(Unit.code, Source.id)
    )
    facts = []
    as_china = ChinaDateTime().process_result_value
    for source, unit, run, item, snapshot_id, oldest_on, first_ok, since in session.execute(stmt):
        facts.append(SourceFacts(
            source_id=source.id, source_name=source.name, source_url=source.url,
            source_type=source.type, kind=source.kind, expect_update=source.expect_update,
            thresholds=dict(source.thresholds or {}),
            unit_id=unit.id, unit_code=unit.code, unit_name=unit.name, category=unit.category,
            last_run_id=run.id if run else None,
            last_run_outcome=run.outcome if run else None,
            last_run_started=run.started_at if run else None,
            last_run_error=run.error if run else None,
            last_run_status=run.http_status if run else None,
            newest_item_id=item.id if item else None,
            newest_published_on=item.published_on if item else None,
            newest_url=item.url if item else None,
            newest_title=item.title if item else None,
            snapshot_id=snapshot_id,
            oldest_published_on=oldest_on,
            # aggregates bypass the column type: read them back as China time
            first_ok_at=as_china(_as_datetime(first_ok), None),
            failing_since=as_china(_as_datetime(since), None),
            monitored_since=source.monitored_since,
            policy_titles=source.policy_titles,
        ))
    return facts


def _as_datetime(value: Any) -> datetime | None:
    """SQLite returns aggregated datetimes as strings."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class PostFact:
    """An item as the rules see it."""

    item_id: int
    source_id: int
    url: str
    title: str
    published_on: date
    published_at: datetime | None
    links: list[str]
    statement: str | None


def _post_facts(stmt: Any, session: Session) -> list[PostFact]:
    return [PostFact(i.id, i.source_id, i.url, i.title, i.published_on, i.published_at,
                     list(i.links or []), i.statement) for i in session.scalars(stmt)]


def posts_per_day(session: Session, source_ids: Iterable[int], start: date,
                  end: date) -> dict[int, dict[date, int]]:
    """How many items each source published on each day in [start, end]."""
    ids = list(source_ids)
    counts: dict[int, dict[date, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    rows = session.execute(
        select(Item.source_id, Item.published_on, func.count())
        .where(Item.source_id.in_(ids), Item.published_on.between(start, end))
        .group_by(Item.source_id, Item.published_on))
    for source_id, day, count in rows:
        counts[source_id][day] = count
    return counts


def posts_between(session: Session, source_id: int, start: date, end: date) -> list[PostFact]:
    """A source's items published in [start, end], oldest first."""
    return _post_facts(select(Item).where(Item.source_id == source_id,
                                          Item.published_on.between(start, end))
                       .order_by(Item.published_on, Item.published_at, Item.id), session)


def items_of_kind(session: Session, kind: str, as_of: date) -> list[PostFact]:
    """Items of active column sources of one kind (policy, interpretation) up to as_of."""
    return _post_facts(select(Item).join(Source, Source.id == Item.source_id)
                       .where(Source.kind == kind, Source.type == "column",
                              Source.active.is_(True), Item.published_on <= as_of)
                       .order_by(Item.published_on, Item.id), session)


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
    rows = session.execute(
        select(Finding, Unit.category, Bulletin.period, Bulletin.published_at)
        .join(BulletinFinding, BulletinFinding.finding_id == Finding.id)
        .join(Bulletin, Bulletin.id == BulletinFinding.bulletin_id)
        .join(Unit, Unit.id == Finding.unit_id)
        .where(Finding.status == "confirmed")
        .order_by(Bulletin.published_at, Finding.id))
    return [BulletinedFinding(f.id, f.rule, f.subject, f.unit_id, category, f.source_id,
                              f.item_id, period, published_at.astimezone(CHINA).date())
            for f, category, period, published_at in rows]


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
    stamp = now()
    for draft in drafts:
        existing = session.scalar(select(Finding).where(
            Finding.rule == draft.rule, Finding.subject == draft.subject,
            Finding.period == draft.period,
        ))
        if existing is not None:
            if existing.status == "pending":
                existing.evidence = draft.evidence
                existing.as_of = draft.as_of
                existing.snapshot_id = draft.snapshot_id
                existing.updated_at = stamp
            known.append(existing.id)
            continue
        finding = Finding(
            rule=draft.rule, unit_id=draft.unit_id, source_id=draft.source_id,
            item_id=draft.item_id, subject=draft.subject, period=draft.period,
            as_of=draft.as_of, points=draft.points, indicator=draft.indicator,
            evidence=draft.evidence, snapshot_id=draft.snapshot_id, status="pending",
            created_at=stamp, updated_at=stamp,
        )
        session.add(finding)
        session.flush()
        new.append(finding.id)
    return new, known


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


def list_findings(session: Session, *, status: str | None = None, unit: str | None = None,
                  rule: str | None = None, period: str | None = None) -> list[FindingRow]:
    stmt = (select(Finding, Unit, Source)
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
    rows = []
    for finding, unit_row, source in session.execute(stmt):
        evidence = dict(finding.evidence or {})
        rows.append(FindingRow(
            id=finding.id, rule=finding.rule, unit_code=unit_row.code, unit_name=unit_row.name,
            category=unit_row.category, source_name=source.name if source else None,
            item_url=evidence.get("item_url") or (source.url if source else None),
            period=finding.period, as_of=finding.as_of, points=finding.points,
            indicator=finding.indicator, status=finding.status, evidence=evidence,
            created_at=finding.created_at,
        ))
    return rows


# ----------------------------------------------------------------------------- review

REVIEW_STATUSES = ("pending", "confirmed", "dismissed")
# to-status → the statuses a finding may come from (reopen = back to pending)
TRANSITIONS = {
    "confirmed": ("pending",),
    "dismissed": ("pending", "confirmed"),
    "pending": ("confirmed", "dismissed"),
}


class ReviewError(ValueError):
    """A review action that cannot be applied (unknown finding, missing reason…)."""


def review_findings(session: Session, ids: Sequence[int], *, to_status: str, actor: str,
                    reason: str | None = None) -> list[int]:
    """Move findings to ``to_status``, appending one review row per change.

    Returns the ids that changed. A finding already in ``to_status`` is left alone (and gets
    no review row), so repeating an action is harmless; one that may not move there
    (``TRANSITIONS``) is left alone too. Dismissing and reopening need a reason.
    """
    if to_status not in REVIEW_STATUSES:
        raise ReviewError(f"unknown status {to_status!r}")
    if not actor.strip():
        raise ReviewError("a reviewer name is required")
    if to_status in ("dismissed", "pending") and not (reason or "").strip():
        raise ReviewError("a reason is required to dismiss or reopen a finding")
    found = {f.id: f for f in session.scalars(select(Finding).where(Finding.id.in_(ids)))}
    missing = sorted(set(ids) - set(found))
    if missing:
        raise ReviewError(f"no finding with id {', '.join(map(str, missing))}")
    stamp = now()
    changed = []
    for finding_id in ids:
        finding = found[finding_id]
        if finding.status not in TRANSITIONS[to_status]:
            continue
        session.add(Review(finding_id=finding.id, actor=actor.strip(), at=stamp,
                           from_status=finding.status, to_status=to_status, reason=reason))
        finding.status, finding.updated_at = to_status, stamp
        changed.append(finding.id)
    session.flush()
    return changed


def finding_history(session: Session, finding_id: int) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.finding_id == finding_id)
                                .order_by(Review.at, Review.id)))


def finding_snapshot(session: Session, finding_id: int) -> Snapshot | None:
    """The page snapshot a finding points at, if any."""
    return session.scalar(select(Snapshot).join(Finding, Finding.snapshot_id == Snapshot.id)
                          .where(Finding.id == finding_id))
