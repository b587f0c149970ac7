"""The checks beyond the weekly rules: pages' links and hidden anchors (``page_links``), the
daily link checks (``link_check``), probes of sites' 首页 (``site_probe``), the texts the
dictionary and personal-information checks scan, and when items were first seen (倒签)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import String, Text, func, select, type_coerce
from sqlalchemy.orm import Session

from govwatch.timeutil import now
from storage.models import CrawlRun, Item, LinkCheck, PageLinks, SiteProbe, Source
from storage.repo._sql import _as_date, _china, _insert_for, _insert_of, execute_rows, json_value


@dataclass(frozen=True)
class PageLinksRecord:
    """A page's links as the crawler hands them to storage."""

    source_id: int
    page_url: str
    links: list[str]
    hidden: list[dict[str, str]]
    title: str | None = None
    seen_on: date | None = None  # the crawl's reference date (default: today)


def save_page_links(session: Session, records: Sequence[PageLinksRecord]) -> None:
    """Keep each page's latest links and hidden anchors (one row per source and page)."""
    if not records:
        return
    latest = {(r.source_id, r.page_url): r for r in records}
    today = now().date()
    rows = [{"source_id": r.source_id, "page_url": r.page_url, "title": r.title,
             "seen_on": r.seen_on or today, "links": r.links, "hidden": r.hidden}
            for r in latest.values()]
    execute_rows(session, _page_links_upsert_of(session.get_bind().dialect.name), rows)


@cache  # built once per dialect
def _page_links_upsert_of(dialect: str) -> Any:
    stmt = _insert_of(dialect)(PageLinks.__table__)
    return stmt.on_conflict_do_update(
        index_elements=["source_id", "page_url"],
        set_={"title": func.coalesce(stmt.excluded.title, PageLinks.__table__.c.title),
              "seen_on": stmt.excluded.seen_on, "links": stmt.excluded.links,
              "hidden": stmt.excluded.hidden})


@dataclass(frozen=True)
class PageLinksRow:
    """A page's links as the link rules read them."""

    source_id: int
    page_url: str
    title: str | None
    seen_on: date
    links: list[str]
    hidden: list[dict[str, str]]


def page_links(session: Session, since: date,
               source_ids: Iterable[int] | None = None) -> list[PageLinksRow]:
    """Pages seen on or after ``since`` (of the given sources), with their links."""
    stmt = select(PageLinks.source_id, PageLinks.page_url, PageLinks.title,
                  type_coerce(PageLinks.seen_on, String), type_coerce(PageLinks.links, Text),
                  type_coerce(PageLinks.hidden, Text)).where(PageLinks.seen_on >= since)
    if source_ids is not None:
        stmt = stmt.where(PageLinks.source_id.in_(list(source_ids)))
    return [PageLinksRow(sid, url, title, _as_date(day),  # type: ignore[arg-type]
                         list(json_value(links) or []), list(json_value(hidden) or []))
            for sid, url, title, day, links, hidden in session.execute(
                stmt.order_by(PageLinks.source_id, PageLinks.id))]


def links_checked_on(session: Session, day: date, ok_for_days: int = 0) -> set[str]:
    """URLs not to check again on ``day``: checked that day already (a URL is checked at most
    once a day), or found alive within the ``ok_for_days`` before it (a dead one is checked
    again each day)."""
    alive_since = date.fromordinal(day.toordinal() - ok_for_days)
    return set(session.scalars(select(LinkCheck.url).where(
        (LinkCheck.checked_on == day)
        | (LinkCheck.ok.is_(True) & LinkCheck.checked_on.between(alive_since, day))).distinct()))


@dataclass(frozen=True)
class LinkCheckRecord:
    url: str
    ok: bool
    http_status: int | None
    error: str | None
    final_url: str | None
    method: str | None


def save_link_checks(session: Session, day: date, results: Iterable[LinkCheckRecord]) -> int:
    """Store one day's checks (a URL checked again that day keeps its first result)."""
    at = now()
    rows = [{"url": r.url, "checked_on": day, "checked_at": at, "ok": r.ok,
             "http_status": r.http_status, "error": r.error, "final_url": r.final_url,
             "method": r.method} for r in results]
    if rows:
        stmt = _insert_for(session)(LinkCheck).on_conflict_do_nothing(
            index_elements=["url", "checked_on"])
        session.execute(stmt, rows)
    return len(rows)


@dataclass(frozen=True)
class LinkStatus:
    """A URL's latest check up to a day, and the day before's when it failed too."""

    url: str
    checked_on: date
    ok: bool
    http_status: int | None
    error: str | None
    failures: int  # consecutive failed checks up to checked_on (of the last few)


def link_statuses(session: Session, urls: Iterable[str], until: date,
                  lookback: int = 5) -> dict[str, LinkStatus]:
    """The latest check of each URL on or before ``until``."""
    wanted = sorted(set(urls))
    found: dict[str, list[tuple[date, bool, int | None, str | None]]] = {}
    for k in range(0, len(wanted), 500):
        for url, day, ok, status, error in session.execute(
                select(LinkCheck.url, type_coerce(LinkCheck.checked_on, String), LinkCheck.ok,
                       LinkCheck.http_status, LinkCheck.error)
                .where(LinkCheck.url.in_(wanted[k:k + 500]), LinkCheck.checked_on <= until)):
            found.setdefault(url, []).append((_as_date(day), ok, status, error))  # type: ignore
    statuses = {}
    for url, checks in found.items():
        checks.sort(reverse=True)
        latest = checks[0]
        failures = 0
        for check in checks[:lookback]:
            if check[1]:
                break
            failures += 1
        statuses[url] = LinkStatus(url, latest[0], latest[1], latest[2], latest[3], failures)
    return statuses


# ----------------------------------------------------------------------------- probes


def save_probe(session: Session, source_id: int, *, ok: bool, http_status: int | None,
               seconds: float | None, error: str | None,
               probed_at: datetime | None = None) -> None:
    session.add(SiteProbe(source_id=source_id, probed_at=probed_at or now(), ok=ok,
                          http_status=http_status, seconds=seconds, error=error))


@dataclass(frozen=True)
class ProbeRow:
    source_id: int
    probed_at: datetime
    ok: bool
    http_status: int | None
    seconds: float | None
    error: str | None


def probes_between(session: Session, start: datetime, end: datetime) -> list[ProbeRow]:
    """Probes of every site from ``start`` (inclusive) to ``end`` (exclusive), oldest first."""
    return [ProbeRow(sid, _china(at), ok, status, seconds, error)  # type: ignore[arg-type]
            for sid, at, ok, status, seconds, error in session.execute(
                select(SiteProbe.source_id, type_coerce(SiteProbe.probed_at, String),
                       SiteProbe.ok, SiteProbe.http_status, SiteProbe.seconds, SiteProbe.error)
                .where(SiteProbe.probed_at >= start, SiteProbe.probed_at < end)
                .order_by(SiteProbe.probed_at))]


# ----------------------------------------------------------------------------- items


@dataclass(frozen=True)
class SeenItem:
    """An item with the day the crawler first saw it (倒签 compares it with its date)."""

    item_id: int
    source_id: int
    url: str
    title: str
    published_on: date
    first_seen_on: date


def items_first_seen_since(session: Session, since: datetime,
                           min_delay_days: int = 0) -> list[SeenItem]:
    """Dated column items first stored at or after ``since`` at least ``min_delay_days``
    after their date, with the day the crawl that first stored them spoke for (its
    reference date: the day itself, or the day a replayed crawl stood for)."""
    late: tuple[Any, ...] = ()
    if session.get_bind().dialect.name == "sqlite":
        # SQLite keeps times as text starting with the (China) day: an item stored less than
        # ``min_delay_days`` after its date is left in the database, not read to be dropped
        # (the check below decides, on every database)
        late = (Item.first_seen_at >= func.date(Item.published_on, f"{min_delay_days:+d} days"),)
    rows = session.connection().execute(
        select(Item.id, Item.source_id, type_coerce(Item.published_on, String),
               type_coerce(Item.first_seen_at, String))
        .join(Source, Source.id == Item.source_id)
        .where(Source.type == "column", Source.active.is_(True),
               Item.published_on.is_not(None), Item.first_seen_at >= since, *late)).all()
    # the day it was stored is never before the day its crawl stood for: a first cut by it
    candidates = []
    for item_id, sid, day, seen in rows:
        published, stored = _as_date(day), _china(seen)
        assert published is not None and stored is not None
        if (stored.date() - published).days >= min_delay_days:
            candidates.append((item_id, sid, published, stored))
    if not candidates:
        return []
    # the run that stored each item: the latest of its source started before it was stored
    starts: dict[int, list[tuple[datetime, date]]] = {}
    sources = sorted({sid for _, sid, _, _ in candidates})
    for k in range(0, len(sources), 500):
        for sid, started, day in session.execute(
                select(CrawlRun.source_id, type_coerce(CrawlRun.started_at, String),
                       type_coerce(CrawlRun.reference_date, String))
                .where(CrawlRun.source_id.in_(sources[k:k + 500]),
                       CrawlRun.started_at >= since - timedelta(days=2),
                       CrawlRun.reference_date.is_not(None))):
            starts.setdefault(sid, []).append((_china(started), _as_date(day)))  # type: ignore
    for runs in starts.values():
        runs.sort()
    wanted: dict[int, tuple[int, date, date]] = {}
    for item_id, sid, published, stored in candidates:
        runs = starts.get(sid, [])
        k = bisect_right(runs, (stored, date.max)) - 1
        first_seen_on = runs[k][1] if k >= 0 else stored.date()
        if (first_seen_on - published).days >= min_delay_days:
            wanted[item_id] = (sid, published, first_seen_on)
    found = []
    ids = sorted(wanted)
    for k in range(0, len(ids), 500):
        for item_id, url, title in session.execute(
                select(Item.id, Item.url, Item.title).where(Item.id.in_(ids[k:k + 500]))):
            sid, published, first_seen_on = wanted[item_id]
            found.append(SeenItem(item_id, sid, url, title, published, first_seen_on))
    return found


def ok_crawl_days(session: Session, source_ids: Iterable[int], start: date,
                  end: date) -> dict[int, set[date]]:
    """The days (reference dates) each source was crawled successfully in [start, end]."""
    ids = list(source_ids)
    days: dict[int, set[date]] = {i: set() for i in ids}
    for k in range(0, len(ids), 500):
        for sid, day in session.execute(
                select(CrawlRun.source_id, type_coerce(CrawlRun.reference_date, String))
                .where(CrawlRun.source_id.in_(ids[k:k + 500]), CrawlRun.outcome == "ok",
                       CrawlRun.reference_date.between(start, end)).distinct()):
            days[sid].add(_as_date(day))  # type: ignore[arg-type]
    return days


@dataclass(slots=True)
class TextRow:
    """An item's title and text for the dictionary and personal-information checks (a week's
    items: not frozen, whose ``__init__`` costs five times as much; read-only by convention)."""

    item_id: int
    source_id: int
    url: str
    title: str
    body: str
    published_on: date | None


def texts_first_seen_since(session: Session, since: datetime) -> list[TextRow]:
    """Items of active sources first stored at or after ``since`` (their title, and their
    text where it was read): each item is checked in the days after it appeared."""
    rows = session.connection().execute(  # Core: a week's items, no ORM row handling
        select(Item.id, Item.source_id, Item.url, Item.title, func.coalesce(Item.body, ""),
               type_coerce(Item.published_on, String))
        .join(Source, Source.id == Item.source_id)
        .where(Source.active.is_(True), Item.first_seen_at >= since))
    return [TextRow(i, sid, url, title, body, _as_date(day))
            for i, sid, url, title, body, day in rows]
