"""Engines, sessions and migrations.

SQLite under the data folder by default; any SQLAlchemy URL via ``GOVWATCH_DATABASE_URL`` (or
``settings.database_url``). ``migrate()`` runs the Alembic migrations up to head: it creates a
new database and upgrades an old one alike.

A SQLite file govwatch created is marked by a sibling ``<name>.created`` file: when the
database is gone but its mark is not (deleted by mistake, a lost disk), opening it fails with
``DatabaseUnavailable`` instead of quietly starting again from an empty database.
``explain_database_error`` turns what a broken or unreachable database raises into a message in
Chinese for the operator.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from govwatch.beside import Beside, beside

DATABASE_ENV = "GOVWATCH_DATABASE_URL"
PG_CONNECT_TIMEOUT = 10  # seconds
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(data_dir: Path, configured: str | None = None) -> str:
    """The database to use: env var, then config, then ``<data_dir>/govwatch.db``."""
    url = os.environ.get(DATABASE_ENV) or configured
    if url:
        return url
    return f"sqlite:///{(data_dir / 'govwatch.db').resolve()}"


SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # busy_timeout makes concurrent writers wait instead of failing at once;
    # WAL lets the web app and monitors read while a crawl process writes.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    _wal_mode(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _wal_mode(cursor: Any) -> None:
    """Put the database in WAL mode (it stays so), waiting out another process doing the same.

    A database in rollback-journal mode (a new one, or one restored by a tool that does not
    keep WAL) is switched by the first connection of each process. Two processes switching it
    at once can deadlock on its locks, and SQLite then refuses one of them at once ("database
    is locked") instead of calling the busy handler: that one tries again shortly, and by
    then finds the database in WAL mode.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


class DatabaseUnavailable(Exception):
    """The database cannot be used as it is; the message (Chinese) says why and what to do."""


def created_mark(path: Path) -> Path:
    """The file that says govwatch once created the SQLite database at ``path``."""
    return path.with_name(path.name + ".created")


def _private_file(path: Path) -> None:
    """The SQLite file readable by its owner only (it holds reviewers' password hashes):
    created so, or tightened when it exists; SQLite gives its -wal and -shm files the same
    permissions. A database that existed and is gone is not created again."""
    if str(path) in ("", ":memory:"):
        return
    mark = created_mark(path)
    if not path.exists() and mark.exists():
        raise DatabaseUnavailable(
            f"数据库文件 {path} 不存在了（{mark.name} 表明它此前已建立）。如果是误删或磁盘故障，"
            f"请从备份恢复该文件；如果确实要从空数据库重新开始，请删除 {mark} 后重试。")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created only when missing (O_EXCL): closing a descriptor of a database this process
    # has open would drop SQLite's POSIX locks on it, and corrupt it under concurrent use.
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
    except FileExistsError:
        pass
    else:
        mark.write_text("govwatch created this database here; keep this file beside it\n",
                        encoding="utf-8")
    mode = path.stat().st_mode
    if mode & 0o077:
        # not ours: leave it as it is (SQLite may still open it)
        with contextlib.suppress(PermissionError):
            os.chmod(path, mode & ~0o077 & 0o7777)


def _bound_as_is(value: Any) -> Any:
    return value


def _adapt_sqlite_values_directly() -> None:
    """Register ``sqlite3`` adapters that hand NULLs and BLOBs to SQLite as they are.

    ``sqlite3`` binds ints, floats and strs straight away but puts every other value through
    its adaptation protocol first, whose failed lookup (``__adapt__`` on its protocol type)
    builds and drops an AttributeError: a crawl binds a hundred-odd NULLs and a page body for
    each list page, and that lookup cost more than SQLite's own work on them (~2 % of a
    crawl's instructions). An adapter registered for the type is found first. Process-wide;
    the values bound are the same."""
    for kind in (type(None), bytes):
        sqlite3.register_adapter(kind, _bound_as_is)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; makes the SQLite file (owner-only) and its folder when needed."""
    if url.startswith("sqlite:///"):
        _private_file(Path(url.removeprefix("sqlite:///").split("?", 1)[0]))
    options: dict[str, Any] = {}
    if url.startswith("postgresql"):
        # an unreachable server (a firewall dropping packets) fails in seconds, not minutes
        options["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT}
    engine = create_engine(url, future=True, **options)
    if engine.dialect.name == "sqlite":
        _adapt_sqlite_values_directly()
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def explain_database_error(exc: BaseException, url: str) -> str:
    """What a database error means for the operator, in Chinese (no password shown)."""
    where = make_url(url).render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = detail[0][:200] if detail else type(exc).__name__
    lowered = reason.lower()
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return (f"数据库 {where} 已损坏（{reason}）。请停止所有 govwatch 进程，"
                "从备份恢复数据库文件；损坏的文件请改名保留，便于排查，不要直接删除。")
    if "disk is full" in lowered or "no space" in lowered:
        return (f"数据库 {where} 所在磁盘已满（{reason}）。"
                "请清理磁盘空间后重试，已保存的数据不受影响。")
    if "readonly" in lowered or "read-only" in lowered or "permission" in lowered:
        return f"数据库 {where} 无法写入（{reason}）。请检查文件和目录的权限。"
    if url.startswith("sqlite"):
        return f"无法使用数据库 {where}（{reason}）。请检查数据目录和数据库文件。"
    return (f"无法连接数据库 {where}（{reason}）。请确认数据库服务正在运行、网络可达，"
            "并检查 database_url（或环境变量 GOVWATCH_DATABASE_URL）。")


# What a database that is broken, gone or unreachable raises, through SQLAlchemy.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (DatabaseUnavailable, DBAPIError)


_MIGRATING = threading.Lock()  # Alembic keeps per-run state in module globals


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    with _MIGRATING:
        # most commands find the schema current: asked of the database, not of Alembic,
        # which would load every migration script to find that out (~0.2 s a command)
        if _stored_revisions(engine) != [head_revision()]:
            _upgrade(engine)


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration's revision id: each migration file is named after its revision
    (``0020_page_bodies.py`` is revision ``0020``, revising ``0019``; a test pins it)."""
    return max(path.name.split("_", 1)[0]
               for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def _stored_revisions(engine: Engine) -> list[str]:
    """The revisions the database says it is at (none before its first migration)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return []
        return [row[0] for row in connection.exec_driver_sql(
            "SELECT version_num FROM alembic_version")]


def _upgrade(engine: Engine) -> None:
    # imported here: most commands find the schema current and never need Alembic (~70 ms)
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite drops a constraint by rebuilding the table (Alembic's batch mode copies
            # its rows, ids and all), and dropping the old table is refused while rows
            # elsewhere refer to it: foreign keys are off for the upgrade, as Alembic advises
            # (set outside its transaction, or SQLite ignores it)
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # SQLAlchemy's transaction only: the driver opened none
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


class Database:
    """An engine plus a session factory; the one handle other stages are given."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def migrate(self) -> None:
        migrate(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


T = TypeVar("T")


def in_process_only(url: URL) -> bool:
    """Whether the database lives in this process only (in-memory SQLite)."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def in_session_beside(session: Session, work: Callable[[Session], T]) -> Beside[T]:
    """``work`` started beside the caller (``govwatch.beside``): in a forked child on a
    connection of its own (a child must not use its parent's), which sees what is committed;
    or, where forking is unsafe or the database lives in this process only (in-memory
    SQLite), on ``session`` itself when ``.result()`` is asked for."""
    url = session.get_bind().url
    in_memory = in_process_only(url)
    own = url.render_as_string(hide_password=False)

    def in_child() -> T:
        db = Database(own)
        try:
            with db.session() as child_session:
                return work(child_session)
        finally:
            db.dispose()

    return beside(in_child, inline=lambda: work(session), may_fork=not in_memory)
