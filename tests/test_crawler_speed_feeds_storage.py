"""The crawler's fast paths give what the general ones give: plain RSS read with lxml as
feedparser reads it, snapshots and items written in batches as one by one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bench.fixture import CrawlFixture
from crawler import accounts
from demo_portal import build_site
from govwatch.timeutil import CHINA
from storage import repo
from storage.db import Database
from storage.identity import item_key
from storage.models import PageBody, Snapshot, Source, Unit
from storage.repo import _sql, crawls

URL = "http://x.gov.cn/b03/rss.xml"


def _rss(*items: str, head: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (f'{head}<rss version="2.0"><channel><title>t</title>' + "".join(items)
            + "</channel></rss>").encode("utf-8" if "gb2312" not in head else "gb18030")


PLAIN = "<item><title>开展中秋月饼质量抽检</title><link>/b03/xw/1.html</link>" \
        "<guid>/b03/xw/1.html</guid><pubDate>Tue, 07 Sep 2021 23:30:00 +0800</pubDate></item>"
FEEDS_READ_FAST = {
    "plain": _rss(PLAIN),
    "no date": _rss("<item><title>无日期的一条</title><link>http://x.gov.cn/2.html</link></item>"),
    "GMT, no seconds": _rss("<item><title>一条消息</title><link>/3.html</link>"
                            "<pubDate>7 Sep 2021 15:30 GMT</pubDate></item>"),
    "empty": _rss(),
    "padded link": _rss("<item><title> 一条 </title><link>\n  /4.html \n</link></item>"),
}
FEEDS_LEFT_TO_FEEDPARSER = {
    "markup in title": _rss("<item><title><![CDATA[<b>加粗</b>标题]]></title>"
                            "<link>/5.html</link></item>"),
    "entity in title": _rss("<item><title>A &amp; B 两部门</title><link>/6.html</link></item>"),
    "namespaced field": _rss('<item xmlns:dc="http://purl.org/dc/elements/1.1/"><title>x</title>'
                             "<link>/7.html</link><dc:date>2021-09-07</dc:date></item>"),
    "no link": _rss("<item><title>只有guid</title><guid>http://x.gov.cn/8.html</guid></item>"),
    "odd date": _rss("<item><title>一条消息</title><link>/9.html</link>"
                     "<pubDate>2021-09-07 10:00</pubDate></item>"),
    "impossible date": _rss("<item><title>一条消息</title><link>/9.html</link>"
                            "<pubDate>Tue, 31 Sep 2021 10:00:00 +0800</pubDate></item>"),
    "gb2312": _rss(PLAIN, head='<?xml version="1.0" encoding="gb2312"?>'),
    "xml:base": _rss(PLAIN.replace("<item>", '<item xml:base="http://y.gov.cn/">')),
    "atom": b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b'<entry><title>x</title><link href="/1.html"/></entry></feed>',
    "html": b"<html><body>not a feed",
}
NOW = datetime(2021, 9, 8, 15, 30, tzinfo=CHINA)


@pytest.mark.parametrize("name", sorted(FEEDS_READ_FAST))
def test_plain_rss_is_read_fast_as_feedparser_reads_it(name: str) -> None:
    body = FEEDS_READ_FAST[name]
    fast = accounts._plain_rss_posts(body, URL)
    assert fast is not None
    assert fast == accounts._feedparser_posts(body, URL).posts
    assert accounts.parse_feed(body, URL, NOW).posts == fast


@pytest.mark.parametrize("name", sorted(FEEDS_LEFT_TO_FEEDPARSER))
def test_unusual_feeds_are_left_to_feedparser(name: str) -> None:
    assert accounts._plain_rss_posts(FEEDS_LEFT_TO_FEEDPARSER[name], URL) is None


def test_demo_and_bench_feeds_take_the_fast_path_with_feedparser_results() -> None:
    site = build_site(date(2021, 9, 8), "http://demo.test")
    fixture = CrawlFixture(date(2026, 11, 29), portals=2, units=4, accounts=8)
    feeds = [("http://demo.test" + path, page.body) for path, page in site.pages.items()
             if "rss" in page.content_type]
    feeds += [(fixture.account_url(a), fixture.feed(*fixture.account_unit(a))) for a in range(8)]
    assert len(feeds) >= 9
    for url, body in feeds:
        fast = accounts._plain_rss_posts(body, url)
        assert fast, url
        assert fast == accounts._feedparser_posts(body, url).posts


def _source(db: Database, name: str) -> int:
    with db.session() as session:
        unit = session.scalar(select(Unit)) or Unit(code="A01", name="城关镇", category="A",
                                                     county="测试县")
        session.add(unit)
        session.flush()
        source = Source(unit_id=unit.id, name=name, type="column", kind="general",
                        url=f"http://x.gov.cn/{name}/", render="static", expect_update=True,
                        thresholds={})
        session.add(source)
        session.flush()
        return source.id


def test_snapshot_batches_write_what_save_snapshot_writes(sqlite_db: Database,
                                                          tmp_path: Path) -> None:
    source_id = _source(sqlite_db, "tzgg")
    page = "<html><body><ul><li>关于防汛的通知 2021-08-30</li></ul></body></html>"
    taken = datetime(2021, 9, 8, 10, 0, tzinfo=CHINA)
    with sqlite_db.session() as session:
        one = repo.save_snapshot(session, tmp_path / "one", source_id=source_id,
                                 crawl_run_id=None, url="http://x.gov.cn/tzgg/", html=page,
                                 http_status=200, png=b"\x89PNG")
        repo.save_snapshots(session, tmp_path / "many", [
            repo.SnapshotRecord(source_id, None, "http://x.gov.cn/tzgg/", page, taken, 200,
                                b"\x89PNG"),
            repo.SnapshotRecord(source_id, None, "http://x.gov.cn/tzgg/", page, taken, 200),
        ])
    with sqlite_db.session() as session:
        single = session.get(Snapshot, one)
        batch = list(session.scalars(select(Snapshot).where(Snapshot.id != one)))
        assert single is not None and len(batch) == 2
        assert session.scalar(select(func.count()).select_from(PageBody)) == 1  # one page
        for snap in batch:
            assert snap.sha256 == single.sha256 and snap.http_status == 200
            assert snap.taken_at == taken and snap.html_path is None
            assert repo.read_snapshot_html(session, snap) == page
    assert batch[0].png_path == single.png_path.replace("/one/", "/many/")
    assert Path(batch[0].png_path).read_bytes() == b"\x89PNG" and batch[1].png_path is None


def test_item_batches_count_new_items_per_source_as_store_items(any_db: Database) -> None:
    """On SQLite and PostgreSQL: the known items are looked up by (source, key) pairs."""
    first, second = _source(any_db, "tzgg"), _source(any_db, "gzdt")

    def records(*urls: str) -> list[repo.ItemRecord]:
        return [repo.ItemRecord(url=u, title=f"标题{u}", published_on=date(2021, 9, 1))
                for u in urls]

    with any_db.session() as session:
        assert repo.store_items(session, first, records("a", "b")) == 2
    with any_db.session() as session:
        new = repo.store_item_batches(session, {
            first: records("a", "b", "c", "c"),  # two known, one new (listed twice)
            second: records("a", "d"),  # the same URL under another source is new there
        })
    assert new == {first: 1, second: 2}
    with any_db.session() as session:
        assert repo.store_items(session, second, records("a", "d", "e")) == 1
        assert repo.store_item_batches(session, {first: [], second: records("e")}) == {second: 0}


def test_entries_are_stored_as_they_come_as_their_records_are(sqlite_db: Database) -> None:
    """The pipeline hands the crawler's entries to storage without copying them into
    ``ItemRecord``s: an entry has every field storage reads (``repo.ItemFacts``), and the rows
    it stores are the ones its record stores."""
    from dataclasses import fields
    from typing import get_type_hints

    from crawler.items import EntryItem

    facts = get_type_hints(repo.ItemFacts)
    assert facts == get_type_hints(repo.ItemRecord)
    entry_hints = get_type_hints(EntryItem)
    assert {name: entry_hints[name] for name in facts} == facts
    assert {f.name for f in fields(repo.ItemRecord)} == set(facts)
    first, second = _source(sqlite_db, "tzgg"), _source(sqlite_db, "gzdt")
    entries = [EntryItem(first, f"http://x.gov.cn/{k}.html", f"标题{k}", date(2021, 9, k),
                         datetime(2021, 9, k, 8, 30, tzinfo=CHINA), f"h{k}", [f"/f{k}.pdf"],
                         "不作解读" if k == 2 else None, "正文", "row", {"images": k},
                         {"status": "已回复"} if k == 3 else None) for k in (1, 2, 3)]
    records = [repo.ItemRecord(**{name: getattr(e, name) for name in facts}) for e in entries]
    seen = datetime(2021, 9, 10, 9, 0, tzinfo=CHINA)
    with sqlite_db.session() as session:
        assert repo.store_item_batches(session, {first: entries, second: records},
                                       seen) == {first: 3, second: 3}
    with sqlite_db.session() as session:
        rows = session.execute(text(
            "SELECT source_id, key, url, title, published_on, published_at, first_seen_at, "
            "content_hash, links, statement, body, date_source, media, message FROM item "
            "ORDER BY source_id, key")).all()
    assert [row[1:] for row in rows if row[0] == first] \
        == [row[1:] for row in rows if row[0] == second]
    assert len(rows) == 6


def test_items_seen_late_are_read_alike_on_every_database(any_db: Database) -> None:
    """``items_first_seen_since`` leaves items stored too soon after their date in SQLite;
    what it returns is what the check on every row returns (the day, China time, counts)."""
    source = _source(any_db, "tzgg")
    published = date(2021, 9, 1)
    stored = {  # URL → when the crawl first stored it
        "early": datetime(2021, 8, 31, 23, 0, tzinfo=CHINA),
        "same-day": datetime(2021, 9, 1, 0, 0, tzinfo=CHINA),
        "two-days-late": datetime(2021, 9, 3, 23, 59, 59, tzinfo=CHINA),
        "three-days-late": datetime(2021, 9, 4, 0, 0, tzinfo=CHINA),
        "noon-three-days-late": datetime(2021, 9, 4, 12, 0, tzinfo=CHINA),
        "a-week-late": datetime(2021, 9, 8, 8, 0, tzinfo=CHINA),
    }
    for url, at in stored.items():
        with any_db.session() as session:
            repo.store_item_batches(session, {source: [repo.ItemRecord(
                url=f"http://x.gov.cn/tzgg/{url}.html", title=url, published_on=published)]},
                seen_at=at)
    since = datetime(2021, 8, 25, tzinfo=CHINA)
    with any_db.session() as session:
        for least in (-1, 0, 3, 7, 8):
            found = {s.title: s.first_seen_on for s in
                     repo.items_first_seen_since(session, since, least)}
            assert found == {url: at.date() for url, at in stored.items()
                             if (at.date() - published).days >= least}, least


def _item_rows(db: Database) -> list[tuple[object, ...]]:
    with db.session() as session:
        return [tuple(row) for row in session.execute(text("SELECT * FROM item ORDER BY id"))]


def test_items_written_at_the_driver_level_are_stored_as_sqlalchemy_stores_them(
        tmp_path: Path) -> None:
    """``execute_rows`` (SQLite's fast path) against ``session.execute`` of the same upsert:
    new items, then the same items again with a page read (the update branch)."""
    seen = datetime(2021, 9, 8, 10, 0, 5, 123456, tzinfo=CHINA)
    first_pass = [
        repo.ItemRecord(url="http://x.gov.cn/tzgg/1.html", title="关于防汛的通知",
                        published_on=date(2021, 8, 30), date_source="list"),
        repo.ItemRecord(url="http://x.gov.cn/tzgg/2.html?id=3", title="",
                        published_on=None,
                        published_at=datetime(2021, 8, 29, 23, 30, tzinfo=UTC)),
        repo.ItemRecord(url="http://x.gov.cn/tzgg/3.html", title="《条例》解读", published_on=None,
                        content_hash="ab" * 32, links=["http://x.gov.cn/a.pdf"],
                        statement="不作解读", body="正文", media={"images": 2},
                        message={"status": "已回复", "asked_at": "2021-08-01T09:00:00"}),
    ]
    second_pass = [replace(r, title="新标题" if r.title else "", content_hash="cd" * 32,
                           published_on=date(2021, 9, 1), links=["http://x.gov.cn/b.pdf"],
                           media=None, message={"status": "未回复"}) for r in first_pass]
    stored = []
    for name, write in (("driver", _sql.execute_rows),
                        ("sqlalchemy", lambda s, stmt, rows: s.execute(stmt, rows))):
        db = Database(f"sqlite:///{tmp_path / name}.db")
        db.migrate()
        source_id = _source(db, "tzgg")
        for records in (first_pass, second_pass):
            with db.session() as session:
                rows = [{"source_id": source_id, "key": item_key(r.url), "url": r.url,
                         "title": r.title, "published_on": r.published_on,
                         "published_at": r.published_at, "first_seen_at": seen,
                         "last_seen_at": seen, "content_hash": r.content_hash,
                         "links": r.links, "statement": r.statement, "body": r.body,
                         "date_source": r.date_source, "media": r.media, "message": r.message}
                        for r in records]
                write(session, crawls._item_upsert(session), rows)
            seen = seen.replace(day=9)
        stored.append(_item_rows(db))
        seen = seen.replace(day=8)
        db.dispose()
    assert len(stored[0]) == 3
    assert stored[0] == stored[1]


def test_runs_opened_together_are_each_sources_own(any_db: Database) -> None:
    """A crawl process opens a run per source with one INSERT (``open_crawl_runs``): each id
    is that source's new running run, as one ``open_crawl_run`` a source would give."""
    from storage.models import CrawlRun

    first, second, third = (_source(any_db, name) for name in ("tzgg", "gzdt", "zcwj"))
    with any_db.session() as session:
        earlier = repo.open_crawl_run(session, first, owner="host:1:1")
        opened = repo.open_crawl_runs(session, [first, second, third, second],
                                      owner="host:2:2", reference_date=date(2021, 9, 8))
        alone = repo.open_crawl_runs(session, [third], owner=None)
    assert set(opened) == {first, second, third} and earlier not in opened.values()
    assert len(set(opened.values())) == 3 and alone[third] not in opened.values()
    with any_db.session() as session:
        runs = {r.id: r for r in session.scalars(select(CrawlRun))}
    assert len(runs) == 5
    for source_id, run_id in opened.items():
        run = runs[run_id]
        assert (run.source_id, run.outcome, run.owner, run.reference_date) == (
            source_id, "running", "host:2:2", date(2021, 9, 8))
    assert runs[alone[third]].owner is None and runs[alone[third]].source_id == third


def test_rows_at_the_driver_level_must_give_columns_with_defaults(sqlite_db: Database) -> None:
    """SQLAlchemy fills a column's Python-side default per execution; ``execute_rows`` does
    not, so leaving one out is refused rather than stored as NULL."""
    from sqlalchemy import insert

    from storage.models import CrawlRun

    source_id = _source(sqlite_db, "tzgg")
    with sqlite_db.session() as session, pytest.raises(ValueError, match="pages"):
        _sql.execute_rows(session, insert(CrawlRun.__table__), [
            {"source_id": source_id, "started_at": datetime(2021, 9, 8, tzinfo=CHINA),
             "outcome": "running", "items_found": 0, "items_dated": 0, "items_new": 0}])


def test_page_links_are_kept_per_page_the_latest_crawl_winning(any_db: Database) -> None:
    """``save_page_links`` (at the driver level on SQLite): one row a source and page; a
    later crawl replaces the links, hidden anchors and date, and keeps a title it did not
    see; two records of one page in a batch keep the later."""
    from storage.repo.checks import PageLinksRecord

    source = _source(any_db, "tzgg")
    hidden = [{"href": "http://bet.example.com/", "text": "博彩", "reason": "display:none"}]
    with any_db.session() as session:
        repo.save_page_links(session, [
            PageLinksRecord(source, "http://x.gov.cn/a/1.html", ["http://x.gov.cn/old"], [],
                            "《条例》解读", date(2026, 12, 1)),
            PageLinksRecord(source, "http://x.gov.cn/tzgg/", ["http://x.gov.cn/m"], hidden,
                            None, date(2026, 12, 1))])
    with any_db.session() as session:
        repo.save_page_links(session, [
            PageLinksRecord(source, "http://x.gov.cn/a/1.html", ["http://x.gov.cn/first"], [],
                            None, date(2026, 12, 2)),
            PageLinksRecord(source, "http://x.gov.cn/a/1.html", ["http://x.gov.cn/new"],
                            hidden, None, date(2026, 12, 2))])
    with any_db.session() as session:
        rows = {row.page_url: row for row in repo.page_links(session, date(2026, 11, 30))}
    assert set(rows) == {"http://x.gov.cn/a/1.html", "http://x.gov.cn/tzgg/"}
    article, column = rows["http://x.gov.cn/a/1.html"], rows["http://x.gov.cn/tzgg/"]
    assert (article.title, article.seen_on, article.links, article.hidden) == (
        "《条例》解读", date(2026, 12, 2), ["http://x.gov.cn/new"], hidden)
    assert (column.title, column.seen_on, column.links, column.hidden) == (
        None, date(2026, 12, 1), ["http://x.gov.cn/m"], hidden)
