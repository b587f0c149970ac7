"""What the crawl stage writes and what its runs covered: items (``ItemRecord``,
``store_items``), crawl runs (open, close, interrupted, swept, latest), page snapshots (saved,
read, pruned), and which units a period's crawls covered (``unit_coverage``, read by the
bulletin and the score sheet).

Idempotent: storing the same items twice changes nothing the second time.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from isal import igzip
from sqlalchemy import and_, bindparam, case, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from govwatch.timeutil import CHINA, now
from storage.identity import item_key
from storage.models import CrawlRun, Finding, Item, PageBody, Snapshot, Source, Unit
from storage.repo._sql import _insert_of, at_driver_level, execute_rows


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
    date_source: str | None = None  # the evidence published_on was read from
    media: dict[str, int] | None = None  # what an interpretation's page carries
    message: dict[str, Any] | None = None  # a 留言's times, status and department


class ItemFacts(Protocol):
    """What storing an item reads of it: ``ItemRecord``'s fields. The crawler's entries have
    them too (``crawler.items.EntryItem``) and are stored as they come, not copied first."""

    url: str
    title: str
    published_on: date | None
    published_at: datetime | None
    content_hash: str | None
    links: list[str]
    statement: str | None
    body: str | None
    date_source: str | None
    media: dict[str, int] | None
    message: dict[str, Any] | None


def store_items(session: Session, source_id: int, records: Sequence[ItemFacts],
                seen_at: datetime | None = None) -> int:
    """Insert new items, refresh known ones; return how many were new.

    A known item keeps its first_seen_at; a date or title learned later fills in a gap but
    never erases what was stored (a page that lost its date must not un-date an item).
    """
    return store_item_batches(session, {source_id: records}, seen_at).get(source_id, 0)


def _item_upsert(session: Session) -> Any:
    """INSERT … ON CONFLICT (source_id, key) DO UPDATE for items (see ``store_items``): an
    item found at a new address (another host, https) is the same item, its URL updated."""
    return _item_upsert_of(session.get_bind().dialect.name)


@cache  # built once per dialect
def _item_upsert_of(dialect: str) -> Any:
    table = Item.__table__
    c = table.c
    stmt = _insert_of(dialect)(table)
    excluded = stmt.excluded
    # what a verdict on the item read, found otherwise: retitled, its text changed or first
    # read, or dated where it had no date (``item.changed_at``)
    changed = or_(and_(func.nullif(excluded.title, "").is_not(None), excluded.title != c.title),
                  and_(excluded.body.is_not(None), excluded.body.is_distinct_from(c.body)),
                  and_(c.published_on.is_(None), excluded.published_on.is_not(None)))
    return stmt.on_conflict_do_update(
        index_elements=["source_id", "key"],
        set_={
            "url": excluded.url,
            "last_seen_at": excluded.last_seen_at,
            "changed_at": case((changed, excluded.last_seen_at), else_=c.changed_at),
            "title": func.coalesce(func.nullif(excluded.title, ""), c.title),
            "published_on": func.coalesce(c.published_on, excluded.published_on),
            "published_at": func.coalesce(c.published_at, excluded.published_at),
            # the evidence of the date kept: the stored one's while it has one
            "date_source": case((c.published_on.is_(None), excluded.date_source),
                                else_=func.coalesce(c.date_source, excluded.date_source)),
            "content_hash": func.coalesce(excluded.content_hash, c.content_hash),
            # links and statements are only known when the article page was read
            "links": case((excluded.content_hash.is_(None), c.links),
                          else_=excluded.links),
            "statement": case((excluded.content_hash.is_(None), c.statement),
                              else_=excluded.statement),
            # a list entry brings no text (kept), a post or a read article its own
            "body": func.coalesce(excluded.body, c.body),
            "media": case((excluded.content_hash.is_(None), c.media),
                          else_=func.coalesce(excluded.media, c.media)),
            # the latest reading of a 留言 page: a reply appears after the question
            "message": case((excluded.content_hash.is_(None), c.message),
                            else_=func.coalesce(excluded.message, c.message)),
        },
    )


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
    return open_crawl_runs(session, [source_id], started_at, owner, reference_date)[source_id]


_RUN_INSERT = insert(CrawlRun.__table__)
_OPEN_CHUNK = 500  # sources per lookup of the ids opened


def open_crawl_runs(session: Session, source_ids: Iterable[int],
                    started_at: datetime | None = None, owner: str | None = None,
                    reference_date: date | None = None) -> dict[int, int]:
    """``open_crawl_run`` for many sources with one INSERT (a crawl process opens a run for
    each of its sources, tens of thousands at province size); the run ids by source."""
    ids = list(dict.fromkeys(source_ids))
    if not ids:
        return {}
    started_at = started_at or now()
    day = reference_date or as_china_date(started_at)
    execute_rows(session, _RUN_INSERT, [
        {"source_id": source_id, "started_at": started_at, "outcome": "running",
         "owner": owner, "reference_date": day, "pages": 0, "items_found": 0,
         "items_dated": 0, "items_new": 0} for source_id in ids])
    # read back by what this call wrote: its sources, owner and start (to the microsecond)
    opened: dict[int, int] = {}
    same_owner = CrawlRun.owner.is_(None) if owner is None else CrawlRun.owner == owner
    for start in range(0, len(ids), _OPEN_CHUNK):
        for source_id, run_id in session.execute(
                select(CrawlRun.source_id, func.max(CrawlRun.id))
                .where(CrawlRun.source_id.in_(ids[start:start + _OPEN_CHUNK]), same_owner,
                       CrawlRun.started_at == started_at, CrawlRun.outcome == "running")
                .group_by(CrawlRun.source_id)):
            opened[source_id] = run_id
    return opened


@dataclass(frozen=True)
class RunClose:
    """How a crawl run ended (``close_crawl_runs``)."""

    run_id: int
    outcome: str
    pages: int = 0
    items_found: int = 0
    items_dated: int = 0
    items_new: int = 0
    http_status: int | None = None
    error: str | None = None


def close_crawl_run(session: Session, run_id: int, *, outcome: str, pages: int = 0,
                    items_found: int = 0, items_dated: int = 0, items_new: int = 0,
                    http_status: int | None = None, error: str | None = None) -> None:
    close_crawl_runs(session, [RunClose(run_id, outcome, pages, items_found, items_dated,
                                        items_new, http_status, error)])


def close_crawl_runs(session: Session, closes: Sequence[RunClose]) -> None:
    """Close many runs with one statement (a crawl of a province closes tens of thousands)."""
    if not closes:
        return
    finished_at = now()
    table = CrawlRun.__table__
    columns = [f.name for f in fields(RunClose) if f.name != "run_id"] + ["finished_at"]
    stmt = update(table).where(table.c.id == bindparam("run_id")).values(
        {name: bindparam(name) for name in columns})
    for start in range(0, len(closes), 1000):  # a bounded batch in memory at a time
        session.execute(stmt, [{**asdict(c), "finished_at": finished_at}
                               for c in closes[start:start + 1000]])


def interrupt_open_runs(session: Session, source_ids: Iterable[int] | None = None) -> int:
    """Mark runs left 'running' by a crashed or killed crawl (of the given sources, or all)
    as interrupted."""
    stmt = update(CrawlRun).where(CrawlRun.outcome == "running")
    if source_ids is not None:
        stmt = stmt.where(CrawlRun.source_id.in_(list(source_ids)))
    result = session.execute(stmt.values(
        outcome="interrupted", finished_at=now(), error="抓取进程在完成前结束",
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
            error="抓取进程在完成前结束（清理时发现）"))
    return len(gone)


def save_snapshot(session: Session, data_dir: Path, *, source_id: int, crawl_run_id: int | None,
                  url: str, html: str, http_status: int | None = None,
                  png: bytes | None = None) -> int:
    """Keep what a page looked like as evidence: its HTML (gzipped, in ``page_body``, where
    identical pages share one row) and a PNG file when a browser rendered it."""
    (digest,) = _store_bodies(session, [html])
    png_path = _write_png(data_dir.resolve() / "snapshots" / str(source_id), digest, png)
    snap = Snapshot(source_id=source_id, crawl_run_id=crawl_run_id, url=url, taken_at=now(),
                    http_status=http_status, html_path=None, png_path=png_path, sha256=digest)
    session.add(snap)
    session.flush()
    return snap.id


@cache  # built once per dialect
def _body_insert_of(dialect: str) -> Any:
    # two crawl processes may store the same page (a shared error page) at once
    return _insert_of(dialect)(PageBody.__table__).on_conflict_do_nothing(
        index_elements=["sha256"])


# Page bodies are gzipped by ISA-L (``isal``): the same gzip format, read back by the standard
# library. On the saved real portal pages (~200 KB each) its level 1 compresses 6-7x as fast
# as zlib's level 3 (0.38 against 2.5 ms a page here) to 6 % more bytes (0.261 of the page
# against 0.246); on the bench's 6 KB list pages 4x as fast (25 against 108 µs). zlib's
# level 1 gains little on its 3; ISA-L's 2 is slower than its 1, its 0 quicker only on small
# pages, for a fifth more bytes (docs/performance.md, fourteenth round).
BODY_GZIP_LEVEL = 1


def _store_bodies(session: Session, pages: Sequence[str]) -> list[str]:
    """Keep each page's HTML once, gzipped (``page_body``); the pages' SHA-256, in order.

    A page stored before (a column unchanged since its last crawl) is neither compressed nor
    written again. One row a page instead of one file: creating small files cost a crawl
    more than parsing its pages (~0.4 ms a page of the kernel's time here)."""
    encoded = [html.encode("utf-8") for html in pages]
    digests = [hashlib.sha256(body).hexdigest() for body in encoded]
    stored = set(session.scalars(select(PageBody.sha256).where(
        PageBody.sha256.in_(set(digests)))))
    new: dict[str, bytes] = {}
    for digest, body in zip(digests, encoded, strict=True):
        if digest not in stored and digest not in new:
            # mtime=0: the same page always compresses to the same bytes
            new[digest] = igzip.compress(body, compresslevel=BODY_GZIP_LEVEL, mtime=0)
    if new:
        execute_rows(session, _body_insert_of(session.get_bind().dialect.name),
                     [{"sha256": digest, "html_gz": gz} for digest, gz in new.items()])
    return digests


def _write_png(folder: Path, digest: str, png: bytes | None) -> str | None:
    """A browser's screenshot of a page, as a file in its source's folder; its path."""
    if not png:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest[:16]}-{hashlib.sha256(png).hexdigest()[:8]}.png"
    path.write_bytes(png)
    return str(path)


_SNAPSHOT_INSERT = insert(Snapshot.__table__)


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
    """``save_snapshot`` for a batch: the same rows and bodies, written with one INSERT
    (executemany) each and no ORM objects; a crawl keeps a snapshot of every list page."""
    if not records:
        return
    root = data_dir.resolve() / "snapshots"
    digests = _store_bodies(session, [rec.html for rec in records])
    execute_rows(session, _SNAPSHOT_INSERT, [
        {"source_id": rec.source_id, "crawl_run_id": rec.crawl_run_id, "url": rec.url,
         "taken_at": rec.taken_at, "http_status": rec.http_status, "html_path": None,
         "png_path": _write_png(root / str(rec.source_id), digest, rec.png), "sha256": digest}
        for rec, digest in zip(records, digests, strict=True)])


# An entry without links stores this one object, so ``execute_rows`` serialises it once a
# batch (each entry has an empty list of its own: a JSON dump each, 1.0 of a row's 6.5 µs).
_NO_LINKS: tuple[str, ...] = ()


def store_item_batches(session: Session, batches: dict[int, Sequence[ItemFacts]],
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
        "content_hash": r.content_hash, "links": r.links or _NO_LINKS, "statement": r.statement,
        "body": r.body, "date_source": r.date_source, "media": r.media, "message": r.message,
    } for source_id, by_key in unique.items() for key, r in by_key.items()]
    execute_rows(session, _item_upsert(session), rows)
    return {source_id: len(by_url) - known.get(source_id, 0)
            for source_id, by_url in unique.items()}


_KNOWN_CHUNK = 400  # pairs per lookup, well under every database's bound-parameter limit


def _known_items(session: Session, unique: dict[int, dict[str, ItemFacts]]) -> dict[int, int]:
    """How many of each source's item keys are stored already.

    The (source, key) pairs are joined to the item table's (source_id, key) index: one probe
    a pair (``source_id IN … AND key IN …`` probed every source with every key, ten times the
    work for a batch of 25 sources)."""
    pairs = [(source_id, key) for source_id, by_key in unique.items() for key in by_key]
    direct = at_driver_level(session)  # SQLite: no compiling
    known: dict[int, int] = {}
    for start in range(0, len(pairs), _KNOWN_CHUNK):
        chunk = pairs[start:start + _KNOWN_CHUNK]
        if direct:
            rows = ", ".join(["(?, ?)"] * len(chunk))
            found = session.connection().exec_driver_sql(
                _KNOWN_SQL.format(rows=rows), tuple(v for pair in chunk for v in pair))
        else:
            rows = ", ".join(f"(:s{i}, :k{i})" for i in range(len(chunk)))
            params = {f"{name}{i}": value for i, pair in enumerate(chunk)
                      for name, value in zip("sk", pair, strict=True)}
            found = session.execute(text(_KNOWN_SQL.format(rows=rows)), params)
        for (source_id,) in found:
            known[source_id] = known.get(source_id, 0) + 1
    return known


_KNOWN_SQL = ("WITH wanted(source_id, key) AS (VALUES {rows}) SELECT item.source_id FROM wanted"
              " JOIN item ON item.source_id = wanted.source_id AND item.key = wanted.key")


def read_snapshot_html(session: Session, snapshot: Snapshot) -> str | None:
    """The stored HTML of a snapshot, or None when it is gone (or was never kept)."""
    if snapshot.html_path:  # saved before revision 0020: a file of its own
        path = Path(snapshot.html_path)
        if not path.exists():
            return None
        raw = path.read_bytes()
        return (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8",
                                                                              "replace")
    if not snapshot.sha256:
        return None
    gz = session.scalar(select(PageBody.html_gz).where(PageBody.sha256 == snapshot.sha256))
    return gzip.decompress(gz).decode("utf-8", "replace") if gz is not None else None


def snapshot_has_html(session: Session, snapshot: Snapshot) -> bool:
    """Whether the snapshot's HTML can still be read (``read_snapshot_html``)."""
    if snapshot.html_path:
        return Path(snapshot.html_path).exists()
    return snapshot.sha256 is not None and session.scalar(
        select(PageBody.sha256).where(PageBody.sha256 == snapshot.sha256)) is not None


_PRUNE_CHUNK = 500


def prune_snapshots(session: Session, retention_days: int) -> int:
    """Forget snapshots older than the retention period, except those a finding points at.

    A page body (or an older snapshot's file) goes only when no remaining snapshot shares it.
    """
    cutoff = now() - timedelta(days=retention_days)
    kept = select(Finding.snapshot_id).where(Finding.snapshot_id.is_not(None))
    old = list(session.scalars(select(Snapshot).where(Snapshot.taken_at < cutoff,
                                                      Snapshot.id.not_in(kept))))
    if not old:
        return 0
    paths = {p for s in old for p in (s.html_path, s.png_path) if p}
    digests = {s.sha256 for s in old if s.sha256 and not s.html_path}
    for snapshot in old:
        session.delete(snapshot)
    session.flush()
    still_used = set(session.scalars(select(Snapshot.html_path).where(
        Snapshot.html_path.in_(paths)))) | set(session.scalars(
            select(Snapshot.png_path).where(Snapshot.png_path.in_(paths))))
    for path in paths - still_used:
        Path(path).unlink(missing_ok=True)
    ordered = sorted(digests)
    for start in range(0, len(ordered), _PRUNE_CHUNK):
        chunk = ordered[start:start + _PRUNE_CHUNK]
        shared = set(session.scalars(select(Snapshot.sha256).where(Snapshot.sha256.in_(chunk))))
        session.execute(delete(PageBody).where(PageBody.sha256.in_(set(chunk) - shared)))
    return len(old)


def latest_runs(session: Session, ids: Iterable[int]) -> dict[int, CrawlRun]:
    """The newest finished crawl run of each given source."""
    newest = (select(func.max(CrawlRun.id)).where(CrawlRun.source_id.in_(list(ids)),
                                                  CrawlRun.outcome != "running")
              .group_by(CrawlRun.source_id))
    return {r.source_id: r for r in session.scalars(select(CrawlRun)
                                                    .where(CrawlRun.id.in_(newest)))}
