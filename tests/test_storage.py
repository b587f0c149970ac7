"""Storage against a real SQLite file: migrations, config sync, idempotent writes."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from govwatch.cli.app import config_fingerprint
from govwatch.config import load_config
from govwatch.timeutil import CHINA, now
from storage import repo
from storage.db import MIGRATIONS, Database, database_url, head_revision, make_engine
from storage.models import Item, Source, Unit
from storage.repo import sync as repo_sync

ROOT = Path(__file__).resolve().parent.parent


def _unit_and_source(db: Database) -> int:
    with db.session() as session:
        unit = Unit(code="A01", name="城关镇", category="A", county="测试县")
        session.add(unit)
        session.flush()
        source = Source(unit_id=unit.id, name="通知公告", type="column", kind="general",
                        url="http://x.gov.cn/tzgg/", render="static", expect_update=True,
                        thresholds={})
        session.add(source)
        session.flush()
        return source.id


def test_migrate_creates_every_table_and_is_repeatable(any_db: Database) -> None:
    tables = set(inspect(any_db.engine).get_table_names())
    assert {"unit", "source", "item", "crawl_run", "snapshot", "finding", "review",
            "manual_entry", "alembic_version"} <= tables
    any_db.migrate()  # upgrading an up-to-date database changes nothing
    with any_db.engine.connect() as conn:
        version = conn.execute(text("select version_num from alembic_version")).scalar()
    assert version == ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_migration_files_are_named_after_their_revisions() -> None:
    """``storage.db.migrate`` compares the database's revision with the newest file's name
    before it asks Alembic: each file is its revision, revising the one before."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    assert head_revision() == scripts.get_current_head()
    files = sorted((MIGRATIONS / "versions").glob("[0-9]*_*.py"))
    for before, path in zip([None, *files], files, strict=False):
        script = scripts.get_revision(path.name.split("_", 1)[0])
        assert script is not None and Path(script.path).name == path.name
        assert script.down_revision == (before.name.split("_", 1)[0] if before else None)


def test_an_outdated_database_is_migrated_and_a_current_one_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage import db as storage_db

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    db.migrate()
    with monkeypatch.context() as patched:  # current: Alembic is not asked at all
        patched.setattr(storage_db, "_upgrade", lambda engine: pytest.fail("Alembic ran"))
        db.migrate()
    with db.engine.begin() as conn:  # a database last migrated by an older govwatch
        conn.execute(text("DROP TABLE page_body"))
        conn.execute(text("DROP INDEX ix_snapshot_sha256"))
        conn.execute(text("ALTER TABLE item DROP COLUMN changed_at"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0019'"))
    db.migrate()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            head_revision()
        assert inspect(conn).has_table("page_body")
        assert "changed_at" in {c["name"] for c in inspect(conn).get_columns("item")}
    db.dispose()


def test_default_database_is_sqlite_under_the_data_folder(tmp_path: Path,
                                                          monkeypatch) -> None:
    assert database_url(tmp_path) == f"sqlite:///{tmp_path.resolve() / 'govwatch.db'}"
    monkeypatch.setenv("GOVWATCH_DATABASE_URL", "sqlite:////elsewhere.db")
    assert database_url(tmp_path) == "sqlite:////elsewhere.db"


def test_sync_config_is_idempotent_and_never_deletes(any_db: Database) -> None:
    config = load_config(ROOT / "config" / "lingchuan-2021.yaml")
    with any_db.session() as session:
        repo.sync_config(session, config)
    with any_db.session() as session:
        repo.sync_config(session, config)
        assert session.scalar(select(func.count()).select_from(Unit)) == 38
    fewer = config.model_copy(update={"units": config.units[:10]})
    with any_db.session() as session:
        repo.sync_config(session, fewer)
        assert session.scalar(select(func.count()).select_from(Unit)) == 38
        active = session.scalar(select(func.count()).select_from(Unit).where(Unit.active))
        assert active == 10


def test_an_unchanged_config_is_not_synced_again(any_db: Database,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(ROOT / "config" / "lingchuan-2021.yaml")
    synced: list[int] = []
    real = repo.sync_config

    def counting(session: object, cfg: object) -> object:
        synced.append(len(cfg.units))  # type: ignore[attr-defined]
        return real(session, cfg)  # type: ignore[arg-type]

    monkeypatch.setattr(repo_sync, "sync_config", counting)
    fewer = config.model_copy(update={"units": config.units[:10]})
    for cfg in (config, config, fewer, fewer, config):
        with any_db.session() as session:
            repo.sync_config_if_changed(session, cfg, config_fingerprint(cfg))
    assert synced == [38, 10, 38]  # only when the config changed
    with any_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Unit).where(Unit.active)) == 38
    assert config_fingerprint(config) == config_fingerprint(load_config(
        ROOT / "config" / "lingchuan-2021.yaml"))


def test_store_items_is_idempotent_and_keeps_what_it_knew(any_db: Database) -> None:
    source_id = _unit_and_source(any_db)
    first = [repo.ItemRecord("http://x.gov.cn/1.html", "关于防汛的通知", date(2021, 8, 30)),
             repo.ItemRecord("http://x.gov.cn/2.html", "工作动态", None)]
    with any_db.session() as session:
        assert repo.store_items(session, source_id, first) == 2
    again = [repo.ItemRecord("http://x.gov.cn/1.html", "关于防汛的通知", None),
             repo.ItemRecord("http://x.gov.cn/2.html", "工作动态", date(2021, 8, 20))]
    with any_db.session() as session:
        assert repo.store_items(session, source_id, again) == 0
    with any_db.session() as session:
        items = {i.url: i for i in session.scalars(select(Item))}
    assert len(items) == 2
    assert items["http://x.gov.cn/1.html"].published_on == date(2021, 8, 30)  # not erased
    assert items["http://x.gov.cn/2.html"].published_on == date(2021, 8, 20)  # gap filled
    assert items["http://x.gov.cn/1.html"].first_seen_at.tzinfo == CHINA


def test_a_crawl_marks_when_it_finds_an_item_changed(any_db: Database) -> None:
    """``item.changed_at``: set when a crawl finds an item retitled, its text changed or first
    read, or dated where it had no date — not when it finds it as it was."""
    source_id = _unit_and_source(any_db)
    stored, later = (datetime(2026, 12, d, 6, tzinfo=CHINA) for d in (1, 2))

    def crawl(seen_at: datetime, *records: repo.ItemRecord) -> dict[str, datetime | None]:
        with any_db.session() as session:
            repo.store_items(session, source_id, list(records), seen_at)
        with any_db.session() as session:
            return {i.url.rsplit("/", 1)[1]: i.changed_at for i in session.scalars(select(Item))}

    def item(n: int, title: str = "通知", day: date | None = date(2026, 11, 30),
             body: str | None = None) -> repo.ItemRecord:
        return repo.ItemRecord(f"http://x.gov.cn/{n}.html", title, day, body=body)

    assert set(crawl(stored, item(1), item(2), item(3, day=None), item(4, body="正文"),
                     item(5)).values()) == {None}
    # the same again (no title, no date or no text is nothing found changed)
    assert set(crawl(later, item(1), item(2, title=""), item(3, day=None), item(4),
                     item(5, day=None)).values()) == {None}
    assert crawl(later, item(1, title="通知（更正）"), item(2, body="正文"), item(3),
                 item(4, body="正文改"), item(5)) == {
        "1.html": later, "2.html": later, "3.html": later, "4.html": later, "5.html": None}


def test_an_item_migrated_apart_as_a_duplicate_does_not_stop_its_twin_moving(
        any_db: Database) -> None:
    """Revision 0010 gave the items a host or scheme change had already duplicated one key:
    the oldest kept it, the others kept theirs apart (``#dup<id>``), as history. When the
    crawl then finds the page at the younger twin's address, the item with the key moves
    there — the twin, history, still shows the same address; the store must take both."""
    source_id = _unit_and_source(any_db)
    with any_db.session() as session:
        session.add_all([Item(source_id=source_id, url=url, key=key, title="关于防汛的通知",
                              published_on=date(2021, 8, 30), first_seen_at=now(),
                              last_seen_at=now(), links=[])
                         for url, key in (("http://x.gov.cn/1.html", "/1.html"),
                                          ("https://x.gov.cn/1.html", "/1.html#dup2"))])
    moved = [repo.ItemRecord("https://x.gov.cn/1.html", "关于防汛的通知", date(2021, 8, 30))]
    with any_db.session() as session:
        assert repo.store_items(session, source_id, moved) == 0
    with any_db.session() as session:
        stored = sorted((i.key, i.url) for i in session.scalars(select(Item)))
    assert stored == [("/1.html", "https://x.gov.cn/1.html"),
                      ("/1.html#dup2", "https://x.gov.cn/1.html")]


def test_post_facts_read_dates_and_times_alike_on_every_backend(any_db: Database) -> None:
    source_id = _unit_and_source(any_db)
    at = datetime(2021, 8, 30, 9, 30, 5, 120000, tzinfo=CHINA)
    with any_db.session() as session:
        repo.store_items(session, source_id, [
            repo.ItemRecord("http://x.gov.cn/1.html", "通知", date(2021, 8, 30), at,
                            links=["http://x.gov.cn/jd/1.html"]),
            repo.ItemRecord("http://x.gov.cn/2.html", "动态", date(2021, 8, 31))])
    with any_db.session() as session:
        first, second = repo.posts_between(session, source_id, date(2021, 8, 1),
                                           date(2021, 9, 1))
    assert (first.published_on, first.published_at) == (date(2021, 8, 30), at)
    assert first.published_at is not None and first.published_at.tzinfo == CHINA
    assert first.links == ["http://x.gov.cn/jd/1.html"]
    assert (second.published_on, second.published_at, second.links) == (
        date(2021, 8, 31), None, [])


def test_findings_are_unique_on_rule_subject_period(any_db: Database) -> None:
    source_id = _unit_and_source(any_db)
    with any_db.session() as session:
        unit_id = session.scalar(select(Unit.id))
    draft = repo.FindingDraft(rule="stale_column", unit_id=unit_id, subject=f"source:{source_id}",
                              period="2021-W36", as_of=date(2021, 9, 8), points=1,
                              evidence={"days_without_update": 9}, source_id=source_id)
    with any_db.session() as session:
        new, known = repo.save_findings(session, [draft])
        assert (len(new), known) == (1, [])
    with any_db.session() as session:
        new, known = repo.save_findings(session, [draft])
        assert (new, len(known)) == ([], 1)
        rows = repo.list_findings(session)
    assert len(rows) == 1 and rows[0].status == "pending" and rows[0].unit_code == "A01"


def test_times_are_stored_as_china_time(any_db: Database) -> None:
    source_id = _unit_and_source(any_db)
    utc_noon = datetime(2021, 9, 8, 4, 0, tzinfo=datetime.now().astimezone().tzinfo)
    with any_db.session() as session:
        run_id = repo.open_crawl_run(session, source_id, started_at=utc_noon)
    with any_db.engine.connect() as conn:
        stored = conn.execute(text("select started_at from crawl_run where id=:i"),
                              {"i": run_id}).scalar()
    assert str(stored).startswith(utc_noon.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"))


def _database_at(revision: str, backend: str, tmp_path: Path,
                 request: pytest.FixtureRequest) -> Database:
    """A database as an older govwatch left it: migrated up to ``revision`` only."""
    from alembic import command
    from alembic.config import Config

    url = (f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    db = Database(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return db


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_review_history_survives_a_schema_upgrade(backend: str, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    db = _database_at("0001", backend, tmp_path, request)  # from the first release
    with db.engine.begin() as conn:
        conn.execute(text("insert into unit (id, code, name, category, county, active) "
                          "values (1, 'A01', '城关镇', 'A', '测试县', :yes)"), {"yes": True})
        conn.execute(text(
            "insert into finding (id, rule, unit_id, subject, period, as_of, points, evidence,"
            " status, created_at, updated_at) values (1, 'stale_column', 1, 'source:1', "
            "'2021-W36', '2021-09-08', 1, '{}', 'dismissed', '2021-09-08 10:00:00', "
            "'2021-09-08 10:00:00')"))
        conn.execute(text(
            "insert into review (finding_id, actor, at, from_status, to_status, reason) values"
            " (1, '李明', '2021-09-08 11:00:00', 'pending', 'dismissed', '栏目已撤并')"))
    db.migrate()
    with db.session() as session:
        (review,) = repo.finding_history(session, 1)
        assert (review.actor, review.to_status, review.reason) == ("李明", "dismissed",
                                                                   "栏目已撤并")
        assert repo.list_findings(session)[0].status == "dismissed"
    db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_items_keep_rows_indexes_and_references_when_their_url_stops_being_unique(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Revision 0021 drops unique (source_id, url); SQLite rebuilds the table for it, which
    must keep every row, index and foreign key, and the findings pointing at items."""
    db = _database_at("0020", backend, tmp_path, request)
    source_id = _unit_and_source(db)
    with db.engine.begin() as conn:  # the columns of revision 0020 only
        conn.execute(Item.__table__.insert(), [
            {"source_id": source_id, "url": f"http://x.gov.cn/{n}.html", "key": f"/{n}.html",
             "title": f"通知{n}", "published_on": date(2021, 8, n), "first_seen_at": now(),
             "last_seen_at": now(), "links": []} for n in (1, 2)])
    with db.engine.begin() as conn:
        conn.execute(text(
            "insert into finding (id, rule, unit_id, item_id, subject, period, as_of, points,"
            " evidence, status, created_at, updated_at) values (1, 'uninterpreted_policy', 1,"
            " 2, 'item:2', '2021-W36', '2021-09-08', 1, '{}', 'confirmed', "
            "'2021-09-08 10:00:00', '2021-09-08 10:00:00')"))
    assert inspect(db.engine).get_unique_constraints("item")  # what is dropped
    if backend == "sqlite":  # an earlier try cut short (a full disk) left its new table
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE _alembic_tmp_item (id INTEGER)"))
    db.migrate()
    found = inspect(db.engine)
    assert found.get_unique_constraints("item") == []
    indexes = {ix["name"]: (ix["column_names"], bool(ix["unique"]))
               for ix in found.get_indexes("item")}
    assert indexes["ux_item_source_key"] == (["source_id", "key"], True)
    assert indexes["ix_item_source_published"] == (["source_id", "published_on"], False)
    assert [(fk["constrained_columns"], fk["referred_table"])
            for fk in found.get_foreign_keys("item")] == [(["source_id"], "source")]
    with db.session() as session:
        assert sorted((i.id, i.url) for i in session.scalars(select(Item))) == [
            (1, "http://x.gov.cn/1.html"), (2, "http://x.gov.cn/2.html")]
        assert session.scalar(text("select item_id from finding where id = 1")) == 2
    with db.engine.connect() as conn:  # references are enforced again after the upgrade
        if backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(IntegrityError):
            conn.execute(text("update finding set item_id = 99 where id = 1"))
    db.dispose()


def test_snapshots_are_compressed_shared_and_pruned(any_db: Database, tmp_path: Path) -> None:
    import gzip
    from datetime import timedelta

    from storage.models import PageBody, Snapshot

    source_id = _unit_and_source(any_db)
    page = "<html><body><ul><li>关于防汛的通知 2021-08-30</li></ul></body></html>"
    # a snapshot saved before page bodies (revision 0020): a file of its own
    legacy_file = tmp_path / "legacy.html.gz"
    legacy_file.write_bytes(gzip.compress("<html>旧快照</html>".encode()))
    with any_db.session() as session:
        first = repo.save_snapshot(session, tmp_path, source_id=source_id, crawl_run_id=None,
                                   url="http://x.gov.cn/tzgg/", html=page, png=b"\x89PNG")
        second = repo.save_snapshot(session, tmp_path, source_id=source_id, crawl_run_id=None,
                                    url="http://x.gov.cn/tzgg/", html=page)
        kept = repo.save_snapshot(session, tmp_path, source_id=source_id, crawl_run_id=None,
                                  url="http://x.gov.cn/tzgg/", html=page + "<!-- v2 -->")
        legacy = Snapshot(source_id=source_id, url="http://x.gov.cn/tzgg/",
                          taken_at=now(), html_path=str(legacy_file), sha256="0" * 64)
        session.add(legacy)
        session.flush()
        snaps = {s.id: s for s in session.scalars(select(Snapshot))}
        bodies = dict(session.execute(select(PageBody.sha256, PageBody.html_gz)).all())
        assert snaps[first].sha256 == snaps[second].sha256  # one body, two rows
        assert len(bodies) == 2
        assert gzip.decompress(bodies[snaps[first].sha256]).decode() == page
        assert repo.read_snapshot_html(session, snaps[kept]) == page + "<!-- v2 -->"
        assert repo.read_snapshot_html(session, snaps[legacy.id]) == "<html>旧快照</html>"
        assert all(repo.snapshot_has_html(session, s) for s in snaps.values())
        unit_id = session.scalar(select(Unit.id))
        repo.save_findings(session, [repo.FindingDraft(
            rule="stale_column", unit_id=unit_id, subject=f"source:{source_id}",
            period="2021-W36", as_of=date(2021, 9, 8), points=1, evidence={},
            snapshot_id=kept)])
        for snap in snaps.values():  # all a year and a half old
            snap.taken_at = snap.taken_at - timedelta(days=550)
    with any_db.session() as session:
        assert repo.prune_snapshots(session, retention_days=365) == 3
        left = list(session.scalars(select(Snapshot)))
        assert [s.id for s in left] == [kept]  # evidence of a finding is never pruned
        # the pruned snapshots' body went with them, the finding's stayed
        assert list(session.scalars(select(PageBody.sha256))) == [left[0].sha256]
        assert not repo.snapshot_has_html(session, snaps[first])
        assert repo.read_snapshot_html(session, left[0]) == page + "<!-- v2 -->"
    assert not Path(snaps[first].png_path).exists()
    assert not legacy_file.exists()


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """It holds the reviewers' password hashes: created 0600, and an existing world-readable
    one is tightened on open."""
    import os
    import stat

    fresh = tmp_path / "data" / "govwatch.db"
    db = Database(f"sqlite:///{fresh}")
    db.migrate()
    db.dispose()
    assert stat.S_IMODE(fresh.stat().st_mode) & 0o077 == 0
    loose = tmp_path / "old.db"
    loose.touch()
    os.chmod(loose, 0o644)
    Database(f"sqlite:///{loose}").dispose()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    for extra in (fresh.with_name("govwatch.db-wal"), fresh.with_name("govwatch.db-shm")):
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0


def _first_query(url: str, barrier: threading.Barrier, answers: list[str]) -> None:
    """A new engine's first use of the database, started together with others'."""
    engine = make_engine(url)
    barrier.wait()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM t")).scalar()
        answers.append("ok")
    except Exception as exc:  # the answer is the test's evidence
        answers.append(f"{type(exc).__name__}: {exc}")
    finally:
        engine.dispose()


def test_processes_opening_a_rollback_journal_database_together_all_get_in(
        tmp_path: Path) -> None:
    """A database in rollback-journal mode (new, or restored by a tool) is switched to WAL by
    the first connection of each process; processes starting together (the scheduler, the
    web app, two monitor runs) deadlock on that switch, and SQLite refuses one of them at once
    ("database is locked") instead of waiting: it must try again, not fail. Connections in
    threads race alike (SQLite locks between connections, the driver lets go of the GIL), and
    threads need no fork of the test process."""
    refused: list[str] = []
    for round_ in range(60):
        path = tmp_path / f"r{round_}.db"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE t (x)")
            conn.execute("INSERT INTO t VALUES (1)")
        conn.close()
        barrier, answers = threading.Barrier(4), []
        openers = [threading.Thread(target=_first_query,
                                    args=(f"sqlite:///{path}", barrier, answers))
                   for _ in range(4)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(timeout=60)
        assert len(answers) == 4
        refused += [answer for answer in answers if answer != "ok"]
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()
    assert refused == []


def test_sqlite_binds_nulls_and_blobs_through_registered_adapters_unchanged(
        tmp_path: Path) -> None:
    """An SQLite engine registers ``sqlite3`` adapters for None and bytes (the driver's own
    adaptation protocol builds and drops an AttributeError for each such value); what is
    stored is what was bound: NULL stays NULL, a BLOB stays a BLOB, byte for byte."""
    engine = make_engine(f"sqlite:///{tmp_path / 'adapt.db'}")
    try:
        for kind in (type(None), bytes):
            assert (kind, sqlite3.PrepareProtocol) in sqlite3.adapters
        body = bytes(range(256)) * 3
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (a, b, c)"))
            conn.exec_driver_sql("INSERT INTO t VALUES (?, ?, ?)",
                                 [(None, body, "x"), (1, b"", None)])
            stored = conn.execute(text(
                "SELECT typeof(a), typeof(b), b, typeof(c) FROM t ORDER BY rowid")).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in stored] == [("null", "blob", body, "text"),
                                              ("integer", "blob", b"", "null")]
