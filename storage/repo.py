"""Reads and writes the other stages use; no stage touches tables except through here.

Writes are idempotent: syncing the same config, storing the same items or the same findings
twice changes nothing the second time.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    String,
    Text,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from govwatch.config import CountyConfig
from govwatch.timeutil import CHINA, now
from storage.identity import item_key
from storage.models import (
    Bulletin,
    BulletinFinding,
    ConfigSync,
    CrawlRun,
    Finding,
    Item,
    PolicyExclusion,
    Review,
    RuleRun,
    Snapshot,
    Source,
    SourceUrlChange,
    Unit,
)

# ----------------------------------------------------------------------------- config


_SYNCED = ("type", "kind", "url", "render", "selectors", "expect_update", "thresholds",
           "policy_titles", "monitored_since", "active")


def _wanted_sources(config: CountyConfig, unit_cfg: Any) -> list[tuple[str, dict[str, Any]]]:
    wanted: list[tuple[str, dict[str, Any]]] = []
    for column in unit_cfg.columns:
        wanted.append((column.name, {
            "type": "column", "kind": column.kind, "url": column.url, "render": column.render,
            "selectors": column.selectors.model_dump() if column.selectors else None,
            "expect_update": column.expect_update,
            "thresholds": column.thresholds.model_dump(exclude_none=True),
            "policy_titles": (column.policy_titles.model_dump()
                              if column.policy_titles else None),
            "monitored_since": None, "active": True,
        }))
    for account in unit_cfg.accounts:
        wanted.append((account.name, {
            "type": "account", "kind": account.platform, "url": account.url,
            "render": "static", "selectors": None, "expect_update": True,
            "thresholds": account.thresholds.model_dump(exclude_none=True),
            "policy_titles": None,
            "monitored_since": account.monitored_since or config.settings.monitoring_start,
            "active": True,
        }))
    return wanted


def sync_config(session: Session, config: CountyConfig) -> dict[tuple[str, str], int]:
    """Upsert the config's units and sources; deactivate those no longer configured.

    A source is the config's (unit code, source name): a changed URL updates it in place,
    recorded in ``source_url_change`` (old → new, when), and its items, findings and reviews
    carry over (``storage.identity``).

    Returns ``{(unit_code, source_name): source_id}``. Nothing is deleted: items and findings
    of a removed source stay as evidence. Set-based — the stored sources are read in one
    query and only what changed is written, in bulk — so a province's 60,000 sources sync in
    a second or two on every command.
    """
    units = {u.code: u for u in session.scalars(select(Unit))}
    for unit_cfg in config.units:
        unit = units.get(unit_cfg.code)
        if unit is None:
            unit = units[unit_cfg.code] = Unit(code=unit_cfg.code)
            session.add(unit)
        unit.name, unit.category = unit_cfg.name, unit_cfg.category
        unit.county, unit.active = config.county, True
    configured = {u.code for u in config.units}
    for code, unit in units.items():
        if code not in configured:
            unit.active = False
    session.flush()
    columns = [getattr(Source, name) for name in _SYNCED]
    stored: dict[tuple[int, str], tuple[int, dict[str, Any]]] = {}
    for sid, unit_id, name, *values in session.execute(
            select(Source.id, Source.unit_id, Source.name, *columns)):
        stored[(unit_id, name)] = (sid, dict(zip(_SYNCED, values, strict=True)))
    ids: dict[tuple[str, str], int] = {}
    inserts: list[dict[str, Any]] = []
    insert_keys: list[tuple[str, str]] = []
    updates: list[dict[str, Any]] = []
    seen: set[int] = set()
    moves: list[dict[str, Any]] = []
    for unit_cfg in config.units:
        unit_id = units[unit_cfg.code].id
        for name, values in _wanted_sources(config, unit_cfg):
            found = stored.get((unit_id, name))
            if found is None:
                inserts.append({"unit_id": unit_id, "name": name, **values})
                insert_keys.append((unit_cfg.code, name))
                continue
            sid, current = found
            seen.add(sid)
            ids[(unit_cfg.code, name)] = sid
            changed = {k: v for k, v in values.items() if current[k] != v}
            if changed:
                updates.append({"id": sid, **changed})
            if "url" in changed and current["url"]:  # moved: same source, same items
                moves.append({"source_id": sid, "old_url": current["url"],
                              "new_url": changed["url"], "changed_at": now()})
    for sid, current in stored.values():  # sources no longer configured
        if sid not in seen and current["active"]:
            updates.append({"id": sid, "active": False})
    if updates:  # bulk UPDATE by primary key (grouped by the columns each row changes)
        session.execute(update(Source), updates)
    if moves:
        session.execute(insert(SourceUrlChange), moves)
    if inserts:
        table = Source.__table__
        new_ids = session.scalars(insert(table).returning(table.c.id,
                                                          sort_by_parameter_order=True),
                                  inserts).all()
        ids.update(zip(insert_keys, new_ids, strict=True))
    return ids


def sync_config_if_changed(session: Session, config: CountyConfig, fingerprint: str) -> bool:
    """``sync_config`` unless the database was last synced from a config with this
    ``fingerprint`` (see ``govwatch.app.config_fingerprint``); whether it synced."""
    state = session.get(ConfigSync, "config")
    if state is not None and state.fingerprint == fingerprint:
        return False
    sync_config(session, config)
    # an upsert: two workers starting together may both find no row
    stmt = _insert_for(session)(ConfigSync).values(name="config", fingerprint=fingerprint,
                                                   synced_at=now())
    session.execute(stmt.on_conflict_do_update(
        index_elements=["name"], set_={"fingerprint": fingerprint,
                                       "synced_at": stmt.excluded.synced_at}))
    return True


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
    body: str | None = None  # article text (policy and interpretation columns), bounded


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
    return store_item_batches(session, {source_id: records}, seen_at).get(source_id, 0)


_ITEM_UPSERTS: dict[str, Any] = {}


def _item_upsert(session: Session) -> Any:
    """INSERT … ON CONFLICT (source_id, key) DO UPDATE for items (see ``store_items``): an
    item found at a new address (another host, https) is the same item, its URL updated."""
    dialect = session.get_bind().dialect.name
    if dialect not in _ITEM_UPSERTS:
        table = Item.__table__
        c = table.c
        stmt = _insert_for(session)(table)
        excluded = stmt.excluded
        _ITEM_UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["source_id", "key"],
            set_={
                "url": excluded.url,
                "last_seen_at": excluded.last_seen_at,
                "title": func.coalesce(func.nullif(excluded.title, ""), c.title),
                "published_on": func.coalesce(c.published_on, excluded.published_on),
                "published_at": func.coalesce(c.published_at, excluded.published_at),
                "content_hash": func.coalesce(excluded.content_hash, c.content_hash),
                # links and statements are only known when the article page was read
                "links": case((excluded.content_hash.is_(None), c.links),
                              else_=excluded.links),
                "statement": case((excluded.content_hash.is_(None), c.statement),
                                  else_=excluded.statement),
                "body": case((excluded.content_hash.is_(None), c.body),
                             else_=func.coalesce(excluded.body, c.body)),
            },
        )
    return _ITEM_UPSERTS[dialect]


# Why a unit was not monitored in a period (未监测), as the bulletin and score sheet say it.
NO_SOURCES = "未配置栏目或账号"
NEVER_COLLECTED = "所有栏目和账号均未能抓取"


# How far back a crawl sees: its list pages reach back this many days (crawl.window_days'
# default), so a successful crawl soon after a period covers it too.
COVERAGE_REACH_DAYS = 35


def unit_coverage(session: Session, start: date, end: date,
                  reach_days: int = COVERAGE_REACH_DAYS) -> dict[str, str | None]:
    """Active units (by code) → None when monitored from ``start`` to ``end``, else why not:
    ``NO_SOURCES`` or ``NEVER_COLLECTED``. Monitored: a source of theirs was crawled
    successfully for a day (``crawl_run.reference_date``) in the period or up to
    ``reach_days`` after it, when its lists still show the period. A unit nobody could look
    at must not come out as a clean one."""
    units = dict(session.execute(select(Unit.id, Unit.code).where(Unit.active.is_(True))).all())
    configured = set(session.scalars(select(Source.unit_id).where(Source.active.is_(True))
                                     .distinct()))
    collected = set(session.scalars(
        select(Source.unit_id).join(CrawlRun, CrawlRun.source_id == Source.id)
        .where(Source.active.is_(True), CrawlRun.outcome == "ok",
               CrawlRun.reference_date >= start,
               CrawlRun.reference_date <= end + timedelta(days=reach_days)).distinct()))
    return {code: (None if unit_id in collected else
                   NEVER_COLLECTED if unit_id in configured else NO_SOURCES)
            for unit_id, code in units.items()}


def as_china_date(moment: datetime) -> date:
    """The China date of a moment (naive moments are China time already)."""
    return (moment.astimezone(CHINA) if moment.tzinfo else moment).date()


def open_crawl_run(session: Session, source_id: int, started_at: datetime | None = None,
                   owner: str | None = None, reference_date: date | None = None) -> int:
    """Open a run of ``source_id`` owned by ``owner`` (``govwatch.liveness.this_process``),
    speaking for ``reference_date`` (default: the China date it started on)."""
    started_at = started_at or now()
    run = CrawlRun(source_id=source_id, started_at=started_at, outcome="running",
                   owner=owner, reference_date=reference_date or as_china_date(started_at))
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


def sweep_orphaned_runs(session: Session,
                        owner_gone: Callable[[str | None, datetime, datetime], bool]) -> int:
    """Close as interrupted the runs left 'running' by a process that is gone (killed with
    SIGKILL, a lost machine): ``owner_gone(owner, started_at, now)`` says which
    (``govwatch.liveness.owner_gone``). Returns how many were closed."""
    current = now()
    open_runs = session.execute(select(CrawlRun.id, CrawlRun.owner, CrawlRun.started_at)
                                .where(CrawlRun.outcome == "running")).all()
    gone = [run_id for run_id, owner, started_at in open_runs
            if owner_gone(owner, started_at, current)]
    for start in range(0, len(gone), 500):
        session.execute(update(CrawlRun).where(CrawlRun.id.in_(gone[start:start + 500]),
                                               CrawlRun.outcome == "running").values(
            outcome="interrupted", finished_at=current,
            error="crawl process ended before finishing (found by the sweep)"))
    return len(gone)


def save_snapshot(session: Session, data_dir: Path, *, source_id: int, crawl_run_id: int | None,
                  url: str, html: str, http_status: int | None = None,
                  png: bytes | None = None) -> int:
    """Keep what a page looked like as evidence (gzip-compressed HTML, UTF-8, and a PNG when a
    browser rendered it); identical pages share one file."""
    folder = data_dir / "snapshots" / str(source_id)
    folder.mkdir(parents=True, exist_ok=True)
    digest, html_path, png_path = _write_snapshot_files(folder, html, png)
    snap = Snapshot(source_id=source_id, crawl_run_id=crawl_run_id, url=url, taken_at=now(),
                    http_status=http_status, html_path=str(html_path.resolve()),
                    png_path=str(png_path.resolve()) if png_path else None, sha256=digest)
    session.add(snap)
    session.flush()
    return snap.id


def _write_snapshot_files(folder: Path, html: str,
                          png: bytes | None) -> tuple[str, Path, Path | None]:
    """Write a snapshot's files into ``folder`` (which exists): (sha256, html path, png path)."""
    body = html.encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()
    html_path = folder / f"{digest[:16]}.html.gz"
    if not html_path.exists():
        # mtime=0: the same page always compresses to the same bytes
        # level 6 (zlib's default): within 1 % of level 9's size on real portal pages, at
        # ~30 % less CPU; a crawl keeps a snapshot of every page
        html_path.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
    png_path = None
    if png:
        png_path = folder / f"{digest[:16]}-{hashlib.sha256(png).hexdigest()[:8]}.png"
        png_path.write_bytes(png)
    return digest, html_path, png_path


@dataclass
class SnapshotRecord:
    """A page to keep as evidence, as the crawler hands it to storage (``save_snapshots``)."""

    source_id: int
    crawl_run_id: int | None
    url: str
    html: str
    taken_at: datetime
    http_status: int | None = None
    png: bytes | None = None


def save_snapshots(session: Session, data_dir: Path, records: Sequence[SnapshotRecord]) -> None:
    """``save_snapshot`` for a batch: the same files and rows, written with one INSERT
    (executemany) and no ORM objects; a crawl keeps a snapshot of every list page."""
    if not records:
        return
    root = data_dir.resolve()  # once: resolving each file's path costs a stat per part
    made: set[Path] = set()
    rows = []
    for rec in records:
        folder = root / "snapshots" / str(rec.source_id)
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        digest, html_path, png_path = _write_snapshot_files(folder, rec.html, rec.png)
        rows.append({"source_id": rec.source_id, "crawl_run_id": rec.crawl_run_id,
                     "url": rec.url, "taken_at": rec.taken_at, "http_status": rec.http_status,
                     "html_path": str(html_path), "png_path": str(png_path) if png_path else None,
                     "sha256": digest})
    session.execute(insert(Snapshot.__table__), rows)


def store_item_batches(session: Session, batches: dict[int, Sequence[ItemRecord]],
                       seen_at: datetime | None = None) -> dict[int, int]:
    """``store_items`` for several sources at once: how many items were new, per source.

    One query finds the known items of all sources and one upsert (executemany) writes
    them all; per source that was two statements, the crawl's main storage cost.
    """
    unique = {source_id: {item_key(r.url): r for r in records}
              for source_id, records in batches.items() if records}
    if not unique:
        return {}
    seen_at = seen_at or now()
    known = _known_items(session, unique)
    rows = [{
        "source_id": source_id, "key": key, "url": r.url, "title": r.title,
        "published_on": r.published_on, "published_at": r.published_at,
        "first_seen_at": seen_at, "last_seen_at": seen_at,
        "content_hash": r.content_hash, "links": r.links, "statement": r.statement,
        "body": r.body,
    } for source_id, by_key in unique.items() for key, r in by_key.items()]
    session.execute(_item_upsert(session), rows)
    return {source_id: len(by_url) - known.get(source_id, 0)
            for source_id, by_url in unique.items()}


_KNOWN_CHUNK = 500  # keys per lookup, well under every database's bound-parameter limit


def _known_items(session: Session, unique: dict[int, dict[str, ItemRecord]]) -> dict[int, int]:
    """How many of each source's item keys are stored already."""
    wanted = {(source_id, key) for source_id, by_key in unique.items() for key in by_key}
    keys = sorted({key for _, key in wanted})
    known: dict[int, int] = {}
    for start in range(0, len(keys), _KNOWN_CHUNK):
        # source_id IN … AND key IN … uses the (source_id, key) index; the pairs are then
        # matched exactly here (two sources may list the same path)
        stmt = select(Item.source_id, Item.key).where(
            Item.source_id.in_(list(unique)), Item.key.in_(keys[start:start + _KNOWN_CHUNK]))
        for source_id, key in session.execute(stmt):
            if (source_id, key) in wanted:
                known[source_id] = known.get(source_id, 0) + 1
    return known


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


def source_facts(session: Session, as_of: date,
                 kinds: Collection[str] | None = None) -> list[SourceFacts]:
    """Active sources with their latest crawl and newest item published on or before as_of
    (only sources of ``kinds`` when given: the policy rule needs two kinds of the ten).

    Set-based: one query for the sources and one grouped query per fact (latest run, newest
    item, oldest item, latest snapshot, successful runs, current failures), merged by source id
    in Python. Each is a single index scan, so the cost grows with the store, not with a
    Python loop over items, and no database planner has to order ten outer joins.
    """
    def of_kinds(source_id: Any) -> tuple[Any, ...]:  # conditions on each scan's source
        if kinds is None:
            return ()
        return (source_id.in_(select(Source.id).where(Source.kind.in_(list(kinds)))),)

    sources = session.execute(
        select(Source.id, Source.name, Source.url, Source.type, Source.kind,
               Source.expect_update, type_coerce(Source.thresholds, Text),
               Source.monitored_since, type_coerce(Source.policy_titles, Text), Unit.id,
               Unit.code, Unit.name, Unit.category)
        .join(Unit, Unit.id == Source.unit_id)
        .where(Source.active.is_(True), Unit.active.is_(True), *of_kinds(Source.id))
        .order_by(Unit.code, Source.id)).all()
    if not sources:
        return []
    # runs: one grouped scan (index ix_crawl_run_source_outcome covers it) joined to the
    # latest finished run's row
    finished = CrawlRun.outcome != "running"
    grouped = (select(CrawlRun.source_id,
                      func.max(case((finished, CrawlRun.id))).label("last_id"),
                      func.max(case((CrawlRun.outcome == "ok", CrawlRun.id))).label("last_ok"),
                      func.min(case((CrawlRun.outcome == "ok", CrawlRun.started_at)))
                      .label("first_ok"))
               .where(*of_kinds(CrawlRun.source_id))
               .group_by(CrawlRun.source_id).subquery())
    runs: dict[int, tuple[Any, ...]] = {}
    last_ok: dict[int, int | None] = {}
    first_ok: dict[int, Any] = {}
    for sid, ok_id, ok_at, *run in session.execute(
            select(grouped.c.source_id, grouped.c.last_ok, grouped.c.first_ok, CrawlRun.id,
                   CrawlRun.outcome, CrawlRun.started_at, CrawlRun.error, CrawlRun.http_status)
            .outerjoin(CrawlRun, CrawlRun.id == grouped.c.last_id)):
        last_ok[sid], first_ok[sid] = ok_id, ok_at
        if run[0] is not None:
            runs[sid] = tuple(run)
    # the current run of failures: failed runs after the last successful one (few rows)
    failing: dict[int, Any] = {}
    for sid, run_id, started in session.execute(
            select(CrawlRun.source_id, CrawlRun.id, CrawlRun.started_at)
            .where(CrawlRun.outcome.not_in(("ok", "running")), *of_kinds(CrawlRun.source_id))):
        if run_id > (last_ok.get(sid) or 0) and (sid not in failing or started < failing[sid]):
            failing[sid] = started
    # items: newest (on or before as_of) and oldest date in one grouped index scan, then the
    # newest item's row (the lowest id among those of that date)
    dates = (select(Item.source_id,
                    func.max(case((Item.published_on <= as_of, Item.published_on)))
                    .label("newest"),
                    func.min(Item.published_on).label("oldest"))
             .where(*of_kinds(Item.source_id))
             .group_by(Item.source_id).subquery())
    first_of_day = (select(func.min(Item.id))
                    .where(Item.source_id == dates.c.source_id,
                           Item.published_on == dates.c.newest)
                    .correlate(dates).scalar_subquery())
    newest: dict[int, tuple[Any, ...]] = {}
    oldest: dict[int, Any] = {}
    for sid, oldest_on, *item in session.execute(
            select(dates.c.source_id, dates.c.oldest, Item.id, Item.published_on, Item.url,
                   Item.title)
            .outerjoin(Item, Item.id == first_of_day)):
        oldest[sid] = oldest_on
        if item[0] is not None:
            newest[sid] = tuple(item)
    snapshots = dict(session.execute(select(Snapshot.source_id, func.max(Snapshot.id))
                                     .where(*of_kinds(Snapshot.source_id))
                                     .group_by(Snapshot.source_id)).all())
    no_run: tuple[Any, ...] = (None,) * 5
    no_item: tuple[Any, ...] = (None,) * 4
    facts = []
    for (sid, name, url, stype, kind, expect, thresholds, monitored, policy_titles, unit_id,
         code, unit_name, category) in sources:
        run_id, outcome, started, error, status = runs.get(sid, no_run)
        item_id, published, item_url, item_title = newest.get(sid, no_item)
        facts.append(SourceFacts(
            source_id=sid, source_name=name, source_url=url, source_type=stype, kind=kind,
            expect_update=expect, thresholds=dict(_json(thresholds) or {}),
            unit_id=unit_id, unit_code=code, unit_name=unit_name, category=category,
            last_run_id=run_id, last_run_outcome=outcome, last_run_started=started,
            last_run_error=error, last_run_status=status,
            newest_item_id=item_id, newest_published_on=published, newest_url=item_url,
            newest_title=item_title, snapshot_id=snapshots.get(sid),
            oldest_published_on=_as_date(oldest.get(sid)),
            # aggregates bypass the column type: read them back as China time
            first_ok_at=_china(first_ok.get(sid)),
            failing_since=_china(failing.get(sid)),
            monitored_since=monitored, policy_titles=_json(policy_titles),
        ))
    return facts


def json_value(value: Any) -> Any:
    """A JSON column read as text (SQLite, or a ``type_coerce(…, Text)`` column) or already
    decoded (PostgreSQL's driver)."""
    return json.loads(value) if isinstance(value, str) else value


_JSON_CACHE: dict[str, Any] = {}


def _json(value: Any) -> Any:
    """A JSON column read as text (SQLite) or already decoded (PostgreSQL's driver); the
    few distinct texts (``{}``, a shared pattern list) are decoded once."""
    if not isinstance(value, str):
        return value
    if value not in _JSON_CACHE:
        if len(_JSON_CACHE) > 1000:
            _JSON_CACHE.clear()
        _JSON_CACHE[value] = json_value(value)
    return copy.deepcopy(_JSON_CACHE[value]) if value not in ("{}", "null") else (
        {} if value == "{}" else None)


def _as_date(value: Any) -> date | None:
    """SQLite returns aggregated dates as strings."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_datetime(value: Any) -> datetime | None:
    """SQLite returns aggregated datetimes as strings."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _china(value: Any) -> datetime | None:
    """A stored China time (a string on SQLite, naive on PostgreSQL) as an aware datetime."""
    found = _as_datetime(value)
    return found.replace(tzinfo=CHINA) if found is not None else None


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
    body: str = ""  # the article's text, when read with ``items_of_kind(body_chars=…)``


# links as their JSON text: most items have none, and decoding "[]" 100,000 times adds up
# dates as the driver returns them, converted in ``_post_facts`` (SQLAlchemy's per-value
# result processing doubles the cost of reading 100,000 policies)
_POST_COLUMNS = (Item.id, Item.source_id, Item.url, Item.title,
                 type_coerce(Item.published_on, String), type_coerce(Item.published_at, String),
                 type_coerce(Item.links, Text), Item.statement)


def links_of(value: Any) -> list[str]:
    """A links column as a list (``json_value``); most items have none."""
    if isinstance(value, str) and value in ("", "[]", "null"):
        return []
    return list(json_value(value) or [])


def _post_facts(stmt: Any, session: Session) -> list[PostFact]:
    """Rows of ``select(*_POST_COLUMNS[, body])…`` as PostFacts (plain columns, no ORM
    identity map)."""
    return [PostFact(i, sid, url, title, _as_date(published_on),  # type: ignore[arg-type]
                     _china(published_at), links_of(links), statement,
                     (body[0] or "") if body else "")
            for i, sid, url, title, published_on, published_at, links, statement, *body
            in session.execute(stmt)]


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
    return _post_facts(select(*_POST_COLUMNS).where(Item.source_id == source_id,
                                                    Item.published_on.between(start, end))
                       .order_by(Item.published_on, Item.published_at, Item.id), session)


def posts_in_ranges(session: Session, ranges: Iterable[tuple[int, date, date]],
                    chunk: int = 2000) -> dict[tuple[int, date, date], list[PostFact]]:
    """``posts_between`` for many (source, start, end) at once: one query per distinct date
    range (and per ``chunk`` sources), not one per range."""
    wanted: dict[tuple[date, date], set[int]] = {}
    for source_id, start, end in ranges:
        wanted.setdefault((start, end), set()).add(source_id)
    found: dict[tuple[int, date, date], list[PostFact]] = {}
    for (start, end), ids in wanted.items():
        for sid in ids:
            found[(sid, start, end)] = []
        ordered = sorted(ids)
        for k in range(0, len(ordered), chunk):
            stmt = (select(*_POST_COLUMNS)
                    .where(Item.source_id.in_(ordered[k:k + chunk]),
                           Item.published_on.between(start, end))
                    .order_by(Item.source_id, Item.published_on, Item.published_at, Item.id))
            for post in _post_facts(stmt, session):
                found[(post.source_id, start, end)].append(post)
    return found


def select_items_of_kind(kind: str, as_of: date, *columns: Any) -> Any:
    """``columns`` of the items of active column sources of one kind (policy,
    interpretation) up to as_of, oldest first."""
    return (select(*columns).join(Source, Source.id == Item.source_id)
            .where(Source.kind == kind, Source.type == "column", Source.active.is_(True),
                   Item.published_on <= as_of)
            .order_by(Item.published_on, Item.id))


def items_of_kind(session: Session, kind: str, as_of: date,
                  body_chars: int = 0) -> list[PostFact]:
    """Items of active column sources of one kind (policy, interpretation) up to as_of; with
    ``body_chars``, the first that many characters of each article's text too."""
    body = (func.substr(func.coalesce(Item.body, ""), 1, body_chars),) if body_chars else ()
    return _post_facts(select_items_of_kind(kind, as_of, *_POST_COLUMNS, *body), session)


def read_articles(session: Session, source_ids: Iterable[int],
                  settled_before: date | None = None,
                  ) -> dict[int, dict[str, tuple[str, date | None]]]:
    """The articles already read (text stored) of these sources that need not be read again
    while their list entry (url → (title, date) as stored) is unchanged: those published
    before ``settled_before`` (a 不作解读 statement or a 相关解读 link is often added in the
    first days) and not the subject of an open policy finding (its page may change to answer
    it)."""
    ids = list(source_ids)
    found: dict[int, dict[str, tuple[str, date | None]]] = {sid: {} for sid in ids}
    open_findings = select(Finding.item_id).where(
        Finding.rule == "uninterpreted_policy", Finding.status != "dismissed",
        Finding.item_id.is_not(None))
    for k in range(0, len(ids), 500):
        rows = session.execute(
            select(Item.source_id, Item.url, Item.title, type_coerce(Item.published_on, String))
            .where(Item.source_id.in_(ids[k:k + 500]), Item.content_hash.is_not(None),
                   Item.body.is_not(None), Item.id.not_in(open_findings),
                   *((Item.published_on < settled_before,) if settled_before else ())))
        for sid, url, title, published_on in rows:
            found[sid][url] = (title, _as_date(published_on))
    return found


PolicyState = tuple[str | None, str | None, int | None, str | None]


def policy_states(session: Session, as_of: date) -> dict[int, PolicyState]:
    """What the policy rule stored on each policy-column item: (class, reason, explaining
    interpretation, evidence of its verdict) — ``save_policy_states``."""
    return {i: (c, r, by, ev) for i, c, r, by, ev in session.execute(select_items_of_kind(
        "policy", as_of, Item.id, Item.doc_class, Item.doc_class_reason, Item.interpreted_by,
        Item.interpretation_evidence))}


def save_policy_states(session: Session, rule: str, as_of: date,
                       states: Iterable[tuple[int, PolicyState]]) -> None:
    """Store changed (item id, state) of policy-column items and the as-of date of the run
    that decided them (``rule_run``)."""
    rows = [{"item_id": i, "cls": c, "reason": r, "by": by, "evidence": ev}
            for i, (c, r, by, ev) in states]
    if rows:
        table = Item.__table__  # Core: an executemany of one UPDATE, no ORM bookkeeping
        session.execute(
            update(table).where(table.c.id == bindparam("item_id"))
            .values(doc_class=bindparam("cls"), doc_class_reason=bindparam("reason"),
                    interpreted_by=bindparam("by"),
                    interpretation_evidence=bindparam("evidence")), rows)
    stmt = _insert_for(session)(RuleRun).values(rule=rule, as_of=as_of, ran_at=now())
    session.execute(stmt.on_conflict_do_update(
        index_elements=["rule"], set_={"as_of": stmt.excluded.as_of,
                                       "ran_at": stmt.excluded.ran_at}))


@dataclass(frozen=True)
class PolicyItemRow:
    """A policy-column item as the policy rule left it: its class and reason, and its
    verdict (the explaining interpretation, or none) if the last run judged it."""

    item_id: int
    source_name: str
    url: str
    title: str
    published_on: date | None
    doc_class: str | None
    class_reason: str | None
    verdict: str | None  # the evidence in words; None: not judged by the last run
    interpretation_title: str | None
    interpretation_url: str | None


def policy_items(session: Session, unit_code: str, limit: int = 500) -> list[PolicyItemRow]:
    """A unit's policy-column items, newest first, with the policy rule's class and verdict."""
    explaining = aliased(Item)
    rows = session.execute(
        select(Item.id, Source.name, Item.url, Item.title,
               type_coerce(Item.published_on, String), Item.doc_class, Item.doc_class_reason,
               Item.interpretation_evidence, explaining.title, explaining.url)
        .join(Source, Source.id == Item.source_id).join(Unit, Unit.id == Source.unit_id)
        .outerjoin(explaining, explaining.id == Item.interpreted_by)
        .where(Unit.code == unit_code, Source.kind == "policy", Source.type == "column")
        .order_by(Item.published_on.desc(), Item.id.desc()).limit(limit))
    return [PolicyItemRow(i, name, url, title, _as_date(day), cls, reason, verdict, it, iu)
            for i, name, url, title, day, cls, reason, verdict, it, iu in rows]


@dataclass(frozen=True)
class StoredVerdict:
    """The policy rule's last verdict on a policy: the explaining interpretation (title,
    publication date) or none, as of the run's date."""

    judged_as_of: date
    interpretation_title: str | None
    interpretation_published_on: date | None


def stored_verdicts(session: Session, rule: str,
                    item_ids: Iterable[int]) -> dict[int, StoredVerdict]:
    """The verdicts the rule's last run stored on these policy items (those it judged) —
    none when interpretations were stored after that run (they may change a verdict)."""
    run = session.execute(select(RuleRun.as_of, type_coerce(RuleRun.ran_at, String))
                          .where(RuleRun.rule == rule)).first()
    ids = list(item_ids)
    if run is None or not ids:
        return {}
    as_of, ran_at = _as_date(run[0]), _as_datetime(run[1])
    newest = _as_datetime(session.scalar(
        select(type_coerce(func.max(Item.first_seen_at), String))
        .join(Source, Source.id == Item.source_id).where(Source.kind == "interpretation")))
    if as_of is None or (newest is not None and ran_at is not None and newest > ran_at):
        return {}
    explaining = aliased(Item)
    found: dict[int, StoredVerdict] = {}
    for k in range(0, len(ids), 5000):
        rows = session.execute(
            select(Item.id, explaining.title, type_coerce(explaining.published_on, String))
            .outerjoin(explaining, explaining.id == Item.interpreted_by)
            .where(Item.id.in_(ids[k:k + 5000]), Item.interpretation_evidence.is_not(None)))
        for item_id, title, published_on in rows:
            found[item_id] = StoredVerdict(as_of, title, _as_date(published_on))
    return found


EXCLUDED_TITLE_CHARS = 300  # policy_match.TITLE_LIMIT: what the rule reads of a title


def policy_exclusions(session: Session) -> dict[tuple[int | None, str], str]:
    """(unit id or None for the county, title) the assessment team ruled is no policy file,
    with who ruled and when."""
    return {(unit_id, title): f"审核排除（{who}，{_china(at):%Y-%m-%d}）"  # type: ignore[union-attr]
            for unit_id, title, who, at in session.execute(
                select(PolicyExclusion.unit_id, PolicyExclusion.title,
                       PolicyExclusion.created_by,
                       type_coerce(PolicyExclusion.created_at, String)))}


NOT_POLICY_REASON = "非政策性文件"


def exclude_finding_title(session: Session, finding_id: int, *, actor: str,
                          reason: str | None = None) -> str | None:
    """After a reviewer dismissed a policy finding as no policy file (非政策性文件): its
    policy's title goes on its unit's exclusion list (``add_policy_exclusion``), so the rule
    never flags that item again. Returns the title, or None for a finding of another rule."""
    found = session.execute(
        select(Finding.rule, Finding.evidence, Finding.unit_id, Item.title)
        .outerjoin(Item, Item.id == Finding.item_id).where(Finding.id == finding_id)).first()
    if found is None or found[0] != "uninterpreted_policy":
        return None
    evidence = json_value(found[1]) or {}
    title = str(found[3] or evidence.get("policy_title") or "").strip()
    if not title:
        return None
    add_policy_exclusion(session, title, unit_id=found[2], actor=actor, finding_id=finding_id,
                         reason=reason or NOT_POLICY_REASON)
    return title


def add_policy_exclusion(session: Session, title: str, *, actor: str,
                         unit_id: int | None = None, finding_id: int | None = None,
                         reason: str | None = None) -> bool:
    """Rule a title no policy file for a unit (None: the county); idempotent, also when two
    reviewers do it at once. True when it was not excluded before."""
    title = title.strip()[:EXCLUDED_TITLE_CHARS]
    if not title or session.scalar(select(PolicyExclusion.id).where(
            PolicyExclusion.title == title, PolicyExclusion.unit_id.is_(None) if unit_id is None
            else PolicyExclusion.unit_id == unit_id)) is not None:
        return False
    stmt = _insert_for(session)(PolicyExclusion).values(
        unit_id=unit_id, title=title, finding_id=finding_id, created_by=actor,
        created_at=now(), reason=reason)
    done = session.execute(stmt.on_conflict_do_nothing(index_elements=["unit_id", "title"]))
    return bool(done.rowcount)


def post_facts_by_id(session: Session, item_ids: Iterable[int],
                     chunk: int = 5000) -> list[PostFact]:
    """Items by id as PostFacts (any order; ``chunk`` ids a query: SQLite caps parameters)."""
    ids = sorted(set(item_ids))
    found: list[PostFact] = []
    for k in range(0, len(ids), chunk):
        found.extend(_post_facts(select(*_POST_COLUMNS).where(Item.id.in_(ids[k:k + chunk])),
                                 session))
    return found


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
                    reason: str | None = None,
                    seen: Mapping[int, str] | None = None) -> list[int]:
    """Move findings to ``to_status``, appending one review row per change.

    Returns the ids that changed. A finding already in ``to_status`` is left alone (and gets
    no review row), so repeating an action is harmless; one that may not move there
    (``TRANSITIONS``) is left alone too. Dismissing and reopening need a reason.

    Each change is a compare-and-set: the status moves only from the one it had — ``seen``
    (finding id → the status the reviewer was shown) when given — in one UPDATE that is the
    transaction's first statement, so two reviewers acting at once never both move a
    finding (on SQLite the second waits for the first and then finds the status changed).
    """
    if to_status not in REVIEW_STATUSES:
        raise ReviewError(f"unknown status {to_status!r}")
    if not actor.strip():
        raise ReviewError("a reviewer name is required")
    if to_status in ("dismissed", "pending") and not (reason or "").strip():
        raise ReviewError("a reason is required to dismiss or reopen a finding")
    stamp = now()
    changed = []
    table = Finding.__table__
    for finding_id in ids:
        allowed = TRANSITIONS[to_status]
        if seen is not None and finding_id in seen:
            allowed = tuple(s for s in allowed if s == seen[finding_id])
        for from_status in allowed:
            moved = session.execute(
                update(table).where(table.c.id == finding_id, table.c.status == from_status)
                .values(status=to_status, updated_at=stamp))
            if moved.rowcount == 1:
                session.add(Review(finding_id=finding_id, actor=actor.strip(), at=stamp,
                                   from_status=from_status, to_status=to_status,
                                   reason=reason))
                changed.append(finding_id)
                break
    rest = set(ids) - set(changed)
    if rest:
        known = set(session.scalars(select(Finding.id).where(Finding.id.in_(rest))))
        missing = sorted(rest - known)
        if missing:
            raise ReviewError(f"no finding with id {', '.join(map(str, missing))}")
    if to_status == "pending" and changed:  # reopened: a 非政策性文件 ruling is taken back
        session.execute(delete(PolicyExclusion).where(PolicyExclusion.finding_id.in_(changed)))
    session.flush()
    return changed


def finding_history(session: Session, finding_id: int) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.finding_id == finding_id)
                                .order_by(Review.at, Review.id)))


def finding_snapshot(session: Session, finding_id: int) -> Snapshot | None:
    """The page snapshot a finding points at, if any."""
    return session.scalar(select(Snapshot).join(Finding, Finding.snapshot_id == Snapshot.id)
                          .where(Finding.id == finding_id))
