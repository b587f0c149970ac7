"""Monitor facts: what the rules (``monitors/``) read, and the bulletin with them: each
source's latest crawl and newest item (``SourceFacts``), items as ``PostFact``s (per day, per
range, of a kind, by id), and the articles the crawl need not read again."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Text, case, func, select, type_coerce
from sqlalchemy.orm import Session

from storage.models import CrawlRun, Finding, Item, Snapshot, Source, Unit
from storage.repo._sql import _as_date, _china, json_value


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
    first_ok_on: date | None = None  # the day that crawl spoke for (its reference date)
    failing_since: datetime | None = None  # first failed run after the last successful one
    monitored_since: date | None = None
    policy_titles: dict[str, Any] | None = None


def source_facts(session: Session, as_of: date,
                 kinds: Collection[str] | None = None) -> list[SourceFacts]:
    """Active sources with their latest crawl and newest item published on or before as_of
    (only sources of ``kinds`` when given: the policy rule needs two kinds of the ten).

    Set-based: one query for the sources and one query per fact (latest run, newest item,
    oldest item, latest snapshot, successful runs, current failures), merged by source id in
    Python, and no database planner has to order ten outer joins. The items are sought per
    source in their (source, date) index: two probes a source, however many items a store
    has piled up over the years (a grouped scan read all of them).
    """
    wanted = (Source.kind.in_(list(kinds)),) if kinds is not None else ()  # on a source

    def of_kinds(source_id: Any) -> tuple[Any, ...]:  # conditions on each scan's source
        return (source_id.in_(select(Source.id).where(*wanted)),) if wanted else ()

    def per_source(value: Any, source_id: Any, *where: Any) -> Any:
        """``value`` over one source's rows (``source_id`` their column), for each source."""
        return (select(value).where(source_id == Source.id, *where)
                .correlate(Source).scalar_subquery())

    sources = session.execute(
        select(Source.id, Source.name, Source.url, Source.type, Source.kind,
               Source.expect_update, type_coerce(Source.thresholds, Text),
               Source.monitored_since, type_coerce(Source.policy_titles, Text), Unit.id,
               Unit.code, Unit.name, Unit.category)
        .join(Unit, Unit.id == Source.unit_id)
        .where(Source.active.is_(True), Unit.active.is_(True), *wanted)
        .order_by(Unit.code, Source.id)).all()
    if not sources:
        return []
    # runs: one grouped scan (index ix_crawl_run_source_outcome covers it) joined to the
    # latest finished run's row (sought per source instead, its four facts cost more: a
    # source's runs are few beside its items)
    finished = CrawlRun.outcome != "running"
    grouped = (select(CrawlRun.source_id,
                      func.max(case((finished, CrawlRun.id))).label("last_id"),
                      func.max(case((CrawlRun.outcome == "ok", CrawlRun.id))).label("last_ok"),
                      func.min(case((CrawlRun.outcome == "ok", CrawlRun.started_at)))
                      .label("first_ok"),
                      func.min(case((CrawlRun.outcome == "ok", CrawlRun.reference_date)))
                      .label("first_ok_on"))
               .where(*of_kinds(CrawlRun.source_id))
               .group_by(CrawlRun.source_id).subquery())
    runs: dict[int, tuple[Any, ...]] = {}
    last_ok: dict[int, int | None] = {}
    first_ok: dict[int, Any] = {}
    first_ok_on: dict[int, Any] = {}
    for sid, ok_id, ok_at, ok_on, *run in session.execute(
            select(grouped.c.source_id, grouped.c.last_ok, grouped.c.first_ok,
                   grouped.c.first_ok_on, CrawlRun.id,
                   CrawlRun.outcome, CrawlRun.started_at, CrawlRun.error, CrawlRun.http_status)
            .outerjoin(CrawlRun, CrawlRun.id == grouped.c.last_id)):
        last_ok[sid], first_ok[sid], first_ok_on[sid] = ok_id, ok_at, ok_on
        if run[0] is not None:
            runs[sid] = tuple(run)
    # the current run of failures: failed runs after the last successful one (few rows)
    failing: dict[int, Any] = {}
    for sid, run_id, started in session.execute(
            select(CrawlRun.source_id, CrawlRun.id, CrawlRun.started_at)
            .where(CrawlRun.outcome.not_in(("ok", "running")), *of_kinds(CrawlRun.source_id))):
        if run_id > (last_ok.get(sid) or 0) and (sid not in failing or started < failing[sid]):
            failing[sid] = started
    # items: newest (on or before as_of) and oldest date, each one probe of the source's
    # ix_item_source_published, then the newest item's row (the lowest id of that date)
    dates = (select(Source.id.label("source_id"),
                    per_source(func.max(Item.published_on), Item.source_id,
                               Item.published_on <= as_of).label("newest"),
                    per_source(func.min(Item.published_on), Item.source_id).label("oldest"))
             .where(*wanted).subquery())
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
            first_ok_on=_as_date(first_ok_on.get(sid)),
            failing_since=_china(failing.get(sid)),
            monitored_since=monitored, policy_titles=_json(policy_titles),
        ))
    return facts


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


@dataclass(slots=True)
class PostFact:
    """An item as the rules see it; read-only by convention. Not frozen: a monitor run makes
    ~400,000 of them, and a frozen dataclass's ``__init__`` costs five times as much."""

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
            in session.connection().execute(stmt)]  # Core: no ORM row handling


def posts_per_day(session: Session, source_ids: Iterable[int], start: date,
                  end: date) -> dict[int, dict[date, int]]:
    """How many items each source published on each day in [start, end]."""
    ids = list(source_ids)
    counts: dict[int, dict[date, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    # Core, days as the driver returns them: a province's accounts give ~300,000 rows, and
    # SQLAlchemy's per-value date processing was half of reading them
    rows = session.connection().execute(
        select(Item.source_id, type_coerce(Item.published_on, String), func.count())
        .where(Item.source_id.in_(ids), Item.published_on.between(start, end))
        .group_by(Item.source_id, Item.published_on))
    days: dict[Any, date] = {}  # a few hundred distinct days: each parsed once
    for source_id, day, count in rows:
        parsed = days.get(day)
        if parsed is None:
            parsed = days[day] = _as_date(day)  # type: ignore[assignment]
        counts[source_id][parsed] = count
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
    it); an interpretation read before its media were kept, and a 留言 not yet replied to,
    are read again."""
    ids = list(source_ids)
    found: dict[int, dict[str, tuple[str, date | None]]] = {sid: {} for sid in ids}
    open_findings = select(Finding.item_id).where(
        Finding.rule == "uninterpreted_policy", Finding.status != "dismissed",
        Finding.item_id.is_not(None))
    for k in range(0, len(ids), 500):
        rows = session.execute(
            select(Item.source_id, Item.url, Item.title, type_coerce(Item.published_on, String),
                   Source.kind, Item.media.is_(None), type_coerce(Item.message, Text))
            .join(Source, Source.id == Item.source_id)
            .where(Item.source_id.in_(ids[k:k + 500]), Item.content_hash.is_not(None),
                   Item.body.is_not(None), Item.id.not_in(open_findings),
                   *((Item.published_on < settled_before,) if settled_before else ())))
        for sid, url, title, published_on, kind, no_media, message in rows:
            if kind == "interpretation" and no_media:
                continue
            if kind == "messages" and (_json(message) or {}).get("status") != "replied":
                continue
            found[sid][url] = (title, _as_date(published_on))
    return found


def post_facts_by_id(session: Session, item_ids: Iterable[int],
                     chunk: int = 5000) -> list[PostFact]:
    """Items by id as PostFacts (any order; ``chunk`` ids a query: SQLite caps parameters)."""
    ids = sorted(set(item_ids))
    found: list[PostFact] = []
    for k in range(0, len(ids), chunk):
        found.extend(_post_facts(select(*_POST_COLUMNS).where(Item.id.in_(ids[k:k + chunk])),
                                 session))
    return found
